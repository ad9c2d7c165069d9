"""Organisations, people and their roles. Services flush; the caller commits once."""
from __future__ import annotations

import datetime as dt
import re

from flask import current_app
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.auth.models import AccountToken, TokenPurpose
from portal.auth.services import send_invitation
from portal.auth.sessions import revoke_all_sessions
from portal.auth.tokens import consume_token, issue_token, resolve_token
from portal.db import session
from portal.exceptions import DomainError
from portal.notifications.services import notify, path_for
from portal.permissions import can_act_for, can_grant_role
from portal.users.models import (
    Organisation,
    OrganisationKind,
    Role,
    RoleGrant,
    User,
    UserStatus,
    normalise_email,
)

SWE_NUMBER = re.compile(r"^SW\d{1,8}$")
ORG_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")


def normalise_swe_number(value: str | None) -> str | None:
    """Social Work England registration numbers are 'SW' then digits; spaces and case are forgiven."""
    if value is None:
        return None
    cleaned = "".join(value.split()).upper()
    return cleaned or None


def check_swe_number(value: str | None, *, user: User | None = None) -> str | None:
    number = normalise_swe_number(value)
    if number is None:
        return None
    if not SWE_NUMBER.match(number):
        raise DomainError("Enter a Social Work England registration number in the correct format, like SW123456",
                          "swe_number")
    clash = session().execute(select(User.id).where(User.swe_number == number)).scalar()
    if clash is not None and (user is None or clash != user.id):
        raise DomainError("Another account already has this Social Work England registration number",
                          "swe_number")
    return number


# ---------------------------------------------------------------------------------------------------- organisations
def create_organisation(*, name: str, kind: OrganisationKind, code: str, by: User) -> Organisation:
    """Create an employer organisation with a unique short code (e.g. the council's ONS-style code)."""
    code = code.strip().upper()
    if not ORG_CODE.match(code):
        raise DomainError("Code must be 2 to 20 letters, numbers or hyphens, like NSH-CC", "code")
    sess = session()
    if sess.execute(select(exists().where(Organisation.code == code))).scalar():
        raise DomainError("An organisation with this code already exists", "code")
    organisation = Organisation(name=name.strip(), kind=kind, code=code)
    sess.add(organisation)
    try:
        with sess.begin_nested():
            sess.flush()
    except IntegrityError:
        raise DomainError("An organisation with this code already exists", "code") from None
    audit.record(by, "organisation.created", organisation, code=code, name=organisation.name)
    return organisation


# ----------------------------------------------------------------------------------------------------------- people
SELF_GRANT = "You cannot give yourself a role. Ask another admin to give it to you"


def _where(organisation: Organisation | None) -> str:
    return organisation.name if organisation else "the national programme"


def _grant(user: User, role: Role, organisation: Organisation | None, by: User,
           *, invitation: AccountToken | None = None) -> RoleGrant:
    """Add the role, audit it and tell the person and the organisation's other admins. ``by`` is who acts: the
    granting admin, or the person themselves accepting ``invitation`` (whose sender is recorded as the granter)."""
    if invitation is None and by is not None and user.id == by.id:
        raise DomainError(SELF_GRANT, "role")
    org_id = organisation.id if organisation else None
    if any(g.role == role and g.organisation_id == org_id for g in user.grants):
        where = f" at {organisation.name}" if organisation else ""
        raise DomainError(f"{user.name} already has the role {role.label}{where}", "role")
    granter_id = invitation.created_by_id if invitation is not None else by.id
    grant = RoleGrant(user=user, role=role, organisation_id=org_id, granted_by_id=granter_id)
    session().add(grant)
    session().flush()
    audit.record(by, "role.granted", user, role=role.value, organisation_id=org_id, granted_by_id=granter_id,
                 **({"invitation_id": invitation.id} if invitation is not None else {}))
    _tell_about_grant(user, role, organisation, by)
    return grant


def _tell_about_grant(user: User, role: Role, organisation: Organisation | None, by: User) -> None:
    """The person (unless their account is not set up yet: their invitation says it) and every other admin of the
    organisation (programme admins for a national role) hear of a new role."""
    where = _where(organisation)
    if user.status == UserStatus.ACTIVE:
        notify(user, "role_granted", f"You have been given the role {role.label} at {where}",
               link=path_for("auth.account"), email_subject=f"You have a new role: {role.label}",
               email_template="role_granted", role_label=role.label, organisation_name=where)
    admin_role = Role.EMPLOYER_ADMIN if organisation else Role.PROGRAMME_ADMIN
    scope = (RoleGrant.organisation_id == organisation.id) if organisation else RoleGrant.organisation_id.is_(None)
    admins = session().execute(
        select(User).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == admin_role, scope, User.status == UserStatus.ACTIVE,
               User.id.not_in({user.id, by.id})).order_by(User.id)).scalars().all()
    for admin in admins:
        notify(admin, "organisation_role_granted", f"{user.name} now has the role {role.label} at {where}",
               link=path_for("users.person", user_id=user.id))


def invite_person(
    *,
    email: str,
    name: str,
    role: Role,
    organisation: Organisation | None,
    by: User,
    swe_number: str | None = None,
) -> User:
    """Give someone a role in an organisation, creating and inviting their account if they have none.

    A new account is created as "invited", gets the role and a single-use link to set a password. An existing
    account gains the role at once only if ``by`` may act for them (``can_act_for``: all their roles are in
    ``by``'s organisations, or ``by`` is a programme admin); anyone else is sent an invitation to accept or decline
    while signed in, and nothing is granted until they accept. Nobody invites themselves.
    """
    sess = session()
    email = normalise_email(email)
    user = sess.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is not None:
        if user.id == by.id:
            raise DomainError(SELF_GRANT, "email")
        if user.status == UserStatus.DISABLED:
            raise DomainError("This person's account is disabled. Enable it before giving them a role", "email")
        if not can_act_for(by, user):
            invite_to_role(user, role, organisation, by=by)
            return user
        _grant(user, role, organisation, by)
        if user.status == UserStatus.INVITED:
            send_invitation(user, by=by, role_label=role.label, organisation_name=_where(organisation))
        return user
    number = check_swe_number(swe_number)
    user = User(email=email, name=name.strip(), swe_number=number, status=UserStatus.INVITED)
    sess.add(user)
    try:
        with sess.begin_nested():
            sess.flush()
    except IntegrityError:
        raise DomainError("An account with this email address already exists", "email") from None
    audit.record(by, "user.invited", user, email=email)
    _grant(user, role, organisation, by)
    send_invitation(user, by=by, role_label=role.label, organisation_name=_where(organisation))
    return user


def invite_to_role(user: User, role: Role, organisation: Organisation | None, *, by: User) -> AccountToken:
    """Invite an existing account to a role in an organisation: an e-mail (through the outbox) and an in-app
    notification carry a link, valid for INVITATION_DAYS, to a page where the person, signed in, accepts or
    declines. Nothing is granted until they accept; a newer invitation to the same role replaces the older."""
    org_id = organisation.id if organisation else None
    if user.has_role(role, org_id):
        raise DomainError(f"{user.name} already has the role {role.label} at {_where(organisation)}", "role")
    days = current_app.config["INVITATION_DAYS"]
    issued = issue_token(user, TokenPurpose.ROLE_INVITATION, lifetime=dt.timedelta(days=days), by=by, role=role,
                         organisation_id=org_id)
    notify(user, "role_invitation",
           f"{by.name} has invited you to take the role {role.label} at {_where(organisation)}. "
           f"Accept or decline within {days} days",
           link=path_for("auth.role_invitation", token=issued.signed),
           email_subject=f"Invitation to join {_where(organisation)}")
    audit.record(by, "role.invited", user, role=role.value, organisation_id=org_id, token_id=issued.token.id)
    return issued.token


def role_invitation(signed: str) -> AccountToken:
    """The live role invitation behind a link (TokenError says why it cannot be used)."""
    return resolve_token(signed, TokenPurpose.ROLE_INVITATION)


def respond_to_role_invitation(signed: str, *, accept: bool, by: User) -> AccountToken:
    """The invited person accepts (the role is granted now) or declines; either way the link is used up. Refused
    when the invitation is someone else's, or its sender may no longer give that role there."""
    token = resolve_token(signed, TokenPurpose.ROLE_INVITATION, for_update=True)
    if token.user_id != by.id:
        raise DomainError("This invitation was sent to someone else")
    consume_token(token)
    if not accept:
        audit.record(by, "role.invitation_declined", by, role=token.role.value if token.role else None,
                     organisation_id=token.organisation_id, token_id=token.id)
        return token
    inviter = token.created_by
    if token.role is None or inviter is None or not can_grant_role(inviter, token.organisation_id, token.role):
        raise DomainError("This invitation can no longer be accepted. Ask the organisation's admin to invite you "
                          "again")
    audit.record(by, "role.invitation_accepted", by, role=token.role.value, organisation_id=token.organisation_id,
                 token_id=token.id)
    _grant(by, token.role, token.organisation, by, invitation=token)
    return token


def resend_invitation(user: User, *, by: User) -> None:
    if user.status != UserStatus.INVITED:
        raise DomainError("This person has already set up their account")
    grant = user.grants[0] if user.grants else None
    send_invitation(user, by=by, role_label=grant.role.label if grant else "",
                    organisation_name=grant.organisation.name if grant and grant.organisation else
                    "the national programme")


def grant_role(user: User, role: Role, organisation: Organisation | None, *, by: User) -> RoleGrant | None:
    """Add a role to an existing account. Someone ``by`` may not act for (``can_act_for``) who holds no role in
    that organisation yet is sent an invitation to accept instead, and ``None`` is returned."""
    if user.status == UserStatus.DISABLED:
        raise DomainError("This account is disabled. Enable it before giving it a role", "role")
    org_id = organisation.id if organisation else None
    if user.id != by.id and not can_act_for(by, user) and (org_id is None or org_id not in user.organisation_ids()):
        invite_to_role(user, role, organisation, by=by)
        return None
    return _grant(user, role, organisation, by)


def revoke_grant(grant: RoleGrant, *, by: User) -> None:
    user = grant.user
    audit.record(by, "role.revoked", user, role=grant.role.value, organisation_id=grant.organisation_id)
    user.grants.remove(grant)
    user.session_version += 1  # a session must not keep a role it lost
    revoke_all_sessions(user, "role_removed")
    session().flush()


def set_user_status(user: User, status: UserStatus, *, by: User, reason: str = "") -> None:
    """Disable (ends every session at once) or re-enable an account."""
    if status == UserStatus.INVITED:
        raise DomainError("An account cannot be put back to invited")
    if user.status == UserStatus.INVITED and status == UserStatus.ACTIVE:
        raise DomainError("This person has not accepted their invitation yet")
    if user.status == status:
        raise DomainError(f"This account is already {status.value}")
    if status == UserStatus.ACTIVE and user.password_hash is None:
        # Never set up: re-enabling puts them back to "invited" so a new invitation can be sent.
        status = UserStatus.INVITED
    user.status = status
    user.session_version += 1
    revoke_all_sessions(user, "account_disabled" if status == UserStatus.DISABLED else "account_enabled")
    audit.record(by, "user.disabled" if status == UserStatus.DISABLED else "user.enabled", user,
                 reason=reason or None, status=status.value)
    session().flush()


def update_user(user: User, *, name: str, swe_number: str | None, by: User) -> None:
    """Correct someone's name or SWE number: only the person, a programme admin, or an employer admin for people
    all of whose roles are in their organisations (``can_act_for``)."""
    if not can_act_for(by, user):
        raise DomainError("You cannot change this person's details: they have a role in an organisation you do not "
                          "manage. Ask them or a programme admin", "name")
    number = check_swe_number(swe_number, user=user)
    changes = {}
    if user.name != name.strip():
        changes["name"] = [user.name, name.strip()]
        user.name = name.strip()
    if user.swe_number != number:
        changes["swe_number"] = [user.swe_number, number]
        user.swe_number = number
    if changes:
        audit.record(by, "user.updated", user, changes=changes)
    session().flush()


def people_query(*, organisation_ids: set[int] | None, search: str = "", role: Role | None = None):  # type: ignore[no-untyped-def]
    """Users visible in a scope (None: everyone), filtered by a search on name, e-mail or SWE number."""
    query = select(User)
    if organisation_ids is not None or role is not None:
        grant_filter = [RoleGrant.user_id == User.id]
        if organisation_ids is not None:
            grant_filter.append(RoleGrant.organisation_id.in_(organisation_ids or {-1}))
        if role is not None:
            grant_filter.append(RoleGrant.role == role)
        query = query.where(exists().where(*grant_filter))
    term = search.strip().lower()
    if term:
        like = f"%{term.replace('%', '').replace('_', '')}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like),
                                func.lower(func.coalesce(User.swe_number, "")).like(like)))
    return query

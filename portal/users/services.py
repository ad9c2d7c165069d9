"""Organisations, people and their roles. Services flush; the caller commits once."""
from __future__ import annotations

import re

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.auth.services import send_invitation
from portal.auth.sessions import revoke_all_sessions
from portal.db import session
from portal.exceptions import DomainError
from portal.mail import queue_email
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
def _grant(user: User, role: Role, organisation: Organisation | None, by: User) -> RoleGrant:
    org_id = organisation.id if organisation else None
    if any(g.role == role and g.organisation_id == org_id for g in user.grants):
        where = f" at {organisation.name}" if organisation else ""
        raise DomainError(f"{user.name} already has the role {role.label}{where}", "role")
    grant = RoleGrant(user=user, role=role, organisation_id=org_id, granted_by_id=by.id)
    session().add(grant)
    session().flush()
    audit.record(by, "role.granted", user, role=role.value, organisation_id=org_id)
    return grant


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

    An existing account just gains the role (and is told by e-mail); a new one is created as "invited" and gets a
    single-use link to set a password.
    """
    sess = session()
    email = normalise_email(email)
    user = sess.execute(select(User).where(User.email == email)).scalar_one_or_none()
    org_name = organisation.name if organisation else "the national programme"
    if user is not None:
        if user.status == UserStatus.DISABLED:
            raise DomainError("This person's account is disabled. Enable it before giving them a role", "email")
        _grant(user, role, organisation, by)
        if user.status == UserStatus.INVITED:
            send_invitation(user, by=by, role_label=role.label, organisation_name=org_name)
        else:
            queue_email(user.email, f"You have a new role: {role.label}", "role_granted", user=user,
                        role_label=role.label, organisation_name=org_name)
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
    send_invitation(user, by=by, role_label=role.label, organisation_name=org_name)
    return user


def resend_invitation(user: User, *, by: User) -> None:
    if user.status != UserStatus.INVITED:
        raise DomainError("This person has already set up their account")
    grant = user.grants[0] if user.grants else None
    send_invitation(user, by=by, role_label=grant.role.label if grant else "",
                    organisation_name=grant.organisation.name if grant and grant.organisation else
                    "the national programme")


def grant_role(user: User, role: Role, organisation: Organisation | None, *, by: User) -> RoleGrant:
    """Add a role to an existing account."""
    if user.status == UserStatus.DISABLED:
        raise DomainError("This account is disabled. Enable it before giving it a role", "role")
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

"""Every access rule of the portal, as named predicates ``can_<verb>(user, obj)``.

Views declare one with ``@requires(predicate, load=...)``; templates call the same predicates (they are Jinja
globals) to show or hide links. A route that needs no rule is marked ``@public``; a test walks the URL map and fails
on any route that is neither.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import DeclarativeBase

from portal.db import session
from portal.extensions import login_manager
from portal.users.models import Organisation, Role, RoleGrant, User

F = TypeVar("F", bound=Callable[..., Any])
Predicate = Callable[..., bool]


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


# ---------------------------------------------------------------------------------------------------------- roles
def is_programme_admin(user: Any) -> bool:
    """National programme administrators: see everything (audited)."""
    return _authenticated(user) and user.has_role(Role.PROGRAMME_ADMIN)


def is_employer_admin_of(user: Any, organisation_id: int | None) -> bool:
    return _authenticated(user) and organisation_id is not None and user.has_role(Role.EMPLOYER_ADMIN,
                                                                                   organisation_id)


def administered_organisation_ids(user: Any) -> set[int]:
    """Organisations whose people ``user`` may manage as employer admin."""
    return user.organisation_ids(Role.EMPLOYER_ADMIN) if _authenticated(user) else set()


# ---------------------------------------------------------------------------------------------------------- account
def can_use_account(user: Any, _obj: Any = None) -> bool:
    """Any signed-in user may see and change their own account."""
    return _authenticated(user)


# ---------------------------------------------------------------------------------------------------- organisations
def can_administer(user: Any, _obj: Any = None) -> bool:
    """Reach the administration area: programme admins and employer admins."""
    return is_programme_admin(user) or bool(administered_organisation_ids(user))


def can_create_organisation(user: Any, _obj: Any = None) -> bool:
    """Only programme admins create employer organisations."""
    return is_programme_admin(user)


def can_view_organisation(user: Any, organisation: Organisation) -> bool:
    """Programme admins see every organisation; an employer admin sees their own."""
    return is_programme_admin(user) or is_employer_admin_of(user, organisation.id)


can_invite_to_organisation = can_view_organisation


# ----------------------------------------------------------------------------------------------------------- people
def can_view_user(user: Any, target: User) -> bool:
    """Programme admins see anyone; an employer admin sees people holding a role in their organisation."""
    if is_programme_admin(user):
        return True
    return bool(administered_organisation_ids(user) & target.organisation_ids())


def can_change_user_status(user: Any, target: User) -> bool:
    """Disable or re-enable an account: never your own; an employer admin only for people wholly in their
    organisation(s) and never a programme admin."""
    if not _authenticated(user) or target.id == user.id:
        return False
    if is_programme_admin(user):
        return True
    if target.has_role(Role.PROGRAMME_ADMIN):
        return False
    target_orgs = target.organisation_ids()
    return bool(target_orgs) and target_orgs <= administered_organisation_ids(user)


def can_edit_user(user: Any, target: User) -> bool:
    """Correct a person's name or SWE number: programme admins, and employer admins of the person's organisation."""
    return can_view_user(user, target)


def grantable_roles(user: Any, organisation_id: int | None) -> list[Role]:
    """Roles ``user`` may grant in that organisation (``None``: the national scope)."""
    if is_programme_admin(user):
        if organisation_id is None:
            return [Role.PROGRAMME_ADMIN]
        return [r for r in Role if r != Role.PROGRAMME_ADMIN]
    if organisation_id is not None and is_employer_admin_of(user, organisation_id):
        return [r for r in Role if r != Role.PROGRAMME_ADMIN]
    return []


def can_grant_role(user: Any, organisation_id: int | None, role: Role) -> bool:
    """Employer admins grant any organisation role in their organisation; only programme admins make programme
    admins."""
    return role in grantable_roles(user, organisation_id)


def can_revoke_grant(user: Any, grant: RoleGrant) -> bool:
    """Revoke a role: whoever could grant it, except their own grants (so nobody locks themselves out)."""
    if not _authenticated(user) or grant.user_id == user.id:
        return False
    return can_grant_role(user, grant.organisation_id, grant.role)


def can_view_audit(user: Any, _obj: Any = None) -> bool:
    """The audit log is for programme admins."""
    return is_programme_admin(user)


# ---------------------------------------------------------------------------------------------------------- pathway
# Programme templates and enrolments. An enrolment is seen by the practitioner, their *current* practice supervisor,
# the employer admins of their *current* employer and programme admins; nobody else.
def is_supervisor(user: Any) -> bool:
    """Holds the practice supervisor role in some organisation."""
    return _authenticated(user) and user.has_role(Role.SUPERVISOR)


def can_view_programmes(user: Any, _obj: Any = None) -> bool:
    """The published programme versions: programme admins, and employer admins (who enrol people on them)."""
    return is_programme_admin(user) or bool(administered_organisation_ids(user))


def can_publish_programme(user: Any, _obj: Any = None) -> bool:
    """Only programme admins load and publish programme templates."""
    return is_programme_admin(user)


def can_list_enrolments(user: Any, _obj: Any = None) -> bool:
    """The enrolments list: programme admins (all) and employer admins (their organisations')."""
    return is_programme_admin(user) or bool(administered_organisation_ids(user))


def can_enrol(user: Any, _obj: Any = None) -> bool:
    """Enrol someone: programme admins, and employer admins into their own organisation (the form offers only
    organisations they administer)."""
    return can_list_enrolments(user)


def can_view_enrolment(user: Any, enrolment: Any) -> bool:
    """An enrolment and its progress: the practitioner, their current practice supervisor, the employer admins of
    their current employer, programme admins."""
    if not _authenticated(user):
        return False
    return (is_programme_admin(user) or is_employer_admin_of(user, enrolment.organisation_id)
            or enrolment.practitioner_id == user.id or enrolment.supervisor_id == user.id)


def can_manage_enrolment(user: Any, enrolment: Any) -> bool:
    """Change an enrolment's clock and people (pauses, extensions, supervisor, version, external results):
    programme admins and the employer admins of its current employer."""
    return is_programme_admin(user) or is_employer_admin_of(user, enrolment.organisation_id)


def can_transfer_enrolment(user: Any, enrolment: Any) -> bool:
    """Move an enrolment to another employer: programme admins, or the employer admins of the employer it is
    leaving."""
    return can_manage_enrolment(user, enrolment)


def can_record_review(user: Any, enrolment: Any) -> bool:
    """Record a review meeting: the current practice supervisor, the employer's admins, programme admins (the
    practitioner can view the record)."""
    return _authenticated(user) and (enrolment.supervisor_id == user.id or can_manage_enrolment(user, enrolment))


def can_record_pathway_document(user: Any, enrolment: Any) -> bool:
    """Add a document or a self-assessment to an enrolment: anyone who can see it (the practitioner included)."""
    return can_view_enrolment(user, enrolment)


def can_view_supervisees(user: Any, _obj: Any = None) -> bool:
    """The "Your supervisees" list: practice supervisors."""
    return is_supervisor(user)


# --------------------------------------------------------------------------------------------------------- casework
#: Extension points: the assessment feature registers ``hook(user, item) -> bool`` for "the assessor of a submission
#: that includes this item"; moderation registers the anonymised view's hook. Nothing is registered yet.
CASEWORK_VIEWER_HOOKS: list[Callable[[Any, Any], bool]] = []
CASEWORK_ANONYMISED_VIEWER_HOOKS: list[Callable[[Any, Any], bool]] = []
#: ``hook(item) -> bool``: the item is locked (e.g. sealed in a submission), so nobody may change or delete it
CASEWORK_LOCK_HOOKS: list[Callable[[Any], bool]] = []


def register_casework_lock(hook: Callable[[Any], bool]) -> None:
    """Let another feature lock items (the assessment feature: items sealed in an open submission)."""
    CASEWORK_LOCK_HOOKS.append(hook)


def is_casework_locked(item: Any) -> bool:
    """An item another feature has locked (sealed in a submission): it can be read and commented on only."""
    return any(hook(item) for hook in CASEWORK_LOCK_HOOKS)


def register_casework_viewer(hook: Callable[[Any, Any], bool], *, anonymised: bool = False) -> None:
    """Let another feature grant sight of casework items (full text, or with ``anonymised`` the redacted view)."""
    (CASEWORK_ANONYMISED_VIEWER_HOOKS if anonymised else CASEWORK_VIEWER_HOOKS).append(hook)


def _enrolment_of(obj: Any) -> Any:
    return getattr(obj, "enrolment", obj)


def _enrolment_active(obj: Any) -> bool:
    enrolment = _enrolment_of(obj)
    return getattr(getattr(enrolment, "status", None), "value", None) == "active"


def is_practitioner_of(user: Any, obj: Any) -> bool:
    """``user`` is the practitioner of an enrolment or a casework item."""
    return _authenticated(user) and getattr(obj, "practitioner_id", None) == user.id


def is_current_supervisor_of(user: Any, obj: Any) -> bool:
    """``user`` is the practice supervisor allocated *now* to the enrolment (of the item)."""
    enrolment = _enrolment_of(obj)
    return (_authenticated(user) and enrolment is not None and enrolment.supervisor_id == user.id
            and enrolment.practitioner_id != user.id)


def can_list_casework(user: Any, enrolment: Any) -> bool:
    """A practitioner's casework list: the practitioner and their current supervisor."""
    return is_practitioner_of(user, enrolment) or is_current_supervisor_of(user, enrolment)


def can_add_casework(user: Any, enrolment: Any) -> bool:
    """Case reflections and feedback requests are added by the practitioner, while the enrolment is active."""
    return is_practitioner_of(user, enrolment) and _enrolment_active(enrolment)


def can_record_observation(user: Any, enrolment: Any) -> bool:
    """Record a direct observation: the current supervisor, or a supervisor or practitioner of the enrolment's
    organisation, never the practitioner themselves (the service also requires a Social Work England number)."""
    if not _authenticated(user) or not _enrolment_active(enrolment) or is_practitioner_of(user, enrolment):
        return False
    return is_current_supervisor_of(user, enrolment) or any(
        user.has_role(role, enrolment.organisation_id) for role in (Role.SUPERVISOR, Role.PRACTITIONER))


def can_record_supervision(user: Any, enrolment: Any) -> bool:
    """Supervision records are written by the current supervisor."""
    return is_current_supervisor_of(user, enrolment) and _enrolment_active(enrolment)


def can_view_casework(user: Any, item: Any) -> bool:
    """See an item's text: the practitioner, their current supervisor, the observer of an observation they
    recorded, and whoever a registered hook allows (the assessor of a submission including the item).
    Employer admins and programme admins never see the text (they get counts and statuses)."""
    if not _authenticated(user):
        return False
    if is_practitioner_of(user, item) or is_current_supervisor_of(user, item):
        return True
    if item.observer_id is not None and item.observer_id == user.id:
        return True
    return any(hook(user, item) for hook in CASEWORK_VIEWER_HOOKS)


def can_view_casework_anonymised(user: Any, item: Any) -> bool:
    """The moderators' anonymised view (granted only by a registered hook)."""
    return _authenticated(user) and any(hook(user, item) for hook in CASEWORK_ANONYMISED_VIEWER_HOOKS)


def _is_supervision(item: Any) -> bool:
    return getattr(item.kind, "value", item.kind) == "supervision_record"


def is_casework_requester(user: Any, item: Any) -> bool:
    """Who asks for verification: the practitioner, or the supervisor who writes a supervision record."""
    return is_current_supervisor_of(user, item) if _is_supervision(item) else is_practitioner_of(user, item)


def can_edit_casework(user: Any, item: Any) -> bool:
    """Change an item (which parts: ``portal.casework.services.writers_for``): the practitioner their own
    evidence and reflections, the observer their observation, the supervisor their supervision record. The
    supervisor can comment on a practitioner's evidence but never edit it."""
    if not _enrolment_active(item) or is_casework_locked(item):
        return False
    if _is_supervision(item):
        return is_current_supervisor_of(user, item)
    return is_practitioner_of(user, item) or (item.observer_id is not None and item.observer_id == user.id
                                              and not is_practitioner_of(user, item))


def can_delete_casework(user: Any, item: Any) -> bool:
    """Delete an item that has not been verified or sent: its requester only."""
    return (_enrolment_active(item) and is_casework_requester(user, item) and not is_casework_locked(item)
            and item.status.value in {"draft", "declined"})


def can_request_verification(user: Any, item: Any) -> bool:
    """Send for verification (or take a request back): the requester, while the enrolment is active."""
    return _enrolment_active(item) and is_casework_requester(user, item)


def can_verify_casework(user: Any, item: Any) -> bool:
    """Verify or decline: only the practitioner's *current* supervisor (a supervision record: the practitioner
    co-signs). Never the person who asked."""
    if not _enrolment_active(item):
        return False
    if _is_supervision(item):
        return is_practitioner_of(user, item)
    return is_current_supervisor_of(user, item)


def can_comment_on_casework(user: Any, item: Any) -> bool:
    """Comment: the practitioner and their current supervisor."""
    return is_practitioner_of(user, item) or is_current_supervisor_of(user, item)


def can_withdraw_feedback_link(user: Any, request: Any) -> bool:
    """An unused feedback link can be stopped by the practitioner who sent it."""
    return is_practitioner_of(user, request)


def can_view_verification_queue(user: Any, _obj: Any = None) -> bool:
    """The queue of items waiting for verification: practice supervisors."""
    return _authenticated(user) and user.has_role(Role.SUPERVISOR)


def can_view_casework_summary(user: Any, organisation: Organisation) -> bool:
    """Counts and statuses of casework (never the text) for an organisation's practitioners: its employer admins
    and programme admins."""
    return is_programme_admin(user) or is_employer_admin_of(user, organisation.id)


# -------------------------------------------------------------------------------------------------------------- cpd
# A practitioner's CPD is seen by the practitioner, their current practice supervisor, programme admins (audited),
# and whoever a registered hook allows (the assessor of a submission that includes the record). Employer admins
# see counts per registration year, never the text.
#: Extension points: the assessment feature registers ``hook(user, record) -> bool`` for "an assessor allocated
#: to a submission that includes this record", and ``lock(record) -> bool`` for "sealed in a submission".
CPD_RECORD_VIEWER_HOOKS: list[Callable[[Any, Any], bool]] = []
CPD_RECORD_LOCKS: list[Callable[[Any], bool]] = []


def register_cpd_record_viewer(hook: Callable[[Any, Any], bool]) -> None:
    """Let another feature grant sight of a CPD record (e.g. the assessor of a submission including it)."""
    CPD_RECORD_VIEWER_HOOKS.append(hook)


def register_cpd_record_lock(lock: Callable[[Any], bool]) -> None:
    """Let another feature freeze CPD records (e.g. sealed in a submitted portfolio): nobody may edit them."""
    CPD_RECORD_LOCKS.append(lock)


def is_practitioner(user: Any) -> bool:
    """Holds the practitioner role in some organisation."""
    return _authenticated(user) and user.has_role(Role.PRACTITIONER)


def is_current_supervisor_of_practitioner(user: Any, practitioner_id: int | None) -> bool:
    """``user`` is the practice supervisor of one of the practitioner's active enrolments now (one query)."""
    if not _authenticated(user) or practitioner_id is None or practitioner_id == user.id:
        return False
    from sqlalchemy import exists, select

    from portal.enrolments.models import Enrolment, EnrolmentStatus

    return bool(session().execute(select(exists().where(
        Enrolment.practitioner_id == practitioner_id, Enrolment.supervisor_id == user.id,
        Enrolment.status == EnrolmentStatus.ACTIVE))).scalar())


def can_record_cpd(user: Any, _obj: Any = None) -> bool:
    """Keep a CPD log (add records, export, see the registration-year check): practitioners."""
    return is_practitioner(user)


def can_view_cpd_of(user: Any, practitioner: User) -> bool:
    """The list of someone's CPD records: the practitioner, their current supervisor, programme admins."""
    if not _authenticated(user):
        return False
    return (practitioner.id == user.id or is_programme_admin(user)
            or is_current_supervisor_of_practitioner(user, practitioner.id))


def can_view_cpd_summary(user: Any, practitioner: User) -> bool:
    """Counts of someone's CPD per registration year (no text): whoever sees their records, and the employer
    admins of an organisation where they hold a role."""
    return can_view_cpd_of(user, practitioner) or bool(
        administered_organisation_ids(user) & practitioner.organisation_ids())


def can_view_cpd_record(user: Any, record: Any) -> bool:
    """One record's text and files: the practitioner, their current supervisor, programme admins (every view by
    someone else is audited), and whoever a registered hook allows (the assessor of a submission including it).
    Employer admins never see the text."""
    if not _authenticated(user):
        return False
    if record.practitioner_id == user.id or is_programme_admin(user):
        return True
    if is_current_supervisor_of_practitioner(user, record.practitioner_id):
        return True
    return any(hook(user, record) for hook in CPD_RECORD_VIEWER_HOOKS)


def is_cpd_record_locked(record: Any) -> bool:
    """A record frozen by another feature (sealed in a submission) cannot be changed or deleted."""
    return any(lock(record) for lock in CPD_RECORD_LOCKS)


def can_edit_cpd_record(user: Any, record: Any) -> bool:
    """Change, finish or delete a record, or its files: only the practitioner, and only while it is not locked."""
    return _authenticated(user) and record.practitioner_id == user.id and not is_cpd_record_locked(record)


def can_import_cpd(user: Any, _obj: Any = None) -> bool:
    """Import an attendance list: employer admins (for practitioners they manage) and practitioners (their own)."""
    return is_practitioner(user) or bool(administered_organisation_ids(user))


def can_use_cpd_import(user: Any, upload: Any) -> bool:
    """An uploaded list's preview and import: only the person who uploaded it."""
    return can_import_cpd(user) and upload.uploaded_by_id == user.id


def can_view_supervisees_cpd(user: Any, _obj: Any = None) -> bool:
    """The CPD check of everyone you supervise: practice supervisors."""
    return is_supervisor(user)


# ------------------------------------------------------------------------------------------------------ decorators
def public(view: F) -> F:
    """Mark a view as deliberately open to everyone (the route-walking test accepts it)."""
    view._access = "public"  # type: ignore[attr-defined]
    return view


def requires(
    predicate: Predicate,
    *,
    load: tuple[str, type[DeclarativeBase]] | None = None,
) -> Callable[[F], F]:
    """Guard a view with a named predicate.

    ``load=("org_id", Organisation)`` loads the object whose id is in that URL argument (404 if there is none),
    passes it to the view in place of the id, and calls ``predicate(current_user, obj)`` (403 if false).
    Anonymous users are sent to sign in first.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            obj = None
            if load is not None:
                arg, model = load
                obj = session().get(model, kwargs.pop(arg))
                if obj is None:
                    abort(404)
                kwargs[model.__name__.lower()] = obj
            if not predicate(current_user._get_current_object(), obj):
                abort(403)
            return view(*args, **kwargs)

        wrapper._access = predicate.__name__  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def template_predicates() -> dict[str, Predicate]:
    """The predicates exposed to Jinja, so templates and views apply the same rule."""
    return {name: obj for name, obj in globals().items()
            if callable(obj) and name.startswith(("can_", "is_"))}

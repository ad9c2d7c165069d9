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
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase

from portal.db import db, session
from portal.extensions import login_manager
from portal.urls import MAX_ID
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


def can_act_for(user: Any, target: User) -> bool:
    """Act on someone's identity and records in their name (change their name, e-mail or SWE number, import CPD
    into their log): the person themselves, programme admins, and an employer admin for people *all* of whose roles
    are in organisations they administer (never a programme admin). A role in one more organisation is not enough:
    otherwise inviting someone in would hand their account over."""
    if not _authenticated(user):
        return False
    if target.id == user.id or is_programme_admin(user):
        return True
    if target.has_role(Role.PROGRAMME_ADMIN):
        return False
    target_orgs = target.organisation_ids()
    return bool(target_orgs) and target_orgs <= administered_organisation_ids(user)


def can_edit_user(user: Any, target: User) -> bool:
    """Correct someone else's name or SWE number in the administration area: programme admins, and employer admins
    for people all of whose roles are in their organisations (see ``can_act_for``)."""
    return can_administer(user) and can_act_for(user, target)


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


def can_grant_role_to(user: Any, target: User) -> bool:
    """Give ``target`` a role (the "Add a role" page): whoever may see them in the administration area, never
    themselves (nobody grants a role to themselves; another admin must)."""
    return _authenticated(user) and target.id != user.id and can_view_user(user, target)


def can_respond_to_role_invitation(user: Any, invitation: Any) -> bool:
    """Accept or decline an invitation to a role in an organisation: only the person invited, signed in."""
    return _authenticated(user) and invitation.user_id == user.id


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
            or enrolment.practitioner_id == user.id or is_current_supervisor_of(user, enrolment))


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
    return _authenticated(user) and (is_current_supervisor_of(user, enrolment) or can_manage_enrolment(user, enrolment))


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
    """``user`` is the practice supervisor allocated *now* to the enrolment (of the item), and still holds the
    practice supervisor role in the enrolment's organisation (a supervisor role elsewhere gives no sight of it)."""
    enrolment = _enrolment_of(obj)
    return (_authenticated(user) and enrolment is not None and enrolment.supervisor_id == user.id
            and enrolment.practitioner_id != user.id and user.has_role(Role.SUPERVISOR, enrolment.organisation_id))


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
    """``user`` is the practice supervisor of one of the practitioner's active enrolments now, in an organisation
    where ``user`` holds the practice supervisor role (one query)."""
    if not _authenticated(user) or practitioner_id is None or practitioner_id == user.id:
        return False
    supervising = user.organisation_ids(Role.SUPERVISOR)
    if not supervising:
        return False
    from sqlalchemy import exists, select

    from portal.enrolments.models import Enrolment, EnrolmentStatus

    return bool(session().execute(select(exists().where(
        Enrolment.practitioner_id == practitioner_id, Enrolment.supervisor_id == user.id,
        Enrolment.organisation_id.in_(supervising), Enrolment.status == EnrolmentStatus.ACTIVE))).scalar())


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


# ------------------------------------------------------------------------------------------------------ assessments
# Stage submissions (portal.assessments). The object-level rules: the practitioner owns their submission; the
# employer admins of the practitioner's current employer allocate and sign off years 1-4, programme admins any
# stage and alone the independent (year 5) one; the allocated assessor marks; a moderator of the practitioner's
# organisation moderates years 1-4, any moderator the independent stage; a sampled submission's second marker
# marks blind; the assigned reviewer decides an appeal. The services check the same rules (and the conflicts).
def is_moderator(user: Any, _obj: Any = None) -> bool:
    """Holds the moderator role in some organisation."""
    return _authenticated(user) and user.has_role(Role.MODERATOR)


def is_assessor(user: Any, _obj: Any = None) -> bool:
    """Holds the assessor role in some organisation."""
    return _authenticated(user) and user.has_role(Role.ASSESSOR)


def is_panel_moderator(user: Any, submission: Any) -> bool:
    """A moderator of the submission's panel: any moderator for an independent assessment, else a moderator of the
    practitioner's current employer."""
    if not is_moderator(user):
        return False
    return bool(submission.independent) or user.has_role(Role.MODERATOR, submission.enrolment.organisation_id)


def is_submission_admin(user: Any, submission: Any) -> bool:
    """Programme admins, and the employer admins of the practitioner's current employer."""
    return is_programme_admin(user) or is_employer_admin_of(user, submission.enrolment.organisation_id)


def can_allocate_for(user: Any, submission: Any) -> bool:
    """Who allocates this submission's assessor: programme admins, and for years 1-4 the employer's admins."""
    return is_programme_admin(user) or (not submission.independent and is_submission_admin(user, submission))


def can_view_own_submissions(user: Any, _obj: Any = None) -> bool:
    """The practitioner's list of stage submissions ("Submit portfolio")."""
    return is_practitioner(user)


def can_start_submission(user: Any, enrolment: Any) -> bool:
    """Start a stage submission: the practitioner, while the enrolment is active."""
    return is_practitioner_of(user, enrolment) and _enrolment_active(enrolment)


def can_view_submission(user: Any, submission: Any) -> bool:
    """A submission's state, versions and decisions: the practitioner, the allocated assessor, the employer admins
    of the practitioner's employer, programme admins. (Moderators and second markers have their own pages.)"""
    if not _authenticated(user):
        return False
    return (submission.practitioner_id == user.id or submission.assessor_id == user.id
            or is_submission_admin(user, submission))


def can_edit_submission(user: Any, submission: Any) -> bool:
    """Choose items and write the statement: the practitioner, before submitting or while putting it right."""
    from portal.assessments.models import WORKING_STATES

    return is_practitioner_of(user, submission) and submission.state in WORKING_STATES


def can_record_agreement(user: Any, submission: Any) -> bool:
    """Agree to a submission whose requirements are not all met: the employer's admins and programme admins."""
    from portal.assessments.models import WORKING_STATES

    return is_submission_admin(user, submission) and submission.state in WORKING_STATES


def can_view_sealed_portfolio(user: Any, submission: Any) -> bool:
    """The sealed portfolio in full: the practitioner always; the allocated assessor and the blind second marker
    until the decision (while the submission is in ``ASSESSING_STATES``, as for the items themselves); the
    reviewer of an appeal while it is open (employer and programme admins never see evidence text)."""
    if not _authenticated(user):
        return False
    if user.id == submission.practitioner_id:
        return True
    from sqlalchemy import exists, select

    from portal.assessments.models import ASSESSING_STATES, Appeal

    if user.id in (submission.assessor_id, submission.second_marker_id) and submission.state in ASSESSING_STATES:
        return True

    return bool(session().execute(select(exists().where(
        Appeal.submission_id == submission.id, Appeal.reviewer_id == user.id, Appeal.state == "lodged"))).scalar())


def can_list_submissions(user: Any, _obj: Any = None) -> bool:
    """The submissions list (allocation, sign-off): programme admins and employer admins."""
    return is_programme_admin(user) or bool(administered_organisation_ids(user))


def can_allocate_assessor(user: Any, submission: Any) -> bool:
    """Allocate an assessor to a submitted portfolio (see ``can_allocate_for``)."""
    return submission.state == "submitted" and can_allocate_for(user, submission)


def can_manage_submission(user: Any, submission: Any) -> bool:
    """Pause or resume a submission: programme admins and the employer's admins."""
    return is_submission_admin(user, submission)


def can_view_assessor_queue(user: Any, _obj: Any = None) -> bool:
    """The queue of allocated submissions (and blind second marks): assessors."""
    return is_assessor(user)


def can_mark(user: Any, submission: Any) -> bool:
    """Mark a submission: only its allocated assessor."""
    return is_assessor(user) and submission.assessor_id == user.id


def can_second_mark(user: Any, submission: Any) -> bool:
    """Second-mark a sampled submission blind: only the second marker allocated to it."""
    return _authenticated(user) and submission.second_marker_id == user.id


def can_view_moderation_queue(user: Any, _obj: Any = None) -> bool:
    """The moderation queue: moderators."""
    return is_moderator(user)


def can_moderate(user: Any, submission: Any) -> bool:
    """Moderate a recommendation (anonymised): a moderator of its panel (the service refuses their own marking)."""
    from portal.assessments.models import MODERATION_STATES

    return submission.state in MODERATION_STATES and is_panel_moderator(user, submission)


def can_allocate_second_marker(user: Any, submission: Any) -> bool:
    """Choose the blind second marker of a sampled recommendation: its panel's moderators and programme admins."""
    from portal.assessments.models import MODERATION_STATES

    return (submission.state in MODERATION_STATES and submission.sampled
            and (is_panel_moderator(user, submission) or is_programme_admin(user)))


def can_sign_off(user: Any, submission: Any) -> bool:
    """Sign off a stage on a confirmed pass: programme admins, and for years 1-4 the employer's admins."""
    return (submission.state == "confirmed" and submission.outcome in ("PASS", "PASS_DEV")
            and can_allocate_for(user, submission))


def can_view_agreement(user: Any, _obj: Any = None) -> bool:
    """Second-marking agreement rates per assessor and overall: programme admins."""
    return is_programme_admin(user)


def can_lodge_appeal(user: Any, submission: Any) -> bool:
    """Appeal a decision: the practitioner, on a confirmed fail or a signed-off pass with development."""
    from portal.assessments.states import is_appealable

    return is_practitioner_of(user, submission) and is_appealable(submission.state, submission.outcome)


def can_list_appeals(user: Any, _obj: Any = None) -> bool:
    """The appeals list: programme admins (all), assessors and moderators (those they review)."""
    return is_programme_admin(user) or is_assessor(user) or is_moderator(user)


def can_view_appeal(user: Any, appeal: Any) -> bool:
    """An appeal: the practitioner who lodged it, its reviewer, programme admins."""
    return _authenticated(user) and (is_programme_admin(user) or appeal.reviewer_id == user.id
                                     or appeal.submission.practitioner_id == user.id)


def can_assign_reviewer(user: Any, appeal: Any) -> bool:
    """Assign the independent reviewer of an open appeal: programme admins."""
    return is_programme_admin(user) and appeal.state == "lodged"


def can_decide_appeal(user: Any, appeal: Any) -> bool:
    """Record an open appeal's outcome: its reviewer, or a programme admin, once a reviewer is assigned."""
    return (_authenticated(user) and appeal.state == "lodged" and appeal.reviewer_id is not None
            and (appeal.reviewer_id == user.id or is_programme_admin(user)))


def can_manage_teams(user: Any, organisation: Organisation) -> bool:
    """An organisation's teams (the assessment rule "never someone in your own team" reads them): its employer
    admins and programme admins."""
    return can_view_organisation(user, organisation)


def can_manage_team(user: Any, team: Any) -> bool:
    """Add or remove a team's members: whoever manages its organisation's teams."""
    return can_view_organisation(user, team.organisation)


# ----------------------------------------------------------------------------------------------------- certificates
# A certificate is seen in full (PDF, credential, history) by its holder and programme admins; its public status
# by anyone (/verify). Programme admins change statuses. Employer admins check anyone's accreditation by SWE
# number and manage their organisation's API tokens.
def can_view_own_certificates(user: Any, _obj: Any = None) -> bool:
    """The "Your certificates" page and the portable record export: practitioners."""
    return is_practitioner(user)


def can_export_record(user: Any, _obj: Any = None) -> bool:
    """Download your whole record (certificates, credentials, CPD, casework and files) as a ZIP: practitioners."""
    return is_practitioner(user)


def can_view_certificate(user: Any, certificate: Any) -> bool:
    """A certificate's PDF, credential and history: its holder and programme admins."""
    return _authenticated(user) and (certificate.practitioner_id == user.id or is_programme_admin(user))


def can_manage_certificates(user: Any, _obj: Any = None) -> bool:
    """The certificate register and its status changes (revoke, suspend, reinstate, reissue): programme admins."""
    return is_programme_admin(user)


def can_change_certificate_status(user: Any, certificate: Any) -> bool:
    """Revoke, suspend, reinstate or reissue this certificate: programme admins (never the holder themselves)."""
    return is_programme_admin(user) and certificate.practitioner_id != user.id


def can_check_accreditation(user: Any, _obj: Any = None) -> bool:
    """Check anyone's accreditation by SWE number (one, or a CSV of up to 1,000): employer admins and programme
    admins."""
    return is_programme_admin(user) or bool(administered_organisation_ids(user))


def can_view_check_batch(user: Any, batch: Any) -> bool:
    """A bulk check's results: the person who uploaded it."""
    return can_check_accreditation(user) and batch.created_by_id == user.id


def can_manage_api_tokens(user: Any, organisation: Organisation) -> bool:
    """Create, name and revoke an organisation's API tokens: its employer admins and programme admins."""
    return is_programme_admin(user) or is_employer_admin_of(user, organisation.id)


def can_revoke_api_token(user: Any, token: Any) -> bool:
    """Revoke a token: whoever manages its organisation's tokens."""
    return is_programme_admin(user) or is_employer_admin_of(user, token.organisation_id)


# --------------------------------------------------------------------------------------------------------- oversight
# The dashboards show counts, progress and flags, never evidence text. An employer admin sees their own
# organisation's; programme admins see every organisation's and the national figures.
def can_view_oversight(user: Any, _obj: Any = None) -> bool:
    """Reach the dashboards at all: programme admins and employer admins."""
    return is_programme_admin(user) or bool(administered_organisation_ids(user))


def can_view_organisation_dashboard(user: Any, organisation: Organisation) -> bool:
    """One organisation's dashboard, its lists and their exports: its employer admins and programme admins."""
    return is_programme_admin(user) or is_employer_admin_of(user, organisation.id)


def can_view_programme_dashboard(user: Any, _obj: Any = None) -> bool:
    """The national dashboard across organisations, its lists and exports: programme admins."""
    return is_programme_admin(user)


# ----------------------------------------------------------------------------------------------------- notifications
def can_use_notifications(user: Any, _obj: Any = None) -> bool:
    """Everyone signed in has their own notification list and e-mail settings."""
    return _authenticated(user)


def can_read_notification(user: Any, notification: Any) -> bool:
    """A notification is opened and marked read only by the person it was for."""
    return _authenticated(user) and notification.user_id == user.id


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
        def guarded(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            obj = None
            if load is not None:
                arg, model = load
                key = kwargs.pop(arg)
                # ids beyond a 32-bit integer exist nowhere (and would overflow PostgreSQL's integer columns)
                obj = session().get(model, key) if isinstance(key, int) and 0 < key <= MAX_ID else None
                if obj is None:
                    abort(404)
                kwargs[model.__name__.lower()] = obj
            if not predicate(current_user._get_current_object(), obj):
                abort(403)
            return view(*args, **kwargs)

        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return guarded(args, dict(kwargs))
            except OperationalError as error:
                if not db.retry_read_as_writer(error):  # SQLite only: a page that writes lost its read snapshot
                    raise
            return guarded(args, dict(kwargs))

        wrapper._access = predicate.__name__  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def template_predicates() -> dict[str, Predicate]:
    """The predicates exposed to Jinja, so templates and views apply the same rule."""
    return {name: obj for name, obj in globals().items()
            if callable(obj) and name.startswith(("can_", "is_"))}

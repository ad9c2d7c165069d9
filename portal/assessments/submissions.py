"""Submission services: starting a stage submission, the working copy (items, statement), the employer's agreement,
the readiness check, submitting and resubmitting (each seals a new version), withdrawing, pausing and resuming.

Every move goes through ``states.transition`` with the roles the actor holds *for this submission*
(:func:`roles_for`), is written to the submission's history and the audit log with actor, role and reason. Services
flush and never commit; a refusal raises ``DomainError`` before anything changes (the view rolls back).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import audit, permissions
from portal.assessments import access, notices
from portal.assessments import states as st
from portal.assessments.models import Submission, SubmissionEvent
from portal.assessments.sealing import (
    CPD_KIND,
    LiveItems,
    load_chosen,
    seal_agreement,
    seal_contents,
    seal_progress,
    store_version,
)
from portal.assessments.states import SubmissionState as S
from portal.assessments.states import Transition
from portal.casework.anonymisation import Finding, scan
from portal.casework.guard import unresolved_counts
from portal.casework.models import CaseworkItem, VerificationStatus
from portal.cpd.models import CpdRecord, CpdStatus
from portal.db import session, utcnow
from portal.enrolments.models import Enrolment, EnrolmentStatus
from portal.exceptions import DomainError
from portal.formatting import LONDON
from portal.framework.progress import ProgressStatus, RequirementProgress, StageProgress
from portal.framework.services import template_for
from portal.users.models import Role, RoleGrant, User, UserStatus

STATEMENT_MAX = 20000
INDEPENDENT = "independent_assessment"
AWARD = "award"


# ------------------------------------------------------------------------------------------------- authority
def roles_for(actor: Any, submission: Submission) -> set[str]:
    """The roles ``actor`` holds for this submission (what ``states.transition`` checks): the practitioner; the
    allocated assessor; a moderator of its panel; an employer admin of the practitioner's employer; a programme
    admin."""
    roles: set[str] = set()
    if actor is None or not getattr(actor, "is_authenticated", False):
        return roles
    if actor.id == submission.practitioner_id:
        roles.add(st.PRACTITIONER)
    if submission.assessor_id == actor.id and actor.has_role(Role.ASSESSOR):
        roles.add(st.ASSESSOR)
    if permissions.is_panel_moderator(actor, submission):
        roles.add(st.MODERATOR)
    if permissions.is_employer_admin_of(actor, submission.enrolment.organisation_id):
        roles.add(st.EMPLOYER_ADMIN)
    if permissions.is_programme_admin(actor):
        roles.add(st.PROGRAMME_ADMIN)
    return roles


def check_move(submission: Submission, target: S, *, by: Any, roles: Iterable[str] | None = None,
               outcome: st.Outcome | None = None) -> Transition:
    """Whether ``by`` may move the submission to ``target`` now (raises ``TransitionError``; changes nothing)."""
    return st.transition(submission.state, target, actor_roles=roles_for(by, submission) if roles is None else roles,
                         outcome=outcome, paused_from=submission.paused_from)


def record_event(submission: Submission, action: str, *, by: Any, role: str | None = None,
                 from_state: Any = None, to_state: Any = None, reason: str = "", outcome: Any = None,
                 **details: Any) -> SubmissionEvent:
    """Add a line to the submission's history and the same to the audit log."""
    event = SubmissionEvent(submission_id=submission.id, action=action, actor_id=getattr(by, "id", None), role=role,
                            from_state=_value(from_state), to_state=_value(to_state), reason=reason or "",
                            outcome=_value(outcome), version=submission.version,
                            details={k: v for k, v in details.items() if v is not None})
    session().add(event)
    session().flush()
    audit.record(by, f"assessment.{action}", submission, role=role, from_state=_value(from_state),
                 to_state=_value(to_state), reason=reason or None, outcome=_value(outcome), version=submission.version,
                 **{k: v for k, v in details.items() if v is not None})
    return event


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def apply_move(submission: Submission, move: Transition, *, by: Any, reason: str = "", **details: Any) -> None:
    """Make a move that ``check_move`` allowed, and record it."""
    old = submission.state
    submission.state = S(move.target)
    if submission.state is not S.PAUSED:
        submission.paused_from = None
    session().flush()
    record_event(submission, move.action.value, by=by, role=move.role, from_state=old, to_state=move.target,
                 reason=reason, outcome=move.outcome, **details)
    access.forget()
    notices.after_move(submission, move.action)


def move(submission: Submission, target: S, *, by: Any, reason: str = "", roles: Iterable[str] | None = None,
         outcome: st.Outcome | None = None, **details: Any) -> Transition:
    """Check and make one move."""
    allowed = check_move(submission, target, by=by, roles=roles, outcome=outcome)
    apply_move(submission, allowed, by=by, reason=reason, **details)
    return allowed


def require_reason(reason: str | None, what: str, field: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError(f"Enter {what}", field)
    if len(text) > 5000:
        raise DomainError(f"{what[:1].upper()}{what[1:]} must be 5000 characters or fewer", field)
    return text


# ------------------------------------------------------------------------------------------------------ stages
def stage_of(enrolment: Enrolment, stage_code: str) -> Any:
    """The template stage (KeyError if the enrolment's programme has no such stage)."""
    return template_for(enrolment.programme_version).stage(stage_code)


def submittable_stages(enrolment: Enrolment) -> list[Any]:
    """The stages of the enrolment's programme that are decided on a submitted portfolio (all but the award)."""
    return [s for s in template_for(enrolment.programme_version).stages if s.decision != AWARD]


def start_submission(enrolment: Enrolment, stage_code: str, *, by: Any) -> Submission:
    """Start the draft submission of a stage: the practitioner, on an active enrolment, once per stage (a stage
    that is decided is not submitted again; a withdrawn submission can be started afresh)."""
    if by is None or by.id != enrolment.practitioner_id:
        raise DomainError("Only the practitioner can start their submission")
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise DomainError("This enrolment has ended, so nothing more can be submitted")
    try:
        stage = stage_of(enrolment, stage_code)
    except KeyError:
        raise DomainError("Select a stage of your programme", "stage") from None
    if stage.decision == AWARD:
        raise DomainError("The award is not submitted: it follows the independent assessment", "stage")
    submission = Submission(enrolment_id=enrolment.id, practitioner_id=enrolment.practitioner_id,
                            stage_code=stage.code, independent=stage.decision == INDEPENDENT, state=S.DRAFT,
                            statement="", chosen_items=[])
    submission.enrolment = enrolment
    sess = session()
    sess.add(submission)
    try:
        with sess.begin_nested():
            sess.flush()
    except IntegrityError:
        if submission in sess:
            sess.expunge(submission)
        raise DomainError(f"You have already started a submission for {stage.name}", "stage") from None
    record_event(submission, "create", by=by, role=st.PRACTITIONER, to_state=S.DRAFT, stage=stage.code)
    return submission


# ------------------------------------------------------------------------------------------------- working copy
@dataclass(frozen=True)
class Choices:
    """What the practitioner can put in the portfolio: verified casework of the enrolment, complete CPD records."""

    casework: list[CaseworkItem]
    cpd: list[CpdRecord]


def choices_for(submission: Submission) -> Choices:
    """The items that may be chosen (2 queries)."""
    from portal.casework.queries import items_of_practitioner

    casework = items_of_practitioner(submission.practitioner_id, enrolment_id=submission.enrolment_id,
                                     statuses=[VerificationStatus.VERIFIED])
    cpd = list(session().execute(
        select(CpdRecord).where(CpdRecord.practitioner_id == submission.practitioner_id,
                                CpdRecord.status == CpdStatus.COMPLETE,
                                (CpdRecord.enrolment_id.is_(None)) | (CpdRecord.enrolment_id == submission.enrolment_id))
        .order_by(CpdRecord.activity_on, CpdRecord.id)).scalars())
    return Choices(casework, cpd)


def _ineligible(submission: Submission, live: LiveItems, asked: int) -> str | None:
    if len(live) != asked:
        return "One of the chosen items no longer exists. Choose again"
    for item in live.casework:
        if item.enrolment_id != submission.enrolment_id:
            return "Choose evidence from this enrolment only"
        if item.status != VerificationStatus.VERIFIED:
            return f"{item.title} is not verified, so it cannot be submitted"
    for record in live.cpd:
        if record.practitioner_id != submission.practitioner_id or record.enrolment_id not in (
                None, submission.enrolment_id):
            return "Choose your own CPD records only"
        if record.status != CpdStatus.COMPLETE:
            return f"The CPD record ‘{record.title}’ is a draft. Finish it first"
    return None


def _normalised_choice(chosen: Iterable[Sequence[Any]]) -> list[list[Any]]:
    result: list[list[Any]] = []
    for kind, item_id in chosen:
        pair = [str(kind), int(item_id)]
        if pair[0] not in ("casework", CPD_KIND):
            raise DomainError("Choose casework evidence or CPD records", "items")
        if pair not in result:
            result.append(pair)
    return result


def save_working_copy(submission: Submission, *, by: Any, chosen: Iterable[Sequence[Any]], statement: str) -> None:
    """Save the practitioner's choice of items and summary statement (a draft, or while putting it right after a
    referral, an incomplete-evidence outcome or an extension). Only eligible items can be chosen."""
    if not permissions.can_edit_submission(by, submission):
        raise DomainError(f"This submission is {submission.state.label.lower()}: its portfolio cannot change now")
    choice = _normalised_choice(chosen)
    statement = (statement or "").strip()
    if len(statement) > STATEMENT_MAX:
        raise DomainError(f"The summary statement must be {STATEMENT_MAX} characters or fewer", "statement")
    problem = _ineligible(submission, load_chosen(choice), len(choice))
    if problem:
        raise DomainError(problem, "items")
    submission.chosen_items = choice
    submission.statement = statement
    session().flush()
    audit.record(by, "assessment.working_copy_saved", submission, items=len(choice))


def record_agreement(submission: Submission, *, by: Any, reason: str, today: dt.date) -> None:
    """The employer's agreement to a submission whose stage requirements are not all met (who, when, why, and which
    requirements were unmet): employer admins of the practitioner's employer, or programme admins."""
    if not permissions.can_record_agreement(by, submission):
        raise DomainError("Only an admin of the practitioner's employer can agree to this submission")
    reason = require_reason(reason, "why the portfolio can be assessed with requirements unmet")
    unmet = readiness(submission, today).unmet
    if not unmet:
        raise DomainError("Every requirement of this stage is met, so no agreement is needed", "reason")
    submission.agreement_by_id = by.id
    submission.agreement_at = utcnow()
    submission.agreement_reason = reason
    submission.agreement_unmet = [r.code for r in unmet]
    session().flush()
    record_event(submission, "record_agreement", by=by, role=_admin_role(by), reason=reason,
                 unmet=[r.code for r in unmet])


def request_agreement(submission: Submission, *, by: Any, today: dt.date) -> int:
    """The practitioner asks their employer's admins to agree to submitting a draft whose requirements are not all
    met (each is notified, with a link to the agreement page); at most once a day. Returns how many were asked."""
    if by is None or by.id != submission.practitioner_id:
        raise DomainError("Only the practitioner can ask their employer to agree")
    if submission.state is not S.DRAFT:
        raise DomainError("Only a portfolio that has not been submitted needs the agreement")
    if submission.has_agreement:
        raise DomainError("Your employer has already agreed to this submission")
    if not readiness(submission, today).unmet:
        raise DomainError("Every requirement is met: you can submit without your employer's agreement")
    start_of_day = dt.datetime.combine(today, dt.time(), tzinfo=LONDON)
    asked_today = session().execute(select(SubmissionEvent.id).where(
        SubmissionEvent.submission_id == submission.id, SubmissionEvent.action == "request_agreement",
        SubmissionEvent.occurred_at >= start_of_day)).first()
    if asked_today:
        raise DomainError("You have already asked your employer today: they have been notified")
    admins = list(session().execute(select(User).join(RoleGrant, RoleGrant.user_id == User.id).where(
        RoleGrant.role == Role.EMPLOYER_ADMIN, RoleGrant.organisation_id == submission.enrolment.organisation_id,
        User.status == UserStatus.ACTIVE).order_by(User.id)).scalars().unique())
    if not admins:
        raise DomainError("Your employer has no admin in the portal yet: ask them directly")
    record_event(submission, "request_agreement", by=by, role=st.PRACTITIONER, asked=len(admins))
    notices.agreement_requested(submission, admins)
    return len(admins)


def _admin_role(user: Any) -> str:
    return st.PROGRAMME_ADMIN if permissions.is_programme_admin(user) else st.EMPLOYER_ADMIN


# ---------------------------------------------------------------------------------------------------- readiness
@dataclass
class Readiness:
    """Where a working copy stands against the rules for submitting: the stage's progress, the requirements not
    met, each chosen casework item's unresolved anonymisation findings, the statement's findings, and every
    problem that stops it (empty: it can be submitted)."""

    stage: StageProgress
    live: LiveItems
    unmet: list[RequirementProgress]
    item_findings: dict[int, int]
    statement_findings: list[Finding]
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


def readiness(submission: Submission, today: dt.date) -> Readiness:
    """Check the working copy (the progress engine's queries, 2 for the items, 1 for the guard)."""
    from portal.enrolments.queries import standings

    stage = standings([submission.enrolment], today)[submission.enrolment_id].progress.stage(submission.stage_code)
    live = load_chosen(submission.chosen_items or [])
    unmet = [r for r in stage.requirements if r.status != ProgressStatus.MET]
    findings = unresolved_counts(live.casework)
    statement_findings = scan(submission.statement or "")
    result = Readiness(stage, live, unmet, findings, statement_findings)
    if not submission.chosen_items:
        result.problems.append("Choose the evidence to include")
    else:
        problem = _ineligible(submission, live, len(submission.chosen_items))
        if problem:
            result.problems.append(problem)
    if not (submission.statement or "").strip():
        result.problems.append("Write your summary statement")
    for item in live.casework:
        count = findings.get(item.id, 0)
        if count:
            result.problems.append(f"{item.title}: {count} possible identifying "
                                   f"detail{'s' if count != 1 else ''} to check before you submit")
    if statement_findings:
        kinds = ", ".join(dict.fromkeys(f.label.lower() for f in statement_findings))
        result.problems.append(f"Your summary statement may identify a child or family ({kinds}). "
                               "Use ‘Child A’, ‘Parent B’ instead")
    if unmet and not submission.has_agreement:
        result.problems.append(f"{len(unmet)} requirement{'s' if len(unmet) != 1 else ''} of this stage "
                               f"{'are' if len(unmet) != 1 else 'is'} not met. Finish "
                               f"{'them' if len(unmet) != 1 else 'it'} first, or ask your employer to agree to "
                               "the submission")
    return result


class SubmissionRefused(DomainError):
    """The working copy cannot be submitted; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0], "items")
        self.problems = problems


def _seal(submission: Submission, target: S, *, by: Any, today: dt.date, reason: str = "") -> Transition:
    allowed = check_move(submission, target, by=by)
    check = readiness(submission, today)
    if check.problems:
        raise SubmissionRefused(check.problems)
    number = submission.version + 1
    contents = seal_contents(check.live, statement=submission.statement,
                             agreement=seal_agreement(submission) if submission.has_agreement else None,
                             progress=seal_progress(check.stage, today))
    try:
        with session().begin_nested():
            version = store_version(submission, number, contents, statement=submission.statement, by=by)
    except IntegrityError:  # sealed at the same moment from another window: that one won
        raise DomainError("This portfolio has just been sealed from another window or tab, so it was not sealed "
                          "again. Open the submission to see where it is", "items") from None
    now = utcnow()
    submission.version = number
    submission.submitted_at = now
    submission.first_submitted_at = submission.first_submitted_at or now
    apply_move(submission, allowed, by=by, reason=reason, digest=version.digest, items=len(version.items))
    return allowed


def submit(submission: Submission, *, by: Any, today: dt.date) -> None:
    """Submit the draft: refused unless the practitioner submits it, evidence and a statement are chosen, every
    chosen casework item and the statement pass the anonymisation guard, and the stage's requirements are met or
    the employer has agreed. Seals version 1 (the live items are locked while it is assessed)."""
    _seal(submission, S.SUBMITTED, by=by, today=today)


def resubmit(submission: Submission, *, by: Any, today: dt.date, note: str = "") -> None:
    """Resubmit after a referral, an incomplete-evidence outcome or an extension: the same checks, and a new
    sealed version (the earlier versions and their decisions are kept)."""
    _seal(submission, S.RESUBMITTED, by=by, today=today, reason=(note or "").strip())


def withdraw(submission: Submission, *, by: Any, reason: str = "") -> None:
    """The practitioner withdraws the submission (only before a recommendation is made)."""
    move(submission, S.WITHDRAWN, by=by, reason=(reason or "").strip())


def pause(submission: Submission, *, by: Any, reason: str) -> None:
    """An admin pauses a submission (e.g. the enrolment is paused); it resumes where it was."""
    allowed = check_move(submission, S.PAUSED, by=by)
    reason = require_reason(reason, "why the submission is paused")
    submission.paused_from = submission.state
    apply_move(submission, allowed, by=by, reason=reason)


def resume(submission: Submission, *, by: Any, reason: str = "") -> None:
    """An admin resumes a paused submission, to the state it was paused in."""
    if submission.state is not S.PAUSED:
        raise st.TransitionError(f"This submission is {submission.state.label.lower()}, not paused")
    move(submission, S(submission.paused_from), by=by, reason=(reason or "").strip())

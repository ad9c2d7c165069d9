"""Appeals: the practitioner lodges one within 20 working days of a decision (England and Wales bank holidays
excluded); a programme admin assigns an independent reviewer (nobody involved before, no assessor's conflicts); the
reviewer (or a programme admin) records the outcome. Upheld: the decision is replaced (a pass is signed off, a pass
with development becomes a pass, or a fresh assessment by another assessor is ordered). Dismissed: it stands.

Every move goes through ``states.appeal_transition`` (and the submission's moves through ``states.transition``).
The submission moves an upheld appeal causes are made on the programme's authority (the programme admin assigned
the reviewer), recorded with the reviewer as the actor.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import permissions
from portal.assessments import calendar, conflicts, notices
from portal.assessments import states as st
from portal.assessments.allocation import (
    ASSESSMENT_WORKING_DAYS,
    candidates,
    conflicts_of,
    refuse_conflicts,
)
from portal.assessments.models import Appeal, Marking, StageSignOff, Submission, SubmissionEvent
from portal.assessments.signoff import replace_decision
from portal.assessments.states import AppealState, Outcome
from portal.assessments.states import SubmissionState as S
from portal.assessments.submissions import move, record_event, require_reason
from portal.db import session, utcnow
from portal.exceptions import DomainError
from portal.users.models import Role, User, UserStatus


def _roles(actor: Any, appeal: Appeal) -> set[str]:
    roles: set[str] = set()
    if actor is None:
        return roles
    if actor.id == appeal.submission.practitioner_id:
        roles.add(st.PRACTITIONER)
    if appeal.reviewer_id == actor.id:
        roles |= {r for r, role in ((st.ASSESSOR, Role.ASSESSOR), (st.MODERATOR, Role.MODERATOR))
                  if actor.has_role(role)}
    if permissions.is_programme_admin(actor):
        roles.add(st.PROGRAMME_ADMIN)
    return roles


def lodge_appeal(submission: Submission, *, by: Any, grounds: str, today: dt.date) -> Appeal:
    """The practitioner appeals a decision (a confirmed fail, or a signed-off pass with development) with their
    grounds. A late appeal is refused with the date the window closed; one appeal per decision."""
    existing = session().execute(select(Appeal).where(Appeal.submission_id == submission.id,
                                                      Appeal.decision_on == submission.decided_on)).scalar_one_or_none()
    roles = {st.PRACTITIONER} if by is not None and by.id == submission.practitioner_id else set()
    st.appeal_transition(existing.state if existing else None, AppealState.LODGED, actor_roles=roles,
                         submission_state=submission.state, outcome=submission.outcome)
    if submission.decided_on is None:
        raise DomainError("This decision has no date, so it cannot be appealed")
    if not calendar.is_appeal_in_time(submission.decided_on, today):
        raise DomainError(calendar.late_appeal_message(submission.decided_on), "grounds")
    grounds = require_reason(grounds, "your grounds for appeal", "grounds")
    appeal = Appeal(submission_id=submission.id, grounds=grounds, original_outcome=submission.outcome,
                    decision_on=submission.decided_on, lodged_on=today, lodged_by_id=by.id)
    appeal.submission = submission
    sess = session()
    sess.add(appeal)
    try:
        with sess.begin_nested():
            sess.flush()
    except IntegrityError:
        if appeal in sess:
            sess.expunge(appeal)
        raise DomainError("An appeal has already been lodged against this decision", "grounds") from None
    record_event(submission, "lodge_appeal", by=by, role=st.PRACTITIONER, reason=grounds, appeal_id=appeal.id,
                 window_closes=calendar.appeal_deadline(submission.decided_on).isoformat())
    notices.appeal_lodged(appeal)
    return appeal


def involved_in(submission: Submission) -> dict[int, str]:
    """Everyone involved in the decision and their part: markers, moderators, who signed off (3 queries)."""
    sess = session()
    involved: dict[int, str] = {}
    for marker_id, role in sess.execute(select(Marking.marker_id, Marking.role).where(
            Marking.submission_id == submission.id)):
        involved.setdefault(marker_id, "first marker" if role == "first" else "second marker")
    for actor_id, action in sess.execute(select(SubmissionEvent.actor_id, SubmissionEvent.action).where(
            SubmissionEvent.submission_id == submission.id, SubmissionEvent.actor_id.is_not(None),
            SubmissionEvent.action.in_(["open_moderation", "confirm", "return_to_assessor", "sign_off"]))):
        involved.setdefault(actor_id, "signed off the stage" if action == "sign_off" else "moderator")
    for signer in sess.execute(select(StageSignOff.signed_off_by_id).where(
            StageSignOff.submission_id == submission.id, StageSignOff.signed_off_by_id.is_not(None))).scalars():
        involved.setdefault(signer, "signed off the stage")
    if submission.assessor_id is not None:
        involved.setdefault(submission.assessor_id, "first marker")
    return involved


def _reviewer_judge(submission: Submission) -> Any:
    involved = involved_in(submission)
    return lambda person, practitioner: conflicts.reviewer_conflicts(person, practitioner, submission.independent,
                                                                     involved=involved)


def reviewer_candidates(appeal: Appeal) -> list[Any]:
    """Assessors and moderators who could review the appeal, each with their conflicts."""
    judge = _reviewer_judge(appeal.submission)
    found = {c.user.id: c for role in (Role.ASSESSOR, Role.MODERATOR)
             for c in candidates(appeal.submission, judge, role=role)}
    return sorted(found.values(), key=lambda c: (not c.allowed, c.user.name, c.user.id))


def assign_reviewer(appeal: Appeal, reviewer: User, *, by: Any) -> None:
    """A programme admin assigns the independent reviewer: an assessor or moderator not involved before and without
    an assessor's conflicts (every reason is given)."""
    if not permissions.is_programme_admin(by):
        raise DomainError("Only a programme admin can assign the reviewer of an appeal")
    if appeal.state is not AppealState.LODGED:
        raise DomainError(f"This appeal has already been {appeal.state.value}")
    if reviewer.status != UserStatus.ACTIVE or not (reviewer.has_role(Role.ASSESSOR)
                                                   or reviewer.has_role(Role.MODERATOR)):
        raise DomainError(f"{reviewer.name} is not an assessor or a moderator", "reviewer")
    refuse_conflicts(conflicts_of(reviewer, appeal.submission, _reviewer_judge(appeal.submission)), "reviewer")
    appeal.reviewer_id = reviewer.id
    appeal.reviewer = reviewer
    appeal.reviewer_assigned_at = utcnow()
    appeal.reviewer_assigned_by_id = by.id
    session().flush()
    record_event(appeal.submission, "assign_reviewer", by=by, role=st.PROGRAMME_ADMIN, appeal_id=appeal.id,
                 reviewer_id=reviewer.id)
    from portal.assessments import access

    access.forget()


FRESH_ASSESSMENT = "reassess"


def decide_appeal(appeal: Appeal, *, by: Any, upheld: bool, reasons: str, today: dt.date,
                  replacement: str | None = None, new_assessor: User | None = None) -> None:
    """Record the appeal's outcome, with reasons: the assigned reviewer or a programme admin.

    Upheld, ``replacement`` says what replaces the decision: ``PASS`` or ``PASS_DEV`` (signed off now, the
    certificate follows; a signed-off pass with development is replaced by a pass, its sign-off reversed), or
    ``"reassess"``: a fresh assessment of the same sealed version by ``new_assessor`` (another assessor without
    conflicts). Dismissed: the decision stands."""
    submission = appeal.submission
    target = AppealState.UPHELD if upheld else AppealState.DISMISSED
    allowed = st.appeal_transition(appeal.state, target, actor_roles=_roles(by, appeal))
    if appeal.reviewer_id is None:
        raise DomainError("Assign a reviewer before recording the outcome")
    reasons = require_reason(reasons, "the reasons for the outcome", "reasons")
    if upheld:
        _replace(appeal, by=by, replacement=replacement, new_assessor=new_assessor, today=today, reasons=reasons)
    appeal.state = target
    appeal.reasons = reasons
    appeal.decided_at = utcnow()
    appeal.decided_by_id = by.id
    appeal.replacement_outcome = Outcome(replacement) if upheld and replacement in Outcome.__members__ else None
    session().flush()
    record_event(submission, allowed.action.value, by=by, role=allowed.role, reason=reasons, appeal_id=appeal.id,
                 replacement=replacement if upheld else None)
    notices.appeal_decided(appeal, allowed.action)


def _replace(appeal: Appeal, *, by: Any, replacement: str | None, new_assessor: User | None, today: dt.date,
             reasons: str) -> None:
    submission = appeal.submission
    if replacement == FRESH_ASSESSMENT:
        if submission.state is not S.CONFIRMED:
            raise DomainError("A fresh assessment can be ordered only on a confirmed fail", "replacement")
        if new_assessor is None:
            raise DomainError("Choose the assessor of the fresh assessment", "assessor")
        if new_assessor.id == submission.assessor_id or not new_assessor.has_role(Role.ASSESSOR):
            raise DomainError("Choose another assessor for the fresh assessment", "assessor")
        refuse_conflicts(conflicts_of(new_assessor, submission, _reviewer_judge(submission)), "assessor")
        move(submission, S.UNDER_ASSESSMENT, by=by, roles=[st.PROGRAMME_ADMIN], outcome=submission.outcome,
             reason=f"Appeal upheld: {reasons}", assessor_id=new_assessor.id)
        submission.assessor_id = new_assessor.id
        submission.assessor = new_assessor
        submission.allocated_at = utcnow()
        submission.allocated_by_id = by.id
        submission.assessor_due_on = calendar.add_working_days(today, ASSESSMENT_WORKING_DAYS)
        submission.outcome = None
        submission.decided_on = None
        session().flush()
        notices.allocated(submission)
        return
    if replacement not in (Outcome.PASS.value, Outcome.PASS_DEV.value):
        raise DomainError("Choose what replaces the decision", "replacement")
    replace_decision(submission, Outcome(replacement), by=by, today=today, reason=reasons)

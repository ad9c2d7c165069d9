"""Marking: the allocated assessor's rubric marking of the current sealed version (saved as drafts, finished with
an outcome), referral, taking a resubmitted or returned portfolio back into assessment, and the blind second mark.

Two people (or two browser tabs) saving the same marking cannot overwrite each other: each save says which
``lock_version`` it was made from, and a save from an older copy is refused with :class:`MarkingConflict`
(nothing is written; the page shows the text back). SQLAlchemy's version counter catches the race between the
check and the write as well.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal import permissions
from portal.assessments import calendar, conflicts
from portal.assessments.allocation import conflicts_of, refuse_conflicts
from portal.assessments.models import MODERATION_STATES, Marking, MarkingRole, Submission
from portal.assessments.states import Outcome, RubricLevel, target_for_outcome
from portal.assessments.states import SubmissionState as S
from portal.assessments.submissions import (
    apply_move,
    check_move,
    move,
    record_event,
    require_reason,
    stage_of,
)
from portal.db import session, utcnow
from portal.exceptions import DomainError
from portal.formatting import govuk_datetime

TEXT_MAX = 20000


class MarkingConflict(DomainError):
    """Someone saved this marking after the copy being saved was opened; nothing was written."""

    def __init__(self, marking: Marking):
        who = marking.saved_by.name if marking.saved_by else "someone"
        super().__init__(f"This marking was changed by {who} on {govuk_datetime(marking.saved_at)} after you opened "
                         "it, so your changes have not been saved. Your text is shown below: copy what you need, "
                         "then open the marking again to see the latest version", "feedback")
        self.marking = marking


@dataclass
class MarkingInput:
    """What a marker enters: per requirement code (level, feedback), the outcome and its extra fields."""

    levels: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    outcome: str | None = None
    feedback: str = ""
    development_points: str = ""
    missing_evidence: str = ""
    incomplete_deadline: dt.date | None = None
    extend_to: dt.date | None = None


def requirements_of(submission: Submission) -> list[Any]:
    """The stage's requirements, the rubric's rows."""
    return list(stage_of(submission.enrolment, submission.stage_code).requirements)


def find_marking(submission: Submission, role: str = MarkingRole.FIRST, *, version: int | None = None,
                 marker_id: int | None = None) -> Marking | None:
    """The marking of a version (default: the current one) by its marker (default: the allocated one)."""
    marker_id = marker_id if marker_id is not None else (
        submission.assessor_id if role == MarkingRole.FIRST else submission.second_marker_id)
    if marker_id is None:
        return None
    return session().execute(select(Marking).where(
        Marking.submission_id == submission.id, Marking.version == (version or submission.version),
        Marking.role == role, Marking.marker_id == marker_id)).scalar_one_or_none()


def _check_marker(submission: Submission, by: Any, role: str) -> None:
    """The marker is the one allocated, the submission is at the marking step, and no conflict has arisen since
    the allocation (e.g. the assessor joined the practitioner's team)."""
    if role == MarkingRole.FIRST:
        if not permissions.can_mark(by, submission):
            raise DomainError("Only the assessor allocated to this submission can mark it")
        if submission.state is not S.UNDER_ASSESSMENT:
            raise DomainError(f"This submission is {submission.state.label.lower()}, so it cannot be marked now")
        judge = lambda person, practitioner: conflicts.assessor_conflicts(
            person, practitioner, submission.independent)
    else:
        if not permissions.can_second_mark(by, submission):
            raise DomainError("Only the second marker allocated to this submission can second-mark it")
        if submission.state not in MODERATION_STATES:
            raise DomainError(f"This submission is {submission.state.label.lower()}, so it cannot be second-marked")
        judge = lambda person, practitioner: conflicts.second_marker_conflicts(
            person, practitioner, submission.independent, first_marker_id=submission.assessor_id)
    refuse_conflicts(conflicts_of(by, submission, judge), "feedback")


def open_marking(submission: Submission, *, by: Any, role: str = MarkingRole.FIRST) -> Marking:
    """The marker's marking of the current version, made on first use (a first marking of a later version starts
    from the marker's marking of the version before)."""
    _check_marker(submission, by, role)
    marking = find_marking(submission, role, marker_id=by.id)
    if marking is not None:
        return marking
    earlier = find_marking(submission, role, version=submission.version - 1, marker_id=by.id) \
        if role == MarkingRole.FIRST and submission.version > 1 else None
    marking = Marking(submission_id=submission.id, version=submission.version, role=role, marker_id=by.id,
                      levels=dict(earlier.levels) if earlier else {}, feedback=earlier.feedback if earlier else "",
                      saved_by_id=by.id)
    session().add(marking)
    session().flush()
    return marking


def _clean(data: MarkingInput, codes: set[str]) -> dict[str, Any]:
    levels: dict[str, Any] = {}
    for code, (level, feedback) in data.levels.items():
        if code not in codes:
            continue
        if level is not None and level not in {r.value for r in RubricLevel}:
            raise DomainError("Choose a level from the rubric", f"level-{code}")
        levels[code] = {"level": level, "feedback": (feedback or "").strip()}
    outcome = data.outcome or None
    if outcome is not None and outcome not in {o.value for o in Outcome}:
        raise DomainError("Choose an outcome", "outcome")
    texts = {name: (getattr(data, name) or "").strip()
             for name in ("feedback", "development_points", "missing_evidence")}
    for name, text in texts.items():
        if len(text) > TEXT_MAX:
            raise DomainError(f"The text must be {TEXT_MAX} characters or fewer", name)
    if any(len(v["feedback"]) > TEXT_MAX for v in levels.values()):
        raise DomainError(f"Feedback must be {TEXT_MAX} characters or fewer", "feedback")
    return {"levels": levels, "outcome": Outcome(outcome) if outcome else None, **texts,
            "incomplete_deadline": data.incomplete_deadline, "extend_to": data.extend_to}


def save_marking(submission: Submission, *, by: Any, data: MarkingInput, expected_lock_version: int,
                 role: str = MarkingRole.FIRST) -> Marking:
    """Save the marking as a draft. Refused with :class:`MarkingConflict` when it was saved by someone else after
    ``expected_lock_version`` (the version the form was opened at)."""
    marking = open_marking(submission, by=by, role=role)
    values = _clean(data, {r.code for r in requirements_of(submission)})
    if marking.lock_version != expected_lock_version:
        raise MarkingConflict(marking)
    if marking.finished_at is not None:
        raise DomainError("This marking has been finished, so it cannot change")
    for name, value in values.items():
        setattr(marking, name, value)
    marking.saved_at = utcnow()
    marking.saved_by_id = by.id
    try:
        session().flush()
    except StaleDataError:
        session().rollback()
        raise MarkingConflict(session().get(Marking, marking.id, populate_existing=True)) from None
    return marking


def _complete(submission: Submission, marking: Marking, *, first: bool, today: dt.date) -> None:
    """Refuse a marking that cannot be finished: every requirement levelled, an outcome, feedback, and the
    outcome's own fields."""
    for requirement in requirements_of(submission):
        if not marking.level(requirement.code):
            raise DomainError(f"Choose a level for ‘{requirement.title}’", f"level-{requirement.code}")
    if marking.outcome is None:
        raise DomainError("Choose an outcome", "outcome")
    if not marking.feedback:
        raise DomainError("Enter your feedback to the practitioner: an outcome needs feedback", "feedback")
    if not first:
        return
    if marking.outcome is Outcome.PASS_DEV and not marking.development_points:
        raise DomainError("Enter the targeted development points", "development_points")
    if marking.outcome is Outcome.INCOMPLETE:
        if not marking.missing_evidence:
            raise DomainError("Enter what evidence is missing", "missing_evidence")
        if marking.incomplete_deadline is not None and marking.incomplete_deadline <= today:
            raise DomainError("The deadline for the missing evidence must be in the future", "incomplete_deadline")
    if marking.outcome is Outcome.EXTEND and (marking.extend_to is None or marking.extend_to <= today):
        raise DomainError("Enter the new due date, in the future", "extend_to")


def finish_marking(submission: Submission, *, by: Any, data: MarkingInput, expected_lock_version: int,
                   today: dt.date) -> Marking:
    """The assessor's outcome. PASS, PASS_DEV and FAIL go to moderation as a recommendation; INCOMPLETE sends the
    portfolio back with what is missing and a deadline (default 14 days, moved to a working day); EXTEND with a new
    due date. Refused without a level for every requirement, feedback, or the outcome's own fields."""
    _check_marker(submission, by, MarkingRole.FIRST)
    outcome = Outcome(data.outcome) if data.outcome in {o.value for o in Outcome} else None
    if outcome is None:
        raise DomainError("Choose an outcome", "outcome")
    allowed = check_move(submission, target_for_outcome(outcome), by=by, outcome=outcome)
    marking = save_marking(submission, by=by, data=data, expected_lock_version=expected_lock_version)
    _complete(submission, marking, first=True, today=today)
    marking.finished_at = utcnow()
    submission.outcome = outcome
    if outcome is Outcome.INCOMPLETE:
        marking.incomplete_deadline = marking.incomplete_deadline or calendar.incomplete_evidence_deadline(today)
        submission.incomplete_deadline = marking.incomplete_deadline
    if outcome is Outcome.EXTEND:
        submission.extended_to = marking.extend_to
    apply_move(submission, allowed, by=by, reason=marking.missing_evidence if outcome is Outcome.INCOMPLETE else "",
               deadline=(submission.incomplete_deadline.isoformat() if outcome is Outcome.INCOMPLETE else None),
               extended_to=submission.extended_to.isoformat() if outcome is Outcome.EXTEND else None)
    return marking


def refer(submission: Submission, *, by: Any, reason: str) -> None:
    """The assessor sends the portfolio back to be put right before marking (no outcome), with the reason."""
    allowed = check_move(submission, S.REFERRED, by=by)
    apply_move(submission, allowed, by=by, reason=require_reason(reason, "why the portfolio is referred back"))


def resume_assessment(submission: Submission, *, by: Any) -> None:
    """The assessor takes a resubmitted portfolio (a new version: a new marking) or a recommendation returned by
    moderation (the same marking, open again) back into assessment."""
    returned = submission.state is S.RETURNED
    move(submission, S.UNDER_ASSESSMENT, by=by)
    if returned:
        _reopen(submission)
    else:
        open_marking(submission, by=by)


def assess_after_deadline(submission: Submission, *, by: Any, today: dt.date) -> None:
    """After the deadline for missing evidence (or the extension) has passed with nothing resubmitted, the
    assessor assesses the portfolio as it is."""
    allowed = check_move(submission, S.UNDER_ASSESSMENT, by=by)
    deadline = submission.incomplete_deadline if submission.state is S.INCOMPLETE_EVIDENCE else submission.extended_to
    if deadline is not None and today <= deadline:
        raise DomainError(f"The practitioner has until {calendar.format_date(deadline)} to resubmit. You can assess "
                          "the portfolio as it is after that")
    apply_move(submission, allowed, by=by)
    _reopen(submission)


def _reopen(submission: Submission) -> None:
    marking = find_marking(submission)
    if marking is not None:
        marking.finished_at = None
        session().flush()


def finish_second_marking(submission: Submission, *, by: Any, data: MarkingInput,
                          expected_lock_version: int, today: dt.date) -> Marking:
    """The blind second mark of a sampled recommendation: a level for every requirement, an outcome and feedback.
    It moves nothing; moderation reads it beside the first mark, and the agreement figures count it."""
    marking = save_marking(submission, by=by, data=data, expected_lock_version=expected_lock_version,
                           role=MarkingRole.SECOND)
    _complete(submission, marking, first=False, today=today)
    marking.finished_at = utcnow()
    session().flush()
    record_event(submission, "second_mark", by=by, role="second_marker", marking_id=marking.id)
    return marking

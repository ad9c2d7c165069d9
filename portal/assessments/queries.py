"""Read queries over submissions: the progress engine's sign-off source, the assessor's queue with its counts, the
admins' list, the moderation queue, the practitioner's submissions, a submission's history, appeals. Each runs a
fixed number of queries, however many rows there are."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, type_coerce
from sqlalchemy.orm import joinedload, selectinload

from portal.assessments.models import (
    ASSESSOR_STATES,
    MODERATION_STATES,
    Appeal,
    Marking,
    MarkingRole,
    StageSignOff,
    Submission,
    SubmissionEvent,
    SubmissionVersion,
)
from portal.assessments.states import SubmissionState as S
from portal.cpd.models import CursorDate
from portal.db import UTCDateTime, session
from portal.enrolments.models import Enrolment
from portal.enrolments.queries import EvidenceParts, register_evidence_source
from portal.pagination import Page, keyset_page
from portal.users.models import Role


# ------------------------------------------------------------------------------------------------ progress engine
@register_evidence_source
def signed_off_stages(enrolment_ids: list[int]) -> dict[int, EvidenceParts]:
    """Stage sign-offs that stand (stage code -> the day it was signed off) for the progress engine (1 query)."""
    parts: dict[int, EvidenceParts] = defaultdict(EvidenceParts)
    for enrolment_id, stage_code, decided_on in session().execute(
            select(StageSignOff.enrolment_id, StageSignOff.stage_code, StageSignOff.decided_on)
            .where(StageSignOff.enrolment_id.in_(enrolment_ids), StageSignOff.reversed_at.is_(None))):
        parts[enrolment_id].signed_off[stage_code] = decided_on
    return parts


# ---------------------------------------------------------------------------------------------------- cursors
def _with_people(query: Select[Any]) -> Select[Any]:
    return query.options(joinedload(Submission.enrolment).joinedload(Enrolment.programme_version),
                         joinedload(Submission.practitioner))


class _Timestamp(UTCDateTime):
    """Keyset cursors carry timestamps as ISO strings."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        return super().process_bind_param(value, dialect)


# ---------------------------------------------------------------------------------------------- assessor's queue
QUEUE_SORTS = {"due": "Due date", "age": "Oldest first"}


def _queue_query(assessor_id: int) -> Select[Any]:
    return select(Submission).where(Submission.assessor_id == assessor_id,
                                    Submission.state.in_(list(ASSESSOR_STATES)))


def assessor_queue(assessor_id: int, *, sort: str = "due", after: str | None = None, before: str | None = None,
                   size: int = 25) -> Page[Submission]:
    """The submissions with an assessor, keyset-paginated: by due date (soonest first) or by age (the longest
    waiting first); practitioner, enrolment and programme version loaded in the same query."""
    query = _with_people(_queue_query(assessor_id))
    if sort == "age":
        columns = [type_coerce(Submission.submitted_at, _Timestamp()), Submission.id]
        return keyset_page(query, columns, after=after, before=before, size=size,
                           key=lambda s: [s.submitted_at.isoformat() if s.submitted_at else None, s.id])
    columns = [type_coerce(Submission.assessor_due_on, CursorDate()), Submission.id]
    return keyset_page(query, columns, after=after, before=before, size=size,
                       key=lambda s: [s.assessor_due_on.isoformat() if s.assessor_due_on else None, s.id])


@dataclass(frozen=True)
class QueueCounts:
    total: int
    by_state: dict[S, int]
    overdue: int


def queue_counts(assessor_id: int, today: dt.date) -> QueueCounts:
    """How many submissions are with the assessor, per state, and how many are past their due date (one query)."""
    inner = _queue_query(assessor_id).with_only_columns(Submission.state, Submission.assessor_due_on).subquery()
    by_state: Counter[S] = Counter()
    overdue = 0
    for state, due_on, count in session().execute(
            select(inner.c.state, inner.c.assessor_due_on, func.count()).group_by(inner.c.state,
                                                                                   inner.c.assessor_due_on)):
        by_state[S(state)] += count
        if due_on is not None and due_on < today and S(state) in (S.UNDER_ASSESSMENT, S.RESUBMITTED, S.RETURNED):
            overdue += count
    return QueueCounts(sum(by_state.values()), dict(by_state), overdue)


def second_marking_queue(user_id: int, *, limit: int = 100) -> list[Submission]:
    """Sampled recommendations waiting for the user's blind second mark (one query)."""
    finished = select(Marking.submission_id).where(Marking.role == MarkingRole.SECOND,
                                                   Marking.marker_id == user_id, Marking.finished_at.is_not(None))
    return list(session().execute(_with_people(select(Submission)).where(
        Submission.second_marker_id == user_id, Submission.state.in_(list(MODERATION_STATES)),
        Submission.id.not_in(finished)).order_by(Submission.id).limit(limit)).scalars())


# ------------------------------------------------------------------------------------------------- admins' list
ADMIN_FILTERS = {
    "": "All",
    "submitted": "Waiting for an assessor",
    "assessing": "With the assessor",
    "moderation": "In moderation",
    "confirmed": "Confirmed (to sign off)",
    "decided": "Signed off",
}
_FILTER_STATES = {
    "submitted": [S.SUBMITTED],
    "assessing": sorted(ASSESSOR_STATES),
    "moderation": sorted(MODERATION_STATES),
    "confirmed": [S.CONFIRMED],
    "decided": [S.SIGNED_OFF, S.CERTIFICATE_ISSUED],
}


def admin_submissions(organisation_ids: set[int] | None, *, status: str = "", after: str | None = None,
                      before: str | None = None, size: int = 25) -> Page[Submission]:
    """Submitted portfolios (never drafts) of the practitioners of some organisations (None: all), newest
    first, keyset-paginated."""
    query = _with_people(select(Submission)).options(joinedload(Submission.assessor)).where(
        Submission.state != S.DRAFT)
    if organisation_ids is not None:
        query = query.where(Submission.enrolment_id.in_(
            select(Enrolment.id).where(Enrolment.organisation_id.in_(organisation_ids or {-1}))))
    if status in _FILTER_STATES:
        query = query.where(Submission.state.in_(_FILTER_STATES[status]))
    return keyset_page(query, [Submission.id], after=after, before=before, size=size, descending=True)


# --------------------------------------------------------------------------------------------- moderation queue
def moderation_queue(user: Any, *, limit: int = 200) -> list[Submission]:
    """Recommendations waiting for or in moderation on the user's panels, oldest first (one query)."""
    organisations = sorted(user.organisation_ids(Role.MODERATOR))
    panel = Submission.independent.is_(True)
    if organisations:
        panel = panel | Enrolment.organisation_id.in_(organisations)
    return list(session().execute(
        select(Submission).join(Enrolment, Enrolment.id == Submission.enrolment_id)
        .options(joinedload(Submission.enrolment).joinedload(Enrolment.programme_version))
        .where(Submission.state.in_(list(MODERATION_STATES)), panel)
        .order_by(Submission.id).limit(limit)).scalars())


def finished_second_marks(submission_ids: list[int]) -> set[int]:
    """Which of these submissions have their blind second mark in (one query)."""
    if not submission_ids:
        return set()
    return set(session().execute(select(Marking.submission_id).where(
        Marking.submission_id.in_(submission_ids), Marking.role == MarkingRole.SECOND,
        Marking.finished_at.is_not(None))).scalars())


# ------------------------------------------------------------------------------------------------- practitioner
def submissions_of(practitioner_id: int) -> list[Submission]:
    """A practitioner's submissions, newest first (one query)."""
    return list(session().execute(_with_people(select(Submission)).where(
        Submission.practitioner_id == practitioner_id).order_by(Submission.id.desc())).scalars())


def submissions_of_enrolment(enrolment_id: int) -> list[Submission]:
    """An enrolment's stage submissions (drafts included), newest first (one query)."""
    return list(session().execute(select(Submission).where(Submission.enrolment_id == enrolment_id)
                                  .order_by(Submission.id.desc())).scalars())


def open_submission(enrolment_id: int, stage_code: str) -> Submission | None:
    """The submission of an enrolment stage that is not withdrawn (at most one)."""
    return session().execute(select(Submission).where(
        Submission.enrolment_id == enrolment_id, Submission.stage_code == stage_code,
        Submission.state != S.WITHDRAWN)).scalar_one_or_none()


# ------------------------------------------------------------------------------------------------------ history
@dataclass(frozen=True)
class History:
    versions: list[SubmissionVersion]
    events: list[SubmissionEvent]
    markings: list[Marking]
    appeals: list[Appeal]
    sign_offs: list[StageSignOff]


def history(submission: Submission) -> History:
    """Every sealed version (with its items), every event with its actor, every marking, appeal and sign-off
    (6 queries)."""
    sess = session()
    return History(
        versions=list(sess.execute(select(SubmissionVersion).options(selectinload(SubmissionVersion.items))
                                   .where(SubmissionVersion.submission_id == submission.id)
                                   .order_by(SubmissionVersion.number)).scalars()),
        events=list(sess.execute(select(SubmissionEvent).options(joinedload(SubmissionEvent.actor))
                                 .where(SubmissionEvent.submission_id == submission.id)
                                 .order_by(SubmissionEvent.id)).scalars()),
        markings=list(sess.execute(select(Marking).options(joinedload(Marking.marker))
                                   .where(Marking.submission_id == submission.id)
                                   .order_by(Marking.version, Marking.role, Marking.id)).scalars()),
        appeals=list(sess.execute(select(Appeal).options(joinedload(Appeal.reviewer))
                                  .where(Appeal.submission_id == submission.id).order_by(Appeal.id)).scalars()),
        sign_offs=list(sess.execute(select(StageSignOff).where(StageSignOff.submission_id == submission.id)
                                    .order_by(StageSignOff.id)).scalars()),
    )


def version_of(submission: Submission, number: int | None = None) -> SubmissionVersion | None:
    """One sealed version with its items (default: the latest)."""
    return session().execute(select(SubmissionVersion).options(selectinload(SubmissionVersion.items)).where(
        SubmissionVersion.submission_id == submission.id,
        SubmissionVersion.number == (number or submission.version))).scalar_one_or_none()


# ------------------------------------------------------------------------------------------------------- appeals
def appeals_for(user: Any, *, is_admin: bool, open_only: bool = True, limit: int = 200) -> list[Appeal]:
    """Appeals a programme admin sees (all) or a reviewer reviews, oldest first (one query)."""
    query = select(Appeal).options(joinedload(Appeal.submission), joinedload(Appeal.reviewer))
    if not is_admin:
        query = query.where(Appeal.reviewer_id == user.id)
    if open_only:
        query = query.where(Appeal.state == "lodged")
    return list(session().execute(query.order_by(Appeal.id).limit(limit)).scalars())


def appeal_of(submission: Submission) -> Appeal | None:
    """The latest appeal against the submission's decisions."""
    return session().execute(select(Appeal).where(Appeal.submission_id == submission.id)
                             .order_by(Appeal.id.desc()).limit(1)).scalar_one_or_none()

"""The dashboards' assessment figures, read from the assessment feature's tables: submissions waiting and their
ages (employer and programme), and for the programme pass, referral and fail rates by stage and by organisation,
average time to sign-off, assessor load and agreement, and appeals.

Definitions:

* *submitted*: a submission sealed at least once and not withdrawn;
* *waiting*: in a state where someone other than the practitioner must act (``WAITING_STATES``); its *age* is the
  whole days since its latest version was sealed (UK dates);
* *decided*: it has a decision date (a confirmed fail, or a signed-off pass); *pass* = Pass or Pass with targeted
  development, *fail* = Fail; pass and fail rates are shares of the decided, the *referral* rate the share of the
  submitted that were referred back at least once;
* *time to sign-off*: from the first submission to the stage sign-off that stands;
* *assessor load*: submissions allocated to the assessor in the assessor's states; *overdue*: past the marking due
  date; *agreement*: the moderation feature's blind second-marking agreement (``agreement_figures``).

Every count links to ``/oversight/.../assessments`` with filters that select exactly the submissions counted
(``matches``). One query loads the submissions in scope, whatever their number.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from portal.assessments.models import (
    ASSESSOR_STATES,
    Appeal,
    StageSignOff,
    Submission,
    SubmissionEvent,
)
from portal.assessments.states import PASSING_OUTCOMES, AppealState, Outcome, SubmissionState
from portal.db import session
from portal.enrolments.models import Enrolment
from portal.formatting import LONDON
from portal.oversight.filters import Filters
from portal.oversight.queries import scoped
from portal.urls import parse_id

S = SubmissionState
WAITING_STATES = (S.SUBMITTED, S.UNDER_ASSESSMENT, S.RESUBMITTED, S.RETURNED, S.RECOMMENDED, S.MODERATION,
                  S.CONFIRMED)
#: (key, label, first day, last day) of the waiting ages
AGE_BUCKETS = (("under-2-weeks", "Under 2 weeks", 0, 13), ("2-to-4-weeks", "2 to 4 weeks", 14, 27),
               ("over-4-weeks", "Over 4 weeks", 28, None))
OUTCOME_CHOICES = {"pass": "Passed", "fail": "Failed", "decided": "Decided"}


@dataclass(frozen=True)
class AssessmentFilters:
    """The assessment list's own filters (the scope filters are ``Filters``)."""

    state: str | None = None  # a SubmissionState value, or "waiting"
    outcome: str | None = None  # OUTCOME_CHOICES
    age: str | None = None  # AGE_BUCKETS keys
    assessor_id: int | None = None
    overdue: bool = False
    appeal: AppealState | None = None
    referred: bool = False
    messages: tuple[str, ...] = ()

    @property
    def args(self) -> dict[str, Any]:
        return {k: v for k, v in {"state": self.state, "outcome": self.outcome, "age": self.age,
                                  "assessor": self.assessor_id, "overdue": "yes" if self.overdue else None,
                                  "appeal": self.appeal.value if self.appeal else None,
                                  "referred": "yes" if self.referred else None}.items() if v is not None}


def parse_assessment_filters(args: Mapping[str, str]) -> AssessmentFilters:
    """Read the list filters; values that are not allowed are ignored with a message."""
    messages: list[str] = []

    def pick(name: str, allowed: Iterable[str], what: str) -> str | None:
        raw = (args.get(name) or "").strip()
        if raw and raw not in set(allowed):
            messages.append(f"“{raw[:40]}” is not {what}, so that filter was ignored")
            return None
        return raw or None

    state = pick("state", ["waiting", *(s.value for s in SubmissionState)], "a submission state")
    outcome = pick("outcome", OUTCOME_CHOICES, "an outcome")
    age = pick("age", [key for key, *_ in AGE_BUCKETS], "a waiting time")
    appeal = pick("appeal", [a.value for a in AppealState], "an appeal state")
    raw_assessor = (args.get("assessor") or "").strip()
    assessor_id = parse_id(raw_assessor)
    if raw_assessor and assessor_id is None:
        messages.append("That is not an assessor, so submissions of every assessor are shown")
    return AssessmentFilters(state, outcome, age, assessor_id, args.get("overdue") == "yes",
                             AppealState(appeal) if appeal else None, args.get("referred") == "yes", tuple(messages))


@dataclass(frozen=True)
class SubmissionRow:
    submission: Submission
    age_days: int | None
    referred: bool
    appeal: AppealState | None
    signed_off_at: dt.datetime | None

    @property
    def waiting(self) -> bool:
        return self.submission.state in WAITING_STATES

    @property
    def decided(self) -> bool:
        return self.submission.decided_on is not None and self.submission.outcome is not None

    @property
    def passed(self) -> bool:
        return self.decided and self.submission.outcome in PASSING_OUTCOMES

    @property
    def failed(self) -> bool:
        return self.decided and self.submission.outcome == Outcome.FAIL

    def overdue_marking(self, today: dt.date) -> bool:
        due = self.submission.assessor_due_on
        return self.submission.state in ASSESSOR_STATES and due is not None and due < today

    @property
    def age_bucket(self) -> str | None:
        if self.age_days is None or not self.waiting:
            return None
        return next(key for key, _label, low, high in AGE_BUCKETS if self.age_days >= low
                    and (high is None or self.age_days <= high))


def _as_utc(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def load_submissions(organisation_ids: set[int] | None, filters: Filters, today: dt.date) -> list[SubmissionRow]:
    """Every submitted (not withdrawn) submission in scope with the dashboard filters, oldest first, with whether
    it was ever referred, its latest appeal's state and its standing sign-off time (1 query)."""
    referred = exists().where(SubmissionEvent.submission_id == Submission.id,
                              SubmissionEvent.to_state == S.REFERRED.value)
    appeal = (select(Appeal.state).where(Appeal.submission_id == Submission.id).order_by(Appeal.id.desc())
              .limit(1).scalar_subquery())
    signed = (select(StageSignOff.signed_off_at).where(StageSignOff.submission_id == Submission.id,
                                                       StageSignOff.reversed_at.is_(None))
              .order_by(StageSignOff.id.desc()).limit(1).scalar_subquery())
    query = scoped(select(Submission, referred.label("referred"), appeal.label("appeal"), signed.label("signed"))
                   .join(Enrolment, Enrolment.id == Submission.enrolment_id), organisation_ids, filters).where(
        Submission.first_submitted_at.is_not(None), Submission.state != S.WITHDRAWN).options(
        joinedload(Submission.practitioner), joinedload(Submission.assessor),
        joinedload(Submission.enrolment).joinedload(Enrolment.organisation))
    if filters.stage is not None:
        query = query.where(Submission.stage_code == filters.stage)
    rows = []
    for submission, was_referred, appeal_state, signed_at in session().execute(
            query.order_by(Submission.submitted_at, Submission.id)).unique():
        sealed = _as_utc(submission.submitted_at)
        age = (today - sealed.astimezone(LONDON).date()).days if sealed else None
        rows.append(SubmissionRow(submission, age, bool(was_referred),
                                  AppealState(appeal_state) if appeal_state else None, _as_utc(signed_at)))
    return rows


def matches(row: SubmissionRow, af: AssessmentFilters, today: dt.date) -> bool:
    """Whether a submission belongs in the list the filters describe (the figures count the same way)."""
    state = row.submission.state
    checks = [
        af.state is None or (row.waiting if af.state == "waiting" else state.value == af.state),
        af.outcome is None or {"pass": row.passed, "fail": row.failed, "decided": row.decided}[af.outcome],
        af.age is None or row.age_bucket == af.age,
        af.assessor_id is None or (row.submission.assessor_id == af.assessor_id and state in ASSESSOR_STATES),
        not af.overdue or row.overdue_marking(today),
        af.appeal is None or row.appeal == af.appeal,
        not af.referred or row.referred,
    ]
    return all(checks)


# ------------------------------------------------------------------------------------------------------ figures
@dataclass
class Rates:
    submitted: int = 0
    decided: int = 0
    passed: int = 0
    failed: int = 0
    referred: int = 0

    def add(self, row: SubmissionRow) -> None:
        self.submitted += 1
        self.decided += row.decided
        self.passed += row.passed
        self.failed += row.failed
        self.referred += row.referred

    @staticmethod
    def percent(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def pass_rate(self) -> int | None:
        return self.percent(self.passed, self.decided)

    @property
    def fail_rate(self) -> int | None:
        return self.percent(self.failed, self.decided)

    @property
    def referral_rate(self) -> int | None:
        return self.percent(self.referred, self.submitted)


@dataclass
class AssessorLoad:
    name: str
    open: int = 0
    overdue: int = 0
    agreement: Any = None


@dataclass
class AssessmentFigures:
    waiting: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    oldest: dict[str, int] = field(default_factory=dict)
    by_stage: dict[str, Rates] = field(default_factory=lambda: defaultdict(Rates))
    by_organisation: dict[int, Rates] = field(default_factory=lambda: defaultdict(Rates))
    organisation_names: dict[int, str] = field(default_factory=dict)
    sign_off_days: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    assessors: dict[int, AssessorLoad] = field(default_factory=dict)
    appeals: Counter[str] = field(default_factory=Counter)

    @property
    def waiting_total(self) -> int:
        return sum(sum(c.values()) for c in self.waiting.values())


def figures(rows: Iterable[SubmissionRow], today: dt.date, *, agreement: Mapping[int, Any] | None = None
            ) -> AssessmentFigures:
    """Count the rows as ``matches`` selects them."""
    result = AssessmentFigures()
    for row in rows:
        submission = row.submission
        if row.waiting:
            result.waiting[submission.state.value][row.age_bucket or "under-2-weeks"] += 1
            result.oldest[submission.state.value] = max(result.oldest.get(submission.state.value, 0),
                                                        row.age_days or 0)
        result.by_stage[submission.stage_code].add(row)
        organisation = submission.enrolment.organisation
        result.by_organisation[organisation.id].add(row)
        result.organisation_names[organisation.id] = organisation.name
        if row.signed_off_at is not None and submission.first_submitted_at is not None:
            started = _as_utc(submission.first_submitted_at)
            result.sign_off_days[submission.stage_code].append((row.signed_off_at - started).days)  # type: ignore[operator]
        if submission.assessor_id is not None and submission.state in ASSESSOR_STATES:
            load = result.assessors.setdefault(submission.assessor_id, AssessorLoad(submission.assessor.name))
            load.open += 1
            load.overdue += row.overdue_marking(today)
        if row.appeal is not None:
            result.appeals[row.appeal.value] += 1
    for assessor_id, rate in (agreement or {}).items():
        if assessor_id in result.assessors:
            result.assessors[assessor_id].agreement = rate
    return result


def agreement_by_assessor() -> dict[int, Any]:
    """Blind second-marking agreement per assessor (the moderation feature's figures, 2 queries)."""
    from portal.assessments.moderation import agreement_figures

    rows, _overall = agreement_figures()
    return {row.assessor.id: row.agreement for row in rows}


EXPORT_HEADERS = ("Submission", "Practitioner", "Employer", "Stage", "State", "Outcome", "Decided on",
                  "First submitted (UK time)", "Days waiting", "Assessor", "Marking due", "Referred back",
                  "Appeal", "Signed off (UK time)")


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(LONDON).replace(tzinfo=None, microsecond=0) if value else None


def export_rows(rows: Iterable[SubmissionRow]) -> Iterator[list[Any]]:
    for row in rows:
        s = row.submission
        yield [s.id, s.practitioner.name, s.enrolment.organisation.name, s.stage_code, s.state.label,
               s.outcome.label if s.outcome else "", s.decided_on, _local(_as_utc(s.first_submitted_at)),
               row.age_days if row.waiting else None, s.assessor.name if s.assessor else "", s.assessor_due_on,
               row.referred, row.appeal.label if row.appeal else "", _local(row.signed_off_at)]


def in_scope(rows: Iterable[SubmissionRow], af: AssessmentFilters, today: dt.date) -> list[SubmissionRow]:
    return [row for row in rows if matches(row, af, today)]

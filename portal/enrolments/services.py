"""Enrolling practitioners and keeping their pathway record: the clock (pauses, extensions), supervisors and
employers over time, version migration, reviews, self-assessments, documents and external results.

Every service takes the actor (``by=``), checks the domain rules (raising DomainError with GOV.UK wording and
the form field it concerns), audits the change and flushes; the caller commits once.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.clock import today as london_today  # the service clock; kept under this name for its callers
from portal.db import session
from portal.enrolments import stage_dates
from portal.enrolments.models import (
    RATING_LEVELS,
    STATUS_TRANSITIONS,
    EmploymentPeriod,
    Enrolment,
    EnrolmentDocument,
    EnrolmentExtension,
    EnrolmentPause,
    EnrolmentStatus,
    ExternalResult,
    PauseReason,
    ReviewMeetingRecord,
    SelfAssessment,
    SupervisorAllocation,
)
from portal.enrolments.queries import clock_inputs
from portal.exceptions import DomainError
from portal.framework import clock
from portal.framework import vocabulary as v
from portal.framework.definitions import ProgrammeTemplate, ReviewMeeting, Stage
from portal.framework.models import ProgrammeVersion
from portal.framework.services import carry_mappings, template_for
from portal.users.models import Organisation, Role, User

MigrationListener = Callable[[Enrolment, ProgrammeTemplate, ProgrammeTemplate, Any], None]
_MIGRATION_LISTENERS: dict[str, MigrationListener] = {}


def register_migration_listener(listener: MigrationListener) -> MigrationListener:
    """Call ``listener(enrolment, old_template, new_template, by)`` whenever an enrolment moves to a new version
    (e.g. to rewrite stored evidence-to-statement mappings with ``carry_mappings``). Usable as a decorator."""
    _MIGRATION_LISTENERS[f"{listener.__module__}.{listener.__qualname__}"] = listener
    return listener


def template_of(enrolment: Enrolment) -> ProgrammeTemplate:
    return template_for(enrolment.programme_version)


def timing_inputs(enrolment: Enrolment) -> tuple[list[clock.Pause], list[clock.Extension]]:
    """The enrolment's pauses and extensions as the clock takes them (2 queries)."""
    return clock_inputs([enrolment.id]).get(enrolment.id, ([], []))


def _require_active(enrolment: Enrolment) -> None:
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise DomainError(f"This enrolment is {enrolment.status.label.lower()}, so it cannot be changed")


def _flush_or(error: DomainError) -> None:
    sess = session()
    try:
        with sess.begin_nested():
            sess.flush()
    except IntegrityError:
        raise error from None


# ------------------------------------------------------------------------------------------------- enrolling
def check_fte(value: Any) -> Decimal:
    """An FTE as stored: more than 0, at most 1, at most 2 decimal places."""
    try:
        fte = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("Enter FTE as a number, like 0.6", "fte") from None
    if not fte.is_finite() or not Decimal(0) < fte <= Decimal(1):
        raise DomainError("FTE must be more than 0 and no more than 1, like 0.6", "fte")
    if fte != fte.quantize(Decimal("0.01")):
        raise DomainError("FTE must have no more than 2 decimal places, like 0.65", "fte")
    return fte.quantize(Decimal("0.01"))


def _check_supervisor(supervisor: User | None, organisation: Organisation, practitioner: User) -> None:
    if supervisor is None:
        return
    if supervisor.id == practitioner.id:
        raise DomainError("A practitioner cannot be their own practice supervisor", "supervisor")
    if not supervisor.has_role(Role.SUPERVISOR, organisation.id):
        raise DomainError(f"{supervisor.name} is not a practice supervisor at {organisation.name}", "supervisor")


def enrol(*, practitioner: User, organisation: Organisation, programme_version: ProgrammeVersion,
          start_date: dt.date, fte: Any, supervisor: User | None, by: Any, today: dt.date | None = None) -> Enrolment:
    """Enrol a practitioner of ``organisation`` on a published programme version.

    Rules: they hold the practitioner role there; the supervisor (optional) holds the supervisor role there;
    0 < FTE <= 1; the start is at most a year from today; not enrolled twice on the same programme while active.
    Opens the first employment period and supervisor allocation.
    """
    today = today or london_today()
    if not practitioner.has_role(Role.PRACTITIONER, organisation.id):
        raise DomainError(f"{practitioner.name} is not a practitioner at {organisation.name}", "practitioner")
    fte_value = check_fte(fte)
    if start_date > clock.add_months(today, 12):
        raise DomainError("Start date must be no more than a year from today", "start_date")
    _check_supervisor(supervisor, organisation, practitioner)
    twice = DomainError(f"{practitioner.name} is already enrolled on {programme_version.name}. An enrolment must "
                        "be completed or withdrawn before another one on the same programme", "practitioner")
    sess = session()
    active = sess.execute(select(Enrolment.id).where(
        Enrolment.practitioner_id == practitioner.id, Enrolment.programme_code == programme_version.code,
        Enrolment.status == EnrolmentStatus.ACTIVE)).first()
    if active is not None:
        raise twice
    enrolment = Enrolment(practitioner=practitioner, organisation=organisation, programme_version=programme_version,
                          programme_code=programme_version.code, start_date=start_date, fte=fte_value,
                          supervisor=supervisor, created_by_id=getattr(by, "id", None))
    sess.add(enrolment)
    _flush_or(twice)
    sess.add(EmploymentPeriod(enrolment_id=enrolment.id, organisation_id=organisation.id, started_on=start_date))
    if supervisor is not None:
        sess.add(SupervisorAllocation(enrolment_id=enrolment.id, supervisor_id=supervisor.id, started_on=start_date))
    sess.flush()
    audit.record(by, "enrolment.created", enrolment, practitioner_id=practitioner.id,
                 organisation_id=organisation.id, programme=programme_version.code,
                 version=programme_version.version, start_date=start_date.isoformat(), fte=str(fte_value),
                 supervisor_id=supervisor.id if supervisor else None)
    stage_dates.refresh([enrolment])
    return enrolment


def change_status(enrolment: Enrolment, status: EnrolmentStatus, *, by: Any, reason: str = "") -> None:
    """Complete or withdraw an enrolment (see STATUS_TRANSITIONS); ends the current supervisor allocation."""
    if status not in STATUS_TRANSITIONS[enrolment.status]:
        raise DomainError(f"An enrolment that is {enrolment.status.label.lower()} cannot become "
                          f"{status.label.lower()}")
    old = enrolment.status
    enrolment.status = status
    _close_open(SupervisorAllocation, enrolment, max(london_today(), enrolment.start_date))
    session().flush()
    audit.record(by, "enrolment.status_changed", enrolment, status=[old.value, status.value], reason=reason or None)


# ----------------------------------------------------------------------------------------------------- the clock
def _new_timing_problems(enrolment: Enrolment, template: ProgrammeTemplate, pauses: list[clock.Pause],
                         extensions: list[clock.Extension]) -> list[str]:
    old_pauses, old_extensions = timing_inputs(enrolment)
    before = set(clock.validate_timing(template, enrolment.start_date, enrolment.fte, old_pauses, old_extensions))
    after = clock.validate_timing(template, enrolment.start_date, enrolment.fte, [*old_pauses, *pauses],
                                  [*old_extensions, *extensions])
    return [message for message in after if message not in before]


def record_pause(enrolment: Enrolment, *, start_date: dt.date, end_date: dt.date, reason: PauseReason,
                 details: str = "", by: Any) -> EnrolmentPause:
    """Record a break (parental leave, sickness, career break, other) with inclusive dates: every later due date
    moves by its length. It must end on or after it starts, start on or after the enrolment does and not overlap
    another pause."""
    _require_active(enrolment)
    reason = PauseReason(reason)
    pause = clock.Pause(start_date, end_date, reason.label.lower())
    problems = _new_timing_problems(enrolment, template_of(enrolment), [pause], [])
    if problems:
        raise DomainError(problems[0], "end_date" if "ends before it starts" in problems[0] else "start_date")
    row = EnrolmentPause(enrolment_id=enrolment.id, start_date=start_date, end_date=end_date, reason=reason,
                         details=details.strip(), created_by_id=getattr(by, "id", None))
    session().add(row)
    session().flush()
    audit.record(by, "enrolment.paused", enrolment, start_date=start_date.isoformat(),
                 end_date=end_date.isoformat(), reason=reason.value)
    stage_dates.refresh([enrolment])
    return row


def grant_extension(enrolment: Enrolment, *, stage_code: str, months: int, days: int, reason: str,
                    by: Any) -> EnrolmentExtension:
    """Give one stage more calendar time (months and/or days, with a reason): its end and every later date
    move."""
    _require_active(enrolment)
    template = template_of(enrolment)
    if stage_code not in {stage.code for stage in template.stages}:
        raise DomainError("Select the stage to extend", "stage_code")
    if months < 0 or days < 0 or months + days == 0:
        raise DomainError("Enter a length of at least 1 day: months and days must be 0 or more and not both 0",
                          "months")
    if not reason.strip():
        raise DomainError("Enter the reason for the extension", "reason")
    problems = _new_timing_problems(enrolment, template, [], [clock.Extension(stage_code, months, days)])
    if problems:
        raise DomainError(problems[0], "months")
    row = EnrolmentExtension(enrolment_id=enrolment.id, stage_code=stage_code, months=months, days=days,
                             reason=reason.strip(), created_by_id=getattr(by, "id", None))
    session().add(row)
    session().flush()
    audit.record(by, "enrolment.extended", enrolment, stage_code=stage_code, months=months, days=days)
    stage_dates.refresh([enrolment])
    return row


# ------------------------------------------------------------------------------------- supervisors and employers
def _close_open(model: type[SupervisorAllocation | EmploymentPeriod], enrolment: Enrolment,
                on: dt.date) -> Any:
    current = session().execute(select(model).where(model.enrolment_id == enrolment.id,
                                                    model.ended_on.is_(None))).scalar_one_or_none()
    if current is not None:
        current.ended_on = max(on, current.started_on)
        session().flush()  # before the new open row: one open row per enrolment
    return current


def _switch_supervisor(enrolment: Enrolment, supervisor: User | None, on: dt.date) -> None:
    _close_open(SupervisorAllocation, enrolment, on)
    enrolment.supervisor = supervisor
    if supervisor is not None:
        session().add(SupervisorAllocation(enrolment_id=enrolment.id, supervisor_id=supervisor.id, started_on=on))
    session().flush()


def change_supervisor(enrolment: Enrolment, supervisor: User | None, *, by: Any,
                      today: dt.date | None = None) -> None:
    """Allocate a new practice supervisor (or none). The previous allocation is kept with its end date."""
    _require_active(enrolment)
    _check_supervisor(supervisor, enrolment.organisation, enrolment.practitioner)
    if (supervisor.id if supervisor else None) == enrolment.supervisor_id:
        raise DomainError(f"{supervisor.name} is already the practice supervisor" if supervisor
                          else "This enrolment has no practice supervisor", "supervisor")
    old = enrolment.supervisor_id
    _switch_supervisor(enrolment, supervisor, max(today or london_today(), enrolment.start_date))
    audit.record(by, "enrolment.supervisor_changed", enrolment, supervisor_id=[old, enrolment.supervisor_id])


def transfer(enrolment: Enrolment, organisation: Organisation, *, by: Any, today: dt.date | None = None) -> None:
    """Move the enrolment to a new employer, keeping its whole record.

    The practitioner must already hold the practitioner role at the new organisation. The employment period
    closes and a new one opens; the supervisor stays only if they are also a supervisor there (else cleared, and
    the new employer allocates one).
    """
    _require_active(enrolment)
    practitioner = enrolment.practitioner
    if organisation.id == enrolment.organisation_id:
        raise DomainError(f"{practitioner.name} is already employed by {organisation.name}", "organisation")
    if not practitioner.has_role(Role.PRACTITIONER, organisation.id):
        raise DomainError(f"{practitioner.name} is not a practitioner at {organisation.name}. Ask its employer "
                          "admin to give them the practitioner role first", "organisation")
    on = max(today or london_today(), enrolment.start_date)
    old_organisation_id = enrolment.organisation_id
    _close_open(EmploymentPeriod, enrolment, on)
    session().add(EmploymentPeriod(enrolment_id=enrolment.id, organisation_id=organisation.id, started_on=on))
    enrolment.organisation = organisation
    supervisor = enrolment.supervisor
    kept = supervisor is not None and supervisor.has_role(Role.SUPERVISOR, organisation.id)
    if supervisor is not None and not kept:
        _switch_supervisor(enrolment, None, on)
    session().flush()
    audit.record(by, "enrolment.transferred", enrolment, organisation_id=[old_organisation_id, organisation.id],
                 supervisor_kept=kept if supervisor is not None else None)


def migrate(enrolment: Enrolment, version: ProgrammeVersion, *, by: Any) -> list[dict[str, str]]:
    """Move the enrolment to a newer published version of its programme (explicitly; audited).

    Progress is recomputed against the new version from the same records. Extensions must name stages the new
    version has. Returns the crosswalks that carry evidence mappings across (also audited), and tells every
    registered migration listener.
    """
    _require_active(enrolment)
    current = enrolment.programme_version
    if version.code != enrolment.programme_code:
        raise DomainError("Select a version of the same programme", "version")
    if version.id == current.id:
        raise DomainError(f"This enrolment is already on version {version.version}", "version")
    if version.version_key <= current.version_key:
        raise DomainError(f"Select a version newer than version {current.version}", "version")
    old_template, new_template = template_of(enrolment), template_for(version)
    pauses, extensions = timing_inputs(enrolment)
    problems = clock.validate_timing(new_template, enrolment.start_date, enrolment.fte, pauses, extensions)
    if problems:
        raise DomainError(f"This enrolment cannot move to version {version.version}: {problems[0]}", "version")
    carried = []
    for old_set in old_template.standards:
        for new_set in new_template.standards:
            if old_set.ref != new_set.ref and carry_mappings(old_set, new_set) is not None:
                carried.append({"from": str(old_set.ref), "to": str(new_set.ref)})
    enrolment.programme_version = version
    session().flush()
    stage_dates.refresh([enrolment])
    audit.record(by, "enrolment.migrated", enrolment, version=[current.version, version.version],
                 crosswalks=carried or None)
    for listener in _MIGRATION_LISTENERS.values():
        listener(enrolment, old_template, new_template, by)
    return carried


# ------------------------------------------------------------------------------------------- pathway records
def _stage(template: ProgrammeTemplate, stage_code: str | None) -> str | None:
    if stage_code and stage_code not in {stage.code for stage in template.stages}:
        raise DomainError("Select a stage of this programme", "stage_code")
    return stage_code or None


def _not_future(day: dt.date, field: str, what: str, today: dt.date | None) -> None:
    if day > (today or london_today()):
        raise DomainError(f"{what} must be today or in the past", field)


def self_assessment_set(template: ProgrammeTemplate, stage: Stage) -> str:
    """The standards set a stage's self-assessment is against (its self_assessment requirement's, else the
    programme's first set)."""
    for requirement in stage.requirements:
        if requirement.kind == "self_assessment":
            return requirement.set_code  # type: ignore[attr-defined, no-any-return]
    return template.standards[0].code if template.standards else ""


def review_point(stage: Stage, review: ReviewMeeting) -> str:
    """Which self-assessment point a review's self-assessment is: the final review is the end; one in the first
    third of the stage the start; otherwise the middle."""
    if review.due_month is None or review.due_month >= stage.months:
        return "end"
    return "start" if review.due_month * 3 <= stage.months else "middle"


def _check_ratings(template: ProgrammeTemplate, set_code: str, ratings: Mapping[str, Any]) -> dict[str, int]:
    try:
        standards_set = template.standards_set(set_code)
    except KeyError:
        raise DomainError("Select a standards set of this programme", "set_code") from None
    checked: dict[str, int] = {}
    for code in standards_set.statement_codes:
        value = ratings.get(code)
        try:
            level = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise DomainError(f"Rate every statement: select a level for {code}", f"rating-{code}") from None
        if level not in RATING_LEVELS:
            raise DomainError(f"Select a level from 1 to {max(RATING_LEVELS)} for {code}", f"rating-{code}")
        checked[code] = level
    if set(ratings) - set(standards_set.statement_codes):
        raise DomainError(f"Only rate statements of {standards_set.name}", "set_code")
    return checked


def record_self_assessment(enrolment: Enrolment, *, point: str, set_code: str, ratings: Mapping[str, Any],
                           completed_on: dt.date, stage_code: str | None, by: Any,
                           review: ReviewMeetingRecord | None = None, today: dt.date | None = None,
                           ) -> SelfAssessment:
    """Record a self-assessment at a point of a stage (start, middle, end): a level 1-4 for every statement of
    the standards set."""
    template = template_of(enrolment)
    if point not in v.SELF_ASSESSMENT_POINTS:
        raise DomainError("Select when in the stage this self-assessment was done", "point")
    stage_code = _stage(template, stage_code)
    checked = _check_ratings(template, set_code, ratings)
    _not_future(completed_on, "completed_on", "The date of the self-assessment", today)
    row = SelfAssessment(enrolment_id=enrolment.id, review_meeting_id=review.id if review else None,
                         stage_code=stage_code, point=point, set_code=set_code, ratings=checked,
                         completed_on=completed_on, recorded_by_id=getattr(by, "id", None))
    session().add(row)
    session().flush()
    audit.record(by, "self_assessment.recorded", row, enrolment_id=enrolment.id, point=point, set_code=set_code,
                 stage_code=stage_code)
    return row


def record_review(enrolment: Enrolment, *, review_code: str, held_on: dt.date, attendees: str, notes: str,
                  development_plan: str, by: Any, ratings: Mapping[str, Any] | None = None,
                  today: dt.date | None = None) -> ReviewMeetingRecord:
    """Record a review meeting of the template as held: date, attendees, notes, the development plan agreed (one
    item per line) and, where the review asks for one, the self-assessment ratings (every statement, or none).
    Each review is recorded once."""
    template = template_of(enrolment)
    try:
        stage, review = template.review(review_code)
    except KeyError:
        raise DomainError("Select a review meeting of this programme", "review_code") from None
    _not_future(held_on, "held_on", "The date the review was held", today)
    if held_on < enrolment.start_date:
        raise DomainError(f"The date the review was held must be on or after the start of the enrolment, "
                          f"{clock.format_date(enrolment.start_date)}", "held_on")
    if ratings and not review.kss_self_assessment:
        raise DomainError(f"The {review.name.lower()} does not include a self-assessment", "review_code")
    already = DomainError(f"The {review.name.lower()} has already been recorded", "review_code")
    sess = session()
    if sess.execute(select(ReviewMeetingRecord.id).where(ReviewMeetingRecord.enrolment_id == enrolment.id,
                                                         ReviewMeetingRecord.review_code == review_code)).first():
        raise already
    record = ReviewMeetingRecord(enrolment_id=enrolment.id, review_code=review_code, held_on=held_on,
                                 attendees=attendees.strip(), notes=notes.strip(),
                                 development_plan=development_plan.strip(), recorded_by_id=getattr(by, "id", None))
    sess.add(record)
    _flush_or(already)
    if ratings:
        record_self_assessment(enrolment, point=review_point(stage, review),
                               set_code=self_assessment_set(template, stage), ratings=ratings, completed_on=held_on,
                               stage_code=stage.code, review=record, by=by, today=today)
    audit.record(by, "review.recorded", record, enrolment_id=enrolment.id, review_code=review_code,
                 held_on=held_on.isoformat(), self_assessment=bool(ratings) or None)
    return record


def record_document(enrolment: Enrolment, *, kind: str, title: str, summary: str, completed_on: dt.date,
                    stage_code: str | None, by: Any, today: dt.date | None = None) -> EnrolmentDocument:
    """Record a pathway document (learning agreement, critical reflection log, ...) against a stage."""
    if kind not in v.DOCUMENT_KINDS:
        raise DomainError("Select the kind of document", "kind")
    stage_code = _stage(template_of(enrolment), stage_code)
    _not_future(completed_on, "completed_on", "The date the document was completed", today)
    row = EnrolmentDocument(enrolment_id=enrolment.id, kind=kind,
                            title=title.strip() or v.DOCUMENT_KINDS[kind][0].capitalize(), summary=summary.strip(),
                            completed_on=completed_on, stage_code=stage_code, recorded_by_id=getattr(by, "id", None))
    session().add(row)
    session().flush()
    audit.record(by, "document.recorded", row, enrolment_id=enrolment.id, kind=kind, stage_code=stage_code)
    return row


def record_external_result(enrolment: Enrolment, *, kind: str, passed: bool, recorded_on: dt.date, notes: str,
                           stage_code: str | None, by: Any, today: dt.date | None = None) -> ExternalResult:
    """Record a result from outside the portal (knowledge assessment, employer endorsement, observed or
    simulated practice); only passed results count towards requirements."""
    if kind not in v.EXTERNAL_RESULTS:
        raise DomainError("Select the kind of result", "kind")
    stage_code = _stage(template_of(enrolment), stage_code)
    _not_future(recorded_on, "recorded_on", "The date of the result", today)
    row = ExternalResult(enrolment_id=enrolment.id, kind=kind, passed=bool(passed), recorded_on=recorded_on,
                         stage_code=stage_code, notes=notes.strip(), recorded_by_id=getattr(by, "id", None))
    session().add(row)
    session().flush()
    audit.record(by, "external_result.recorded", row, enrolment_id=enrolment.id, kind=kind, passed=bool(passed))
    return row


# ------------------------------------------------------------------------------------------------- demo data
DEMO_PRACTITIONER = "practitioner@northshire.example"
DEMO_SUPERVISOR = "supervisor@northshire.example"
DEMO_EMPLOYER_ADMIN = "employer.admin@northshire.example"
DEMO_PROGRAMME = "ECF-5Y"


def seed_demo_enrolment(today: dt.date | None = None) -> Enrolment | None:
    """Load the shipped templates and enrol the demo practitioner on the five-year ECF, started about 7 months
    ago with the demo supervisor, with a learning agreement, a start self-assessment and the 3- and 6-month
    reviews recorded. Idempotent: an existing active enrolment is left as it is."""
    from portal.framework.services import load_builtin, published_versions

    load_builtin(by=None)
    today = today or london_today()
    sess = session()
    people = {u.email: u for u in sess.execute(select(User).where(
        User.email.in_([DEMO_PRACTITIONER, DEMO_SUPERVISOR, DEMO_EMPLOYER_ADMIN]))).scalars()}
    organisation = sess.execute(select(Organisation).where(Organisation.code == "NSH-CC")).scalar_one_or_none()
    practitioner, supervisor = people.get(DEMO_PRACTITIONER), people.get(DEMO_SUPERVISOR)
    if practitioner is None or organisation is None:
        return None
    existing = sess.execute(select(Enrolment).where(
        Enrolment.practitioner_id == practitioner.id, Enrolment.programme_code == DEMO_PROGRAMME,
        Enrolment.status == EnrolmentStatus.ACTIVE)).scalar_one_or_none()
    if existing is not None:
        return existing
    by = people.get(DEMO_EMPLOYER_ADMIN)
    version = published_versions(DEMO_PROGRAMME)[0]
    start = clock.add_months(today, -7)
    enrolment = enrol(practitioner=practitioner, organisation=organisation, programme_version=version,
                      start_date=start, fte=1, supervisor=supervisor, by=by, today=today)
    template = template_of(enrolment)
    schedule = clock.compute_schedule(template, start=start, today=today)
    kss = template.standards_set("KSS-CF")
    record_document(enrolment, kind="learning_agreement", title="Learning agreement, year 1",
                    summary="Protected caseload, fortnightly supervision, development priorities agreed.",
                    completed_on=start + dt.timedelta(days=14), stage_code="Y1", by=practitioner, today=today)
    record_self_assessment(enrolment, point="start", set_code=kss.code,
                           ratings={code: 2 for code in kss.statement_codes}, completed_on=start + dt.timedelta(days=20),
                           stage_code="Y1", by=practitioner, today=today)
    plans = {
        "Y1-R3": "Shadow a child protection conference\nComplete the first direct observation",
        "Y1-R6": "Lead a child and family assessment with support\nRecord a second piece of family feedback",
    }
    for code, plan in plans.items():
        held_on = min(schedule.review_due(code).due, today)
        ratings = {c: 3 if n % 2 else 2 for n, c in enumerate(kss.statement_codes)} if code == "Y1-R6" else None
        record_review(enrolment, review_code=code, held_on=held_on,
                      attendees=f"{practitioner.name} (practitioner), "
                                f"{supervisor.name if supervisor else 'practice supervisor'} (practice supervisor)",
                      notes="Good progress; caseload remains protected.", development_plan=plan, ratings=ratings,
                      by=supervisor or by, today=today)
    return enrolment

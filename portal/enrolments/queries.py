"""Read queries shared by pages and other features: finding enrolments, their clock inputs, their evidence (through
a registry other features plug into) and their progress, for one enrolment or a list, in a constant number of
queries.

The evidence-source contract: ``fn(enrolment_ids: list[int]) -> Mapping[int, EvidenceParts]`` returns partial
tallies per enrolment (ids it has nothing for may be left out). It must run a fixed number of queries however many
enrolments and items there are (aggregate with GROUP BY; never one query per enrolment or per item). Register it
once, at import time of a module ``create_app`` imports, with ``register_evidence_source(fn)``.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from portal.db import session
from portal.enrolments.models import (
    EmploymentPeriod,
    Enrolment,
    EnrolmentDocument,
    EnrolmentExtension,
    EnrolmentPause,
    EnrolmentStatus,
    ExternalResult,
    ReviewMeetingRecord,
    SelfAssessment,
    SupervisorAllocation,
)
from portal.framework import clock
from portal.framework.definitions import ProgrammeTemplate
from portal.framework.evidence import (
    CaseworkTally,
    CoverageTally,
    CpdTally,
    DocumentTally,
    EvidenceSummary,
    ExternalResultTally,
    SelfAssessmentTally,
)
from portal.framework.progress import EnrolmentProgress, compute_progress
from portal.framework.services import crosswalks, template_for
from portal.users.models import User


# ------------------------------------------------------------------------------------------- evidence registry
@dataclass
class EvidenceParts:
    """What one evidence source knows about one enrolment: partial tallies, merged with every other source's
    into the enrolment's ``EvidenceSummary`` (see portal/framework/evidence.py for each tally's meaning)."""

    cpd: list[CpdTally] = field(default_factory=list)
    casework: list[CaseworkTally] = field(default_factory=list)
    documents: list[DocumentTally] = field(default_factory=list)
    self_assessments: list[SelfAssessmentTally] = field(default_factory=list)
    coverage: list[CoverageTally] = field(default_factory=list)
    external_results: list[ExternalResultTally] = field(default_factory=list)
    reviews_held: dict[str, dt.date] = field(default_factory=dict)
    signed_off: dict[str, dt.date] = field(default_factory=dict)

    def merge(self, other: EvidenceParts) -> None:
        for name in ("cpd", "casework", "documents", "self_assessments", "coverage", "external_results"):
            getattr(self, name).extend(getattr(other, name))
        self.reviews_held.update(other.reviews_held)
        self.signed_off.update(other.signed_off)

    def summary(self) -> EvidenceSummary:
        return EvidenceSummary(cpd=tuple(self.cpd), casework=tuple(self.casework), documents=tuple(self.documents),
                               self_assessments=tuple(self.self_assessments), coverage=tuple(self.coverage),
                               external_results=tuple(self.external_results), reviews_held=dict(self.reviews_held),
                               signed_off=dict(self.signed_off))


EvidenceSource = Callable[[list[int]], Mapping[int, EvidenceParts]]
_SOURCES: dict[str, EvidenceSource] = {}


def register_evidence_source(source: EvidenceSource) -> EvidenceSource:
    """Add an evidence source (usable as a decorator). Registering the same function again replaces it."""
    _SOURCES[f"{source.__module__}.{source.__qualname__}"] = source
    return source


def unregister_evidence_source(source: EvidenceSource) -> None:
    """Remove a source (for tests that register a temporary one)."""
    _SOURCES.pop(f"{source.__module__}.{source.__qualname__}", None)


def evidence_summaries(enrolment_ids: Sequence[int]) -> dict[int, EvidenceSummary]:
    """Every enrolment's EvidenceSummary, merged from every registered source (a fixed number of queries)."""
    ids = list(dict.fromkeys(enrolment_ids))
    merged = {enrolment_id: EvidenceParts() for enrolment_id in ids}
    if ids:
        for source in list(_SOURCES.values()):
            for enrolment_id, parts in source(ids).items():
                if enrolment_id in merged:
                    merged[enrolment_id].merge(parts)
    return {enrolment_id: parts.summary() for enrolment_id, parts in merged.items()}


@register_evidence_source
def pathway_records(enrolment_ids: list[int]) -> dict[int, EvidenceParts]:
    """Reviews held, self-assessments, documents and external results kept on the enrolment (4 queries).
    Stage sign-offs arrive with the assessment feature."""
    sess = session()
    parts: dict[int, EvidenceParts] = defaultdict(EvidenceParts)
    for enrolment_id, code, held_on in sess.execute(
            select(ReviewMeetingRecord.enrolment_id, ReviewMeetingRecord.review_code, ReviewMeetingRecord.held_on)
            .where(ReviewMeetingRecord.enrolment_id.in_(enrolment_ids))):
        parts[enrolment_id].reviews_held[code] = held_on
    sa_columns = (SelfAssessment.enrolment_id, SelfAssessment.point, SelfAssessment.set_code,
                  SelfAssessment.stage_code, SelfAssessment.completed_on)
    for enrolment_id, point, set_code, stage_code, on in sess.execute(
            select(*sa_columns).where(SelfAssessment.enrolment_id.in_(enrolment_ids)).group_by(*sa_columns)):
        parts[enrolment_id].self_assessments.append(SelfAssessmentTally(point, on, set_code, stage_code))
    # recorded by someone other than the practitioner (their supervisor or employer): verified
    verified = func.coalesce(EnrolmentDocument.recorded_by_id, Enrolment.practitioner_id) != Enrolment.practitioner_id
    doc_columns = (EnrolmentDocument.enrolment_id, EnrolmentDocument.kind, EnrolmentDocument.completed_on,
                   EnrolmentDocument.stage_code, verified)
    for enrolment_id, kind, on, stage_code, is_verified, count in sess.execute(
            select(*doc_columns, func.count()).join(Enrolment, Enrolment.id == EnrolmentDocument.enrolment_id)
            .where(EnrolmentDocument.enrolment_id.in_(enrolment_ids)).group_by(*doc_columns)):
        parts[enrolment_id].documents.append(DocumentTally(kind, on, count, bool(is_verified), stage_code))
    result_columns = (ExternalResult.enrolment_id, ExternalResult.kind, ExternalResult.passed,
                      ExternalResult.recorded_on, ExternalResult.stage_code)
    for enrolment_id, kind, passed, on, stage_code, count in sess.execute(
            select(*result_columns, func.count()).where(ExternalResult.enrolment_id.in_(enrolment_ids))
            .group_by(*result_columns)):
        parts[enrolment_id].external_results.extend(
            [ExternalResultTally(kind, on, bool(passed), stage_code)] * count)
    return parts


# ------------------------------------------------------------------------------------------------------ lookups
def with_people(query: Select[tuple[Enrolment]]) -> Select[tuple[Enrolment]]:
    """Load each listed enrolment's practitioner, employer, supervisor and programme version in the same query."""
    return query.options(joinedload(Enrolment.practitioner), joinedload(Enrolment.organisation),
                         joinedload(Enrolment.supervisor), joinedload(Enrolment.programme_version))


def enrolments_of(practitioner: User | int, *, active_only: bool = False) -> list[Enrolment]:
    """A practitioner's enrolments, newest first (one query)."""
    practitioner_id = practitioner if isinstance(practitioner, int) else practitioner.id
    query = with_people(select(Enrolment).where(Enrolment.practitioner_id == practitioner_id))
    if active_only:
        query = query.where(Enrolment.status == EnrolmentStatus.ACTIVE)
    return list(session().execute(query.order_by(Enrolment.id.desc())).scalars())


def current_enrolment(practitioner: User | int) -> Enrolment | None:
    """The practitioner's newest active enrolment, or else their newest enrolment (None if never enrolled)."""
    enrolments = enrolments_of(practitioner)
    active = [e for e in enrolments if e.status == EnrolmentStatus.ACTIVE]
    return (active or enrolments or [None])[0]


def standards_choices(enrolment: Enrolment, set_code: str | None = None) -> list[tuple[str, str]]:
    """(statement code, 'KSS-CF.1 Relationships and effective direct work') for every statement of the standards
    sets of the enrolment's programme version (or of one set): the choices for mapping evidence to standards."""
    template = template_for(enrolment.programme_version)
    return [(statement.code, f"{statement.code} {statement.title}")
            for standards_set in template.standards if set_code is None or standards_set.code == set_code
            for statement in standards_set.statements]


def has_supervised(supervisor: User | int, practitioner: User | int) -> bool:
    """Whether ``supervisor`` supervises or has ever supervised ``practitioner`` on any enrolment."""
    supervisor_id = supervisor if isinstance(supervisor, int) else supervisor.id
    practitioner_id = practitioner if isinstance(practitioner, int) else practitioner.id
    return session().execute(
        select(SupervisorAllocation.id).join(Enrolment, Enrolment.id == SupervisorAllocation.enrolment_id)
        .where(SupervisorAllocation.supervisor_id == supervisor_id, Enrolment.practitioner_id == practitioner_id)
        .limit(1)).first() is not None


def clock_inputs(enrolment_ids: Iterable[int]) -> dict[int, tuple[list[clock.Pause], list[clock.Extension]]]:
    """Pauses and extensions of each enrolment, as the clock takes them (2 queries)."""
    ids = list(enrolment_ids)
    inputs: dict[int, tuple[list[clock.Pause], list[clock.Extension]]] = {i: ([], []) for i in ids}
    if not ids:
        return inputs
    sess = session()
    for pause in sess.execute(select(EnrolmentPause).where(EnrolmentPause.enrolment_id.in_(ids))
                              .order_by(EnrolmentPause.start_date)).scalars():
        inputs[pause.enrolment_id][0].append(clock.Pause(pause.start_date, pause.end_date, pause.reason.label.lower()))
    for extension in sess.execute(select(EnrolmentExtension).where(EnrolmentExtension.enrolment_id.in_(ids))
                                  .order_by(EnrolmentExtension.id)).scalars():
        inputs[extension.enrolment_id][1].append(
            clock.Extension(extension.stage_code, extension.months, extension.days, extension.reason))
    return inputs


def history(enrolment: Enrolment) -> dict[str, list]:  # type: ignore[type-arg]
    """The enrolment's pauses, extensions, supervisors and employers over time (4 queries)."""
    sess = session()
    return {
        "pauses": list(sess.execute(select(EnrolmentPause).where(EnrolmentPause.enrolment_id == enrolment.id)
                                    .order_by(EnrolmentPause.start_date)).scalars()),
        "extensions": list(sess.execute(select(EnrolmentExtension).where(
            EnrolmentExtension.enrolment_id == enrolment.id).order_by(EnrolmentExtension.id)).scalars()),
        "supervisors": list(sess.execute(select(SupervisorAllocation).options(
            joinedload(SupervisorAllocation.supervisor)).where(SupervisorAllocation.enrolment_id == enrolment.id)
            .order_by(SupervisorAllocation.started_on, SupervisorAllocation.id)).scalars()),
        "employers": list(sess.execute(select(EmploymentPeriod).options(joinedload(EmploymentPeriod.organisation))
                                       .where(EmploymentPeriod.enrolment_id == enrolment.id)
                                       .order_by(EmploymentPeriod.started_on, EmploymentPeriod.id)).scalars()),
    }


# ----------------------------------------------------------------------------------------------------- progress
@dataclass(frozen=True)
class Standing:
    """Where one enrolment stands today: its template, schedule, evidence and progress."""

    enrolment: Enrolment
    template: ProgrammeTemplate
    schedule: clock.Schedule
    evidence: EvidenceSummary
    progress: EnrolmentProgress

    @property
    def current_stage(self):  # type: ignore[no-untyped-def]
        code = self.progress.current_stage
        return self.progress.stage(code) if code else None


def schedule_of(enrolment: Enrolment, pauses: Sequence[clock.Pause], extensions: Sequence[clock.Extension],
                today: dt.date) -> clock.Schedule:
    return clock.compute_schedule(template_for(enrolment.programme_version), start=enrolment.start_date,
                                  today=today, fte=enrolment.fte, pauses=pauses, extensions=extensions)


def standings(enrolments: Sequence[Enrolment], today: dt.date) -> dict[int, Standing]:
    """Progress of every enrolment listed (load them ``with_people``): 2 queries for the clock plus each evidence
    source's fixed number, however many enrolments and evidence items there are."""
    ids = [e.id for e in enrolments]
    inputs = clock_inputs(ids)
    evidence = evidence_summaries(ids)
    walks = crosswalks()
    result = {}
    for enrolment in enrolments:
        template = template_for(enrolment.programme_version)
        schedule = schedule_of(enrolment, *inputs[enrolment.id], today)
        progress = compute_progress(template, schedule, evidence[enrolment.id], today, crosswalks=walks)
        result[enrolment.id] = Standing(enrolment, template, schedule, evidence[enrolment.id], progress)
    return result


def current_stages(enrolments: Sequence[Enrolment], today: dt.date) -> dict[int, str | None]:
    """The stage each enrolment is in today (clock only: 2 queries)."""
    inputs = clock_inputs([e.id for e in enrolments])
    return {e.id: schedule_of(e, *inputs[e.id], today).current_stage for e in enrolments}


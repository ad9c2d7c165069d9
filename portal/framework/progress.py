"""The progress engine: where an enrolment stands against its programme template (pure, no database).

Statuses (the same for every requirement kind):

* `met`: every unit is done (e.g. 3 of 3 direct observations, every review held).
* `overdue`: not met, and a checkpoint (the due date, a stage-year window's end, a review's due date, a
  self-assessment point) has passed unmet: today is after its due date.
* `in_progress`: not met and not overdue, with at least one unit done.
* `not_started`: nothing done yet and nothing overdue.

A stage is `met` when all its requirements are met (a stage without requirements, the award, is met once
signed off), `overdue` when any requirement is, `in_progress` when any has progress, else `not_started`.

Counting: casework counts only verified items unless the template says `verified: false`; CPD counts every
record unless it says `verified: true`. Units are capped at what is required, so extra evidence in one window
never makes up for a shortfall in another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from portal.framework.clock import Schedule
from portal.framework.definitions import Crosswalk, ProgrammeTemplate
from portal.framework.evidence import EvidenceSummary
from portal.framework.requirements import Checkpoint, EvaluationContext, coverage_counts


class ProgressStatus(StrEnum):
    MET = "met"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class RequirementProgress:
    """One requirement of one stage: units done of required, status, what is missing and when it is due."""

    code: str
    title: str
    kind: str
    done: int
    required: int
    status: ProgressStatus
    missing: tuple[str, ...]
    due: date
    checkpoints: tuple[Checkpoint, ...]
    awaiting_verification: int = 0

    @property
    def missing_text(self) -> str:
        """The missing items as one sentence-like string ('' when met)."""
        return "; ".join(self.missing)


@dataclass(frozen=True)
class StageProgress:
    code: str
    name: str
    position: int
    start: date
    due: date
    status: ProgressStatus
    requirements: tuple[RequirementProgress, ...]
    signed_off_on: date | None = None

    def requirement(self, code: str) -> RequirementProgress:
        for requirement in self.requirements:
            if requirement.code == code:
                return requirement
        raise KeyError(code)

    @property
    def done(self) -> int:
        return sum(r.done for r in self.requirements)

    @property
    def required(self) -> int:
        return sum(r.required for r in self.requirements)


@dataclass(frozen=True)
class EnrolmentProgress:
    """The whole enrolment: every stage's progress, the current stage, and standards coverage counts
    (set code -> statement code -> evidence count over the whole enrolment, crosswalks included)."""

    template_code: str
    template_version: str
    today: date
    current_stage: str | None
    elapsed_fraction: float | None
    stages: tuple[StageProgress, ...]
    coverage: Mapping[str, Mapping[str, int]]

    def stage(self, code: str) -> StageProgress:
        for stage in self.stages:
            if stage.code == code:
                return stage
        raise KeyError(code)


def requirement_status(
    done: int, required: int, missing: Iterable[str], checkpoints: Iterable[Checkpoint], today: date
) -> ProgressStatus:
    """Derive a status from counts and checkpoints (see the module docstring)."""
    if done >= required and not tuple(missing):
        return ProgressStatus.MET
    if any(not checkpoint.met and today > checkpoint.due for checkpoint in checkpoints):
        return ProgressStatus.OVERDUE
    return ProgressStatus.IN_PROGRESS if done > 0 else ProgressStatus.NOT_STARTED


def _stage_status(requirements: tuple[RequirementProgress, ...], signed_off: bool) -> ProgressStatus:
    statuses = {r.status for r in requirements}
    if not requirements:
        return ProgressStatus.MET if signed_off else ProgressStatus.NOT_STARTED
    if statuses == {ProgressStatus.MET}:
        return ProgressStatus.MET
    if ProgressStatus.OVERDUE in statuses:
        return ProgressStatus.OVERDUE
    if statuses & {ProgressStatus.MET, ProgressStatus.IN_PROGRESS}:
        return ProgressStatus.IN_PROGRESS
    return ProgressStatus.NOT_STARTED


def compute_progress(
    template: ProgrammeTemplate,
    schedule: Schedule,
    evidence: EvidenceSummary,
    today: date,
    *,
    crosswalks: Iterable[Crosswalk] = (),
) -> EnrolmentProgress:
    """Progress of one enrolment on `today`: per stage and per requirement, units done of required, status
    (met / in_progress / not_started / overdue), what is missing in plain English and the due date; the
    current stage; and standards coverage counts per statement.

    `schedule` must come from `compute_schedule` for this template. `evidence` is the enrolment's
    EvidenceSummary (see evidence.py for how items are placed in stages and stage-year windows).
    `crosswalks` let evidence mapped to one set's statements count for another set's.
    """
    if (schedule.template_code, schedule.template_version) != (template.code, template.version):
        raise ValueError(
            f"The schedule is for {schedule.template_code} version {schedule.template_version}, "
            f"not {template.code} version {template.version}"
        )
    crosswalks = tuple(crosswalks)
    stages: list[StageProgress] = []
    for stage in template.stages:
        context = EvaluationContext(template, stage, schedule, evidence, today, crosswalks)
        results: list[RequirementProgress] = []
        for requirement in stage.requirements:
            assessment = requirement.evaluate(context)
            due = max([context.due(requirement), *(c.due for c in assessment.checkpoints)])
            results.append(
                RequirementProgress(
                    code=requirement.code,
                    title=requirement.title,
                    kind=requirement.kind,
                    done=assessment.done,
                    required=assessment.required,
                    status=requirement_status(
                        assessment.done, assessment.required, assessment.missing, assessment.checkpoints, today
                    ),
                    missing=assessment.missing,
                    due=due,
                    checkpoints=assessment.checkpoints,
                    awaiting_verification=assessment.awaiting_verification,
                )
            )
        stage_schedule = schedule.stage(stage.code)
        signed_off_on = evidence.signed_off.get(stage.code)
        requirements = tuple(results)
        stages.append(
            StageProgress(
                code=stage.code,
                name=stage.name,
                position=stage.position,
                start=stage_schedule.start,
                due=stage_schedule.due,
                status=_stage_status(requirements, signed_off_on is not None),
                requirements=requirements,
                signed_off_on=signed_off_on,
            )
        )
    current = schedule.stage_at(today)
    coverage = {
        standards_set.code: coverage_counts(standards_set, evidence, crosswalks) for standards_set in template.standards
    }
    return EnrolmentProgress(
        template_code=template.code,
        template_version=template.version,
        today=today,
        current_stage=current.code if current else None,
        elapsed_fraction=schedule.elapsed_in_stage(current.code, today) if current else None,
        stages=tuple(stages),
        coverage=coverage,
    )

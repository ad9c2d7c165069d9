"""What requirement kinds work with: the parse context, the evaluation context and their results.

A kind's `evaluate` returns an `Assessment`: units done and required, plain-English lines saying what is
missing, and checkpoints (sub-deadlines: one per review, per stage-year window, per self-assessment point, or
just the requirement's due date). The progress engine derives the status from these, the same way for
every kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from portal.framework.clock import Schedule, StageSchedule, Window, format_date
from portal.framework.definitions import (
    Crosswalk,
    ProgrammeTemplate,
    Requirement,
    ReviewMeeting,
    Stage,
    StandardsSet,
)
from portal.framework.evidence import CoverageTally, EvidenceSummary


@dataclass(frozen=True)
class ParseContext:
    """What a requirement kind may check its keys against while its stage is being loaded."""

    stage_label: str
    stage_months: int | None
    reviews: Mapping[str, ReviewMeeting]
    standards: Mapping[str, StandardsSet]

    @property
    def statement_codes(self) -> frozenset[str]:
        return frozenset(code for s in self.standards.values() for code in s.statement_codes)


@dataclass(frozen=True)
class Checkpoint:
    """A sub-deadline of a requirement: `met` by `due`, or overdue once today is after `due`."""

    label: str
    due: date
    met: bool


@dataclass(frozen=True)
class Assessment:
    """A kind's count for one requirement: units done (capped at required) and what is missing."""

    done: int
    required: int
    missing: tuple[str, ...]
    checkpoints: tuple[Checkpoint, ...]
    awaiting_verification: int = 0


@dataclass(frozen=True)
class EvaluationContext:
    """Everything a kind's `evaluate` may read: the stage, its schedule, the evidence and today."""

    template: ProgrammeTemplate
    stage: Stage
    schedule: Schedule
    evidence: EvidenceSummary
    today: date
    crosswalks: tuple[Crosswalk, ...] = ()

    @property
    def stage_schedule(self) -> StageSchedule:
        return self.schedule.stage(self.stage.code)

    def in_stage(self, stage_code: str | None, on: date | None) -> bool:
        """Whether an item tagged `stage_code` (None: untagged) and dated `on` counts towards this stage."""
        if stage_code is not None:
            return stage_code == self.stage.code
        if on is None:
            return False
        return self.schedule.stage_for_evidence(on).code == self.stage.code

    def due(self, requirement: Requirement) -> date:
        """The requirement's due date: `due_month` months into the stage, or the stage's end."""
        return self.schedule.date_into_stage(self.stage.code, requirement.due_month)


@dataclass
class Bucket:
    """Counts for one stage-year window (or the whole stage): counted units by key, and unverified ones."""

    window: Window | None
    counted: Counter[str] = field(default_factory=Counter)
    awaiting_verification: int = 0

    def total(self) -> int:
        return sum(self.counted.values())


def bucket_items(
    context: EvaluationContext,
    items: Iterable[tuple[date | None, str | None, int, bool, str]],
    *,
    per_year: bool,
    verified_only: bool,
) -> list[Bucket]:
    """Sort matching items `(on, stage_code, count, verified, key)` of this stage into windows.

    With `per_year` there is one bucket per stage-year window (by the item's date); otherwise one for the
    stage. Unverified items only add to `awaiting_verification` when `verified_only`.
    """
    stage_schedule = context.stage_schedule
    windows: tuple[Window | None, ...] = stage_schedule.windows if per_year else (None,)
    buckets = [Bucket(window) for window in windows]
    for on, stage_code, count, verified, key in items:
        if not context.in_stage(stage_code, on):
            continue
        bucket = buckets[stage_schedule.window_for(on).index - 1] if per_year and on is not None else buckets[0]
        if verified_only and not verified:
            bucket.awaiting_verification += count
        else:
            bucket.counted[key] += count
    return buckets


def bucket_due(context: EvaluationContext, requirement: Requirement, bucket: Bucket) -> date:
    return bucket.window.end if bucket.window is not None else context.due(requirement)


def bucket_suffix(context: EvaluationContext, bucket: Bucket) -> str:
    """' in year 2 of this stage (by 31 August 2028)' for multi-year stages, else ''."""
    if bucket.window is None or len(context.stage_schedule.windows) == 1:
        return ""
    return f" in year {bucket.window.index} of this stage (by {format_date(bucket.window.end)})"


def summarise(
    done: int, required: int, missing: Iterable[str], checkpoints: Iterable[Checkpoint], awaiting: int = 0
) -> Assessment:
    return Assessment(
        done=min(done, required),
        required=required,
        missing=tuple(missing),
        checkpoints=tuple(checkpoints),
        awaiting_verification=awaiting,
    )


def coverage_counts(
    standards_set: StandardsSet,
    evidence: EvidenceSummary,
    crosswalks: Iterable[Crosswalk],
    include: Callable[[CoverageTally], bool] = lambda tally: True,
) -> dict[str, int]:
    """Evidence count per statement of `standards_set`, including evidence mapped to another set's
    statements that a crosswalk (to this set code and version) carries over."""
    direct: Counter[str] = Counter()
    for tally in evidence.coverage:
        if include(tally):
            direct[tally.statement] += tally.count
    counts = {code: direct.get(code, 0) for code in standards_set.statement_codes}
    for crosswalk in crosswalks:
        if crosswalk.to_set != standards_set.ref:
            continue
        for source, targets in crosswalk.mappings:
            for target in targets:
                if target in counts:
                    counts[target] += direct.get(source, 0)
    return counts

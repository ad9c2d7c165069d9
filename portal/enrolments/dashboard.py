"""What a dashboard shows for one enrolment: the programme as a timeline, the current stage's requirements, the
reviews coming up and standards coverage. Built from a ``Standing`` (no queries of its own)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.enrolments.models import Enrolment
from portal.enrolments.queries import Standing, standings
from portal.framework.progress import StageProgress

STATUS_LABELS = {
    "met": ("Met", "govuk-tag--green"),
    "in_progress": ("In progress", "govuk-tag--light-blue"),
    "not_started": ("Not started", "govuk-tag--grey"),
    "overdue": ("Overdue", "govuk-tag--red"),
}


@dataclass(frozen=True)
class ReviewRow:
    code: str
    name: str
    stage_name: str
    due: dt.date
    optional: bool
    self_assessment: bool
    held_on: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class CoverageTable:
    code: str
    name: str
    rows: tuple[tuple[str, str, int], ...]  # (statement code, title, evidence count)

    @property
    def covered(self) -> int:
        return sum(1 for _, _, count in self.rows if count)


@dataclass(frozen=True)
class Dashboard:
    enrolment: Enrolment
    standing: Standing
    today: dt.date
    current: StageProgress | None
    reviews: tuple[ReviewRow, ...]
    coverage: tuple[CoverageTable, ...]

    @property
    def stages(self) -> tuple[StageProgress, ...]:
        return self.standing.progress.stages

    @property
    def paused_today(self):  # type: ignore[no-untyped-def]
        return self.standing.schedule.paused_today

    @property
    def end(self) -> dt.date:
        return self.standing.schedule.end


def headline(stage: StageProgress | None) -> str:
    """'3 of 8 requirements met' for a stage (the supervisor's and employer's lists)."""
    if stage is None:
        return "Not started yet"
    if not stage.requirements:
        return "No requirements in this stage"
    met = sum(1 for r in stage.requirements if r.status.value == "met")
    return f"{met} of {len(stage.requirements)} requirements met"


def _reviews(standing: Standing, today: dt.date, upcoming: int = 3) -> tuple[ReviewRow, ...]:
    """The current stage's reviews, then the next few not yet held."""
    held = standing.evidence.reviews_held
    current = standing.progress.current_stage
    rows, later = [], 0
    for stage in standing.schedule.stages:
        for review in stage.reviews:
            held_on = held.get(review.code)
            if stage.code != current:
                if held_on is not None or review.due < today or later >= upcoming:
                    continue
                later += 1
            rows.append(ReviewRow(review.code, review.name, stage.name, review.due, review.optional,
                                  review.kss_self_assessment, held_on,
                                  held_on is None and not review.optional and review.due < today))
    return tuple(rows)


def build_dashboard(standing: Standing, today: dt.date) -> Dashboard:
    template = standing.template
    coverage = tuple(
        CoverageTable(standards_set.code, standards_set.name, tuple(
            (s.code, s.title, standing.progress.coverage.get(standards_set.code, {}).get(s.code, 0))
            for s in standards_set.statements))
        for standards_set in template.standards)
    return Dashboard(standing.enrolment, standing, today, standing.current_stage, _reviews(standing, today),
                     coverage)


def dashboard_for(enrolment: Enrolment, today: dt.date) -> Dashboard:
    """The dashboard of one enrolment (the clock's 2 queries plus the evidence sources')."""
    return build_dashboard(standings([enrolment], today)[enrolment.id], today)

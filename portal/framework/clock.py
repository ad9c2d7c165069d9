"""The clock: due dates for one enrolment on a programme template (pure functions, no database).

Rules (the domain contract):

* **Months to days.** A template gives stage lengths and review points in months at full time. Month points
  are placed by calendar month arithmetic from the enrolment start (31 Jan + 1 month = 28/29 Feb; always
  from the start, never chained, so clamping cannot drift), then measured in days from the start.
* **FTE.** Those full-time day offsets are divided by the FTE and rounded *up* to a whole day
  (`ceil(days / fte)`), so part-time work never shortens a deadline and FTE 0.5 exactly doubles every
  duration. One FTE per enrolment; a future FTE history would replace `_Timeline.active_offset` only.
* **Active days.** The result is an offset in *active* days. Pauses (parental leave, sickness, career
  break) are gaps in the calendar: an active day offset is mapped to a date by stepping over every pause
  it reaches, so every date on or after a pause's first day moves by the pause's length in days.
  Pause dates are inclusive (1 Jan - 31 Mar is 90 days; the practitioner is back on 1 Apr).
* **Extensions** add calendar time (not pro-rated by FTE) to one stage: its end and every later date move;
  its own month-based reviews do not, except the review at the stage's end. Months of extension are
  converted at the stage's nominal end date. An extension without a stage extends the final stage.
* **Dates.** A stage runs from `start` to `end` inclusive, and is due on `end`; the next stage starts the
  day after. Something is overdue once today is after its due date.
"""

from __future__ import annotations

import calendar
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from portal.framework.definitions import ProgrammeTemplate

# An FTE as given by the caller: 0.5, "0.8", Decimal("0.6"), Fraction(3, 5); int counts as float here.
FteValue = float | Decimal | Fraction | str


def add_months(day: date, months: int) -> date:
    """Calendar month arithmetic: the same day `months` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def registration_year_start(day: date) -> date:
    """First day (1 December) of the Social Work England registration year (1 Dec - 30 Nov) holding `day`."""
    return date(day.year if day.month == 12 else day.year - 1, 12, 1)


def format_date(day: date) -> str:
    """GOV.UK style: '1 September 2026'."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Pause:
    """A break in the enrolment (inclusive dates) with its reason."""

    start: date
    end: date
    reason: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def describe(self) -> str:
        reason = f" ({self.reason})" if self.reason else ""
        return f"pause from {format_date(self.start)} to {format_date(self.end)}{reason}"


@dataclass(frozen=True)
class Extension:
    """Extra calendar time granted to a stage (stage_code None: the final stage), with its reason."""

    stage_code: str | None
    months: int = 0
    days: int = 0
    reason: str = ""


class ScheduleError(ValueError):
    """The enrolment's timing inputs are inconsistent; `messages` lists every problem found."""

    def __init__(self, messages: Sequence[str]):
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


@dataclass(frozen=True)
class Window:
    """A stage-year window (1-based `index`) used by per-year requirements; inclusive dates."""

    index: int
    start: date
    end: date


@dataclass(frozen=True)
class ReviewDue:
    code: str
    name: str
    stage_code: str
    due: date
    optional: bool
    kss_self_assessment: bool


@dataclass(frozen=True)
class StageSchedule:
    """When one stage runs for this enrolment. `active_days` excludes pauses."""

    code: str
    name: str
    position: int
    start: date
    end: date
    active_days: int
    windows: tuple[Window, ...]
    reviews: tuple[ReviewDue, ...]

    @property
    def due(self) -> date:
        return self.end

    def window_for(self, day: date) -> Window:
        """The stage-year window holding `day` (dates outside the stage go to the first/last window)."""
        for window in self.windows:
            if day <= window.end:
                return window
        return self.windows[-1]


@dataclass(frozen=True)
class _Timeline:
    """Active-day arithmetic shared by everything the schedule computes."""

    start: date
    fte: Fraction
    pauses: tuple[Pause, ...]
    months_before: tuple[int, ...]  # full-time months before each stage
    months: tuple[int, ...]  # full-time months of each stage
    extension_before: tuple[int, ...]  # extension days granted to earlier stages
    extension: tuple[int, ...]  # extension days of each stage
    # memo of the pure arithmetic below: a progress page asks for the same few offsets dozens of times
    _offsets: dict[int, int] = field(default_factory=dict, repr=False, compare=False)
    _bounds: dict[int, tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)

    def active_offset(self, months_from_start: int) -> int:
        offset = self._offsets.get(months_from_start)
        if offset is None:
            full_time_days = (add_months(self.start, months_from_start) - self.start).days
            offset = self._offsets[months_from_start] = math.ceil(Fraction(full_time_days) / self.fte)
        return offset

    def to_date(self, active: int) -> date:
        day = self.start + timedelta(days=active)
        for pause in self.pauses:
            if day >= pause.start:
                day += timedelta(days=pause.days)
        return day

    def to_active(self, day: date) -> int:
        """Active days from the enrolment start to `day` (pause days are not counted)."""
        paused = sum(
            (min(day, pause.end + timedelta(days=1)) - pause.start).days for pause in self.pauses if pause.start < day
        )
        return (day - self.start).days - paused

    def stage_bounds(self, index: int) -> tuple[int, int]:
        """Active offsets [first, end) of stage `index`."""
        bounds = self._bounds.get(index)
        if bounds is None:
            first = self.active_offset(self.months_before[index]) + self.extension_before[index]
            end = self.active_offset(self.months_before[index] + self.months[index])
            bounds = self._bounds[index] = (first, end + self.extension_before[index] + self.extension[index])
        return bounds

    def active_in_stage(self, index: int, months_in: int | None) -> int:
        """Active offset `months_in` full-time months into stage `index`, clamped to the stage's days
        (None: its last day)."""
        first, end = self.stage_bounds(index)
        last = max(first, end - 1)
        if months_in is None:
            return last
        offset = self.active_offset(self.months_before[index] + months_in) + self.extension_before[index]
        return min(max(offset, first), last)

    def point_in_stage(self, index: int, months_in: int | None) -> date:
        """The date `months_in` full-time months into stage `index` (None or past its end: its last day)."""
        return self.to_date(self.active_in_stage(index, months_in))


@dataclass(frozen=True)
class Schedule:
    """Every due date of one enrolment, plus where it stands on `today`."""

    template_code: str
    template_version: str
    start: date
    fte: Fraction
    pauses: tuple[Pause, ...]
    extensions: tuple[Extension, ...]
    today: date
    stages: tuple[StageSchedule, ...]
    current_stage: str | None
    elapsed_fraction: float | None
    paused_today: Pause | None
    _timeline: _Timeline = field(repr=False, compare=False)

    @property
    def end(self) -> date:
        return self.stages[-1].end

    def stage(self, code: str) -> StageSchedule:
        for stage in self.stages:
            if stage.code == code:
                return stage
        raise KeyError(code)

    def review_due(self, code: str) -> ReviewDue:
        for stage in self.stages:
            for review in stage.reviews:
                if review.code == code:
                    return review
        raise KeyError(code)

    def date_into_stage(self, stage_code: str, months_in: int | None) -> date:
        """The due date `months_in` full-time months into a stage (None: the stage's end), clamped to it."""
        return self._timeline.point_in_stage(self.stage(stage_code).position - 1, months_in)

    def stage_at(self, day: date) -> StageSchedule | None:
        """The stage running on `day`: the first stage not yet ended (a day in a pause between stages
        belongs to the next one); after the last stage, the last stage; before the start, None."""
        if day < self.start:
            return None
        for stage in self.stages:
            if day <= stage.end:
                return stage
        return self.stages[-1]

    def stage_for_evidence(self, day: date) -> StageSchedule:
        """The stage an item dated `day` counts towards when it is not tagged with a stage.

        Like `stage_at`, but zero-length stages (the award) never collect evidence, and dates before the
        start count towards the first stage."""
        timed = [stage for stage in self.stages if stage.active_days > 0] or list(self.stages)
        for stage in timed:
            if day <= stage.end:
                return stage
        return timed[-1]

    def elapsed_in_stage(self, stage_code: str, day: date) -> float:
        """Fraction of the stage's active time used by `day` (0 at its start, 1 at its end, >1 when over).
        Paused days do not count."""
        stage = self.stage(stage_code)
        first, end = self._timeline.stage_bounds(stage.position - 1)
        if end <= first:
            return 1.0 if day >= stage.start else 0.0
        return max(0.0, (self._timeline.to_active(day) - first) / (end - first))

    def pause_on(self, day: date) -> Pause | None:
        for pause in self.pauses:
            if pause.start <= day <= pause.end:
                return pause
        return None


def _as_fraction(fte: FteValue) -> Fraction:
    if isinstance(fte, float):
        return Fraction(str(fte))  # 0.8 means 4/5, not the nearest binary float
    return Fraction(fte)


def validate_timing(
    template: ProgrammeTemplate,
    start: date,
    fte: FteValue,
    pauses: Iterable[Pause],
    extensions: Iterable[Extension],
) -> list[str]:
    """Every problem with an enrolment's timing inputs, as plain-English messages (empty when fine)."""
    messages: list[str] = []
    try:
        fraction = _as_fraction(fte)
        if not 0 < fraction <= 1:
            messages.append(f"FTE must be more than 0 and at most 1; it is {fte}")
    except (ValueError, TypeError, ZeroDivisionError):
        messages.append(f"FTE must be a number more than 0 and at most 1; it is {fte!r}")
    ordered = sorted(pauses, key=lambda p: (p.start, p.end))
    for pause in ordered:
        if pause.end < pause.start:
            messages.append(
                f"The {pause.describe()} ends before it starts; the end date must be on or after the start date"
            )
        if pause.start < start:
            messages.append(f"The {pause.describe()} starts before the enrolment starts on {format_date(start)}")
    for earlier, later in itertools.pairwise(ordered):
        if later.start <= earlier.end:
            messages.append(f"The {later.describe()} overlaps the {earlier.describe()}; pauses must not overlap")
    stage_codes = {stage.code for stage in template.stages}
    for extension in extensions:
        if extension.stage_code is not None and extension.stage_code not in stage_codes:
            messages.append(
                f"An extension is for stage '{extension.stage_code}', which programme {template.code} does not have"
            )
        if extension.months < 0 or extension.days < 0 or extension.months + extension.days == 0:
            messages.append(
                "An extension must add time: months and days must be 0 or more and not both 0 "
                f"(got {extension.months} months and {extension.days} days)"
            )
    return messages


def compute_schedule(
    template: ProgrammeTemplate,
    *,
    start: date,
    today: date,
    fte: FteValue = 1,
    pauses: Iterable[Pause] = (),
    extensions: Iterable[Extension] = (),
) -> Schedule:
    """Due dates for an enrolment that starts on `start` at `fte`, with its pauses and extensions.

    Returns per-stage start/end (due) dates, stage-year windows and review due dates, the stage current on
    `today` and the fraction of that stage's active time elapsed (for at-risk flags). Raises ScheduleError
    (a ValueError) listing every problem: FTE outside (0, 1], a pause ending before it starts or starting
    before the enrolment, overlapping pauses, an extension for an unknown stage or adding no time.
    """
    pauses, extensions = tuple(pauses), tuple(extensions)
    messages = validate_timing(template, start, fte, pauses, extensions)
    if messages:
        raise ScheduleError(messages)
    fraction = _as_fraction(fte)
    months = tuple(stage.months for stage in template.stages)
    months_before = tuple(sum(months[:i]) for i in range(len(months)))
    extension_days = [0] * len(months)
    for extension in extensions:
        index = (
            len(months) - 1
            if extension.stage_code is None
            else next(i for i, s in enumerate(template.stages) if s.code == extension.stage_code)
        )
        nominal_end = add_months(start, months_before[index] + months[index])
        extension_days[index] += (add_months(nominal_end, extension.months) - nominal_end).days + extension.days
    timeline = _Timeline(
        start=start,
        fte=fraction,
        pauses=tuple(sorted(pauses, key=lambda p: p.start)),
        months_before=months_before,
        months=months,
        extension_before=tuple(sum(extension_days[:i]) for i in range(len(months))),
        extension=tuple(extension_days),
    )
    stages: list[StageSchedule] = []
    for index, stage in enumerate(template.stages):
        first, end = timeline.stage_bounds(index)
        stage_start, stage_end = timeline.to_date(first), timeline.to_date(max(first, end - 1))
        # Stage-year windows: 12 full-time months each (stretched like everything else); the last one
        # absorbs any remainder and the stage's extension.
        bounds = [first] + [timeline.active_in_stage(index, 12 * y) for y in range(1, stage.months // 12)] + [end]
        windows = tuple(
            Window(year, timeline.to_date(low), timeline.to_date(max(low, high - 1)))
            for year, (low, high) in enumerate(itertools.pairwise(bounds), start=1)
        )
        reviews = tuple(
            ReviewDue(
                code=review.code,
                name=review.name,
                stage_code=stage.code,
                due=timeline.point_in_stage(index, review.due_month),
                optional=review.optional,
                kss_self_assessment=review.kss_self_assessment,
            )
            for review in stage.reviews
        )
        stages.append(
            StageSchedule(
                code=stage.code,
                name=stage.name,
                position=stage.position,
                start=stage_start,
                end=stage_end,
                active_days=end - first,
                windows=windows,
                reviews=reviews,
            )
        )
    schedule = Schedule(
        template_code=template.code,
        template_version=template.version,
        start=start,
        fte=fraction,
        pauses=timeline.pauses,
        extensions=extensions,
        today=today,
        stages=tuple(stages),
        current_stage=None,
        elapsed_fraction=None,
        paused_today=None,
        _timeline=timeline,
    )
    current = schedule.stage_at(today)
    return replace(
        schedule,
        current_stage=current.code if current else None,
        elapsed_fraction=schedule.elapsed_in_stage(current.code, today) if current else None,
        paused_today=schedule.pause_on(today),
    )

"""Overdue and at-risk flags for one enrolment: pure functions of its schedule, progress and CPD checks on a day
(no database, no clock of their own), so the rules are tested with any date.

The rules (the domain contract; the thresholds are ``Rules``, configurable with AT_RISK_* settings):

**Overdue**, already late (each a flag):

* *review*: a review that is not optional, was due before today and has not been held (any stage);
* *stage*: a stage with requirements whose due date has passed while it is neither met nor signed off;
* *requirement*: in the current stage (when the stage itself is not overdue), a requirement other than a review
  with a checkpoint that passed unmet (e.g. the learning agreement due one month in), as the progress engine says;
* *cpd*: Social Work England's minimum (2 complete records, 1 with peer reflection) was not met in the registration
  year that ended last 30 November, for an enrolment that had started by then.

**At risk**, likely to be late (never while the enrolment is paused today: its clock is stopped):

* *count rule*, for the current stage's count requirements (casework evidence and CPD records) not yet met: let
  ``f`` be the share of the requirement's time used, i.e. the active time (pauses excluded) elapsed in the stage
  divided by the active time from the stage start to the requirement's due date (for per-year requirements,
  whose ``required`` counts every year, the stage's end), capped at 1; ``expected = required × f``. The requirement is at risk when ``done < expected − tolerance`` and its next unmet due date
  (a stage-year window's end for per-year requirements, else its due date) is fewer than ``months_left`` calendar
  months away: "Direct observations of practice: 1 of 3 with 2 months left".
* *due-soon rule*, for every requirement of the current stage not yet met: its next unmet due date is within
  ``due_soon_days`` (today included): "Learning agreement: 0 of 1, due in 12 days".
* *review*: a review that is not optional and not held, due within ``due_soon_days``.
* *cpd*: the current registration year's minimum not yet met, by the same two rules with ``required`` = 2 records,
  ``f`` = share of the registration year (1 December to 30 November) elapsed and the due date 30 November.

An enrolment is *overdue* if it has any overdue flag, else *at risk* if it has any at-risk flag, else *on track*.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from portal.cpd.years import MIN_RECORDS, YearCheck, year_end, year_start
from portal.framework.clock import Schedule, add_months, format_date
from portal.framework.progress import EnrolmentProgress, ProgressStatus, RequirementProgress

#: requirement kinds that count units of evidence over time (the count rule applies to them)
COUNT_KINDS = frozenset({"casework", "cpd_records"})


class Level(enum.StrEnum):
    OVERDUE = "overdue"
    AT_RISK = "at_risk"

    @property
    def label(self) -> str:
        return {"overdue": "Overdue", "at_risk": "At risk"}[self.value]


class Topic(enum.StrEnum):
    REVIEW = "review"
    STAGE = "stage"
    REQUIREMENT = "requirement"
    CPD = "cpd"

    @property
    def label(self) -> str:
        return {"review": "Reviews", "stage": "Stage due dates", "requirement": "Requirements",
                "cpd": "CPD year minimum"}[self.value]


class Standing(enum.StrEnum):
    """Where an enrolment stands overall: the worst of its flags."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"overdue": "Overdue", "at_risk": "At risk", "on_track": "On track"}[self.value]


@dataclass(frozen=True)
class Rules:
    """Thresholds of the at-risk rules (see the module docstring)."""

    months_left: int = 3
    tolerance: float = 0.5
    due_soon_days: int = 30


@dataclass(frozen=True)
class Flag:
    level: Level
    topic: Topic
    reason: str
    due: dt.date


def time_left(today: dt.date, due: dt.date) -> str:
    """'with 2 months left', 'with 3 weeks left', 'with 5 days left', 'with 1 day left', or 'due today'."""
    days = (due - today).days
    if days >= 60:
        return f"with {days // 30} months left"
    if days >= 14:
        return f"with {days // 7} weeks left"
    if days > 0:
        return f"with {days} day{'s' if days != 1 else ''} left"
    return "due today"


def with_time_left(tally: str, today: dt.date, due: dt.date) -> str:
    """'Direct observations: 1 of 3 with 2 months left' (or ', due today')."""
    left = time_left(today, due)
    return f"{tally}{', ' if left == 'due today' else ' '}{left}"


def due_in(today: dt.date, due: dt.date) -> str:
    days = (due - today).days
    return "due today" if days == 0 else f"due in {days} day{'s' if days != 1 else ''} ({format_date(due)})"


def behind(done: int, required: int, share_used: float, rules: Rules) -> bool:
    """The count rule's test: fewer units done than the time used calls for, less the tolerance."""
    return done < required * min(max(share_used, 0.0), 1.0) - rules.tolerance


def within_months(today: dt.date, due: dt.date, months: int) -> bool:
    """Fewer than ``months`` calendar months from today to ``due`` (and not past)."""
    return today <= due < add_months(today, months)


def next_due(requirement: RequirementProgress, today: dt.date) -> dt.date:
    """The requirement's next unmet due date from today on (its own due date when no checkpoint is left)."""
    upcoming = [c.due for c in requirement.checkpoints if not c.met and c.due >= today]
    return min(upcoming) if upcoming else requirement.due


def _share_used(schedule: Schedule, stage_code: str, due: dt.date, today: dt.date) -> float:
    used = schedule.elapsed_in_stage(stage_code, today)
    span = schedule.elapsed_in_stage(stage_code, due)
    return 1.0 if span <= 0 else min(1.0, used / span)


def _requirement_flags(requirement: RequirementProgress, schedule: Schedule, stage_code: str, today: dt.date,
                       rules: Rules, *, overdue_allowed: bool, at_risk_allowed: bool) -> list[Flag]:
    if requirement.status == ProgressStatus.MET or requirement.kind == "review":
        return []
    tally = f"{requirement.title}: {requirement.done} of {requirement.required}"
    if requirement.status == ProgressStatus.OVERDUE:
        if not overdue_allowed:
            return []
        passed = [c.due for c in requirement.checkpoints if not c.met and c.due < today] or [requirement.due]
        return [Flag(Level.OVERDUE, Topic.REQUIREMENT, f"{tally}, was due {format_date(min(passed))}", min(passed))]
    if not at_risk_allowed:
        return []
    due = next_due(requirement, today)
    if requirement.kind in COUNT_KINDS and requirement.required and within_months(today, due, rules.months_left) \
            and behind(requirement.done, requirement.required,
                       _share_used(schedule, stage_code, requirement.due, today), rules):
        return [Flag(Level.AT_RISK, Topic.REQUIREMENT, with_time_left(tally, today, due), due)]
    if 0 <= (due - today).days <= rules.due_soon_days:
        return [Flag(Level.AT_RISK, Topic.REQUIREMENT, f"{tally}, {due_in(today, due)}", due)]
    return []


def _review_flags(schedule: Schedule, reviews_held: Mapping[str, dt.date], today: dt.date, rules: Rules,
                  at_risk_allowed: bool) -> list[Flag]:
    flags = []
    for stage in schedule.stages:
        for review in stage.reviews:
            if review.optional or review.code in reviews_held:
                continue
            if review.due < today:
                flags.append(Flag(Level.OVERDUE, Topic.REVIEW, f"{review.name} was due {format_date(review.due)}",
                                  review.due))
            elif at_risk_allowed and (review.due - today).days <= rules.due_soon_days:
                flags.append(Flag(Level.AT_RISK, Topic.REVIEW, f"{review.name} {due_in(today, review.due)}",
                                  review.due))
    return flags


def cpd_flags(current: YearCheck | None, previous: YearCheck | None, started: dt.date, today: dt.date,
              rules: Rules, *, at_risk_allowed: bool = True) -> list[Flag]:
    """The CPD year minimum's flags (see the module docstring)."""
    flags = []
    if previous is not None and not previous.met and started <= year_end(previous.year):
        flags.append(Flag(Level.OVERDUE, Topic.CPD, f"CPD for the year to {format_date(year_end(previous.year))}: "
                          f"{previous.records} of {MIN_RECORDS} records, {previous.with_peer_reflection} with peer "
                          "reflection", year_end(previous.year)))
    if current is not None and not current.met and at_risk_allowed:
        due = year_end(current.year)
        start = year_start(current.year)
        share = (today - start).days / max(1, (due - start).days + 1)
        tally = f"CPD for the year to {format_date(due)}: {current.records} of {MIN_RECORDS} records"
        if within_months(today, due, rules.months_left) and behind(current.records, MIN_RECORDS, share, rules):
            flags.append(Flag(Level.AT_RISK, Topic.CPD, with_time_left(tally, today, due), due))
        elif 0 <= (due - today).days <= rules.due_soon_days:
            flags.append(Flag(Level.AT_RISK, Topic.CPD, f"{tally}, still needs {' and '.join(current.missing)}, "
                                                         f"{due_in(today, due)}", due))
    return flags


def assess(schedule: Schedule, progress: EnrolmentProgress, reviews_held: Mapping[str, dt.date], today: dt.date,
           *, cpd_current: YearCheck | None = None, cpd_previous: YearCheck | None = None,
           rules: Rules = Rules()) -> tuple[Flag, ...]:
    """Every overdue and at-risk flag of one active enrolment on ``today`` (see the module docstring), overdue
    first, then by due date."""
    at_risk_allowed = schedule.pause_on(today) is None
    flags = _review_flags(schedule, reviews_held, today, rules, at_risk_allowed)
    overdue_stages = set()
    for stage in progress.stages:
        if stage.requirements and stage.signed_off_on is None and stage.status != ProgressStatus.MET \
                and stage.due < today:
            overdue_stages.add(stage.code)
            met = sum(1 for r in stage.requirements if r.status == ProgressStatus.MET)
            flags.append(Flag(Level.OVERDUE, Topic.STAGE, f"{stage.name} was due {format_date(stage.due)}: {met} of "
                              f"{len(stage.requirements)} requirements met", stage.due))
    current = progress.stage(progress.current_stage) if progress.current_stage else None
    if current is not None and current.signed_off_on is None:
        for requirement in current.requirements:
            flags.extend(_requirement_flags(requirement, schedule, current.code, today, rules,
                                            overdue_allowed=current.code not in overdue_stages,
                                            at_risk_allowed=at_risk_allowed))
    flags.extend(cpd_flags(cpd_current, cpd_previous, schedule.start, today, rules, at_risk_allowed=at_risk_allowed))
    return tuple(sorted(flags, key=lambda f: (f.level != Level.OVERDUE, f.due, f.topic.value, f.reason)))


def standing_of(flags: Iterable[Flag]) -> Standing:
    """Overdue if any flag is overdue, else at risk if any flag is, else on track."""
    levels = {flag.level for flag in flags}
    if Level.OVERDUE in levels:
        return Standing.OVERDUE
    return Standing.AT_RISK if Level.AT_RISK in levels else Standing.ON_TRACK

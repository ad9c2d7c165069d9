"""The overdue and at-risk rules, as pure functions with a frozen clock: a five-year ECF enrolment that started on
1 September 2025 (Year 1 runs to 31 August 2026; reviews at 3 and 6 months are due on 1 December 2025 and
1 March 2026; the learning agreement one month in, on 1 October 2025)."""
from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest

from portal.cpd.years import YearCheck
from portal.framework.clock import Pause, compute_schedule
from portal.framework.evidence import CaseworkTally, DocumentTally, EvidenceSummary
from portal.framework.loader import builtin_standards, load_template
from portal.framework.progress import compute_progress
from portal.oversight.atrisk import Level, Rules, Standing, Topic, assess, cpd_flags, standing_of, time_left

ECF = Path(__file__).resolve().parents[2] / "portal" / "framework" / "programmes" / "ecf-5y.yaml"
START = dt.date(2025, 9, 1)
D = dt.date


@cache
def ecf():
    return load_template(ECF, standards=builtin_standards())


OBSERVED_ON = D(2025, 10, 15)


def observations(n: int, on: dt.date = OBSERVED_ON) -> tuple[CaseworkTally, ...]:
    return (CaseworkTally("direct_observation", on, count=n, verified=True),) if n else ()


def flags_on(today: dt.date, *, observed: int = 0, reviews: dict[str, dt.date] | None = None, documents=(),
             fte: float = 1, pauses=(), start: dt.date = START, casework=(), **cpd):
    template = ecf()
    schedule = compute_schedule(template, start=start, today=today, fte=fte, pauses=pauses)
    evidence = EvidenceSummary(casework=observations(observed) + tuple(casework), documents=tuple(documents),
                               reviews_held=reviews or {})
    progress = compute_progress(template, schedule, evidence, today)
    return assess(schedule, progress, evidence.reviews_held, today, **cpd)


def reasons(flags, level=None, topic=None):
    return [f.reason for f in flags if (level is None or f.level == level) and (topic is None or f.topic == topic)]


LEARNING_AGREEMENT = DocumentTally("learning_agreement", D(2025, 9, 20), verified=True, stage_code="Y1")
EARLY_REVIEWS = {"Y1-R3": D(2025, 12, 1), "Y1-R6": D(2026, 3, 1)}


# -------------------------------------------------------------------------------------------------- count rule
def test_behind_with_three_months_left_is_at_risk_with_the_reason():
    flags = flags_on(D(2026, 6, 1), observed=1, reviews=EARLY_REVIEWS, documents=[LEARNING_AGREEMENT])
    assert "Direct observations of practice: 1 of 3 with 3 months left" in reasons(flags, Level.AT_RISK)


def test_on_pace_is_not_at_risk():
    # 9 months in, 3 x 0.75 = 2.25 expected; 2 done is within the half-unit tolerance
    flags = flags_on(D(2026, 6, 1), observed=2, reviews=EARLY_REVIEWS, documents=[LEARNING_AGREEMENT])
    assert not [r for r in reasons(flags, Level.AT_RISK) if r.startswith("Direct observations")]


def test_behind_but_with_plenty_of_time_left_is_not_yet_at_risk():
    flags = flags_on(D(2026, 3, 15), observed=0, reviews=EARLY_REVIEWS, documents=[LEARNING_AGREEMENT])
    assert not [r for r in reasons(flags) if r.startswith("Direct observations")]


def test_the_tolerance_and_window_are_configurable():
    strict = Rules(months_left=12, tolerance=0, due_soon_days=30)
    template = ecf()
    today = D(2026, 1, 1)
    schedule = compute_schedule(template, start=START, today=today)
    evidence = EvidenceSummary(casework=observations(1), documents=(LEARNING_AGREEMENT,), reviews_held=EARLY_REVIEWS)
    flags = assess(schedule, compute_progress(template, schedule, evidence, today), EARLY_REVIEWS, today, rules=strict)
    assert "Direct observations of practice: 1 of 3 with 8 months left" in reasons(flags, Level.AT_RISK)


def test_part_time_stretches_the_clock():
    # at FTE 0.5 the first year lasts two calendar years, so 9 months in is not yet worrying
    flags = flags_on(D(2026, 6, 1), observed=1, fte=0.5, reviews={"Y1-R3": D(2026, 3, 1)},
                     documents=[LEARNING_AGREEMENT])
    assert not [r for r in reasons(flags) if r.startswith("Direct observations")]


def test_per_year_requirements_look_at_the_current_year_of_the_stage():
    # Years 3-4 start on 1 September 2027; ten months in, the first year's 2 observations are due in 2 months
    today = D(2028, 7, 1)
    flags = flags_on(today, reviews={})
    assert any(r.startswith("Direct observations of practice, each year: 0 of 4 with") for r in reasons(
        flags, Level.AT_RISK, Topic.REQUIREMENT))


# ----------------------------------------------------------------------------------------- due dates and reviews
def test_something_due_within_30_days_and_not_done_is_at_risk():
    flags = flags_on(D(2025, 9, 15))
    assert "Learning agreement: 0 of 1, due in 16 days (1 October 2025)" in reasons(flags, Level.AT_RISK)


def test_a_missed_requirement_due_date_is_overdue():
    flags = flags_on(D(2025, 10, 5))
    assert "Learning agreement: 0 of 1, was due 1 October 2025" in reasons(flags, Level.OVERDUE, Topic.REQUIREMENT)
    assert standing_of(flags) == Standing.OVERDUE


def test_reviews_due_soon_then_overdue_then_held():
    assert "Review at 3 months due in 11 days (1 December 2025)" in reasons(
        flags_on(D(2025, 11, 20), documents=[LEARNING_AGREEMENT]), Level.AT_RISK, Topic.REVIEW)
    late = flags_on(D(2025, 12, 5), documents=[LEARNING_AGREEMENT])
    assert reasons(late, Level.OVERDUE, Topic.REVIEW) == ["Review at 3 months was due 1 December 2025"]
    held = flags_on(D(2025, 12, 5), documents=[LEARNING_AGREEMENT], reviews={"Y1-R3": D(2025, 12, 1)})
    assert reasons(held, topic=Topic.REVIEW) == []


def test_optional_reviews_are_never_flagged():
    flags = flags_on(D(2026, 6, 10), observed=3, reviews=EARLY_REVIEWS, documents=[LEARNING_AGREEMENT])
    assert not [r for r in reasons(flags) if "9 months" in r]


def test_a_stage_past_its_due_date_unmet_is_overdue():
    flags = flags_on(D(2026, 9, 15), observed=3, reviews=EARLY_REVIEWS, documents=[LEARNING_AGREEMENT])
    stage = reasons(flags, Level.OVERDUE, Topic.STAGE)
    assert len(stage) == 1 and stage[0].startswith("Year 1 (ASYE-equivalent) was due 31 August 2026:")
    assert "requirements met" in stage[0]


def test_nothing_is_at_risk_while_paused_but_overdue_stays():
    pause = Pause(D(2025, 11, 1), D(2026, 2, 28), "parental leave")
    flags = flags_on(D(2025, 11, 20), pauses=[pause])
    assert reasons(flags, Level.AT_RISK) == []
    assert "Learning agreement: 0 of 1, was due 1 October 2025" in reasons(flags, Level.OVERDUE)


def test_flags_are_ordered_overdue_first_then_by_date():
    flags = flags_on(D(2025, 12, 5))
    levels = [f.level for f in flags]
    assert levels == sorted(levels, key=lambda level: level != Level.OVERDUE)
    overdue = [f.due for f in flags if f.level == Level.OVERDUE]
    assert overdue == sorted(overdue)


# ------------------------------------------------------------------------------------------------------------ cpd
def cpd(year: int, records: int, peer: int, today: dt.date) -> YearCheck:
    return YearCheck(year, records, peer, float(records), 0.0, today)


def test_cpd_year_minimum_missed_last_year_is_overdue():
    today = D(2026, 1, 10)
    flags = cpd_flags(cpd(2026, 0, 0, today), cpd(2025, 1, 0, today), START, today, Rules())
    assert reasons(flags, Level.OVERDUE) == [
        "CPD for the year to 30 November 2025: 1 of 2 records, 0 with peer reflection"]
    # an enrolment that started after that year ended is not blamed for it
    assert cpd_flags(None, cpd(2025, 0, 0, today), D(2025, 12, 5), today, Rules()) == []


def test_cpd_behind_near_30_november_is_at_risk():
    today = D(2026, 9, 15)
    flags = cpd_flags(cpd(2026, 0, 0, today), None, START, today, Rules())
    assert reasons(flags, Level.AT_RISK) == ["CPD for the year to 30 November 2026: 0 of 2 records with 2 months left"]
    # records done but no peer reflection: still needed as 30 November comes within 30 days
    today = D(2026, 11, 10)
    flags = cpd_flags(cpd(2026, 2, 0, today), None, START, today, Rules())
    assert reasons(flags, Level.AT_RISK) == [(
        "CPD for the year to 30 November 2026: 2 of 2 records, still needs a record with a peer reflection, "
        "due in 20 days (30 November 2026)")]
    assert cpd_flags(cpd(2026, 2, 1, today), cpd(2025, 2, 1, today), START, today, Rules()) == []


def test_cpd_passed_to_assess():
    today = D(2026, 9, 15)
    flags = flags_on(today, observed=3, reviews=EARLY_REVIEWS, documents=[LEARNING_AGREEMENT],
                     cpd_current=cpd(2027, 0, 0, today), cpd_previous=cpd(2026, 0, 0, today))
    assert reasons(flags, Level.OVERDUE, Topic.CPD)


# ----------------------------------------------------------------------------------------------------- wording
@pytest.mark.parametrize(("days", "text"), [(0, "due today"), (1, "with 1 day left"), (9, "with 9 days left"),
                                            (20, "with 2 weeks left"), (75, "with 2 months left")])
def test_time_left_wording(days, text):
    assert time_left(D(2026, 1, 1), D(2026, 1, 1) + dt.timedelta(days=days)) == text


def test_standing_is_the_worst_flag():
    assert standing_of([]) == Standing.ON_TRACK
    at_risk = flags_on(D(2025, 9, 15))
    assert standing_of(at_risk) == Standing.AT_RISK


def test_on_the_due_day_the_reason_says_due_today():
    today = D(2026, 11, 30)
    flags = cpd_flags(cpd(2026, 0, 0, today), None, START, today, Rules())
    assert reasons(flags, Level.AT_RISK) == ["CPD for the year to 30 November 2026: 0 of 2 records, due today"]

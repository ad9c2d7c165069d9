"""The clock: FTE, pauses, extensions, the current stage and the elapsed fraction."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal.framework.clock import (
    Extension,
    Pause,
    Schedule,
    ScheduleError,
    add_months,
    compute_schedule,
    format_date,
    registration_year_start,
)
from portal.framework.definitions import ProgrammeTemplate
from portal.framework.loader import builtin_templates

START = date(2025, 9, 1)


@pytest.fixture(scope="module")
def ecf() -> ProgrammeTemplate:
    return builtin_templates()[("ECF-5Y", "1")]


def schedule(template: ProgrammeTemplate, today: date = START, **kwargs: object) -> Schedule:
    return compute_schedule(template, start=START, today=today, **kwargs)  # type: ignore[arg-type]


def every_due_date(s: Schedule) -> dict[str, date]:
    dates = {f"{stage.code} end": stage.end for stage in s.stages}
    dates.update({review.code: review.due for stage in s.stages for review in stage.reviews})
    return dates


def test_month_arithmetic_clamps_to_the_month_end() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)


def test_swe_registration_year_runs_from_1_december() -> None:
    assert registration_year_start(date(2025, 11, 30)) == date(2024, 12, 1)
    assert registration_year_start(date(2025, 12, 1)) == date(2025, 12, 1)
    assert format_date(date(2026, 9, 1)) == "1 September 2026"


def test_full_time_dates(ecf: ProgrammeTemplate) -> None:
    s = schedule(ecf)
    assert [(st.code, st.start, st.end) for st in s.stages] == [
        ("Y1", date(2025, 9, 1), date(2026, 8, 31)),
        ("Y2", date(2026, 9, 1), date(2027, 8, 31)),
        ("Y3-4", date(2027, 9, 1), date(2029, 8, 31)),
        ("Y5", date(2029, 9, 1), date(2030, 8, 31)),
        ("AWARD", date(2030, 9, 1), date(2030, 9, 1)),
    ]
    assert [(r.code, r.due) for r in s.stage("Y1").reviews] == [
        ("Y1-R3", date(2025, 12, 1)),
        ("Y1-R6", date(2026, 3, 1)),
        ("Y1-R9", date(2026, 6, 1)),
        ("Y1-FINAL", date(2026, 8, 31)),  # 'end': the stage's last day
    ]
    assert [(w.start, w.end) for w in s.stage("Y3-4").windows] == [
        (date(2027, 9, 1), date(2028, 8, 31)),
        (date(2028, 9, 1), date(2029, 8, 31)),
    ]
    assert s.date_into_stage("Y1", 1) == date(2025, 10, 1)
    assert s.end == date(2030, 9, 1)


def test_half_time_doubles_every_duration(ecf: ProgrammeTemplate) -> None:
    full, half = schedule(ecf), schedule(ecf, fte=0.5)
    for full_stage, half_stage in zip(full.stages, half.stages, strict=True):
        assert half_stage.active_days == 2 * full_stage.active_days
    for code, due in every_due_date(full).items():
        if not code.endswith("end") and code != "Y1-FINAL" and code != "Y34-AR2":
            assert (every_due_date(half)[code] - START).days == 2 * (due - START).days, code
    assert half.stage("Y1").end == date(2027, 8, 31)  # 730 days: two years


@pytest.mark.parametrize("fte", [0.8, "0.8", Decimal("0.8")])
def test_part_time_rounds_up_to_whole_days(ecf: ProgrammeTemplate, fte: object) -> None:
    s = schedule(ecf, fte=fte)
    assert s.stage("Y1").active_days == 457  # ceil(365 / 0.8) = ceil(456.25)
    assert s.stage("Y1").reviews[0].due == START + timedelta(days=114)  # ceil(91 / 0.8)


def test_a_pause_moves_every_later_date_by_its_length(ecf: ProgrammeTemplate) -> None:
    leave = Pause(date(2026, 1, 1), date(2026, 3, 31), "parental leave")  # 90 days, back on 1 April
    assert leave.days == 90
    before, after = every_due_date(schedule(ecf)), every_due_date(schedule(ecf, pauses=[leave]))
    assert after["Y1-R3"] == before["Y1-R3"] == date(2025, 12, 1)  # before the pause: unchanged
    for code in before:
        if before[code] >= leave.start:
            assert after[code] - before[code] == timedelta(days=90), code
    assert after["Y1 end"] == date(2026, 11, 29)


def test_a_date_on_the_first_day_of_a_pause_moves(ecf: ProgrammeTemplate) -> None:
    s = schedule(ecf, pauses=[Pause(date(2025, 12, 1), date(2025, 12, 10))])
    assert s.review_due("Y1-R3").due == date(2025, 12, 11)


def test_pauses_add_up_and_combine_with_fte(ecf: ProgrammeTemplate) -> None:
    pauses = [Pause(date(2027, 1, 1), date(2027, 1, 31), "sickness"), Pause(date(2026, 1, 1), date(2026, 3, 31))]
    s = schedule(ecf, fte=0.5, pauses=pauses)
    assert s.stage("Y1").end == date(2027, 8, 31) + timedelta(days=90 + 31)
    assert s.pauses[0].start == date(2026, 1, 1)  # kept in date order


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"pauses": [Pause(date(2026, 3, 1), date(2026, 2, 1))]}, "ends before it starts"),
        (
            {"pauses": [Pause(date(2026, 1, 1), date(2026, 3, 31)), Pause(date(2026, 3, 31), date(2026, 4, 30))]},
            "overlaps the pause from 1 January 2026 to 31 March 2026",
        ),
        ({"pauses": [Pause(date(2025, 8, 1), date(2025, 9, 30))]}, "starts before the enrolment starts"),
        ({"fte": 0}, "FTE must be more than 0 and at most 1; it is 0"),
        ({"fte": 1.5}, "FTE must be more than 0 and at most 1"),
        ({"fte": "half"}, "FTE must be a number"),
        ({"extensions": [Extension("Y9", months=3)]}, "stage 'Y9', which programme ECF-5Y does not have"),
        ({"extensions": [Extension("Y1")]}, "An extension must add time"),
    ],
)
def test_inconsistent_timing_is_refused(ecf: ProgrammeTemplate, kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        schedule(ecf, **kwargs)
    assert isinstance(caught.value, ValueError)
    assert any(fragment in message for message in caught.value.messages), caught.value.messages


def test_every_timing_problem_is_listed(ecf: ProgrammeTemplate) -> None:
    with pytest.raises(ScheduleError) as caught:
        schedule(ecf, fte=2, pauses=[Pause(date(2026, 3, 1), date(2026, 2, 1), "sickness")])
    assert len(caught.value.messages) == 2
    assert "pause from 1 March 2026 to 1 February 2026 (sickness)" in str(caught.value)


def test_the_current_stage_and_elapsed_fraction(ecf: ProgrammeTemplate) -> None:
    assert schedule(ecf, today=date(2025, 8, 31)).current_stage is None
    first_day = schedule(ecf, today=START)
    assert (first_day.current_stage, first_day.elapsed_fraction) == ("Y1", 0.0)
    half_way = schedule(ecf, today=date(2026, 3, 2))
    assert half_way.current_stage == "Y1"
    assert half_way.elapsed_fraction == pytest.approx(182 / 365)
    assert schedule(ecf, today=date(2026, 8, 31)).current_stage == "Y1"
    assert schedule(ecf, today=date(2026, 9, 1)).current_stage == "Y2"
    assert schedule(ecf, today=date(2028, 9, 1)).current_stage == "Y3-4"
    award_day = schedule(ecf, today=date(2030, 9, 1))
    assert (award_day.current_stage, award_day.elapsed_fraction) == ("AWARD", 1.0)
    later = schedule(ecf, today=date(2031, 1, 1))
    assert later.current_stage == "AWARD"


def test_time_stands_still_during_a_pause(ecf: ProgrammeTemplate) -> None:
    leave = Pause(date(2026, 1, 1), date(2026, 3, 31), "parental leave")
    on_first_day = schedule(ecf, today=date(2026, 1, 1), pauses=[leave])
    on_last_day = schedule(ecf, today=date(2026, 3, 31), pauses=[leave])
    assert on_first_day.paused_today == leave and on_last_day.paused_today == leave
    assert on_first_day.elapsed_fraction == on_last_day.elapsed_fraction == pytest.approx(122 / 365)
    assert schedule(ecf, today=date(2026, 4, 1), pauses=[leave]).paused_today is None


def test_a_pause_between_stages_belongs_to_the_next_stage(ecf: ProgrammeTemplate) -> None:
    gap = Pause(date(2026, 9, 1), date(2026, 9, 30), "career break")
    s = schedule(ecf, today=date(2026, 9, 15), pauses=[gap])
    assert s.stage("Y1").end == date(2026, 8, 31)
    assert s.stage("Y2").start == date(2026, 10, 1)
    assert (s.current_stage, s.elapsed_fraction) == ("Y2", 0.0)


def test_an_extension_moves_its_stage_end_and_everything_after(ecf: ProgrammeTemplate) -> None:
    base = schedule(ecf)
    extended = schedule(ecf, extensions=[Extension("Y2", months=3, reason="more evidence needed")])
    assert extended.stage("Y1") == base.stage("Y1")
    assert extended.stage("Y2").start == base.stage("Y2").start
    assert extended.stage("Y2").end == date(2027, 11, 30)  # 1 Sep 2027 + 3 months, less a day
    shift = extended.stage("Y2").end - base.stage("Y2").end
    assert shift == timedelta(days=91)
    assert extended.stage("Y5").end - base.stage("Y5").end == shift
    assert extended.review_due("Y34-AR1").due - base.review_due("Y34-AR1").due == shift


def test_an_extension_keeps_month_reviews_but_moves_the_final_one(ecf: ProgrammeTemplate) -> None:
    extended = schedule(ecf, extensions=[Extension("Y1", days=30)])
    assert extended.review_due("Y1-R6").due == date(2026, 3, 1)
    assert extended.review_due("Y1-FINAL").due == date(2026, 9, 30)
    assert extended.stage("Y3-4").windows[-1].end == date(2029, 9, 30)


def test_an_extension_without_a_stage_extends_the_final_stage(ecf: ProgrammeTemplate) -> None:
    base = schedule(ecf)
    extended = schedule(ecf, extensions=[Extension(None, days=10)])
    assert extended.stage("Y5") == base.stage("Y5")
    assert extended.stage("AWARD").start == base.stage("AWARD").start
    assert extended.end == base.end + timedelta(days=9)  # a 10-day award stage: first day + 9

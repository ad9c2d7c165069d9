"""England and Wales working days and the appeal window, checked against real published dates."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.assessments.calendar import (
    SUBSTITUTE_DAY,
    add_working_days,
    appeal_deadline,
    bank_holiday,
    bank_holidays,
    bank_holidays_between,
    easter_sunday,
    format_date,
    incomplete_evidence_deadline,
    is_appeal_in_time,
    is_working_day,
    late_appeal_message,
    next_working_day,
    working_days_between,
)

# England and Wales bank holidays as published on GOV.UK (https://www.gov.uk/bank-holidays), month-day.
PUBLISHED = {
    2012: "01-02 04-06 04-09 05-07 06-04 06-05 08-27 12-25 12-26",
    2013: "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26",
    2014: "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    2015: "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28",
    2016: "01-01 03-25 03-28 05-02 05-30 08-29 12-26 12-27",
    2017: "01-02 04-14 04-17 05-01 05-29 08-28 12-25 12-26",
    2018: "01-01 03-30 04-02 05-07 05-28 08-27 12-25 12-26",
    2019: "01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26",
    2020: "01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28",
    2021: "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28",
    2022: "01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27",
    2023: "01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26",
    2024: "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26",
    2025: "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    2026: "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28",
    2027: "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28",
}


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_bank_holidays_match_the_published_dates(year):
    expected = [date.fromisoformat(f"{year}-{md}") for md in PUBLISHED[year].split()]
    assert [holiday.day for holiday in bank_holidays(year)] == expected


@pytest.mark.parametrize(("year", "easter"), [
    (2000, date(2000, 4, 23)), (2008, date(2008, 3, 23)), (2011, date(2011, 4, 24)), (2019, date(2019, 4, 21)),
    (2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28)),
    (2038, date(2038, 4, 25)), (2285, date(2285, 3, 22)),
])
def test_easter(year, easter):
    assert easter_sunday(year) == easter


def test_names_and_substitute_days():
    assert bank_holiday(date(2027, 12, 27)).name == "Christmas Day"  # Christmas on a Saturday
    assert bank_holiday(date(2027, 12, 28)).name == "Boxing Day"
    assert bank_holiday(date(2022, 12, 26)).name == "Boxing Day"  # Christmas on a Sunday
    assert bank_holiday(date(2022, 12, 27)).name == "Christmas Day"
    assert bank_holiday(date(2022, 12, 27)).note == SUBSTITUTE_DAY
    assert bank_holiday(date(2028, 1, 3)).name == "New Year's Day"  # 1 January 2028 is a Saturday
    assert bank_holiday(date(2023, 5, 8)).name == "Bank holiday for the coronation of King Charles III"
    assert bank_holiday(date(2022, 9, 19)).name.startswith("Bank holiday for the State Funeral")
    assert bank_holiday(date(2020, 5, 4)) is None  # moved to VE Day
    assert bank_holiday(date(2025, 12, 24)) is None


def test_every_year_has_at_least_eight_weekday_holidays():
    for year in range(1978, 2101):
        days = [holiday.day for holiday in bank_holidays(year)]
        assert len(days) >= 8 and len(set(days)) == len(days)
        assert all(day.weekday() < 5 and day.year == year for day in days), year


def test_years_before_the_rules_are_refused():
    with pytest.raises(ValueError, match="from 1978"):
        bank_holidays(1970)


def test_working_days():
    assert is_working_day(date(2025, 12, 24))
    assert not is_working_day(date(2025, 12, 25))
    assert not is_working_day(date(2025, 12, 27))  # Saturday
    assert next_working_day(date(2025, 12, 25)) == date(2025, 12, 29)
    assert next_working_day(date(2025, 12, 29)) == date(2025, 12, 29)


@pytest.mark.parametrize(("decision", "deadline", "why"), [
    # Friday before the summer bank holiday: day 1 is Tuesday 26 August.
    (date(2025, 8, 22), date(2025, 9, 22), "summer bank holiday"),
    # Christmas, Boxing Day and New Year's Day all fall inside the window.
    (date(2025, 12, 19), date(2026, 1, 21), "Christmas and New Year"),
    # A Saturday decision: the window opens on Monday, as it would for the Friday before.
    (date(2025, 12, 20), date(2026, 1, 21), "weekend decision"),
    # Good Friday, Easter Monday and the early May bank holiday.
    (date(2026, 4, 2), date(2026, 5, 5), "Easter and early May"),
    # Christmas 2027 on a Saturday: substitutes on 27 and 28 December, and New Year 2028 on Monday 3 January.
    (date(2027, 12, 24), date(2028, 1, 26), "substitute days"),
    # The Platinum Jubilee days (spring bank holiday moved to Thursday 2 June, extra Friday 3 June).
    (date(2022, 6, 1), date(2022, 7, 1), "jubilee"),
    # The state funeral on Monday 19 September 2022.
    (date(2022, 9, 16), date(2022, 10, 17), "state funeral"),
    # Nothing in the way: four weeks.
    (date(2025, 2, 3), date(2025, 3, 3), "no holidays"),
])
def test_appeal_deadline(decision, deadline, why):
    assert appeal_deadline(decision) == deadline, why
    assert is_appeal_in_time(decision, deadline)
    assert not is_appeal_in_time(decision, deadline + timedelta(days=1))
    assert is_appeal_in_time(decision, decision)


def test_late_appeal_message_names_the_closing_date():
    assert late_appeal_message(date(2025, 12, 19)) == (
        "The time to appeal this decision ended on 21 January 2026, 20 working days after the decision on "
        "19 December 2025")


def test_an_appeal_before_its_decision_is_a_data_error():
    with pytest.raises(ValueError):
        is_appeal_in_time(date(2026, 1, 10), date(2026, 1, 9))


def test_a_weekend_lodging_after_a_friday_deadline_is_late():
    decision = date(2025, 2, 7)  # deadline Friday 7 March 2025
    assert appeal_deadline(decision) == date(2025, 3, 7)
    assert not is_appeal_in_time(decision, date(2025, 3, 8))


def test_add_and_count_agree_both_ways():
    for start in (date(2025, 11, 28), date(2025, 12, 25), date(2025, 12, 27)):  # working, bank holiday, Saturday
        for n in range(-60, 61):
            end = add_working_days(start, n)
            assert is_working_day(end) or n == 0
            assert working_days_between(start, end) == n, (start, n)
    assert add_working_days(date(2026, 4, 7), -1) == date(2026, 4, 2)  # back over Easter
    assert working_days_between(date(2025, 12, 24), date(2025, 12, 28)) == 0  # 25, 26, weekend
    assert working_days_between(date(2025, 12, 28), date(2025, 12, 24)) == -1


def test_bank_holidays_between_explain_a_window():
    names = [holiday.name for holiday in bank_holidays_between(date(2025, 12, 19), date(2026, 1, 21))]
    assert names == ["Christmas Day", "Boxing Day", "New Year's Day"]


def test_incomplete_evidence_deadline_is_14_days_moved_off_non_working_days():
    assert incomplete_evidence_deadline(date(2026, 3, 2)) == date(2026, 3, 16)
    # 14 days after Friday 12 December 2025 is Friday 26 December (Boxing Day): moved to Monday 29.
    assert incomplete_evidence_deadline(date(2025, 12, 12)) == date(2025, 12, 29)
    assert incomplete_evidence_deadline(date(2026, 3, 2), days=21) == date(2026, 3, 23)
    with pytest.raises(ValueError):
        incomplete_evidence_deadline(date(2026, 3, 2), days=0)


def test_format_date_is_gov_uk_style():
    assert format_date(date(2025, 9, 1)) == "1 September 2025"

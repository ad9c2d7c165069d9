"""Working days in England and Wales, and the deadlines counted in them (pure: no database, no Flask).

The domain contract:

* **A working day** is Monday to Friday except an England and Wales bank holiday.
* **Bank holidays** follow the standing rules, computed for any year from 1978: New Year's Day, Good Friday,
  Easter Monday, the early May bank holiday (first Monday of May), the spring bank holiday (last Monday of May),
  the summer bank holiday (last Monday of August), Christmas Day and Boxing Day. A fixed day that falls at a
  weekend gets a substitute day: the next weekday that is not already a bank holiday (Christmas on a Saturday
  gives Monday 27 and Tuesday 28 December; on a Sunday, Boxing Day is Monday 26 and Christmas is moved to
  Tuesday 27). Days moved by proclamation and one-off days (jubilees, royal weddings, the state funeral of
  2022, the coronation of 2023) are data: ``data/bank_holidays_england_wales.json``. When GOV.UK announces a new
  one, add it there.
* **Counting.** "n working days after" a date counts the working days that follow it; the date itself never
  counts, whatever day it is. So the 1st working day after a Friday before a bank holiday Monday is the Tuesday.
* **Appeals.** An appeal is in time if it is lodged on or after the day of the decision and no later than the
  20th working day after it (:func:`appeal_deadline`, the last day). A late appeal is refused with that date.
* **Incomplete evidence.** The INCOMPLETE deadline is 14 calendar days after the decision by default; if that
  falls on a day that is not a working day, it moves to the next working day.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

APPEAL_WORKING_DAYS = 20
INCOMPLETE_EVIDENCE_DAYS = 14

_DATA_FILE = Path(__file__).parent / "data" / "bank_holidays_england_wales.json"
_MONDAY, _SATURDAY = 0, 5
SUBSTITUTE_DAY = "Substitute day"


@dataclass(frozen=True, order=True)
class BankHoliday:
    day: date
    name: str
    note: str = ""


def format_date(day: date) -> str:
    """GOV.UK style: '1 September 2026'."""
    return f"{day.day} {day:%B %Y}"


def easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter Day: the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(_MONDAY - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=last.weekday())


@lru_cache(maxsize=1)
def _exceptions() -> dict[str, Any]:
    data = json.loads(_DATA_FILE.read_text(encoding="utf-8"))
    moved = {(entry["rule"], entry["year"]): BankHoliday(date.fromisoformat(entry["date"]), entry["name"],
                                                         entry.get("note", ""))
             for entry in data["moved"]}
    additional: dict[int, list[BankHoliday]] = {}
    for entry in data["additional"]:
        day = date.fromisoformat(entry["date"])
        additional.setdefault(day.year, []).append(BankHoliday(day, entry["name"], entry.get("note", "")))
    return {"first_year": data["first_year"], "moved": moved, "additional": additional}


@lru_cache(maxsize=256)
def bank_holidays(year: int) -> tuple[BankHoliday, ...]:
    """The England and Wales bank holidays of ``year``, in date order."""
    exceptions = _exceptions()
    if year < exceptions["first_year"]:
        raise ValueError(f"Bank holidays are known from {exceptions['first_year']}, not {year}")
    easter = easter_sunday(year)
    by_rule = {
        "good_friday": BankHoliday(easter - timedelta(days=2), "Good Friday"),
        "easter_monday": BankHoliday(easter + timedelta(days=1), "Easter Monday"),
        "early_may": BankHoliday(_first_monday(year, 5), "Early May bank holiday"),
        "spring": BankHoliday(_last_monday(year, 5), "Spring bank holiday"),
        "summer": BankHoliday(_last_monday(year, 8), "Summer bank holiday"),
    }
    days = [exceptions["moved"].get((key, year), holiday) for key, holiday in by_rule.items()]
    days += exceptions["additional"].get(year, [])
    taken = {holiday.day for holiday in days}
    # Fixed days in calendar order, so a weekend Christmas and Boxing Day take the next free weekdays in turn.
    for name, day in (("New Year's Day", date(year, 1, 1)), ("Christmas Day", date(year, 12, 25)),
                      ("Boxing Day", date(year, 12, 26))):
        if day.weekday() < _SATURDAY:
            days.append(BankHoliday(day, name))
            taken.add(day)
    for name, day in (("Christmas Day", date(year, 12, 25)), ("Boxing Day", date(year, 12, 26)),
                      ("New Year's Day", date(year, 1, 1))):
        if day.weekday() >= _SATURDAY:
            substitute = day
            while substitute.weekday() >= _SATURDAY or substitute in taken:
                substitute += timedelta(days=1)
            days.append(BankHoliday(substitute, name, SUBSTITUTE_DAY))
            taken.add(substitute)
    return tuple(sorted(days))


def bank_holiday(day: date) -> BankHoliday | None:
    """The bank holiday on ``day``, if there is one."""
    return next((holiday for holiday in bank_holidays(day.year) if holiday.day == day), None)


def is_bank_holiday(day: date) -> bool:
    return bank_holiday(day) is not None


def is_working_day(day: date) -> bool:
    return day.weekday() < _SATURDAY and not _is_holiday(day)


def _is_holiday(day: date) -> bool:
    return day in _holiday_days(day.year)


@lru_cache(maxsize=256)
def _holiday_days(year: int) -> frozenset[date]:
    return frozenset(holiday.day for holiday in bank_holidays(year))


def next_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself never counts); ``n`` < 0 counts back, and
    ``n`` == 0 gives ``start``."""
    step = timedelta(days=1 if n >= 0 else -1)
    day, remaining = start, abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: date, b: date) -> int:
    """How many working days :func:`add_working_days` steps over going from ``a`` to ``b``: those after ``a`` up
    to and including ``b`` or, when ``b`` is before ``a``, minus those from ``b`` up to but not including ``a``.
    So ``add_working_days(a, working_days_between(a, b)) == b`` whenever ``b`` is a working day."""
    low, high, sign = (a, b, 1) if a <= b else (b - timedelta(days=1), a - timedelta(days=1), -1)
    count, day = 0, low
    while day < high:
        day += timedelta(days=1)
        count += is_working_day(day)
    return sign * count


def bank_holidays_between(a: date, b: date) -> list[BankHoliday]:
    """The bank holidays from ``a`` to ``b`` inclusive (to explain a deadline: "Easter Monday is not counted")."""
    return [holiday for year in range(a.year, b.year + 1) for holiday in bank_holidays(year) if a <= holiday.day <= b]


def appeal_deadline(decision_date: date) -> date:
    """The last day an appeal against a decision made on ``decision_date`` is in time: the 20th working day
    after it."""
    return add_working_days(decision_date, APPEAL_WORKING_DAYS)


def is_appeal_in_time(decision_date: date, lodged_on: date) -> bool:
    """Whether an appeal lodged on ``lodged_on`` is within 20 working days of the decision (the day of the
    decision counts as in time). An appeal dated before its decision is a mistake in the data: ValueError."""
    if lodged_on < decision_date:
        raise ValueError(f"An appeal cannot be lodged ({lodged_on}) before the decision it appeals ({decision_date})")
    return lodged_on <= appeal_deadline(decision_date)


def late_appeal_message(decision_date: date) -> str:
    """The refusal shown for a late appeal, with the date the window closed."""
    return (f"The time to appeal this decision ended on {format_date(appeal_deadline(decision_date))}, "
            f"{APPEAL_WORKING_DAYS} working days after the decision on {format_date(decision_date)}")


def incomplete_evidence_deadline(decided_on: date, days: int = INCOMPLETE_EVIDENCE_DAYS) -> date:
    """The default deadline for missing evidence: ``days`` calendar days after the decision, moved on to the
    next working day if it falls on a weekend or bank holiday."""
    if days < 1:
        raise ValueError("The deadline must be at least 1 day after the decision")
    return next_working_day(decided_on + timedelta(days=days))

"""Social Work England's registration year: 1 December to 30 November. A year is named by the calendar year it
ends in (the year of its 30 November deadline), so the year from 1 December 2025 to 30 November 2026 is 2026."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.framework.clock import format_date, registration_year_start

#: Social Work England's minimum for each registration year
MIN_RECORDS = 2
MIN_WITH_PEER_REFLECTION = 1


def registration_year(day: dt.date) -> int:
    """The registration year holding ``day``: 30 November 2026 is in 2026, 1 December 2026 in 2027."""
    return registration_year_start(day).year + 1


def year_start(year: int) -> dt.date:
    return dt.date(year - 1, 12, 1)


def year_end(year: int) -> dt.date:
    return dt.date(year, 11, 30)


def year_label(year: int) -> str:
    """'1 December 2025 to 30 November 2026'."""
    return f"{format_date(year_start(year))} to {format_date(year_end(year))}"


def year_short_label(year: int) -> str:
    """'2025 to 2026'."""
    return f"{year - 1} to {year}"


@dataclass(frozen=True)
class YearCheck:
    """Whether a registration year meets Social Work England's minimum (complete records only)."""

    year: int
    records: int
    with_peer_reflection: int
    hours: float
    participatory_hours: float
    today: dt.date

    @property
    def met(self) -> bool:
        return self.records >= MIN_RECORDS and self.with_peer_reflection >= MIN_WITH_PEER_REFLECTION

    @property
    def is_current(self) -> bool:
        return self.year == registration_year(self.today)

    @property
    def days_left(self) -> int | None:
        """Days from today until 30 November of this year (0 on the day itself); None for a past year."""
        return (year_end(self.year) - self.today).days if self.is_current else None

    @property
    def records_needed(self) -> int:
        return max(0, MIN_RECORDS - self.records)

    @property
    def peer_reflections_needed(self) -> int:
        return max(0, MIN_WITH_PEER_REFLECTION - self.with_peer_reflection)

    @property
    def missing(self) -> list[str]:
        """What is still needed, in words ('' when met)."""
        out = []
        if self.records_needed:
            out.append(f"{self.records_needed} more complete CPD record{'s' if self.records_needed > 1 else ''}")
        if self.peer_reflections_needed:
            out.append("a record with a peer reflection" if self.peer_reflections_needed == 1
                       else f"{self.peer_reflections_needed} records with a peer reflection")
        return out

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def short_label(self) -> str:
        return year_short_label(self.year)

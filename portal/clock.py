"""The service's one clock: every rule that depends on the date or time reads it here.

``now()`` is the current instant in UTC (the only kind of time the database holds); ``today()`` is the date in
England (Europe/London), the calendar the pathway runs on. Nothing else in the service calls ``date.today()`` or
``datetime.now()``: tests move this clock (with time-machine) to any day, and the suite must pass on every one,
including 1 December, 29 February, 1 April and the clock-change weekends.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> dt.datetime:
    """The current instant, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date in England."""
    return now().astimezone(LONDON).date()


def local_date(moment: dt.datetime) -> dt.date:
    """The date in England of an instant (a naive value is taken as UTC, as the database stores it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(LONDON).date()


def epoch_seconds() -> int:
    """Whole seconds since the Unix epoch, from the same clock (for tokens and short-lived session values)."""
    return int(now().timestamp())

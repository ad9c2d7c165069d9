"""The service's one clock: every rule that depends on the date or time reads it here.

``now()`` is the current instant in UTC (the only kind of time the database holds); ``today()`` is the date in
England (Europe/London), the calendar the pathway runs on. Nothing else in the service calls ``date.today()`` or
``datetime.now()``: tests move this clock (with time-machine) to any day, and the suite must pass on every one,
including 1 December, 29 February, 1 April and the clock-change weekends.
"""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_NO_SHIFT = dt.timedelta(0)

# A test server (a separate process) follows the test's clock through a file holding a shift in seconds, named by
# PORTAL_TEST_CLOCK_FILE outside production (see ``follow_shift_file``). None: the clock is the machine's.
_shift_file: str | None = None
_shift_cache: tuple[tuple[int, int], dt.timedelta] = ((0, 0), _NO_SHIFT)


def now() -> dt.datetime:
    """The current instant, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC) + _shift()


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


# ------------------------------------------------------------------------------------- a test server's clock
def follow_shift_file(path: str | None) -> None:
    """Make this process's clock the machine's plus the number of seconds written in ``path`` (re-read whenever the
    file changes), so a browser test can move the clock of the server it drives between steps. Only the test and
    development configurations call this; production refuses the setting."""
    global _shift_file, _shift_cache
    _shift_file, _shift_cache = path, ((0, 0), _NO_SHIFT)


def _shift() -> dt.timedelta:
    global _shift_cache
    if _shift_file is None:
        return _NO_SHIFT
    try:
        stat = os.stat(_shift_file)
    except OSError:
        return _NO_SHIFT
    version = (stat.st_mtime_ns, stat.st_size)
    if version != _shift_cache[0]:
        try:
            with open(_shift_file, encoding="ascii") as file:
                seconds = float(file.read().strip() or 0)
        except (OSError, ValueError):
            return _shift_cache[1]  # half-written: keep the last shift read
        _shift_cache = (version, dt.timedelta(seconds=seconds))
    return _shift_cache[1]


def write_shift_file(path: str, shift: dt.timedelta) -> None:
    """Set the shift a server following ``path`` adds to the machine's clock (written whole, then renamed in)."""
    partial = f"{path}.partial"
    with open(partial, "w", encoding="ascii") as file:
        file.write(f"{shift.total_seconds():.6f}\n")
    os.replace(partial, path)

"""The service's one clock: nothing in the service reads the wall clock around it, tests move it, and a test server
can follow a test's clock through a shift file that production refuses."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine

from portal import clock
from tests.conftest import BOUNDARY_DAYS, london_moment, on_boundary_days

PORTAL = Path(__file__).resolve().parents[1] / "portal"
WALL_CLOCK = re.compile(r"\b(?:date\.today|datetime\.(?:now|utcnow|today)|time\.time|time\.localtime|time\.gmtime)\(")


def test_nothing_in_the_service_reads_the_wall_clock_but_the_clock():
    offenders = [f"{path.relative_to(PORTAL.parent)}:{number}: {line.strip()}"
                 for path in sorted(PORTAL.rglob("*.py")) if path.name != "clock.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if WALL_CLOCK.search(line) and not line.lstrip().startswith("#")]
    assert offenders == []


def test_the_pattern_would_catch_a_wall_clock_read():
    assert WALL_CLOCK.search("today = dt.date.today()") and WALL_CLOCK.search("dt.datetime.now(dt.UTC)")
    assert WALL_CLOCK.search("started = time.time()") and not WALL_CLOCK.search("clock.now()")


@pytest.mark.parametrize(("instant", "day"), [
    (dt.datetime(2027, 3, 27, 23, 30, tzinfo=dt.UTC), dt.date(2027, 3, 27)),  # GMT: the same day
    (dt.datetime(2027, 6, 30, 23, 30, tzinfo=dt.UTC), dt.date(2027, 7, 1)),  # BST: already tomorrow in England
    (dt.datetime(2027, 10, 31, 0, 30, tzinfo=dt.UTC), dt.date(2027, 10, 31)),  # the night the clocks go back
    (dt.datetime(2026, 11, 30, 23, 59, tzinfo=dt.UTC), dt.date(2026, 11, 30)),
    (dt.datetime(2028, 2, 29, 0, 0, tzinfo=dt.UTC), dt.date(2028, 2, 29)),
])
def test_today_is_the_date_in_england(instant, day):
    with time_machine.travel(instant, tick=False):
        assert clock.today() == day
        assert clock.now() == instant and clock.now().tzinfo is not None
        assert clock.local_date(instant) == day


@on_boundary_days
def test_on_day_moves_the_service_clock(on_day):
    assert clock.today() == on_day
    if on_day in BOUNDARY_DAYS:
        assert abs(clock.now() - london_moment(on_day)) < dt.timedelta(minutes=5)


# ------------------------------------------------------------------------------- a test server's shift file
@pytest.fixture
def shift_file(tmp_path):
    path = tmp_path / "clock-shift"
    yield path
    clock.follow_shift_file(None)


def test_a_followed_shift_file_moves_the_clock_and_is_read_again_when_it_changes(shift_file):
    with time_machine.travel(dt.datetime(2027, 1, 10, 12, tzinfo=dt.UTC), tick=False):
        clock.follow_shift_file(str(shift_file))
        assert clock.now() == dt.datetime(2027, 1, 10, 12, tzinfo=dt.UTC)  # no file yet: no shift
        clock.write_shift_file(str(shift_file), dt.timedelta(days=300))
        assert clock.today() == dt.date(2027, 11, 6)
        clock.write_shift_file(str(shift_file), dt.timedelta(days=-10, hours=1))
        assert clock.now() == dt.datetime(2026, 12, 31, 13, tzinfo=dt.UTC)
        shift_file.write_text("not a number")
        assert clock.now() == dt.datetime(2026, 12, 31, 13, tzinfo=dt.UTC)  # a bad write keeps the last shift
        clock.follow_shift_file(None)
        assert clock.now() == dt.datetime(2027, 1, 10, 12, tzinfo=dt.UTC)


def test_production_refuses_a_test_clock(monkeypatch, shift_file):
    from portal.config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "a-real-secret-of-enough-length-0123456789abcdef")
    monkeypatch.setenv("PORTAL_TEST_CLOCK_FILE", str(shift_file))
    with pytest.raises(RuntimeError, match="PORTAL_TEST_CLOCK_FILE"):
        ProductionConfig()
    monkeypatch.delenv("PORTAL_TEST_CLOCK_FILE")
    assert ProductionConfig().TEST_CLOCK_FILE is None


def test_the_app_follows_the_file_outside_production(monkeypatch, shift_file):
    from portal import create_app
    from portal.config import TestConfig

    clock.write_shift_file(str(shift_file), dt.timedelta(days=2))
    monkeypatch.setenv("PORTAL_TEST_CLOCK_FILE", str(shift_file))
    with time_machine.travel(dt.datetime(2027, 5, 1, 9, tzinfo=dt.UTC), tick=False):
        create_app(TestConfig())
        assert clock.today() == dt.date(2027, 5, 3)

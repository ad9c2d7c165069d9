"""Shared fixtures: one migrated database per run, and every test inside a transaction rolled back at its end.

The database is a temporary SQLite file, or the PostgreSQL database named by ``TEST_DATABASE_URL``.

Time: the service has one clock (``portal.clock``) and tests set it with time-machine, never read the wall clock.
By default the suite runs on the real day; ``PORTAL_TEST_TODAY=2027-12-01`` runs the whole suite as if that were
today (the service clock starts at 10:00 in England on that day and ticks). The date-sensitive tests also run at
the fixed boundary days in ``BOUNDARY_DAYS`` through the ``on_day`` fixture (``@on_boundary_days``).
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy import event, text

from portal.db import build_engine, db

pytest_plugins = ["tests.browser_fixtures"]  # live server + Chromium, shared by every accessibility test

# ------------------------------------------------------------------------------------------------------ the clock
LONDON = ZoneInfo("Europe/London")

# The days on which date rules turn: Social Work England's registration year (30 November / 1 December), a leap
# day (28 / 29 February 2028), the financial and standards year (31 March / 1 April), the clock changes (the last
# Sundays of March and October 2027) and the turn of the calendar year.
BOUNDARY_DAYS: tuple[dt.date, ...] = (
    dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2028, 2, 28), dt.date(2028, 2, 29), dt.date(2027, 3, 31),
    dt.date(2027, 4, 1), dt.date(2027, 3, 28), dt.date(2027, 10, 31), dt.date(2026, 12, 31), dt.date(2027, 1, 1),
)


def london_moment(day: dt.date, hour: int = 10) -> dt.datetime:
    """``hour`` o'clock in England on ``day`` (an instant the clock can be moved to)."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def _suite_day() -> dt.date | None:
    value = os.environ.get("PORTAL_TEST_TODAY", "").strip()
    return dt.date.fromisoformat(value) if value else None


if _suite_day() is not None:  # the whole run as if on that day (the clock ticks from 10:00 there)
    time_machine.travel(london_moment(_suite_day()), tick=True).start()  # type: ignore[arg-type]


@pytest.fixture
def on_day(request: pytest.FixtureRequest) -> Iterator[dt.date]:
    """The service's day for this test. Unparametrised: the run's today. Parametrised (``@on_boundary_days`` or
    ``indirect=True``) with a date: the clock moves to 10:00 in England on it, ticking, for the whole test, and
    fixtures that ask for ``on_day`` build their data on that day."""
    from portal import clock

    day = getattr(request, "param", None)
    if day is None or day == "today":
        yield clock.today()
        return
    with time_machine.travel(london_moment(day), tick=True):
        yield day


def _day_id(day: Any) -> str:
    return day if isinstance(day, str) else day.isoformat()


# Run a test on the real day and on every boundary day: put ``@on_boundary_days`` on it and ask for ``on_day``
# (or a fixture that does) before anything that builds dated data.
on_boundary_days = pytest.mark.parametrize("on_day", ("today", *BOUNDARY_DAYS), indirect=True, ids=_day_id)


# A test about something else whose data would meet a date rule near a boundary (a new starter owing last year's
# CPD on 1 December) runs on an ordinary mid-year weekday instead of the real day.
SETTLED_DAY = dt.date(2027, 6, 16)
on_a_settled_day = pytest.mark.parametrize("on_day", (SETTLED_DAY,), indirect=True, ids=_day_id)


# --------------------------------------------------------------------------------------------- the database
_TMP = tempfile.mkdtemp(prefix="portal-tests-")
os.environ.setdefault("PORTAL_INSTANCE_PATH", _TMP)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{Path(_TMP) / 'test.sqlite3'}"
IS_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


def reset_database(url: str) -> None:
    """Start from an empty database (PostgreSQL keeps tables between runs)."""
    if url.startswith("postgresql"):
        engine = build_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production: ``g`` (the CSP nonce, Flask-Login's user) never
    leaks from one request to the next, and the database session is removed after every request."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app() -> Any:
    from portal import create_app
    from portal.config import TestConfig
    from portal.migrations_util import upgrade

    reset_database(TEST_DATABASE_URL)
    upgrade(TEST_DATABASE_URL)
    os.environ["TEST_DATABASE_URL"] = TEST_DATABASE_URL
    config = TestConfig()
    config.DATABASE_URL = TEST_DATABASE_URL
    application = create_app(config)
    application.config["WTF_CSRF_ENABLED"] = False
    application.register_blueprint(_test_blueprint())
    application.test_client_class = FreshContextClient
    yield application
    db.engine.dispose()


def _test_blueprint() -> Any:
    """Routes that exist only in tests (e.g. one that fails half-way through a write)."""
    from flask import Blueprint

    from portal.db import session
    from portal.permissions import public
    from portal.users.models import Organisation, OrganisationKind

    bp = Blueprint("testing", __name__, url_prefix="/__test")

    @bp.route("/explode")
    @public
    def explode() -> Any:
        session().add(Organisation(name="Half written", code="HALF", kind=OrganisationKind.LOCAL_AUTHORITY))
        session().flush()
        raise RuntimeError("a failure after a write")

    return bp


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test in an outer transaction that is rolled back: services' commits only release savepoints."""
    if "app" not in request.fixturenames and not request.node.get_closest_marker("usefixtures"):
        yield
        return
    application = request.getfixturevalue("app")
    connection = db.engine.connect()
    outer = connection.begin()
    with application.app_context(), db.bound_to(connection):
        yield
    outer.rollback()
    connection.close()
    from portal.mail import memory_outbox

    memory_outbox.clear()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def csrf_app(app: Any) -> Iterator[Any]:
    """The app with CSRF protection on (as in production) for the tests that check it."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


# ---------------------------------------------------------------------------------------------------- builders
@pytest.fixture
def make_org(app: Any) -> Any:
    from portal.db import session
    from portal.users.models import Organisation, OrganisationKind

    counter = {"n": 0}

    def build(name: str | None = None, code: str | None = None) -> Organisation:
        counter["n"] += 1
        n = counter["n"]
        org = Organisation(name=name or f"Council {n}", code=code or f"ORG-{n}", kind=OrganisationKind.LOCAL_AUTHORITY)
        session().add(org)
        return _keep(org)

    return build


DEFAULT_PASSWORD = "correct horse battery staple"


def _keep(obj: Any) -> Any:
    """Commit a built object (into the test's outer transaction) and detach it with its attributes loaded, so the
    test can keep reading it after requests have closed their sessions. Use ``reload(obj)`` for fresh state."""
    from portal.db import session

    session().commit()
    session().expunge(obj)
    return obj


@pytest.fixture
def make_user(app: Any, make_org: Any) -> Any:
    """``make_user(role=Role.PRACTITIONER, org=...)``: an active account with a password and that role."""
    from portal.auth.passwords import hash_password
    from portal.db import session, utcnow
    from portal.users.models import Role, RoleGrant, User, UserStatus

    counter = {"n": 0}
    cache: dict[str, str] = {}

    def build(role: Any = None, org: Any = None, *, email: str | None = None, name: str | None = None,
              status: UserStatus = UserStatus.ACTIVE, password: str = DEFAULT_PASSWORD, totp: bool | None = None,
              swe_number: str | None = None) -> User:
        counter["n"] += 1
        n = counter["n"]
        if password not in cache:
            cache[password] = hash_password(password)
        user = User(email=email or f"person{n}@example.org", name=name or f"Person {n}", status=status,
                    password_hash=cache[password] if status != UserStatus.INVITED else None, swe_number=swe_number)
        roles = role if isinstance(role, (list, tuple)) else ([role] if role else [])
        for r in roles:
            r = Role(r)
            scope = None if r == Role.PROGRAMME_ADMIN else (org or make_org()).id
            user.grants.append(RoleGrant(role=r, organisation_id=scope))
        if totp if totp is not None else user.needs_two_factor:
            user.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
            user.totp_enabled_at = utcnow()
        session().add(user)
        return _keep(user)

    return build


def start_session(client: Any, user: Any) -> Any:
    """Sign ``client`` in as ``user`` the way the sign-in page ends: a real server session, its id in the cookie
    (the cookie holds nothing else that says who you are). ``user`` may be detached or just its id's holder."""
    from portal.auth import sessions
    from portal.db import session

    token, _ = sessions.start_session(user, user_agent="pytest", ip_address="127.0.0.1")
    session().commit()
    with client.session_transaction() as sess:
        sess.clear()
        sess.permanent = True
        sess[sessions.COOKIE_KEY] = token
    return client


@pytest.fixture
def sign_in_as(client: Any) -> Any:
    """Sign the test client in as a user (the sign-in journey itself is tested in tests/auth)."""

    def do(user: Any) -> Any:
        return start_session(client, user)

    return do


def parse(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.fixture
def page(client: Any) -> Any:
    """``page(url, status=200)``: GET a page, check its status, return the parsed HTML."""

    def fetch(url: str, status: int = 200, **kwargs: Any) -> BeautifulSoup:
        response = client.get(url, **kwargs)
        assert response.status_code == status, f"{url}: {response.status_code}\n{response.get_data(as_text=True)[:2000]}"
        return parse(response)

    return fetch


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.strip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            return
        self.count += 1
        self.statements.append(statement)


@pytest.fixture
def count_statements(app: Any) -> Any:
    """``with count_statements() as counter: ...`` then ``counter.count`` (savepoint bookkeeping excluded)."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


def reload(obj: Any) -> Any:
    """The current database state of a model instance (requests close the session the test loaded it in)."""
    from sqlalchemy import inspect

    from portal.db import session

    return session().get(type(obj), inspect(obj).identity, populate_existing=True)

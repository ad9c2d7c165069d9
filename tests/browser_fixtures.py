"""Browser-test fixtures shared by every suite (one Playwright, one server, one Chromium per run): a real server
(a separate process on its own database) and headless Chromium."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IS_POSTGRES, TEST_DATABASE_URL

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts"))
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", "--no-first-run"]
SCHEMA = "browser_check"


def pause(seconds: float) -> None:
    """Wait ``seconds`` of real time. Not ``time.sleep``: under Debian's faketime (the suite must pass with the
    machine's clock moved) Python's sleep fails with EINVAL, while a timed wait on an event works."""
    threading.Event().wait(seconds)


def exited_within(process: subprocess.Popen[Any], seconds: float) -> bool:
    """Whether ``process`` ends within ``seconds`` (``Popen.wait(timeout=...)`` polls with time.sleep, which
    faketime breaks)."""
    for _ in range(max(1, int(seconds * 10))):
        if process.poll() is not None:
            return True
        pause(0.1)
    return process.poll() is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_database_url(tmp: Path, schema: str = SCHEMA, name: str = "browser") -> str:
    """A database for a test server process: a SQLite file in ``tmp``, or a fresh schema of the PostgreSQL test
    database (the server's search path points at it)."""
    if not IS_POSTGRES:
        return f"sqlite:///{tmp / (name + '.sqlite3')}"
    from sqlalchemy import text

    from portal.db import build_engine

    engine = build_engine(TEST_DATABASE_URL)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    sep = "&" if "?" in TEST_DATABASE_URL else "?"
    return f"{TEST_DATABASE_URL}{sep}options=-csearch_path%3D{schema}"


_FAKETIME_VARIABLES = ("FAKETIME", "FAKETIME_SHARED", "FAKETIME_NO_CACHE", "FAKETIME_TIMESTAMP_FILE",
                       "DONT_FAKE_MONOTONIC", "FAKE_STAT")


def under_faketime() -> bool:
    """Whether this process runs under Debian's faketime (its library preloaded)."""
    return "faketime" in os.environ.get("LD_PRELOAD", "")


def without_faketime(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a child process that runs on the machine's real clock: faketime's library breaks ``time.sleep``
    (EINVAL), which gunicorn needs, so servers and the browser run without it and follow the test's clock through
    the shift file instead."""
    clean = {k: v for k, v in env.items() if k not in _FAKETIME_VARIABLES}
    preload = [part for part in clean.get("LD_PRELOAD", "").replace(":", " ").split() if "faketime" not in part]
    if preload:
        clean["LD_PRELOAD"] = " ".join(preload)
    else:
        clean.pop("LD_PRELOAD", None)
    return clean


def machine_now() -> dt.datetime:
    """The machine's real time, whatever time-machine or faketime have done to this process's clock."""
    import time_machine

    from portal import clock

    if under_faketime():  # ask a process that faketime does not reach
        answer = subprocess.run([sys.executable, "-c", "import time; print(repr(time.time()))"],
                                env=without_faketime(dict(os.environ)), capture_output=True, text=True, check=True)
        return dt.datetime.fromtimestamp(float(answer.stdout), dt.UTC)
    if not time_machine.escape_hatch.is_travelling():
        return clock.now()  # this process's clock is the machine's
    return time_machine.escape_hatch.datetime.datetime.now(dt.UTC)


def follow_the_test_clock(env: dict[str, str], folder: Path) -> Path:
    """Make a server (and its ``portal`` commands) started with ``env`` keep the service clock of this test process,
    even where it has been moved (PORTAL_TEST_TODAY, ``Journey.move_clock``, or faketime for the whole run): the
    server runs on the machine's real clock (``env`` loses faketime) and adds the shift written in the returned
    file."""
    from portal import clock

    clean = without_faketime(env)
    env.clear()
    env.update(clean)
    path = folder / "clock-shift"
    clock.write_shift_file(str(path), clock.now() - machine_now())
    env["PORTAL_TEST_CLOCK_FILE"] = str(path)
    return path


def require_chromium() -> None:
    """Skip the test where Chromium is absent, unless REQUIRE_BROWSER is set (CI): then fail."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required (REQUIRE_BROWSER is set) but {CHROMIUM} does not exist")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it")


@contextmanager
def running_server(env: dict[str, str], port: int, log_path: Path, *gunicorn_args: str) -> Iterator[str]:
    """gunicorn serving the portal on 127.0.0.1:``port`` with ``env`` (2 workers x 2 threads unless
    ``gunicorn_args`` say otherwise), its output in ``log_path``; yields the base URL once /healthz answers and
    stops the server afterwards."""
    args = list(gunicorn_args) or ["--workers", "2", "--threads", "2"]
    env = dict(env)
    if "PORTAL_TEST_CLOCK_FILE" not in env:
        follow_the_test_clock(env, log_path.parent)
    env = without_faketime(env)
    log = log_path.open("w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}", *args,
                               "portal:create_app()"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                pause(0.2)
        else:
            raise RuntimeError("the test server did not start: " + log_path.read_text()[-2000:])
        yield base
    finally:
        server.terminate()
        if not exited_within(server, 10):
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The portal under gunicorn on a free port, migrated and seeded with the demo data."""
    require_chromium()
    tmp = Path(tempfile.mkdtemp(prefix="portal-browser-"))
    port = _free_port()
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": server_database_url(tmp),
           "PORTAL_INSTANCE_PATH": str(tmp), "SECRET_KEY": "browser-tests-" + "x" * 40,
           "MAIL_BACKEND": "file", "MAIL_FILE_DIR": str(tmp / "mail"), "SIGN_IN_RATE_LIMIT": "1000 per minute",
           "EXTERNAL_URL": f"http://127.0.0.1:{port}"}
    env.pop("TEST_DATABASE_URL", None)
    follow_the_test_clock(env, tmp)
    bin_dir = Path(sys.executable).parent
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([str(bin_dir / "portal"), *command], env=env, check=True, capture_output=True)
    with running_server(env, port, tmp / "server.log") as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (no server: the tests that want the demo server ask for ``live_server`` too)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     env=without_faketime(dict(os.environ)))
        yield chromium
        chromium.close()


@pytest.fixture
def browser_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{request.node.name}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"\nscreenshot of the failure: {shot}")
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)

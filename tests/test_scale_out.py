"""The service keeps no per-process state: under gunicorn with several worker processes, the sign-in rate limit is
counted in Redis (RATELIMIT_STORAGE_URI) across every worker, and a form's CSRF token made by one worker is
accepted by another (the session is a signed cookie)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser_fixtures import _free_port, pause, running_server

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL} (the CI machine has one)")
    return client


@pytest.fixture
def workers(tmp_path: Path):
    """Three gunicorn worker processes sharing a SQLite file and Redis, each request on a new connection."""
    redis_client = _redis()
    prefix = f"portal-test-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
           "PORTAL_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "scale-out-" + "x" * 40, "MAIL_BACKEND": "file",
           "MAIL_FILE_DIR": str(tmp_path / "mail"), "RATELIMIT_STORAGE_URI": REDIS_URL,
           "RATELIMIT_KEY_PREFIX": prefix, "SIGN_IN_RATE_LIMIT": "5 per minute",
           "SESSION_COOKIE_SECURE": "false"}  # plain http on 127.0.0.1: the client must send the cookie back
    env.pop("TEST_DATABASE_URL", None)
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "portal"), "db", "upgrade"], env=env, check=True, capture_output=True)
    try:
        with running_server(env, port, tmp_path / "server.log", "--workers", "3", "--access-logformat", "%(p)s %(s)s",
                            "--access-logfile", "-") as base:
            yield base, tmp_path / "server.log"
    finally:
        for key in redis_client.scan_iter(f"{prefix}*"):
            redis_client.delete(key)


def test_the_sign_in_limit_is_shared_by_every_worker(workers):
    import requests

    base, log = workers
    statuses = []
    for _ in range(8):
        with requests.Session() as browser:  # a new connection each time: any worker may answer
            page = browser.get(f"{base}/sign-in", headers={"Connection": "close"})
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
            token = token or re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token, page.text[:500]
            answer = browser.post(f"{base}/sign-in", headers={"Connection": "close"},
                                  data={"csrf_token": token.group(1), "email": "nobody@example.org",
                                        "password": "not-the-password"})
            statuses.append(answer.status_code)
    assert statuses == [200] * 5 + [429] * 3  # five wrong attempts a minute in all, not five per worker
    worker_pids = {line.split()[0] for line in log.read_text().splitlines() if line.split()[-1:] in (["200"], ["429"])}
    assert len(worker_pids) >= 2, "every request went to one worker: the test proved nothing"


@pytest.fixture
def sqlite_server(tmp_path: Path):
    """One gunicorn worker on a SQLite file (no Redis needed)."""
    port = _free_port()
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
           "PORTAL_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "scale-out-" + "x" * 40, "MAIL_BACKEND": "file",
           "MAIL_FILE_DIR": str(tmp_path / "mail"), "SESSION_COOKIE_SECURE": "false"}
    env.pop("TEST_DATABASE_URL", None)
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "portal"), "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([str(bin_dir / "portal"), "seed-demo"], env=env, check=True, capture_output=True)
    with running_server(env, port, tmp_path / "server.log", "--workers", "1", "--threads", "4") as base:
        yield base, tmp_path / "p.sqlite3"


def test_on_sqlite_pages_are_read_while_a_writer_holds_the_lock_and_posts_wait_for_it(sqlite_server):
    """Pages begin a shared transaction (WAL readers are never blocked), so one slow write does not queue every
    page behind it; a form post takes the write lock and waits its turn (up to busy_timeout), never failing."""
    import sqlite3
    import threading

    import requests

    base, path = sqlite_server
    with requests.Session() as browser:
        page = browser.get(f"{base}/sign-in")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        writer = sqlite3.connect(path, isolation_level=None)
        code = writer.execute("SELECT code FROM certificates").fetchone()[0]  # the demo's signed-off Year 1
        writer.execute("BEGIN IMMEDIATE")  # someone else is writing, slowly
        try:
            started = time.monotonic()
            read = browser.get(f"{base}/verify/{code}", timeout=8)  # reads the certificate register
            read_took = time.monotonic() - started
            assert read.status_code == 200 and "Valid" in read.text and read_took < 5  # not queued for the lock

            result: dict[str, Any] = {}

            def post() -> None:
                result["response"] = browser.post(f"{base}/sign-in", timeout=15, data={
                    "csrf_token": token, "email": "practitioner@northshire.example", "password": "wrong"})

            poster = threading.Thread(target=post)
            poster.start()
            pause(1.5)
            assert poster.is_alive()  # the sign-in (it counts failed attempts) waits for the write lock
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        poster.join(timeout=15)
    assert result["response"].status_code == 200  # then goes through: the wrong password is told, no error
    assert "is incorrect" in result["response"].text or "error" in result["response"].text.lower()

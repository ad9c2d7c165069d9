"""The service keeps no per-process state: under gunicorn with several worker processes, the sign-in rate limit is
counted in Redis (RATELIMIT_STORAGE_URI) across every worker, and a form's CSRF token made by one worker is
accepted by another (the session is a signed cookie)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.browser_fixtures import _free_port

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
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "3",
                               "--access-logformat", "%(p)s %(s)s", "--access-logfile", "-", "portal:create_app()"],
                              env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base, tmp_path / "server.log"
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
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

"""A bounded mixed load: N concurrent users for a fixed time against the portal under gunicorn, reading pages and
writing CPD records, then a check that every write the server acknowledged is in the database. Not a test.

    .venv/bin/python bench/mixed_load.py                       # SQLite, 50 users, 60 s
    .venv/bin/python bench/mixed_load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_mixed

It builds a fresh instance (migrate + demo data) in a temporary folder (on PostgreSQL it drops and recreates the
named database), starts gunicorn on a free 127.0.0.1 port, signs each user in as one of the demo practitioners,
and runs until the time is up. Exit status 1 when any request failed or any acknowledged write is missing.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import requests
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

BIN = Path(sys.executable).parent
PRACTITIONERS = ["practitioner@northshire.example", "signed.off@northshire.example", "submitted@northshire.example"]
PASSWORD = "demo-pathway-2026"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(url: str, folder: Path) -> str:
    if not url:
        return f"sqlite:///{folder / 'portal.sqlite3'}"
    parsed = make_url(url)
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    server.dispose()
    return url


def csrf(page: requests.Response) -> str:
    found = TOKEN.search(page.text)
    if not found:
        raise RuntimeError(f"no CSRF token on {page.url}")
    return found.group(1)


class User(threading.Thread):
    def __init__(self, number: int, base: str, until: float, results: dict, written: list, lock: threading.Lock):
        super().__init__(daemon=True)
        self.number, self.base, self.until = number, base, until
        self.results, self.written, self.lock = results, written, lock
        self.http = requests.Session()

    def timed(self, kind: str, method: str, path: str, ok: set[int], **kwargs) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, allow_redirects=False, timeout=30, **kwargs)
        except requests.RequestException as error:
            with self.lock:
                self.results["errors"].append(f"{kind}: {error}")
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.results[kind].append(elapsed)
            if response.status_code not in ok:
                self.results["errors"].append(f"{kind}: {method} {path} -> {response.status_code}")
        return response

    def sign_in(self) -> None:
        page = self.http.get(self.base + "/sign-in")
        answer = self.http.post(self.base + "/sign-in", allow_redirects=False, data={
            "csrf_token": csrf(page), "email": PRACTITIONERS[self.number % len(PRACTITIONERS)], "password": PASSWORD})
        if answer.status_code != 302:
            raise RuntimeError(f"user {self.number} could not sign in: {answer.status_code}")

    def run(self) -> None:
        try:
            self.sign_in()
        except Exception as error:  # noqa: BLE001 - reported as an error of the run
            with self.lock:
                self.results["errors"].append(str(error))
            return
        count = 0
        while time.monotonic() < self.until:
            roll = random.random()
            if roll < 0.25:
                page = self.timed("cpd form (read)", "GET", "/cpd/new", {200})
                if page is None or page.status_code != 200:
                    continue
                title = f"Load test {self.number}-{count} {random.randrange(10**9)}"
                count += 1
                answer = self.timed("cpd draft (write)", "POST", "/cpd/new", {302},
                                    data={"csrf_token": csrf(page), "title": title, "save_draft": "Save as draft"})
                if answer is not None and answer.status_code == 302:
                    with self.lock:
                        self.written.append(title)
            elif roll < 0.55:
                self.timed("dashboard", "GET", "/", {200})
            elif roll < 0.85:
                self.timed("cpd list", "GET", "/cpd/", {200})
            else:
                self.timed("health", "GET", "/healthz", {200})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default="", help="a PostgreSQL database to (re)create; default SQLite")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="portal-mixed-"))
    database_url = fresh_database(args.database_url, folder)
    port = free_port()
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": database_url, "PORTAL_INSTANCE_PATH": str(folder),
           "SECRET_KEY": "mixed-load-" + "x" * 40, "MAIL_BACKEND": "file", "MAIL_FILE_DIR": str(folder / "mail"),
           "RATELIMIT_ENABLED": "false", "SESSION_COOKIE_SECURE": "false"}
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([str(BIN / "portal"), *command], env=env, check=True, capture_output=True)
    log = (folder / "server.log").open("w")
    server = subprocess.Popen([str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                               "--threads", str(args.threads), "portal:create_app()"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        results: dict[str, list] = defaultdict(list)
        written: list[str] = []
        lock = threading.Lock()
        started = time.monotonic()
        users = [User(n, base, started + args.seconds, results, written, lock) for n in range(args.users)]
        for user in users:
            user.start()
        for user in users:
            user.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()

    engine = create_engine(database_url)
    with engine.connect() as conn:
        stored = set(conn.execute(select(text("title")).select_from(text("cpd_records"))
                                  .where(text("title LIKE 'Load test %'"))).scalars())
    engine.dispose()
    missing = [title for title in written if title not in stored]
    errors = results.pop("errors", [])
    backend = make_url(database_url).get_backend_name()
    print(f"{args.users} users for {elapsed:.0f} s on {backend}, gunicorn {args.workers} workers x {args.threads} "
          f"threads, {os.cpu_count()} CPUs")
    print(f"{'request':<20} {'count':>7} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, times in sorted(results.items()):
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"{kind:<20} {len(times):>7} {len(times) / elapsed:>7.1f} {statistics.median(times) * 1000:>8.1f} "
              f"{p95 * 1000:>8.1f}")
    print(f"writes acknowledged: {len(written)}, found afterwards: {len(written) - len(missing)}, "
          f"missing: {len(missing)}; errors: {len(errors)}")
    for line in errors[:20]:
        print("  error:", line)
    return 1 if errors or missing else 0


if __name__ == "__main__":
    sys.exit(main())

"""Load-test the main pages against a national-scale database (not a test: run by ``make bench``).

Starts the app under gunicorn on a free 127.0.0.1 port against an already seeded database (``DATABASE_URL`` from the
environment or ``--database-url``; seed it with ``portal seed-demo --practitioners 100000``), signs in as the demo
accounts through the real sign-in form (CSRF token, two-factor code from ``portal demo-code``), then drives each
endpoint with a bounded pool of client threads for a fixed time and reports requests/s, p50, p95 and the ratio of
the p50 to the bare ``/healthz`` of the same gunicorn in the same run. Every response must be a 200: anything
else is counted as an error and reported (a redirect to the sign-in page is an error, not a fast page).

    .venv/bin/python bench/national_bench.py --database-url sqlite:////tmp/national/portal.sqlite3 \\
        --instance-path /tmp/national --duration 15 --clients 6 --workers 3
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DEMO_PASSWORD = "demo-pathway-2026"
ACCOUNTS = {
    "practitioner": "practitioner@northshire.example",
    "supervisor": "supervisor@northshire.example",
    "assessor": "assessor@riverside.example",
    "employer": "employer.admin@northshire.example",
}  # plus "typical": the longest-enrolled active national practitioner (found by prepare())
CPD_DEEP_PAGE = 500
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class Endpoint:
    name: str
    account: str | None  # key of ACCOUNTS, or None for public / API calls
    paths: list[str]  # rotated through (e.g. many certificate codes)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    name: str
    path: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# ------------------------------------------------------------------------------------------------------ setup
def server_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": args.database_url,
        "PORTAL_ENV": env.get("PORTAL_ENV", "development"),
        "SECRET_KEY": env.get("SECRET_KEY") or "bench-secret-key-0123456789-0123456789-01",
        # the bench signs in over plain http and hammers rate-limited pages (sign-in, verify, API) on purpose
        "SESSION_COOKIE_SECURE": "0",
        "RATELIMIT_ENABLED": "0",
        "LOG_LEVEL": env.get("LOG_LEVEL", "WARNING"),
    })
    if args.instance_path:
        env["PORTAL_INSTANCE_PATH"] = args.instance_path
    return env


def prepare(env: dict[str, str]) -> dict[str, Any]:
    """In a child process with the server's environment: an API token for the demo employer, some certificate
    codes and SWE numbers to look up, the demo employer's id and the cursor of the demo practitioner's CPD page
    500 (built the way portal.pagination does: the last row of page 499)."""
    code = r'''
import json
from sqlalchemy import select
from portal import create_app
from portal.db import session
from portal.pagination import encode_cursor
from portal.certificates.models import Certificate
from portal.certificates.models import ApiToken
from portal.certificates.tokens import create_token, revoke_token
from portal.cpd.models import CpdRecord
from portal.enrolments.models import Enrolment
from portal.users.models import Organisation, User
app = create_app()
with app.app_context():
    s = session()
    org = s.execute(select(Organisation).where(Organisation.code == "NSH-CC")).scalar_one()
    for old in s.execute(select(ApiToken).where(ApiToken.organisation_id == org.id, ApiToken.name == "national bench",
                                                ApiToken.revoked_at.is_(None))).scalars():
        revoke_token(old, by=None)  # an organisation holds at most API_MAX_TOKENS_PER_ORGANISATION active tokens
    token, secret = create_token(org, name="national bench", by=None)
    s.commit()
    certs = s.execute(select(Certificate.code, Certificate.swe_number).where(Certificate.status == "valid")
                      .order_by(Certificate.id.desc()).limit(200)).all()
    practitioner = s.execute(select(User.id).where(User.email == "practitioner@northshire.example")).scalar_one()
    size = app.config["PAGE_SIZE"]
    row = s.execute(select(CpdRecord.activity_on, CpdRecord.id).where(CpdRecord.practitioner_id == practitioner)
                    .order_by(CpdRecord.activity_on.desc(), CpdRecord.id.desc())
                    .offset((DEEP_PAGE - 1) * size - 1).limit(1)).one_or_none()
    cursor = encode_cursor([row.activity_on.isoformat(), row.id]) if row else None
    typical = s.execute(select(User.email).join(Enrolment, Enrolment.practitioner_id == User.id)
                        .where(User.email.like("%.national.example"), Enrolment.status == "active")
                        .order_by(Enrolment.start_date, User.id).limit(1)).scalar()
    print(json.dumps({"typical": typical, "token": secret, "org_id": org.id, "codes": [c.code for c in certs],
                      "swe_numbers": sorted({c.swe_number for c in certs}), "cpd_cursor": cursor}))
'''.replace("DEEP_PAGE", str(CPD_DEEP_PAGE))
    out = subprocess.run([str(BIN / "python"), "-c", code], env=env, cwd=ROOT, check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_seeded(env: dict[str, str], practitioners: int) -> None:
    """Create and seed the bench database when it holds no national data yet (``make bench`` the first time)."""
    url = env["DATABASE_URL"]
    if url.startswith("postgresql"):
        import psycopg
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{parsed.database}"')
    check = ("from portal import create_app\nfrom portal.seeding_national import national_data_exists\n"
             "app = create_app()\nwith app.app_context():\n    print(national_data_exists())")
    subprocess.run([str(BIN / "portal"), "db", "upgrade"], env=env, cwd=ROOT, check=True)
    found = subprocess.run([str(BIN / "python"), "-c", check], env=env, cwd=ROOT, check=True, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]
    if found != "True":
        print(f"Seeding {practitioners:,} practitioners (once) ...", file=sys.stderr)
        began = time.monotonic()
        subprocess.run([str(BIN / "portal"), "seed-demo", "--practitioners", str(practitioners)], env=env, cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
        print(f"Seeded in {time.monotonic() - began:.0f} s", file=sys.stderr)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "1",
         "--log-level", "warning", "--timeout", "120", "portal:create_app()"],
        env=env, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            if process.poll() is not None:
                raise SystemExit("gunicorn exited during start-up")
            time.sleep(0.3)
        else:
            raise SystemExit("gunicorn did not answer /healthz within 60 s")
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    if not match:
        raise SystemExit("no CSRF token on the page")
    return match.group(1) or match.group(2)


def sign_in(base: str, email: str, env: dict[str, str]) -> requests.Session:
    """The real journey: GET the form, POST it with its CSRF token, then the security code when asked."""
    sess = requests.Session()
    page = sess.get(f"{base}/sign-in", timeout=30)
    response = sess.post(f"{base}/sign-in", data={"email": email, "password": DEMO_PASSWORD,
                                                  "csrf_token": _csrf(page.text)}, timeout=60, allow_redirects=False)
    if response.status_code != 302:
        raise SystemExit(f"sign-in failed for {email}: {response.status_code}")
    if "security-code" in response.headers.get("Location", ""):
        page = sess.get(f"{base}/sign-in/security-code", timeout=30)
        code = subprocess.run([str(BIN / "portal"), "demo-code", email], env=env, cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip().split()[-1]
        response = sess.post(f"{base}/sign-in/security-code", data={"code": code, "csrf_token": _csrf(page.text)},
                             timeout=30, allow_redirects=False)
        if response.status_code != 302 or "security-code" in response.headers.get("Location", ""):
            raise SystemExit(f"two-factor sign-in failed for {email}: {response.status_code}")
    return sess


# ------------------------------------------------------------------------------------------------------- load
def drive(base: str, endpoint: Endpoint, cookies: Any, *, clients: int, seconds: float, warmup: float) -> Result:
    """``clients`` threads, each with its own session (the signed-in cookies copied), looping for ``seconds``
    after ``warmup`` seconds that are not recorded."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    start_at = time.monotonic() + warmup
    stop_at = start_at + seconds

    def worker(offset: int) -> None:
        sess = requests.Session()
        if cookies is not None:
            sess.cookies.update(cookies)
        sess.headers.update(endpoint.headers)
        n = offset
        mine: list[float] = []
        codes: dict[int, int] = {}
        while True:
            path = endpoint.paths[n % len(endpoint.paths)]
            n += clients
            began = time.monotonic()
            if began >= stop_at:
                break
            try:
                status = sess.get(base + path, timeout=60, allow_redirects=False).status_code
            except requests.RequestException:
                status = 0
            ended = time.monotonic()
            if began >= start_at:
                mine.append(ended - began)
                codes[status] = codes.get(status, 0) + 1
            elif status != 200:  # an error during the warm-up is still an error
                codes[-status] = codes.get(-status, 0) + 1
        with lock:
            latencies.extend(mine)
            for status, count in codes.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = sum(count for status, count in statuses.items() if status != 200)  # negative: seen in warm-up
    return Result(endpoint.name, endpoint.paths[0], len(latencies), errors, seconds, latencies, statuses)


def endpoints(setup: dict[str, Any]) -> list[Endpoint]:
    api = {"Authorization": f"Bearer {setup['token']}", "Accept": "application/json"}
    deep = f"/cpd/?after={setup['cpd_cursor']}" if setup["cpd_cursor"] else "/cpd/"
    return [
        Endpoint("bare /healthz (baseline)", None, ["/healthz"]),
        Endpoint("practitioner dashboard (home)", "practitioner", ["/"]),
        Endpoint("practitioner dashboard (typical national)", "typical", ["/"]),
        Endpoint("CPD list, page 1", "practitioner", ["/cpd/"]),
        Endpoint(f"CPD list, page {CPD_DEEP_PAGE} (keyset)", "practitioner", [deep]),
        Endpoint("supervisor verification queue", "supervisor", ["/casework/verifications"]),
        Endpoint("assessor queue", "assessor", ["/assessments/queue"]),
        Endpoint("employer dashboard (oversight)", "employer", [f"/oversight/organisations/{setup['org_id']}"]),
        Endpoint("public verify page", None, [f"/verify/{code}" for code in setup["codes"]]),
        Endpoint("API accreditation check", None,
                 [f"/api/v1/practitioners/{swe}/accreditation" for swe in setup["swe_numbers"]], api),
    ]


def machine() -> dict[str, str]:
    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "?"

    return {"nproc": run("nproc"), "memory": run("free", "-g").splitlines()[1] if run("free", "-g") else "?",
            "python": platform.python_version(), "platform": platform.platform()}


def report(results: list[Result], args: argparse.Namespace, backend: str) -> str:
    base = results[0].quantile(0.5)
    when = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    lines = [(f"Backend: {backend}; {args.workers} gunicorn workers (sync), {args.clients} client threads, "
              f"{args.duration:.0f} s per endpoint after {args.warmup:.0f} s warm-up; {when}"),
             "",
             "| Endpoint | Requests | Errors | Req/s | p50 ms | p95 ms | p50 / healthz p50 |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        ratio = r.quantile(0.5) / base if base else float("nan")
        lines.append(f"| {r.name} | {r.requests} | {r.errors} | {r.rps:.1f} | {r.quantile(0.5):.1f} | "
                     f"{r.quantile(0.95):.1f} | {ratio:.1f}x |")
    bad = [r for r in results if r.errors]
    if bad:
        lines.append("")
        lines.append("Errors (status: count): " + "; ".join(f"{r.name}: {r.statuses}" for r in bad))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--instance-path", default=os.environ.get("PORTAL_INSTANCE_PATH"))
    parser.add_argument("--duration", type=float, default=15.0, help="seconds measured per endpoint")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds not recorded before each endpoint")
    parser.add_argument("--clients", type=int, default=6, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--seed-if-missing", type=int, default=0, metavar="N",
                        help="create the database and seed N practitioners first when it holds no national data")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    env = server_env(args)
    if args.seed_if_missing:
        ensure_seeded(env, args.seed_if_missing)
    setup = prepare(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    backend = args.database_url.split(":", 1)[0]
    with gunicorn(env, port, args.workers):
        accounts = dict(ACCOUNTS, typical=setup["typical"])
        sessions = {key: sign_in(base, email, env) for key, email in accounts.items()}
        results = []
        for endpoint in endpoints(setup):
            cookies = sessions[endpoint.account].cookies if endpoint.account else None
            result = drive(base, endpoint, cookies, clients=args.clients, seconds=args.duration,
                           warmup=args.warmup)
            print(f"  {endpoint.name:<38} {result.rps:7.1f} req/s  p50 {result.quantile(0.5):7.1f} ms  "
                  f"p95 {result.quantile(0.95):7.1f} ms  errors {result.errors}", file=sys.stderr)
            results.append(result)
    text = report(results, args, backend)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({
            "backend": backend, "machine": machine(), "args": {k: str(v) for k, v in vars(args).items()},
            "results": [{"name": r.name, "path": r.path, "requests": r.requests, "errors": r.errors,
                         "rps": r.rps, "p50_ms": r.quantile(0.5), "p95_ms": r.quantile(0.95),
                         "statuses": r.statuses} for r in results]}, indent=2))
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

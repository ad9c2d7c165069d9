"""Issuing through the service (``certificates_bench.py --through-service``): see that script's docstring."""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class _SignOff:
    """Shaped like the assessment feature's StageSignOff (issuing reads plain attributes)."""

    id: int
    enrolment_id: int
    stage_code: str = "Y1"
    outcome: str = "PASS"
    decided_on: dt.date = dt.date(2026, 9, 14)
    manifest_digest: str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    signatory_roles: list[str] = field(default_factory=lambda: ["Assessor", "Moderator", "Employer admin"])
    is_award: bool = False
    reversed_at: None = None


def _setup(count: int) -> list[int]:
    """A council and ``count`` practitioners enrolled on the five-year ECF (not timed)."""
    from portal.db import session
    from portal.enrolments.models import Enrolment, EnrolmentStatus
    from portal.framework.services import load_builtin, published_versions
    from portal.users.models import Organisation, OrganisationKind, Role, RoleGrant, User, UserStatus

    load_builtin(by=None)
    version = next(v for v in published_versions() if v.code == "ECF-5Y")
    org = Organisation(name="Cyngor Sir Ynys Môn", code="BENCH", kind=OrganisationKind.LOCAL_AUTHORITY)
    session().add(org)
    session().flush()
    ids = []
    for n in range(count):
        user = User(email=f"p{n}@bench.example", name=f"Siân Llŷr {n}", swe_number=f"SW{500000 + n}",
                    status=UserStatus.ACTIVE)
        user.grants.append(RoleGrant(role=Role.PRACTITIONER, organisation_id=org.id))
        session().add(user)
        session().flush()
        enrolment = Enrolment(practitioner_id=user.id, organisation_id=org.id, programme_version_id=version.id,
                              programme_code="ECF-5Y", start_date=dt.date(2025, 9, 1), fte=1,
                              status=EnrolmentStatus.ACTIVE)
        session().add(enrolment)
        session().flush()
        ids.append(enrolment.id)
    session().commit()
    return ids


def bench_service(count: int, database_url: str | None, stats: Callable) -> int:
    folder = tempfile.mkdtemp(prefix="certificates-bench-")
    os.environ["PORTAL_INSTANCE_PATH"] = folder
    os.environ.setdefault("EXTERNAL_URL", "https://portal.example.gov.uk")
    url = database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"

    from sqlalchemy import select

    from portal import create_app
    from portal.config import TestConfig
    from portal.db import session
    from portal.migrations_util import upgrade
    from tests.conftest import reset_database

    reset_database(url)
    upgrade(url)
    config = TestConfig()
    config.DATABASE_URL = url
    app = create_app(config)
    with app.app_context():
        from portal.certificates.issuing import issue_for_sign_off
        from portal.certificates.models import Certificate
        from portal.certificates.services import revoke

        enrolments = _setup(count)
        issue_for_sign_off(_SignOff(id=10**9, enrolment_id=enrolments[0], stage_code="Y2"), by=None)  # warm up
        session().commit()
        times = []
        wall = time.perf_counter()
        for n, enrolment_id in enumerate(enrolments, start=1):
            t0 = time.perf_counter()
            issue_for_sign_off(_SignOff(id=n, enrolment_id=enrolment_id), by=None)
            session().commit()  # one transaction per sign-off, as the listener runs
            times.append(time.perf_counter() - t0)
        wall = time.perf_counter() - wall
        first = session().get(Certificate, 1)
        t0 = time.perf_counter()
        revoke(first, by=None, reason="Bench")
        session().commit()
        t_revoke = time.perf_counter() - t0
        from portal.auth.sessions import COOKIE_KEY, start_session

        sample = []
        for certificate in session().execute(select(Certificate).where(Certificate.id > 2).limit(50)).scalars():
            sample.append((certificate.id, start_session(certificate.practitioner, user_agent="bench",
                                                         ip_address=None)[0]))
        session().commit()
    client = app.test_client()
    downloads = []
    for certificate_id, holder in sample:
        with client.session_transaction() as sess:
            sess[COOKIE_KEY] = holder  # a real server session (the cookie holds only its id)
        t0 = time.perf_counter()
        assert client.get(f"/certificates/{certificate_id}/certificate.pdf").status_code == 200
        downloads.append(time.perf_counter() - t0)

    backend = url.split(":", 1)[0]
    print(f"Certificates bench through the service: {count} sign-offs, {backend}, one process, {os.cpu_count()} CPU(s)")
    print()
    print(f"{'step':<40}{'median ms':>11}{'p95 ms':>9}{'mean ms':>9}")
    for label, values in (("issue_for_sign_off + commit", times), ("PDF download (route, from snapshot)", downloads)):
        median, p95, mean = stats(values)
        print(f"{label:<40}{median * 1000:>11.1f}{p95 * 1000:>9.1f}{mean * 1000:>9.1f}")
    print(f"{'revoke + re-sign both status lists':<40}{t_revoke * 1000:>11.1f} ms ({count} certificates)")
    print()
    print(f"{'certificates issued per minute':<40}{60 * count / wall:>11.0f}   (one process)")
    print(f"{'cohort of 5,000':<40}{5000 * wall / count / 60:>11.1f} min (one process)")
    return 0

"""Certificate issuing speed: PDF render time per certificate, and certificates issued per minute for a cohort.

    .venv/bin/python bench/certificates_bench.py --count 5000      # a whole cohort (a few minutes)
    .venv/bin/python bench/certificates_bench.py --count 200       # a quick look
    .venv/bin/python bench/certificates_bench.py --through-service --count 1000   # the real issuing path

Issues ``--count`` distinct certificates in one process, one core, no database: for each, a snapshot round-trips
through its stored JSON, the PDF is rendered, and the Open Badges credential is built and signed (Ed25519). Status
list work (one re-sign per revoke/suspend, not per certificate) is timed once on a list with a cohort's bits set.
Prints median / 95th percentile / mean per step, the measured rate, and the time for a cohort of 5,000.

``--through-service`` measures the issuing path the sign-off listener takes instead: a migrated database (a
temporary SQLite file, or ``--database-url``), one enrolled practitioner per certificate, and
``issue_for_sign_off`` + commit per sign-off (snapshot, unique code and status-list indexes, signed credential,
event and audit rows); then one revocation (rebuilding and re-signing the status lists over the whole cohort) and
PDF downloads through the route. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from portal.certificates.codes import generate_code
from portal.certificates.credentials import IssuerProfile, issue_credential
from portal.certificates.keys import KeyRing, generate_private_key_pem
from portal.certificates.pdf import render_certificate_pdf
from portal.certificates.snapshot import CertificateSnapshot
from portal.certificates.status_list import (
    BitstringStatusList,
    allocate_index,
    build_status_list_credential,
    sign_status_list,
)

BASE = "https://portal.example.gov.uk"
COHORT = 5000
FIRST = ["Siân", "Ŵyn", "Aled", "Ffion", "Amelia", "Oluwaseun", "Zoë", "Mohammed", "Grace", "Łucja"]
LAST = ["Llŷr", "ap Rhys", "Okonkwo-Smith", "Ní Bhriain", "Thompson", "Khan", "Evans", "Nowak"]
EMPLOYERS = ["Cyngor Sir Ynys Môn / Isle of Anglesey County Council", "Leeds City Council",
             "Achieving for Children", "Royal Borough of Kensington and Chelsea"]


def _snapshots(count: int, seed: int = 2026) -> list[CertificateSnapshot]:
    rng = random.Random(seed)
    used_rev: set[int] = set()
    used_sus: set[int] = set()
    issued = dt.datetime(2026, 9, 15, 10, 30, tzinfo=dt.UTC)
    out = []
    for n in range(count):
        code = generate_code(rng.randrange)
        rev = allocate_index(used_rev, randbelow=rng.randrange)
        sus = allocate_index(used_sus, randbelow=rng.randrange)
        used_rev.add(rev)
        used_sus.add(sus)
        out.append(CertificateSnapshot(
            certificate_code=code,
            holder_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            swe_number=f"SW{100000 + n}",
            award_title="Year 1: Assessed and supported year in employment",
            award_description="Completed the first year of the early career framework.",
            criteria_narrative="Every KSS statement evidenced; assessed, moderated and signed off.",
            template_code="ECF-5Y", template_name="Five-year early career framework", template_version="3",
            employer_name=rng.choice(EMPLOYERS),
            stage_start=dt.date(2025, 9, 1), stage_end=dt.date(2026, 8, 31), decision_date=dt.date(2026, 9, 14),
            decision=rng.choice(["PASS", "PASS_DEV"]),
            signatory_roles=("Assessor", "Moderation panel chair"),
            verify_url=f"{BASE}/verify/{code}",
            submission_sha256=f"{rng.getrandbits(256):064x}",
            issued_at=issued + dt.timedelta(seconds=n),
            subject_id=f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
            identity_salt=f"{rng.getrandbits(128):032x}",
            revocation_list_url=f"{BASE}/credentials/status/revocation", revocation_index=rev,
            suspension_list_url=f"{BASE}/credentials/status/suspension", suspension_index=sus,
            stage_key="year-1",
        ))
    return out


def _stats(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, statistics.fmean(ordered)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="certificates to issue (default 500)")
    parser.add_argument("--through-service", action="store_true",
                        help="issue through the service into a database (see above)")
    parser.add_argument("--database-url", help="with --through-service: an empty database to use (default: a "
                                               "temporary SQLite file); PostgreSQL: it is emptied first")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    if args.through_service:
        from service_bench import bench_service  # type: ignore[import-not-found]

        return bench_service(args.count, args.database_url, _stats)

    keyring = KeyRing(generate_private_key_pem())
    issuer = IssuerProfile(id=f"{BASE}/", name="Expert practitioner pathway")
    snapshots = _snapshots(args.count)
    stored = [s.to_json() for s in snapshots]

    started = time.perf_counter()
    render_certificate_pdf(snapshots[0])  # first call registers and parses the fonts
    warm_up = time.perf_counter() - started

    t_load, t_pdf, t_sign, sizes = [], [], [], []
    wall_start = time.perf_counter()
    for text in stored:
        t0 = time.perf_counter()
        snap = CertificateSnapshot.from_json(text)
        t1 = time.perf_counter()
        pdf = render_certificate_pdf(snap)
        t2 = time.perf_counter()
        issue_credential(snap, issuer, keyring)
        t3 = time.perf_counter()
        t_load.append(t1 - t0)
        t_pdf.append(t2 - t1)
        t_sign.append(t3 - t2)
        sizes.append(len(pdf))
    wall = time.perf_counter() - wall_start

    bits = BitstringStatusList()
    for snap in snapshots:
        bits.set(snap.revocation_index)
    t0 = time.perf_counter()
    token = sign_status_list(build_status_list_credential(
        list_url=f"{BASE}/credentials/status/revocation", purpose="revocation", status_list=bits,
        issuer_id=f"{BASE}/", valid_from=dt.datetime.now(dt.UTC)), keyring)
    t_list = time.perf_counter() - t0

    per_cert = wall / args.count
    rate = 60 / per_cert
    print(f"Certificates bench: {args.count} certificates, one process, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPU(s)")
    print()
    print(f"{'step':<34}{'median ms':>11}{'p95 ms':>9}{'mean ms':>9}")
    for label, values in (("load snapshot from stored JSON", t_load), ("render PDF (one A4 page)", t_pdf),
                          ("build + sign credential (EdDSA)", t_sign),
                          ("total per certificate", [a + b + c for a, b, c in zip(t_load, t_pdf, t_sign)])):
        median, p95, mean = _stats(values)
        print(f"{label:<34}{median * 1000:>11.1f}{p95 * 1000:>9.1f}{mean * 1000:>9.1f}")
    print()
    print(f"{'first render (font loading)':<34}{warm_up * 1000:>11.1f} ms")
    print(f"{'PDF size, median':<34}{statistics.median(sizes) / 1024:>11.1f} KiB")
    print(f"{'status list sign (' + str(len(bits.set_indexes())) + ' bits set)':<34}{t_list * 1000:>11.1f} ms"
          f"   ({len(token) / 1024:.1f} KiB JWS)")
    print()
    print(f"{'measured wall time':<34}{wall:>11.1f} s")
    print(f"{'certificates per minute':<34}{rate:>11.0f}   (one process)")
    print(f"{'cohort of 5,000':<34}{COHORT * per_cert / 60:>11.1f} min (one process); "
          f"~{COHORT * per_cert / 60 / max(1, os.cpu_count() or 1):.1f} min estimated "
          f"across {os.cpu_count()} processes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

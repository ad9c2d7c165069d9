"""Builders for the certificate tests: a realistic snapshot (Welsh name, long employer name) and its constants."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

from portal.certificates.codes import generate_code
from portal.certificates.snapshot import CertificateSnapshot

BASE = "https://portal.example.gov.uk"
REVOCATION_URL = f"{BASE}/credentials/status/revocation"
SUSPENSION_URL = f"{BASE}/credentials/status/suspension"
ISSUED_AT = dt.datetime(2026, 9, 15, 10, 30, tzinfo=dt.UTC)
NOW = ISSUED_AT + dt.timedelta(days=30)
DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def snapshot_fields(seed: int = 7, **overrides: Any) -> dict[str, Any]:
    code = generate_code(random.Random(seed).randrange)
    fields: dict[str, Any] = {
        "certificate_code": code,
        "holder_name": "Siân Llŷr",
        "swe_number": "SW123456",
        "award_title": "Year 1: Assessed and supported year in employment",
        "award_description": "Completed the first year of the early career framework for child and family "
                             "social workers.",
        "criteria_narrative": "Every KSS statement evidenced; assessed, moderated and signed off.",
        "template_code": "ECF-5Y",
        "template_name": "Five-year early career framework",
        "template_version": "3",
        "employer_name": "Cyngor Sir Ynys Môn / Isle of Anglesey County Council",
        "stage_start": dt.date(2025, 9, 1),
        "stage_end": dt.date(2026, 8, 31),
        "decision_date": dt.date(2026, 9, 14),
        "decision": "PASS_DEV",
        "signatory_roles": ("Assessor", "Moderation panel chair", "Principal social worker"),
        "verify_url": f"{BASE}/verify/{code}",
        "submission_sha256": DIGEST,
        "issued_at": ISSUED_AT,
        "subject_id": "urn:uuid:3f1e8c2a-6a43-4d3e-9a4e-2f3c1d0b9a7e",
        "identity_salt": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "revocation_list_url": REVOCATION_URL,
        "revocation_index": 4711,
        "suspension_list_url": SUSPENSION_URL,
        "suspension_index": 90210,
        "stage_key": "year-1",
        "valid_until": ISSUED_AT + dt.timedelta(days=365 * 10),
    }
    fields.update(overrides)
    return fields


def make_snapshot(seed: int = 7, **overrides: Any) -> CertificateSnapshot:
    return CertificateSnapshot(**snapshot_fields(seed, **overrides))


def changed(snapshot: CertificateSnapshot, **changes: Any) -> CertificateSnapshot:
    return dataclasses.replace(snapshot, **changes)

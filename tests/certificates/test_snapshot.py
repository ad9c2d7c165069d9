"""The stored snapshot: canonical, stable JSON that round-trips exactly and refuses what it cannot trust."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from portal.certificates.snapshot import CertificateSnapshot, SnapshotError
from tests.certificates.factories import make_snapshot, snapshot_fields


def test_json_round_trips_exactly(snapshot: CertificateSnapshot) -> None:
    text = snapshot.to_json()
    again = CertificateSnapshot.from_json(text)
    assert again == snapshot
    assert again.to_json() == text
    assert CertificateSnapshot.from_json(text.encode("utf-8")) == snapshot


def test_json_is_canonical(snapshot: CertificateSnapshot) -> None:
    text = snapshot.to_json()
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert "Siân Llŷr" in text  # kept as UTF-8, not \u escapes
    assert data["issued_at"] == "2026-09-15T10:30:00Z"
    assert data["stage_start"] == "2025-09-01"
    assert data["signatory_roles"] == ["Assessor", "Moderation panel chair", "Principal social worker"]
    assert data["schema_version"] == 1
    assert {"revocation_index", "suspension_index", "submission_sha256", "verify_url"} <= set(data)


def test_same_fields_give_the_same_json_whatever_the_input_form() -> None:
    london = dt.timezone(dt.timedelta(hours=1))
    a = make_snapshot(issued_at=dt.datetime(2026, 9, 15, 11, 30, 0, 987654, tzinfo=london),
                      signatory_roles=["Assessor ", "Moderation panel chair", "Principal social worker"])
    b = make_snapshot()
    assert a == b and a.to_json() == b.to_json()


def test_optional_valid_until_round_trips() -> None:
    snap = make_snapshot(valid_until=None)
    assert CertificateSnapshot.from_json(snap.to_json()).valid_until is None


def test_decision_label() -> None:
    assert make_snapshot(decision="PASS").decision_label == "Pass"
    assert make_snapshot(decision="PASS_DEV").decision_label == "Pass with targeted development"


@pytest.mark.parametrize("change,words", [
    ({"decision": "FAIL"}, "decision"),
    ({"submission_sha256": "ABC"}, "submission_sha256"),
    ({"submission_sha256": "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"}, "lowercase"),
    ({"certificate_code": "EPP-7KQ4-MX9D-2X"}, "certificate_code"),
    ({"certificate_code": "epp-c6ep-34wk-5p"}, "canonical"),
    ({"holder_name": "  "}, "holder_name"),
    ({"signatory_roles": ()}, "signatory_roles"),
    ({"stage_end": dt.date(2025, 1, 1)}, "stage_end"),
    ({"issued_at": dt.datetime(2026, 9, 15, 10, 30)}, "timezone-aware"),
    ({"verify_url": "/verify/x"}, "verify_url"),
    ({"revocation_index": -1}, "revocation_index"),
    ({"identity_salt": "xyz"}, "identity_salt"),
    ({"valid_until": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}, "valid_until"),
])
def test_bad_fields_are_refused(change: dict, words: str) -> None:
    with pytest.raises(SnapshotError, match=words):
        CertificateSnapshot(**snapshot_fields(**change))


def test_from_json_refuses_unknown_missing_and_future_versions(snapshot: CertificateSnapshot) -> None:
    data = json.loads(snapshot.to_json())
    with pytest.raises(SnapshotError, match="unknown snapshot fields: extra"):
        CertificateSnapshot.from_dict({**data, "extra": 1})
    with pytest.raises(SnapshotError, match="incomplete"):
        CertificateSnapshot.from_dict({k: v for k, v in data.items() if k != "employer_name"})
    with pytest.raises(SnapshotError, match="schema_version"):
        CertificateSnapshot.from_dict({**data, "schema_version": 2})
    with pytest.raises(SnapshotError, match="not valid JSON"):
        CertificateSnapshot.from_json("{nope")
    with pytest.raises(SnapshotError, match="issued_at"):
        CertificateSnapshot.from_dict({**data, "issued_at": "yesterday"})


def test_snapshot_is_frozen(snapshot: CertificateSnapshot) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.holder_name = "Someone else"  # type: ignore[misc]

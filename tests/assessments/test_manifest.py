"""The seal: canonical JSON, per-item SHA-256, one digest, and verification."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest

from portal.assessments.manifest import (
    MANIFEST_VERSION,
    Manifest,
    ManifestError,
    build_manifest,
    canonical_json,
    compare_manifests,
    verify_manifest,
)

SHA_A = hashlib.sha256(b"observation form.pdf").hexdigest()
SHA_B = hashlib.sha256(b"feedback.docx").hexdigest()


def _items():
    return [
        {"kind": "direct_observation", "id": 12, "seal_version": 1, "occurred_on": "2026-01-14",
         "case_reference": "CP-0042", "text": {"summary": "Home visit with Child A and Parent B — café meeting"},
         "statements": ["KSS1", "KSS6"], "content_changed_at": "2026-01-15T09:30:00+00:00",
         "files": [{"id": 3, "name": "observation form.pdf", "sha256": SHA_A, "size": 20480}]},
        {"kind": "cpd_record", "id": 7, "updated_at": "2026-02-01T10:00:00+00:00", "title": "Court skills",
         "hours": "6.50", "files": [{"id": 9, "name": "feedback.docx", "sha256": SHA_B, "size": 1024}]},
        {"kind": "submission_statement", "id": "S-1", "version": 1, "text": "My year 1 portfolio", "files": []},
    ]


def test_canonical_json_is_sorted_compact_utf8():
    assert canonical_json({"b": 1, "a": [1, 2], "é": "café"}) == '{"a":[1,2],"b":1,"é":"café"}'.encode()
    # Key order and whitespace of the input never matter.
    assert canonical_json(json.loads('{ "b" : 1,\n "a" : [1, 2] }')) == canonical_json({"a": [1, 2], "b": 1})


def test_values_are_converted_once_and_for_all():
    when = dt.datetime(2026, 1, 15, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert canonical_json({"on": dt.date(2026, 1, 15), "at": when, "hours": Decimal("6.50"),
                           "codes": {"KSS6", "KSS1"}, "pair": (1, 2)}) == (
        b'{"at":"2026-01-15T09:30:00+00:00","codes":["KSS1","KSS6"],"hours":"6.50","on":"2026-01-15",'
        b'"pair":[1,2]}')
    for bad in (float("nan"), dt.datetime(2026, 1, 15, 10, 30), b"bytes", object(), {1: "x"}):
        with pytest.raises(ManifestError):
            canonical_json({"value": bad})


def test_build_hashes_each_item_and_the_index():
    manifest = build_manifest(_items())
    assert [entry.key for entry in manifest.entries] == [
        ("cpd_record", 7), ("direct_observation", 12), ("submission_statement", "S-1")]
    for entry in manifest.entries:
        assert entry.sha256 == hashlib.sha256(canonical_json(entry.content)).hexdigest()
    index = {"manifest_version": MANIFEST_VERSION,
             "items": [{"kind": e.kind, "id": e.id, "sha256": e.sha256} for e in manifest.entries]}
    assert manifest.digest == hashlib.sha256(canonical_json(index)).hexdigest()
    assert len(manifest) == 3
    assert manifest.entry("cpd_record", 7).content["title"] == "Court skills"
    with pytest.raises(KeyError):
        manifest.entry("cpd_record", 8)


def test_recomputing_gives_the_same_digest_whatever_the_order():
    first = build_manifest(_items())
    again = build_manifest(list(reversed(copy.deepcopy(_items()))))
    assert again.digest == first.digest
    assert verify_manifest(first)


@pytest.mark.parametrize("change", [
    lambda items: items[0]["text"].update(summary="Home visit with Child A"),
    lambda items: items[0]["statements"].append("KSS7"),
    lambda items: items[0]["files"][0].update(sha256=hashlib.sha256(b"other").hexdigest()),
    lambda items: items[1].update(updated_at="2026-02-02T10:00:00+00:00"),
    lambda items: items[1].update(hours="6.5"),
    lambda items: items.pop(),
    lambda items: items.append({"kind": "cpd_record", "id": 8, "files": []}),
    lambda items: items[2].update(id="S-2"),
])
def test_any_change_changes_the_digest(change):
    items = _items()
    change(items)
    assert build_manifest(items).digest != build_manifest(_items()).digest


def test_editing_the_live_item_leaves_the_sealed_copy_alone():
    items = _items()
    manifest = build_manifest(items)
    items[0]["text"]["summary"] = "edited after submission"
    assert manifest.entry("direct_observation", 12).content["text"]["summary"].startswith("Home visit")
    assert verify_manifest(manifest)


def test_stored_manifest_round_trips_and_verifies():
    manifest = build_manifest(_items())
    stored = json.loads(json.dumps(manifest.to_dict()))
    assert Manifest.from_dict(stored) == manifest
    assert verify_manifest(stored)


@pytest.mark.parametrize("tamper", [
    lambda d: d["items"][0]["content"].update(title="Forged"),
    lambda d: d["items"][0].update(sha256="0" * 64),
    lambda d: d.update(digest="0" * 64),
    lambda d: d["items"].reverse(),
    lambda d: d["items"][0].update(id=99),
    lambda d: d["items"].append(copy.deepcopy(d["items"][0])),
    lambda d: d.update(manifest_version=2),
    lambda d: d.pop("items"),
    lambda d: d["items"][0]["content"]["files"][0].update(sha256="not a hash"),
])
def test_tampering_is_detected(tamper):
    stored = json.loads(json.dumps(build_manifest(_items()).to_dict()))
    tamper(stored)
    assert verify_manifest(stored) is False


@pytest.mark.parametrize(("items", "message"), [
    ([{"id": 1}], "needs a kind"),
    ([{"kind": "cpd_record"}], "needs an id"),
    ([{"kind": "cpd_record", "id": True}], "needs an id"),
    ([{"kind": "cpd_record", "id": 1, "files": [{"sha256": SHA_A.upper()}]}], "no valid SHA-256"),
    ([{"kind": "cpd_record", "id": 1, "files": [{"name": "x"}]}], "no valid SHA-256"),
    ([{"kind": "cpd_record", "id": 1}, {"kind": "cpd_record", "id": 1}], "included twice"),
])
def test_bad_items_are_refused(items, message):
    with pytest.raises(ManifestError, match=message):
        build_manifest(items)


def test_an_empty_manifest_is_still_a_manifest():
    manifest = build_manifest([])
    assert len(manifest) == 0 and verify_manifest(manifest)


def test_compare_versions_after_a_resubmission():
    old = build_manifest(_items())
    items = _items()
    items[0]["text"]["summary"] = "Revised"
    items.pop(1)
    items.append({"kind": "cpd_record", "id": 8, "files": []})
    diff = compare_manifests(old, build_manifest(items))
    assert diff.added == (("cpd_record", 8),)
    assert diff.removed == (("cpd_record", 7),)
    assert diff.changed == (("direct_observation", 12),)
    assert diff.unchanged == (("submission_statement", "S-1"),)
    assert compare_manifests(old, old).is_empty

"""Casework in the pathway's progress (the evidence source, in a constant number of queries), on the
practitioner's dashboard, and the sealed content the assessment manifest will hash."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from portal import clock
from portal.casework.models import CaseworkItem, CaseworkStatement
from portal.casework.queries import casework_evidence, item_digest, items_of_practitioner, seal_item
from portal.db import session, utcnow
from portal.enrolments.queries import evidence_summaries

from ..conftest import parse
from .conftest import fresh


def test_tallies_by_kind_role_and_verification(world, item_builder):
    item_builder(status="verified", role="observer", activity="strategy_discussion",
                 statements=("KSS-CF.5", "KSS-CF.7"))
    item_builder(status="requested", role="lead")
    item_builder("direct_observation", status="verified")
    item_builder("child_family_feedback")
    summary = evidence_summaries([world["enrolment"].id])[world["enrolment"].id]
    tallies = sorted(summary.casework, key=lambda t: (t.kind, t.role or "", t.verified))
    kinds = [(t.kind, t.role, t.activity, t.category, t.verified, t.count) for t in tallies]
    assert ("case_reflection", "observer", "strategy_discussion", "child_protection", True, 1) in kinds
    assert ("case_reflection", "lead", "home_visit", "child_protection", False, 1) in kinds
    assert ("direct_observation", None, "home_visit", None, True, 1) in kinds
    assert ("child_family_feedback", None, None, None, False, 1) in kinds
    coverage = {(t.statement, t.verified): t.count for t in summary.coverage}
    assert coverage[("KSS-CF.5", True)] == 2  # the verified reflection and the verified observation
    assert coverage[("KSS-CF.7", True)] == 1 and coverage[("KSS-CF.5", False)] == 2


def test_verified_observations_count_on_the_dashboard(client, world, sign_in_as, item_builder):
    from portal.enrolments.dashboard import dashboard_for
    from portal.enrolments.models import Enrolment

    item_builder("direct_observation", status="verified", occurred_on=clock.today() - dt.timedelta(days=20))
    item_builder("direct_observation", status="requested", occurred_on=clock.today() - dt.timedelta(days=20))
    dashboard = dashboard_for(session().get(Enrolment, world["enrolment"].id), clock.today())
    observations = dashboard.standing.progress.stage("Y1").requirement("direct-observations")
    assert (observations.done, observations.required) == (1, 3)
    assert observations.awaiting_verification == 1

    sign_in_as(world["practitioner"])
    home = parse(client.get("/"))
    text = home.get_text()
    assert "Your latest casework evidence" in text and "Direct observation – Home visit, Case 14" in text
    assert "A home visit to Child A" not in text


def _bulk(world, n):
    now = utcnow()
    rows = [{"enrolment_id": world["enrolment"].id, "practitioner_id": world["practitioner"].id,
             "kind": "case_reflection", "status": "verified" if i % 2 else "draft",
             "occurred_on": clock.today() - dt.timedelta(days=i % 300), "case_reference": f"Case {i % 999}",
             "category": "child_protection", "activity": "core_group", "practitioner_role": "lead",
             "content": {}, "verified_at": now if i % 2 else None,
             "verified_by_id": world["supervisor"].id if i % 2 else None,
             "content_changed_at": now, "created_at": now} for i in range(n)]
    session().execute(insert(CaseworkItem), rows)
    ids = session().execute(select(CaseworkItem.id)).scalars().all()
    session().execute(insert(CaseworkStatement), [{"item_id": i, "statement_code": "KSS-CF.6"} for i in ids])
    session().commit()


def test_the_evidence_source_runs_two_queries_however_many_items(world, count_statements):
    with count_statements() as empty:
        casework_evidence([world["enrolment"].id])
    _bulk(world, 1000)
    with count_statements() as full:
        parts = casework_evidence([world["enrolment"].id])
    assert empty.count == full.count == 2
    tallies = parts[world["enrolment"].id]
    assert sum(t.count for t in tallies.casework) == 1000
    assert sum(t.count for t in tallies.coverage if t.verified) == 500


def test_the_seal_is_canonical_and_changes_with_the_content(client, world, sign_in_as, item_builder):
    import io

    item = item_builder(status="verified")
    first = seal_item(fresh(item))
    assert seal_item(fresh(item)) == first and item_digest(fresh(item)) == item_digest(fresh(item))
    assert first["text"]["account"].startswith("I visited Child A") and first["statements"] == ["KSS-CF.5"]
    assert first["verification"]["status"] == "verified" and first["files"] == []
    assert len(item_digest(fresh(item))) == 64

    sign_in_as(world["practitioner"])
    day = item.occurred_on
    client.post(f"/casework/items/{item.id}/edit", data={
        "occurred_on": [str(day.day), str(day.month), str(day.year)], "case_reference": "Case 14",
        "category": "child_protection", "activity": "home_visit", "practitioner_role": "co_worker",
        "statements": ["KSS-CF.5"], **first["text"], "files": (io.BytesIO(b"notes\n"), "notes.txt")},
        content_type="multipart/form-data")
    sealed = seal_item(fresh(item))
    import hashlib

    assert sealed["files"][0]["sha256"] == hashlib.sha256(b"notes\n").hexdigest()
    assert sealed["verification"]["status"] == "draft"  # adding a file voided the verification
    assert item_digest(fresh(item)) != hashlib.sha256(b"").hexdigest()


def test_listing_a_practitioners_items_for_a_submission(world, item_builder):
    a = item_builder(status="verified", occurred_on=clock.today() - dt.timedelta(days=30))
    b = item_builder(occurred_on=clock.today() - dt.timedelta(days=2))
    assert [i.id for i in items_of_practitioner(world["practitioner"].id)] == [a.id, b.id]
    from portal.casework.models import VerificationStatus

    verified = items_of_practitioner(world["practitioner"].id, statuses=[VerificationStatus.VERIFIED])
    assert [i.id for i in verified] == [a.id]


def test_statements_are_carried_to_a_new_version_through_a_crosswalk(world, item_builder):
    """An enrolment moving to a version that swaps KSS-CF 2018 for SWE-PS 2019 keeps its evidence counting."""
    from types import SimpleNamespace

    from portal.casework.services import carry_statements
    from portal.enrolments.models import Enrolment
    from portal.framework.loader import builtin_standards

    library = builtin_standards()
    kss, swe = library[("KSS-CF", "2018")], library[("SWE-PS", "2019")]
    item = item_builder(status="verified", statements=("KSS-CF.5", "KSS-CF.7", "SWE-PS.3"))
    enrolment = session().get(Enrolment, world["enrolment"].id)
    assert carry_statements(enrolment, SimpleNamespace(standards=(kss, swe)), SimpleNamespace(standards=(swe,)),
                            None) == 2
    item = fresh(item)
    assert item.statement_codes == ["SWE-PS.1", "SWE-PS.3"] and item.status.value == "verified"
    # unchanged sets: nothing to do
    assert carry_statements(enrolment, SimpleNamespace(standards=(swe,)), SimpleNamespace(standards=(swe,)),
                            None) == 0


@pytest.mark.parametrize("values", [[5, 1], [5.5, 1], ["2026-01-01", "x"], [None, 1], ["2026-13-01", 1]])
def test_a_tampered_list_cursor_starts_again_at_the_first_page(client, world, sign_in_as, item_builder, values):
    """A cursor is opaque, but anyone can edit the URL: a number where the date goes was a 500 (found by fuzzing)."""
    from portal.pagination import encode_cursor

    item = item_builder(occurred_on=clock.today() - dt.timedelta(days=3))
    sign_in_as(world["practitioner"])
    for direction in ("after", "before"):
        response = client.get(f"/casework/enrolments/{world['enrolment'].id}?{direction}={encode_cursor(values)}")
        assert response.status_code == 200
        assert f"/casework/items/{item.id}" in response.get_data(as_text=True)  # the first page, with the item

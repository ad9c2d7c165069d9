"""Supervision records: written by the supervisor, signed and co-signed, stamping the items discussed; an item
added or changed after the supervision says so."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from portal import clock
from portal.casework.models import CaseworkItem, VerificationStatus
from portal.db import session, utcnow
from portal.formatting import govuk_date

from ..conftest import parse
from .conftest import fresh

S = VerificationStatus


def _backdate(item, days):
    moment = utcnow() - dt.timedelta(days=days)
    session().execute(update(CaseworkItem).where(CaseworkItem.id == item.id)
                      .values(created_at=moment, content_changed_at=moment))
    session().commit()


def test_cosigned_supervision_stamps_the_items_discussed(client, world, sign_in_as, item_builder):
    reflection = item_builder()
    _backdate(reflection, 5)
    met_on = clock.today() - dt.timedelta(days=3)
    record = item_builder("supervision_record", occurred_on=met_on, discussed=[reflection.id])
    stamp = f"Discussed in supervision on {govuk_date(met_on)}"

    sign_in_as(world["practitioner"])
    assert stamp not in parse(client.get(f"/casework/enrolments/{world['enrolment'].id}")).get_text()

    # the supervisor signs; the practitioner reads and co-signs
    sign_in_as(world["supervisor"])
    assert client.post(f"/casework/items/{record.id}/request").status_code == 302
    assert fresh(record).status == S.REQUESTED
    sign_in_as(world["practitioner"])
    listing = parse(client.get(f"/casework/enrolments/{world['enrolment'].id}")).get_text()
    assert "waiting for you to co-sign" in listing
    page = parse(client.get(f"/casework/items/{record.id}/verify"))
    assert "Co-sign the supervision record" in page.get_text() and page.select_one("input[name=confirmed]") is None
    assert client.post(f"/casework/items/{record.id}/verify", data={}).status_code == 302
    assert fresh(record).status == S.VERIFIED

    text = parse(client.get(f"/casework/enrolments/{world['enrolment'].id}")).get_text()
    assert stamp in text and "changed after" not in text
    assert stamp in parse(client.get(f"/casework/items/{reflection.id}")).get_text()

    # the practitioner changes the item afterwards: the stamp stays, and says so
    client.post(f"/casework/items/{reflection.id}/edit", data={
        "occurred_on": [str(reflection.occurred_on.day), str(reflection.occurred_on.month),
                        str(reflection.occurred_on.year)],
        "case_reference": "Case 14", "category": "child_protection", "activity": "home_visit",
        "practitioner_role": "co_worker", "statements": ["KSS-CF.5"], "account": "A new account of the visit.",
        "analysis": "x", "reflection": "y"})
    text = parse(client.get(f"/casework/items/{reflection.id}")).get_text()
    assert stamp in text and "(changed after that supervision)" in text


def test_an_item_added_after_the_supervision_says_so(client, world, sign_in_as, item_builder):
    met_on = clock.today() - dt.timedelta(days=3)
    later = item_builder()  # created today, after the meeting
    item_builder("supervision_record", occurred_on=met_on, discussed=[later.id], status="verified")
    sign_in_as(world["practitioner"])
    assert "(added after that supervision)" in parse(client.get(f"/casework/items/{later.id}")).get_text()


def test_practitioner_can_refuse_to_cosign_and_the_supervisor_amends(client, world, sign_in_as, item_builder):
    record = item_builder("supervision_record", status="requested")
    sign_in_as(world["practitioner"])
    assert client.get(f"/casework/items/{record.id}/edit").status_code == 403
    assert client.post(f"/casework/items/{record.id}/decline", data={
        "reason": "The actions are not what we agreed."}).status_code == 302
    assert fresh(record).status == S.DECLINED
    sign_in_as(world["supervisor"])
    assert "not what we agreed" in parse(client.get(f"/casework/items/{record.id}")).get_text()
    assert client.post(f"/casework/items/{record.id}/edit", data={
        "occurred_on": [str(record.occurred_on.day), str(record.occurred_on.month), str(record.occurred_on.year)],
        "agenda": "Caseload and Case 14.", "discussion": "We talked through the safety plan.",
        "actions": "Read the s47 guidance by Friday."}).status_code == 302
    assert fresh(record).status == S.DRAFT and fresh(record).content["actions"].endswith("by Friday.")


def test_editing_a_cosigned_record_removes_its_stamps(client, world, sign_in_as, item_builder):
    reflection = item_builder()
    _backdate(reflection, 5)
    record = item_builder("supervision_record", occurred_on=clock.today() - dt.timedelta(days=3),
                          discussed=[reflection.id], status="verified")
    sign_in_as(world["supervisor"])
    response = client.post(f"/casework/items/{record.id}/edit", data={
        "occurred_on": [str(record.occurred_on.day), str(record.occurred_on.month), str(record.occurred_on.year)],
        "agenda": "Changed agenda.", "discussion": "We talked through the safety plan.", "actions": "",
        "discussed": [str(reflection.id)]}, follow_redirects=True)
    assert "no longer valid" in parse(response).get_text()
    assert fresh(record).status == S.DRAFT
    sign_in_as(world["practitioner"])
    assert "Discussed in supervision" not in parse(client.get(f"/casework/items/{reflection.id}")).get_text()


def test_only_this_practitioners_items_can_be_discussed(app, world, item_builder, make_user):
    import pytest

    from portal.casework import services
    from portal.exceptions import DomainError
    from portal.users.models import User

    record = fresh(item_builder("supervision_record"))
    with pytest.raises(DomainError, match="Select evidence items of this practitioner"):
        services.update_item(record, by=session().get(User, world["supervisor"].id), values={"discussed": [999999]})

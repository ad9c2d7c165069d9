"""Verification: the transition table, requesting, verifying, declining, voiding by an edit, who may do which,
and the supervisor's queue (order, counts, pagination, constant queries)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from portal import clock
from portal.casework.models import CaseworkEvent, CaseworkItem, EventAction, VerificationStatus
from portal.casework.verification import TRANSITIONS, Action, InvalidTransition, move
from portal.db import session, utcnow

from ..conftest import parse
from .conftest import REFLECTION_TEXTS, fresh

S = VerificationStatus


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(Action))
def test_every_move_outside_the_table_raises(app, world, item_builder, status, action):
    from portal.users.models import User

    item = session().get(CaseworkItem, item_builder().id)
    item.status = status
    if status == S.REQUESTED:
        item.requested_at = utcnow()
    if status == S.VERIFIED:
        item.verified_at, item.verified_by_id = utcnow(), world["supervisor"].id
    session().flush()
    supervisor = session().get(User, world["supervisor"].id)
    if (status, action) in TRANSITIONS:
        assert move(item, action, by=supervisor) == status
        assert item.status == TRANSITIONS[(status, action)]
    else:
        with pytest.raises(InvalidTransition):
            move(item, action, by=supervisor)
        assert item.status == status


def test_request_verify_and_the_practitioner_is_told(client, world, sign_in_as, item_builder):
    from portal.mail import OutboxMessage

    item = item_builder()
    sign_in_as(world["practitioner"])
    check = parse(client.get(f"/casework/items/{item.id}/check"))
    assert "Sue Supervisor will be asked to verify it" in check.get_text()
    assert client.post(f"/casework/items/{item.id}/request").status_code == 302
    assert fresh(item).status == S.REQUESTED
    mail = session().execute(select(OutboxMessage).where(OutboxMessage.to_address == world["supervisor"].email)
                             ).scalar_one()
    assert "I visited" not in mail.body_text and f"/casework/items/{item.id}" in mail.body_text

    sign_in_as(world["supervisor"])
    page = parse(client.get(f"/casework/items/{item.id}/verify"))
    assert "I visited Child A" in page.get_text()
    soup = parse(client.post(f"/casework/items/{item.id}/verify", data={"confirmed": ["took_place", "role"]}))
    assert "Confirm each statement" in soup.select_one(".govuk-error-summary").get_text()
    assert fresh(item).status == S.REQUESTED
    response = client.post(f"/casework/items/{item.id}/verify",
                           data={"confirmed": ["took_place", "role", "anonymised"], "comment": "Well evidenced."})
    assert response.status_code == 302
    item = fresh(item)
    assert item.status == S.VERIFIED and item.verified_by_id == world["supervisor"].id
    event = session().execute(select(CaseworkEvent).where(CaseworkEvent.action == EventAction.VERIFIED)).scalar_one()
    assert event.details["confirmed"] == ["anonymised", "role", "took_place"] and event.note == "Well evidenced."
    assert session().execute(select(OutboxMessage).where(
        OutboxMessage.to_address == world["practitioner"].email)).scalar_one().subject.endswith("verified")


def test_decline_needs_a_reason_and_the_practitioner_sees_it(client, world, sign_in_as, item_builder):
    item = item_builder(status="requested")
    sign_in_as(world["supervisor"])
    soup = parse(client.post(f"/casework/items/{item.id}/decline", data={"reason": "  "}))
    assert "Enter the reason" in soup.select_one(".govuk-error-summary").get_text()
    assert client.post(f"/casework/items/{item.id}/decline", data={"reason": "Add who attended."}
                       ).status_code == 302
    assert fresh(item).status == S.DECLINED
    sign_in_as(world["practitioner"])
    text = parse(client.get(f"/casework/items/{item.id}")).get_text()
    assert "declined this item" in text and "Add who attended." in text
    # asked again after a change
    client.post(f"/casework/items/{item.id}/edit", data={**_reflection_data(), "account": "Who attended: Parent B."})
    assert fresh(item).status == S.DRAFT
    assert client.post(f"/casework/items/{item.id}/request").status_code == 302
    assert fresh(item).status == S.REQUESTED


def _reflection_data(**changes):
    day = clock.today() - dt.timedelta(days=10)
    data = {"occurred_on": [str(day.day), str(day.month), str(day.year)], "case_reference": "Case 14",
            "category": "child_protection", "activity": "home_visit", "practitioner_role": "co_worker",
            "statements": ["KSS-CF.5"], **REFLECTION_TEXTS}
    data.update(changes)
    return data


def test_editing_a_verified_item_voids_it_and_says_so(client, world, sign_in_as, item_builder):
    item = item_builder(status="verified")
    sign_in_as(world["practitioner"])
    page = parse(client.get(f"/casework/items/{item.id}/edit"))
    assert "verification will no longer be valid" in page.get_text()
    # saving without a change keeps the verification
    response = client.post(f"/casework/items/{item.id}/edit", data=_reflection_data())
    assert response.status_code == 302 and fresh(item).status == S.VERIFIED
    response = client.post(f"/casework/items/{item.id}/edit",
                           data=_reflection_data(analysis="A different analysis."), follow_redirects=True)
    text = parse(response).get_text()
    assert "verification is no longer valid" in text and "Verification no longer valid" in text
    item = fresh(item)
    assert (item.status, item.verified_at, item.verified_by_id) == (S.DRAFT, None, None) and item.voided_at
    actions = [e.action for e in session().execute(select(CaseworkEvent).where(
        CaseworkEvent.item_id == item.id).order_by(CaseworkEvent.id)).scalars()]
    assert EventAction.VOIDED in actions
    from portal.audit import AuditEvent

    assert session().execute(select(AuditEvent).where(AuditEvent.action == "casework.voided")).scalar_one()


def test_editing_while_requested_withdraws_the_request(client, world, sign_in_as, item_builder):
    item = item_builder(status="requested")
    sign_in_as(world["practitioner"])
    response = client.post(f"/casework/items/{item.id}/edit", data=_reflection_data(reflection="Changed."),
                           follow_redirects=True)
    assert "request for verification was withdrawn" in parse(response).get_text()
    assert fresh(item).status == S.DRAFT and fresh(item).requested_at is None


def test_a_supervisor_can_comment_but_never_edit(client, world, sign_in_as, item_builder):
    item = item_builder(status="requested")
    sign_in_as(world["supervisor"])
    assert client.get(f"/casework/items/{item.id}/edit").status_code == 403
    assert client.post(f"/casework/items/{item.id}/edit", data=_reflection_data(account="Edited")).status_code == 403
    assert client.post(f"/casework/items/{item.id}/findings/redact", data={"field": "account"}).status_code == 403
    assert client.post(f"/casework/items/{item.id}/comments", data={"comment": "Please add the date."}
                       ).status_code == 302
    item = fresh(item)
    assert item.content["account"] == REFLECTION_TEXTS["account"] and item.status == S.REQUESTED
    from portal.casework import services
    from portal.exceptions import DomainError
    from portal.users.models import User

    with pytest.raises(DomainError, match="comment on this item but not change it"):
        services.update_item(item, by=session().get(User, world["supervisor"].id), values={"account": "x"})
    sign_in_as(world["practitioner"])
    assert "Please add the date." in parse(client.get(f"/casework/items/{item.id}")).get_text()


@pytest.mark.parametrize("who", ["practitioner", "other_supervisor", "south_supervisor", "employer_admin",
                                 "programme_admin", "coworker"])
def test_only_the_current_supervisor_can_verify(client, world, sign_in_as, item_builder, who):
    item = item_builder(status="requested")
    sign_in_as(world[who])
    assert client.post(f"/casework/items/{item.id}/verify", data={
        "confirmed": ["took_place", "role", "anonymised"]}).status_code == 403
    assert client.post(f"/casework/items/{item.id}/decline", data={"reason": "No"}).status_code == 403
    assert fresh(item).status == S.REQUESTED


def test_a_former_supervisor_loses_the_item_and_the_new_one_gets_it(client, world, sign_in_as, item_builder):
    from portal.enrolments.models import Enrolment
    from portal.enrolments.services import change_supervisor
    from portal.users.models import User

    item = item_builder(status="requested")
    enrolment = session().get(Enrolment, world["enrolment"].id)
    change_supervisor(enrolment, session().get(User, world["other_supervisor"].id), by=None)
    session().commit()
    sign_in_as(world["supervisor"])
    assert client.get(f"/casework/items/{item.id}").status_code == 403
    assert "Nothing is waiting" in parse(client.get("/casework/verifications")).get_text()
    sign_in_as(world["other_supervisor"])
    assert f"/casework/items/{item.id}" in str(parse(client.get("/casework/verifications")))
    assert client.post(f"/casework/items/{item.id}/verify", data={
        "confirmed": ["took_place", "role", "anonymised"]}).status_code == 302
    assert fresh(item).status == S.VERIFIED


def test_verifying_twice_or_a_draft_is_refused_clearly(client, world, sign_in_as, item_builder):
    draft, verified = item_builder(), item_builder(status="verified")
    sign_in_as(world["supervisor"])
    for item in (draft, verified):
        response = client.post(f"/casework/items/{item.id}/verify",
                               data={"confirmed": ["took_place", "role", "anonymised"]}, follow_redirects=True)
        assert "nothing to verify" in parse(response).get_text()
    assert fresh(draft).status == S.DRAFT


def test_incomplete_items_cannot_be_sent(client, world, sign_in_as, item_builder):
    observation = item_builder("direct_observation", reflect=False)
    sign_in_as(world["practitioner"])
    response = client.post(f"/casework/items/{observation.id}/request", follow_redirects=True)
    assert "Add your reflection" in parse(response).get_text()
    assert fresh(observation).status == S.DRAFT


def test_a_practitioner_without_a_supervisor_is_told(client, world, sign_in_as, item_builder):
    from portal.enrolments.models import Enrolment
    from portal.enrolments.services import change_supervisor

    item = item_builder()
    change_supervisor(session().get(Enrolment, world["enrolment"].id), None, by=None)
    session().commit()
    sign_in_as(world["practitioner"])
    response = client.post(f"/casework/items/{item.id}/request", follow_redirects=True)
    assert "do not have a practice supervisor" in parse(response).get_text()
    assert fresh(item).status == S.DRAFT


def test_withdrawing_a_request(client, world, sign_in_as, item_builder):
    item = item_builder(status="requested")
    sign_in_as(world["practitioner"])
    assert client.post(f"/casework/items/{item.id}/withdraw").status_code == 302
    assert fresh(item).status == S.DRAFT


# --------------------------------------------------------------------------------------------------- the queue
def _bulk_requested(world, n, *, start=None):
    """Insert n requested items directly (fast), requested a minute apart, oldest first."""
    start = start or utcnow() - dt.timedelta(days=30)
    rows = [{"enrolment_id": world["enrolment"].id, "practitioner_id": world["practitioner"].id,
             "kind": "professional_feedback" if i % 3 == 0 else "case_reflection", "status": "requested",
             "occurred_on": clock.today() - dt.timedelta(days=40), "case_reference": f"Case {i % 999}",
             "category": "child_in_need", "activity": "home_visit", "practitioner_role": "lead",
             "content": {"account": "A", "analysis": "B", "reflection": "C"},
             "requested_at": start + dt.timedelta(minutes=i), "content_changed_at": start,
             "created_at": start} for i in range(n)]
    session().execute(insert(CaseworkItem), rows)
    session().commit()


def test_queue_is_oldest_first_with_counts_and_pages(client, world, sign_in_as, item_builder):
    _bulk_requested(world, 30)
    item_builder(status="draft")
    item_builder(status="verified")
    sign_in_as(world["supervisor"])
    soup = parse(client.get("/casework/verifications"))
    assert "30 items waiting" in soup.select_one("#queue-total").get_text()
    counts = soup.select_one("#queue-counts").get_text()
    assert "Case reflection: 20" in counts and "Feedback from a professional: 10" in counts
    seen = []
    url = "/casework/verifications"
    while url:
        soup = parse(client.get(url))
        seen += [int(a["href"].rsplit("/", 1)[1]) for a in soup.select("tbody a")]
        nxt = soup.select_one(".govuk-pagination__next a")
        url = nxt["href"] if nxt else None
    requested = session().execute(select(CaseworkItem.id).where(CaseworkItem.status == S.REQUESTED)
                                  .order_by(CaseworkItem.requested_at)).scalars().all()
    assert seen == list(requested) and len(seen) == 30


def test_queue_statements_do_not_grow_with_the_queue(client, world, sign_in_as, count_statements, make_user):
    sign_in_as(world["supervisor"])
    _bulk_requested(world, 10)
    with count_statements() as small:
        assert client.get("/casework/verifications").status_code == 200
    _bulk_requested(world, 990, start=utcnow() - dt.timedelta(days=60))
    with count_statements() as big:
        soup = parse(client.get("/casework/verifications"))
    assert "1000 items waiting" in soup.get_text()
    assert small.count == big.count, (small.statements, big.statements)


def test_only_supervisors_have_a_queue(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    assert client.get("/casework/verifications").status_code == 403

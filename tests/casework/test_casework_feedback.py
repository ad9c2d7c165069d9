"""Feedback from people without an account: the single-use, 14-day link, the respondent's form, and every way a
link can fail (used, expired, tampered, another purpose, withdrawn)."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from portal.casework.models import CaseworkItem, CaseworkKind, FeedbackRequest, VerificationStatus
from portal.db import session
from portal.mail import OutboxMessage

from ..conftest import parse

EMAIL = "health.visitor@nhs.example"


def _send(client, world, kind="professional_feedback", email=EMAIL):
    response = client.post(f"/casework/enrolments/{world['enrolment'].id}/feedback/request", data={
        "kind": kind, "email": email, "respondent_description": "Health visitor", "case_reference": "Case 7"})
    assert response.status_code == 302, parse(response).select_one(".govuk-error-summary")
    message = session().execute(select(OutboxMessage).where(OutboxMessage.to_address == email)
                                .order_by(OutboxMessage.id.desc())).scalars().first()
    return re.search(r"https?://\S+/feedback/(\S+)", message.body_text).group(1), message


def test_practitioner_sends_a_link_and_the_respondent_answers_without_signing_in(app, client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    token, message = _send(client, world)
    assert "Pat Practitioner" in message.subject and "works once" in message.body_text
    request = session().execute(select(FeedbackRequest)).scalar_one()
    assert request.expires_at - request.created_at == dt.timedelta(days=14)
    assert EMAIL not in str([getattr(request, c.key) for c in FeedbackRequest.__table__.columns])
    listing = client.get(f"/casework/enrolments/{world['enrolment'].id}").get_data(as_text=True)
    assert "Health visitor" in listing and EMAIL not in listing

    anonymous = app.test_client()
    form = parse(anonymous.get(f"/feedback/{token}"))
    assert "Give feedback to Pat Practitioner" in form.h1.get_text()
    soup = parse(anonymous.post(f"/feedback/{token}", data={"respondent": "Health visitor", "went_well": ""}))
    assert "Enter what the social worker did well" in soup.select_one(".govuk-error-summary").get_text()
    response = anonymous.post(f"/feedback/{token}", data={
        "respondent": "Health visitor", "went_well": "Clear plans, shared promptly.", "even_better": "More notice."})
    assert response.status_code == 200 and "Feedback sent" in parse(response).get_text()
    item = session().execute(select(CaseworkItem)).scalar_one()
    assert (item.kind, item.status, item.case_reference) == (CaseworkKind.PROFESSIONAL_FEEDBACK,
                                                            VerificationStatus.DRAFT, "Case 7")
    assert item.content["went_well"] == "Clear plans, shared promptly." and item.content["source"] == "link"
    told = session().execute(select(OutboxMessage).where(OutboxMessage.to_address == world["practitioner"].email)
                             ).scalar_one()
    assert "Clear plans" not in told.body_text

    # the practitioner reflects, maps it and sends it; the respondent's words are not theirs to rewrite
    page = parse(client.get(f"/casework/items/{item.id}"))
    assert "Health visitor" in page.get_text() and EMAIL not in page.get_text()
    response = client.post(f"/casework/items/{item.id}/edit", data={
        "reflection": "Sharing plans early helps partners.", "statements": ["KSS-CF.10"], "went_well": "Rewritten"})
    assert response.status_code == 302
    item = session().get(CaseworkItem, item.id, populate_existing=True)
    assert item.content["went_well"] == "Clear plans, shared promptly." and item.statement_codes == ["KSS-CF.10"]


def test_a_link_works_once(app, client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    token, _ = _send(client, world)
    anonymous = app.test_client()
    data = {"respondent": "School nurse", "went_well": "Good.", "even_better": ""}
    assert anonymous.post(f"/feedback/{token}", data=data).status_code == 200
    for method in ("get", "post"):
        response = getattr(anonymous, method)(f"/feedback/{token}", data=data)
        assert response.status_code == 410
        assert "already been used" in parse(response).select_one("#link-problem").get_text()
    assert len(session().execute(select(CaseworkItem)).scalars().all()) == 1


def test_an_expired_link_is_refused(app, client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    token, _ = _send(client, world)
    request = session().execute(select(FeedbackRequest)).scalar_one()
    request.expires_at = request.created_at + dt.timedelta(days=14) - dt.timedelta(days=15)
    session().commit()
    response = app.test_client().post(f"/feedback/{token}", data={"respondent": "X", "went_well": "Y"})
    assert response.status_code == 410 and "expired" in parse(response).select_one("#link-problem").get_text()
    assert session().execute(select(CaseworkItem)).first() is None


def test_tampered_guessed_and_wrong_purpose_links_are_refused(app, client, world, sign_in_as):
    from portal.auth.models import TokenPurpose
    from portal.auth.tokens import issue_token
    from portal.users.models import User

    sign_in_as(world["practitioner"])
    token, _ = _send(client, world)
    anonymous = app.test_client()
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    invitation = issue_token(session().get(User, world["coworker"].id), TokenPurpose.INVITATION,
                             lifetime=dt.timedelta(days=1), by=None).signed
    session().commit()
    from flask import current_app
    from itsdangerous import URLSafeSerializer

    request = session().execute(select(FeedbackRequest)).scalar_one()
    guessed_nonce = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="casework-feedback").dumps(
        {"i": request.id, "n": "guess"})
    for bad in (tampered, invitation, "not-a-token", guessed_nonce):
        response = anonymous.get(f"/feedback/{bad}")
        assert response.status_code == 404, bad
        assert "not right" in parse(response).select_one("#link-problem").get_text()
    assert anonymous.get(f"/feedback/{token}").status_code == 200  # the real one still works


def test_a_withdrawn_link_stops_working(app, client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    token, _ = _send(client, world, kind="child_family_feedback", email="parent@example.org")
    request_id = session().execute(select(FeedbackRequest.id)).scalar_one()
    sign_in_as(world["supervisor"])
    assert client.post(f"/casework/feedback-links/{request_id}/withdraw").status_code == 403
    sign_in_as(world["practitioner"])
    assert client.post(f"/casework/feedback-links/{request_id}/withdraw").status_code == 302
    response = app.test_client().get(f"/feedback/{token}")
    assert response.status_code == 410 and "withdrew" in parse(response).get_text()


def test_family_form_asks_who_they_are(app, client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    token, message = _send(client, world, kind="child_family_feedback", email="parent@example.org")
    assert "with you or your family" in message.body_text
    anonymous = app.test_client()
    assert "Who are you?" in parse(anonymous.get(f"/feedback/{token}")).get_text()
    assert anonymous.post(f"/feedback/{token}", data={"respondent": "A parent or carer",
                                                      "went_well": "She explained things."}).status_code == 200
    assert session().execute(select(CaseworkItem.kind)).scalar_one() == CaseworkKind.CHILD_FAMILY_FEEDBACK


def test_bad_requests_are_refused(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    url = f"/casework/enrolments/{world['enrolment'].id}/feedback/request"
    for data, message in (
            ({"kind": "professional_feedback", "email": "not-an-email", "respondent_description": "HV",
              "case_reference": "Case 7"}, "correct format"),
            ({"kind": "professional_feedback", "email": world["practitioner"].email, "respondent_description": "HV",
              "case_reference": "Case 7"}, "not your own"),
            ({"kind": "professional_feedback", "email": EMAIL, "respondent_description": "HV",
              "case_reference": "ABC-2024-987654"}, "real case reference"),
            ({"kind": "case_reflection", "email": EMAIL, "respondent_description": "HV",
              "case_reference": "Case 7"}, "Not a valid choice")):
        soup = parse(client.post(url, data=data))
        assert message in soup.select_one(".govuk-error-summary").get_text(), message
    assert session().execute(select(FeedbackRequest)).first() is None
    sign_in_as(world["supervisor"])
    assert client.get(url).status_code == 403

"""The anonymisation guard wired into casework: findings shown in context, redacted or confirmed one by one
(confirmations audited by fingerprint), and verification refused until none is left. (The scanner's own recall
and false-alarm figures are measured in test_anonymisation.py.)"""
from __future__ import annotations

from sqlalchemy import select

from portal.audit import AuditEvent
from portal.casework.guard import guard_passes, unresolved_findings
from portal.casework.models import ConfirmedFinding, VerificationStatus
from portal.db import session

from ..conftest import parse
from .conftest import fresh

IDENTIFYING = {
    "account": "I visited Jayden Smith at home in LS1 4AB with his mum. Her phone is 07700 900123.",
    "analysis": "Jayden was calm. Dr Patel from the health visiting team was supportive.",
    "reflection": "I will plan the next visit with the family.",
}


def _finding(item, text):
    return next(f for f in unresolved_findings(fresh(item)) if f.finding.text == text)


def test_the_guard_blocks_verification_until_every_finding_is_resolved(client, world, sign_in_as, item_builder):
    item = item_builder(texts=IDENTIFYING)
    assert not guard_passes(fresh(item))
    sign_in_as(world["practitioner"])

    page = parse(client.get(f"/casework/items/{item.id}/check"))
    cards = page.select(".govuk-summary-card")
    assert len(cards) == 5
    text = page.get_text()
    assert "Personal name in ‘What happened’" in text and "Postcode" in text and "Phone number" in text
    assert "I visited Jayden Smith at home in LS1 4AB" in text  # shown in context
    assert "Replace with ‘[postcode]’" in text
    assert page.select_one("form[action$='/request']") is None

    response = client.post(f"/casework/items/{item.id}/request", follow_redirects=True)
    assert "Check the 5 possible identifying details" in parse(response).get_text()
    assert fresh(item).status == VerificationStatus.DRAFT

    # redact: the suggestion replaces every occurrence in that field
    name = _finding(item, "Jayden Smith")
    assert client.post(f"/casework/items/{item.id}/findings/redact",
                       data={"field": "account", "fingerprint": name.fingerprint}).status_code == 302
    assert fresh(item).content["account"].startswith(f"I visited {name.finding.suggestion} at home")

    # confirm: a professional's name is not identifying; kept by fingerprint and audited without the text
    doctor = _finding(item, "Dr Patel")
    assert client.post(f"/casework/items/{item.id}/findings/confirm",
                       data={"fingerprint": doctor.fingerprint}).status_code == 302
    row = session().execute(select(ConfirmedFinding)).scalar_one()
    assert (row.fingerprint, row.kind, row.confirmed_by_id) == (doctor.fingerprint, "PERSON_NAME",
                                                                world["practitioner"].id)
    event = session().execute(select(AuditEvent).where(AuditEvent.action == "casework.finding_confirmed")
                              ).scalar_one()
    assert event.details["fingerprint"] == doctor.fingerprint and "Patel" not in str(event.details)
    assert "Dr Patel" in fresh(item).content["analysis"]  # confirming changes nothing in the text

    still = [f.finding.text for f in unresolved_findings(fresh(item))]
    assert still == ["LS1 4AB", "07700 900123", "Jayden"]
    assert client.post(f"/casework/items/{item.id}/request").status_code == 302
    assert fresh(item).status == VerificationStatus.DRAFT

    for f in unresolved_findings(fresh(item)):
        client.post(f"/casework/items/{item.id}/findings/redact", data={"field": f.field,
                                                                         "fingerprint": f.fingerprint})
    assert guard_passes(fresh(item))
    page = parse(client.get(f"/casework/items/{item.id}/check"))
    assert "found nothing" in page.get_text() and page.select_one("form[action$='/request']")
    assert client.post(f"/casework/items/{item.id}/request").status_code == 302
    assert fresh(item).status == VerificationStatus.REQUESTED
    content = fresh(item).content
    assert "LS1 4AB" not in content["account"] and "07700" not in content["account"]
    assert "Jayden" not in content["account"] + content["analysis"]


def test_a_confirmation_survives_later_edits(client, world, sign_in_as, item_builder):
    item = item_builder(texts={**IDENTIFYING, "account": "A visit with Child A.", "analysis": "Dr Patel helped."})
    sign_in_as(world["practitioner"])
    doctor = _finding(item, "Dr Patel")
    client.post(f"/casework/items/{item.id}/findings/confirm", data={"fingerprint": doctor.fingerprint})
    from portal.casework import services
    from portal.users.models import User

    services.update_item(fresh(item), by=session().get(User, world["practitioner"].id),
                         values={"analysis": "Dr Patel helped again, and so did Dr Patel's team."})
    session().commit()
    assert guard_passes(fresh(item))


def test_a_stale_finding_is_refused_with_a_clear_message(client, world, sign_in_as, item_builder):
    item = item_builder(texts=IDENTIFYING)
    sign_in_as(world["practitioner"])
    response = client.post(f"/casework/items/{item.id}/findings/redact",
                           data={"field": "account", "fingerprint": "0" * 32}, follow_redirects=True)
    assert "no longer applies" in parse(response).get_text()
    assert fresh(item).content == {**IDENTIFYING}


def test_the_practitioner_redacts_a_respondents_words(app, client, world, sign_in_as):
    import re

    from portal.mail import OutboxMessage

    sign_in_as(world["practitioner"])
    client.post(f"/casework/enrolments/{world['enrolment'].id}/feedback/request", data={
        "kind": "child_family_feedback", "email": "parent@example.org", "respondent_description": "Parent B",
        "case_reference": "Case 2"})
    body = session().execute(select(OutboxMessage.body_text)).scalars().first()
    token = re.search(r"/feedback/(\S+)", body).group(1)
    app.test_client().post(f"/feedback/{token}", data={
        "respondent": "A parent or carer", "went_well": "She helped Jayden Smith settle at Oakfield Primary School."})
    from portal.casework.models import CaseworkItem

    item = session().execute(select(CaseworkItem)).scalar_one()
    findings = unresolved_findings(item)
    assert {f.finding.kind.value for f in findings} >= {"PERSON_NAME", "SCHOOL"}
    for f in findings:
        assert client.post(f"/casework/items/{item.id}/findings/redact",
                           data={"field": f.field, "fingerprint": f.fingerprint}).status_code == 302
    assert guard_passes(fresh(item))
    assert "Jayden" not in fresh(item).content["went_well"]


def test_only_the_requester_resolves_findings(client, world, sign_in_as, item_builder):
    item = item_builder(texts=IDENTIFYING)
    doctor = _finding(item, "Dr Patel")
    for who in ("supervisor", "employer_admin", "coworker"):
        sign_in_as(world[who])
        assert client.get(f"/casework/items/{item.id}/check").status_code == 403
        assert client.post(f"/casework/items/{item.id}/findings/confirm",
                           data={"fingerprint": doctor.fingerprint}).status_code == 403
    assert session().execute(select(ConfirmedFinding)).first() is None

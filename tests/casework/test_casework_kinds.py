"""Every kind of casework evidence, through its pages, and the bad input each one refuses."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal import clock
from portal.casework.models import CaseworkItem, CaseworkKind, VerificationStatus
from portal.db import session

from ..conftest import parse
from .conftest import REFLECTION_TEXTS, fresh


def yesterday() -> dt.date:
    return clock.today() - dt.timedelta(days=1)


def _date(prefix: str, day: dt.date) -> list[tuple[str, str]]:
    return [(prefix, str(day.day)), (prefix, str(day.month)), (prefix, str(day.year))]


def reflection_form(**changes):
    data = [*_date("occurred_on", yesterday()), ("case_reference", "Case 14"), ("category", "child_protection"),
            ("activity", "strategy_discussion"), ("practitioner_role", "observer"), ("statements", "KSS-CF.5"),
            ("statements", "KSS-CF.7"), *REFLECTION_TEXTS.items()]
    for key, value in changes.items():
        data = [(k, v) for k, v in data if k != key]
        if value is not None:
            data += [(key, v) for v in (value if isinstance(value, list) else [value])]
    return MultiDict(data)


def _count() -> int:
    return session().execute(select(func.count(CaseworkItem.id))).scalar_one()


def test_practitioner_adds_a_case_reflection(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    enrolment = world["enrolment"]
    page = parse(client.get(f"/casework/enrolments/{enrolment.id}/reflections/new"))
    assert page.h1.get_text(strip=True) == "Add a case reflection"
    response = client.post(f"/casework/enrolments/{enrolment.id}/reflections/new", data=reflection_form())
    assert response.status_code == 302, parse(response).select_one(".govuk-error-summary")
    item = session().execute(select(CaseworkItem)).scalar_one()
    assert (item.kind, item.status, item.case_reference) == (CaseworkKind.CASE_REFLECTION, VerificationStatus.DRAFT,
                                                            "Case 14")
    assert (item.category, item.activity, item.practitioner_role) == ("child_protection", "strategy_discussion",
                                                                      "observer")
    assert item.statement_codes == ["KSS-CF.5", "KSS-CF.7"] and item.occurred_on == yesterday()
    text = parse(client.get(response.headers["Location"])).get_text()
    assert "I visited Child A" in text and "KSS-CF.5" in text and "Draft" in text


@pytest.mark.parametrize("changes, message", [
    ({"account": ""}, "Enter what happened"),
    ({"account": "   "}, "Enter what happened"),
    ({"occurred_on": [str((clock.today() + dt.timedelta(days=1)).day),
                      str((clock.today() + dt.timedelta(days=1)).month),
                      str((clock.today() + dt.timedelta(days=1)).year)]}, "must be today or in the past"),
    ({"occurred_on": ["31", "2", "2026"]}, "must be a real date"),
    ({"occurred_on": ["3", "", "2026"]}, "must include a month"),
    ({"occurred_on": None}, "Enter the date of the activity"),
    ({"case_reference": "CS-2024-001234"}, "looks like a real case reference"),
    ({"case_reference": "Case 1234567"}, "looks like a real case reference"),
    ({"case_reference": "Jayden Smith"}, "like Case 14"),
    ({"case_reference": ""}, "Enter a case reference"),
    ({"practitioner_role": "boss"}, "Not a valid choice"),
    ({"activity": ""}, "Select the activity"),
    ({"statements": "KSS-CF.99"}, "is not a standard of this programme"),
])
def test_bad_reflections_are_refused_and_nothing_is_saved(client, world, sign_in_as, changes, message):
    sign_in_as(world["practitioner"])
    response = client.post(f"/casework/enrolments/{world['enrolment'].id}/reflections/new",
                           data=reflection_form(**changes))
    soup = parse(response)
    assert response.status_code == 200 and soup.title.get_text().startswith("Error: ")
    assert message in soup.select_one(".govuk-error-summary").get_text()
    assert _count() == 0


@pytest.mark.parametrize("reference, ok", [("Case 14", True), ("case a", True), ("Family B", True),
                                           ("Case 14b", True), ("Case 123456", False), ("LCS 1234567", False),
                                           ("Mosaic 44123", False), ("SW1 1AA", False), ("Child Jayden", False)])
def test_case_reference_rules(app, reference, ok):
    from portal.casework.kinds import check_case_reference
    from portal.exceptions import DomainError

    if ok:
        assert check_case_reference(reference)[0].isupper()
    else:
        with pytest.raises(DomainError):
            check_case_reference(reference)


def test_supervisor_records_a_direct_observation_and_the_practitioner_reflects(client, world, sign_in_as):
    from portal.mail import OutboxMessage

    sign_in_as(world["supervisor"])
    enrolment = world["enrolment"]
    response = client.post(f"/casework/enrolments/{enrolment.id}/observations/new", data=MultiDict([
        *_date("occurred_on", yesterday()), ("case_reference", "Case 3"), ("activity", "home_visit"),
        ("observed", "A home visit to Child A and Parent B."), ("strengths", "Clear, warm explanation."),
        ("development", "Check understanding at the end."), ("statements", "KSS-CF.1")]))
    assert response.status_code == 302
    item = session().execute(select(CaseworkItem)).scalar_one()
    assert item.kind == CaseworkKind.DIRECT_OBSERVATION and item.observer_id == world["supervisor"].id
    assert item.content["reflection"] == ""
    told = session().execute(select(OutboxMessage).where(OutboxMessage.to_address == world["practitioner"].email)
                             ).scalar_one()
    assert "direct observation" in told.subject and "Child A" not in told.body_text

    sign_in_as(world["practitioner"])
    page = parse(client.get(f"/casework/items/{item.id}/edit"))
    assert page.h1.get_text(strip=True) == "Add your reflection"
    assert page.select_one("textarea[name=observed]") is None  # the observer's words are not the practitioner's
    response = client.post(f"/casework/items/{item.id}/edit", data={"reflection": "I will check understanding.",
                                                                    "observed": "tampered"})
    assert response.status_code == 302
    item = fresh(item)
    assert item.content["reflection"] == "I will check understanding."
    assert item.content["observed"] == "A home visit to Child A and Parent B."


def test_a_registered_coworker_can_observe(client, world, sign_in_as):
    sign_in_as(world["coworker"])
    chooser = parse(client.get("/casework/observations/new"))
    assert "Pat Practitioner" in chooser.get_text()
    response = client.get(f"/casework/observations/new?enrolment={world['enrolment'].id}")
    assert response.status_code == 302 and "/observations/new" in response.headers["Location"]
    response = client.post(f"/casework/enrolments/{world['enrolment'].id}/observations/new", data=MultiDict([
        *_date("occurred_on", yesterday()), ("case_reference", "Case 3"), ("observed", "A core group."),
        ("strengths", "Good chairing."), ("development", "Time keeping."), ("statements", "KSS-CF.7")]))
    assert response.status_code == 302
    assert session().execute(select(CaseworkItem.observer_id)).scalar_one() == world["coworker"].id


def test_an_observer_without_a_registration_number_is_refused(client, world, sign_in_as):
    sign_in_as(world["unregistered"])
    page = parse(client.get(f"/casework/enrolments/{world['enrolment'].id}/observations/new"))
    assert "registered social worker" in page.get_text() and page.select_one("main form[method=post]") is None
    response = client.post(f"/casework/enrolments/{world['enrolment'].id}/observations/new", data=MultiDict([
        *_date("occurred_on", yesterday()), ("case_reference", "Case 3"), ("observed", "x"), ("strengths", "x"),
        ("development", "x"), ("statements", "KSS-CF.7")]))
    assert response.status_code == 200 and "registered social worker" in parse(response).get_text()
    assert _count() == 0


def test_observers_from_another_organisation_and_the_practitioner_cannot_observe(client, world, sign_in_as):
    url = f"/casework/enrolments/{world['enrolment'].id}/observations/new"
    for who in ("south_supervisor", "practitioner", "employer_admin"):
        sign_in_as(world[who])
        assert client.get(url).status_code == 403, who


def test_practitioner_records_family_feedback_in_person(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    response = client.post(f"/casework/enrolments/{world['enrolment'].id}/feedback/record", data=MultiDict([
        *_date("occurred_on", yesterday()), ("case_reference", "Case 9"), ("respondent", "The child or young person"),
        ("went_well", "You came when you said you would."), ("even_better", ""), ("statements", "KSS-CF.1")]))
    assert response.status_code == 302
    item = session().execute(select(CaseworkItem)).scalar_one()
    assert item.kind == CaseworkKind.CHILD_FAMILY_FEEDBACK and item.content["source"] == "practitioner"


def test_supervisor_records_supervision(client, world, sign_in_as, item_builder):
    reflection = item_builder()
    sign_in_as(world["supervisor"])
    response = client.post(f"/casework/enrolments/{world['enrolment'].id}/supervision/new", data=MultiDict([
        *_date("occurred_on", yesterday()), ("agenda", "Case 14 and wellbeing."), ("discussion", "The plan."),
        ("actions", "Read the s47 guidance."), ("discussed", str(reflection.id))]))
    assert response.status_code == 302
    record = session().execute(select(CaseworkItem).where(
        CaseworkItem.kind == CaseworkKind.SUPERVISION_RECORD)).scalar_one()
    from portal.casework.services import discussed_ids

    assert discussed_ids(record) == [reflection.id] and record.case_reference is None


def test_practitioner_cannot_write_supervision_records(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    assert client.get(f"/casework/enrolments/{world['enrolment'].id}/supervision/new").status_code == 403


def test_files_are_attached_and_downloadable_by_the_supervisor_only(client, world, sign_in_as, item_builder):
    import io

    item = item_builder()
    sign_in_as(world["practitioner"])
    response = client.post(f"/casework/items/{item.id}/edit", data={
        **reflection_form().to_dict(flat=False), "statements": ["KSS-CF.5"],
        "files": (io.BytesIO(b"Plain notes with no names.\n"), "notes.txt")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    from portal.evidence.services import files_for

    files = files_for("CaseworkItem", [item.id])[item.id]
    assert [f.original_name for f in files] == ["notes.txt"]
    assert client.get(f"/files/{files[0].id}").status_code == 200
    sign_in_as(world["supervisor"])
    assert client.get(f"/files/{files[0].id}").status_code == 200
    for who in ("employer_admin", "other_supervisor", "assessor"):
        sign_in_as(world[who])
        assert client.get(f"/files/{files[0].id}").status_code == 403, who


def test_deleting_a_draft(client, world, sign_in_as, item_builder):
    item = item_builder()
    sign_in_as(world["supervisor"])
    assert client.post(f"/casework/items/{item.id}/delete").status_code == 403
    sign_in_as(world["practitioner"])
    assert client.post(f"/casework/items/{item.id}/delete").status_code == 302
    assert _count() == 0
    verified = item_builder(status="verified")
    assert client.post(f"/casework/items/{verified.id}/delete").status_code == 403

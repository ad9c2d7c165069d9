"""Enrolling someone and changing the clock: the rules, through the pages, with nothing changed on a refusal."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.db import session
from portal.enrolments.models import (
    EmploymentPeriod,
    Enrolment,
    EnrolmentExtension,
    EnrolmentPause,
    EnrolmentStatus,
    SupervisorAllocation,
)
from portal.enrolments.services import london_today
from portal.exceptions import DomainError
from tests.conftest import parse, reload


def enrolment_count() -> int:
    return session().execute(select(func.count(Enrolment.id))).scalar_one()


def form_data(world, **changes):
    today = london_today()
    data = {"practitioner": str(world["prac"].id), "programme_version": str(world["programmes"]["ECF-5Y"].id),
            "start_date": [str(today.day), str(today.month), str(today.year)], "fte": "0.6",
            "supervisor": str(world["sup"].id)}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_employer_admin_enrols_a_practitioner(client, world, sign_in_as):
    sign_in_as(world["north_admin"])
    soup = parse(client.get("/enrolments/new"))
    assert soup.h1.get_text() == "Enrol a practitioner"
    options = [o.get_text() for o in soup.select("select[name=practitioner] option")]
    assert any("Pat Practitioner" in o for o in options) and not any("Sam South" in o for o in options)
    checked = soup.select_one("input[name=programme_version][checked]")
    assert checked["value"] == str(world["programmes"]["ECF-5Y"].id)  # the five-year ECF by default
    response = client.post("/enrolments/new", data=form_data(world))
    assert response.status_code == 302, parse(response).select_one(".govuk-error-summary")
    enrolment = session().execute(select(Enrolment)).scalar_one()
    assert (enrolment.practitioner_id, enrolment.organisation_id, enrolment.supervisor_id) == (
        world["prac"].id, world["north"].id, world["sup"].id)
    assert str(enrolment.fte) == "0.60" and enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.programme_code == "ECF-5Y"
    period = session().execute(select(EmploymentPeriod)).scalar_one()
    allocation = session().execute(select(SupervisorAllocation)).scalar_one()
    assert period.ended_on is None and allocation.ended_on is None
    event = session().execute(select(AuditEvent).where(AuditEvent.action == "enrolment.created")).scalar_one()
    assert event.actor_id == world["north_admin"].id and event.details["fte"] == "0.60"
    page = parse(client.get(response.headers["Location"]))
    assert "has been enrolled" in page.get_text() and "Pat Practitioner" in page.h1.get_text()


@pytest.mark.parametrize("changes, message, field", [
    ({"fte": "0"}, "FTE must be more than 0 and no more than 1", "fte"),
    ({"fte": "1.5"}, "FTE must be more than 0 and no more than 1", "fte"),
    ({"fte": "-0.5"}, "FTE must be more than 0 and no more than 1", "fte"),
    ({"fte": "0.333"}, "no more than 2 decimal places", "fte"),
    ({"fte": "half"}, "Enter FTE as a number", "fte"),
    ({"fte": ""}, "Enter the FTE", "fte"),
    ({"start_date": None}, "Enter the start date", "start_date-day"),          # no date parts at all: no 500
    ({"start_date": ["1", "", "2026"]}, "Start date must include a month", "start_date-day"),
    ({"start_date": ["31", "2", "2026"]}, "Start date must be a real date", "start_date-day"),
    ({"start_date": ["1", "1", str(london_today().year + 2)]}, "no more than a year from today", "start_date-day"),
    ({"practitioner": "sup"}, "Not a valid choice", "practitioner"),        # only the organisation's practitioners
    ({"supervisor": "south_sup"}, "Not a valid choice", "supervisor"),
    ({"programme_version": "999999"}, "Not a valid choice", "programme_version"),
])
def test_enrolment_refusals_change_nothing(client, world, sign_in_as, changes, message, field):
    changes = {k: str(world[v].id) if isinstance(v, str) and v in world else v for k, v in changes.items()}
    sign_in_as(world["north_admin"])
    response = client.post("/enrolments/new", data=form_data(world, **changes))
    assert response.status_code == 200
    soup = parse(response)
    assert soup.title.get_text().startswith("Error: ")
    link = next(a for a in soup.select(".govuk-error-summary a") if message in a.get_text())
    assert link["href"] == f"#{field}"
    assert enrolment_count() == 0


def test_not_twice_on_the_same_programme(client, world, sign_in_as, enrol_as):
    enrol_as(world["prac"])
    sign_in_as(world["north_admin"])
    soup = parse(client.post("/enrolments/new", data=form_data(world)))
    assert "Pat Practitioner is already enrolled on Five-year early career framework" in soup.select_one(
        ".govuk-error-summary").get_text()
    assert enrolment_count() == 1
    # another programme is fine
    asye = form_data(world, programme_version=str(world["programmes"]["ASYE-CF"].id))
    assert client.post("/enrolments/new", data=asye).status_code == 302


def test_the_service_refuses_someone_who_is_not_a_practitioner_there(world):
    from portal.enrolments.services import enrol
    from portal.framework.models import ProgrammeVersion
    from portal.users.models import Organisation, User

    sess = session()
    for person, organisation in (("sup", "north"), ("south_prac", "north")):
        with pytest.raises(DomainError, match="is not a practitioner at Northshire") as error:
            enrol(practitioner=sess.get(User, world[person].id), organisation=sess.get(Organisation,
                                                                                        world[organisation].id),
                  programme_version=sess.get(ProgrammeVersion, world["programmes"]["ECF-5Y"].id),
                  start_date=dt.date(2026, 1, 1), fte=1, supervisor=None, by=None)
        assert error.value.field == "practitioner"
    with pytest.raises(DomainError, match="is not a practice supervisor at Northshire"):
        enrol(practitioner=sess.get(User, world["prac"].id), organisation=sess.get(Organisation, world["north"].id),
              programme_version=sess.get(ProgrammeVersion, world["programmes"]["ECF-5Y"].id),
              start_date=dt.date(2026, 1, 1), fte=1, supervisor=sess.get(User, world["south_sup"].id), by=None)
    assert enrolment_count() == 0


def test_the_database_keeps_one_active_enrolment_per_programme(world, enrol_as):
    from sqlalchemy.exc import IntegrityError

    first = enrol_as(world["prac"])
    sess = session()
    sess.add(Enrolment(practitioner_id=world["prac"].id, organisation_id=world["north"].id,
                       programme_version_id=first.programme_version_id, programme_code="ECF-5Y",
                       start_date=dt.date(2026, 1, 1), fte=1))
    with pytest.raises(IntegrityError), sess.begin_nested():
        sess.flush()
    sess.rollback()
    sess.add(Enrolment(practitioner_id=world["other_prac"].id, organisation_id=world["north"].id,
                       programme_version_id=first.programme_version_id, programme_code="ECF-5Y",
                       start_date=dt.date(2026, 1, 1), fte=0))
    with pytest.raises(IntegrityError), sess.begin_nested():
        sess.flush()  # CHECK 0 < fte <= 1
    sess.rollback()


def pause_data(start, end, reason="parental_leave"):
    return {"start_date": [str(start.day), str(start.month), str(start.year)],
            "end_date": [str(end.day), str(end.month), str(end.year)], "reason": reason}


def test_pauses_that_end_before_they_start_or_overlap_are_refused(client, world, sign_in_as, enrol_as):
    enrolment = enrol_as(world["prac"], start=dt.date(2025, 9, 1))
    sign_in_as(world["north_admin"])
    url = f"/enrolments/{enrolment.id}/pauses/new"
    backwards = parse(client.post(url, data=pause_data(dt.date(2026, 3, 1), dt.date(2026, 2, 1))))
    summary = backwards.select_one(".govuk-error-summary")
    assert "ends before it starts" in summary.get_text()
    assert summary.select_one("a")["href"] == "#end_date-day"
    assert client.post(url, data=pause_data(dt.date(2026, 1, 1), dt.date(2026, 3, 31))).status_code == 302
    overlapping = parse(client.post(url, data=pause_data(dt.date(2026, 3, 15), dt.date(2026, 4, 30), "sickness")))
    assert "overlaps the pause from 1 January 2026 to 31 March 2026" in overlapping.select_one(
        ".govuk-error-summary").get_text()
    before_start = parse(client.post(url, data=pause_data(dt.date(2025, 8, 1), dt.date(2025, 8, 10))))
    assert "starts before the enrolment starts" in before_start.select_one(".govuk-error-summary").get_text()
    missing = parse(client.post(url, data={"reason": "sickness"}))
    assert "Enter the start date of the pause" in missing.select_one(".govuk-error-summary").get_text()
    assert session().execute(select(func.count(EnrolmentPause.id))).scalar_one() == 1


@pytest.mark.parametrize("data, message", [
    ({"stage_code": "Y1", "months": "0", "days": "0", "reason": "Illness"}, "at least 1 day"),
    ({"stage_code": "Y1", "months": "", "days": "", "reason": "Illness"}, "at least 1 day"),
    ({"stage_code": "Y1", "months": "two", "reason": "Illness"}, "Months must be a whole number"),
    ({"stage_code": "Y1", "months": "2", "reason": ""}, "Enter the reason for the extension"),
    ({"stage_code": "NOPE", "months": "2", "reason": "x"}, "Not a valid choice"),
])
def test_extension_refusals(client, world, sign_in_as, enrol_as, data, message):
    enrolment = enrol_as(world["prac"])
    sign_in_as(world["north_admin"])
    soup = parse(client.post(f"/enrolments/{enrolment.id}/extensions/new", data=data))
    assert message in soup.select_one(".govuk-error-summary").get_text()
    assert session().execute(select(func.count(EnrolmentExtension.id))).scalar_one() == 0


def test_a_withdrawn_enrolment_cannot_change_and_frees_the_programme(world, enrol_as):
    from portal.enrolments.services import change_status, record_pause

    enrolment = reload(enrol_as(world["prac"], supervisor=world["sup"]))
    change_status(enrolment, EnrolmentStatus.WITHDRAWN, by=None, reason="Left social work")
    with pytest.raises(DomainError, match="withdrawn, so it cannot be changed"):
        record_pause(enrolment, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 5),
                     reason="sickness", by=None)
    with pytest.raises(DomainError, match="cannot become active|cannot become completed"):
        change_status(enrolment, EnrolmentStatus.COMPLETED, by=None)
    allocation = session().execute(select(SupervisorAllocation)).scalar_one()
    assert allocation.ended_on is not None
    enrol_as(world["prac"])  # enrolling again on the same programme is allowed now

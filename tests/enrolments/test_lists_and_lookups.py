"""The employer's enrolments list (filters, keyset pages), the lookups other features use, and the demo data."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.db import session
from portal.enrolments.models import Enrolment, ReviewMeetingRecord, SelfAssessment
from portal.enrolments.queries import current_enrolment, enrolments_of, standards_choices
from portal.enrolments.services import london_today
from portal.framework.clock import add_months
from portal.users.models import Role
from tests.conftest import parse, reload, start_session


@pytest.fixture
def small_pages(app):
    size = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 3
    yield
    app.config["PAGE_SIZE"] = size


def names(soup) -> list[str]:
    return [a.get_text(strip=True) for a in soup.select("tr[data-enrolment] th a")]


def walk(client, url: str) -> list[str]:
    seen = []
    while url:
        soup = parse(client.get(url))
        seen += names(soup)
        link = soup.select_one(".govuk-pagination__next a")
        url = link["href"] if link else None
    return seen


def test_the_list_filters_by_programme_and_current_stage_across_pages(client, world, make_user, sign_in_as,
                                                                      enrol_as, small_pages):
    today = london_today()
    people = [make_user(Role.PRACTITIONER, world["north"], name=f"Person {n:02d}") for n in range(10)]
    for n, person in enumerate(people):
        # even: started 2 months ago (year 1); odd: started 14 months ago (year 2); the last one on the ASYE
        programme = "ASYE-CF" if n == 9 else "ECF-5Y"
        enrol_as(person, start=add_months(today, -2 if n % 2 == 0 else -14), programme=programme)
    sign_in_as(world["north_admin"])
    everyone = walk(client, "/enrolments")
    assert everyone == [f"Person {n:02d}" for n in reversed(range(10))]  # newest enrolment first, 3 a page
    year_1 = walk(client, "/enrolments?stage=Y1")
    assert year_1 == [f"Person {n:02d}" for n in (8, 6, 4, 2, 0)]
    year_2 = walk(client, "/enrolments?programme=ECF-5Y&stage=Y2")
    assert year_2 == [f"Person {n:02d}" for n in (7, 5, 3, 1)]
    asye = walk(client, "/enrolments?programme=ASYE-CF")
    assert asye == ["Person 09"]
    first = parse(client.get("/enrolments?stage=Y1"))
    second = parse(client.get(first.select_one(".govuk-pagination__next a")["href"]))
    back = parse(client.get(second.select_one(".govuk-pagination__prev a")["href"]))
    assert names(back) == names(first) == ["Person 08", "Person 06", "Person 04"]
    row = first.select_one("tr[data-enrolment]").get_text(" ", strip=True)
    assert "Year 1 (ASYE-equivalent)" in row and "of 8 requirements met" in row
    assert client.get("/enrolments?stage=NOPE&after=garbage").status_code == 200


def test_lookups_for_other_features(world, enrol_as):
    assert enrolments_of(world["prac"].id) == [] and current_enrolment(world["prac"]) is None
    ecf = enrol_as(world["prac"], start=dt.date(2025, 9, 1))
    asye = enrol_as(world["prac"], start=dt.date(2026, 1, 1), programme="ASYE-CF")
    assert [e.id for e in enrolments_of(world["prac"])] == [asye.id, ecf.id]
    assert current_enrolment(world["prac"].id).id == asye.id
    choices = standards_choices(reload(ecf))
    assert choices[0] == ("KSS-CF.1", "KSS-CF.1 Relationships and effective direct work")
    assert len(choices) == 10 + 9 + 6
    assert [code for code, _ in standards_choices(reload(asye), "PCF")] == [f"PCF.{n}" for n in range(1, 10)]


def test_seed_demo_enrols_the_demo_practitioner_once(app, runner):
    from portal.users.models import User

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    sess = session()
    practitioner = sess.execute(select(User).where(User.email == "practitioner@northshire.example")).scalar_one()
    enrolment = sess.execute(select(Enrolment).where(Enrolment.practitioner_id == practitioner.id)).scalar_one()
    assert enrolment.programme_code == "ECF-5Y"
    # the other demo practitioners (a signed-off Year 1, a Year 1 waiting for marking) are enrolled once each too
    assert sess.execute(select(func.count(Enrolment.id))).scalar_one() == 3
    assert enrolment.start_date == add_months(london_today(), -7)
    assert enrolment.supervisor.email == "supervisor@northshire.example"
    assert sess.execute(select(func.count(ReviewMeetingRecord.id))).scalar_one() == 2
    assert sess.execute(select(func.count(SelfAssessment.id))).scalar_one() == 2
    client = app.test_client()
    start_session(client, practitioner)
    soup = parse(client.get("/"))
    rows = {r["data-requirement"]: r.get_text(" ", strip=True) for r in soup.select(
        ".app-requirements[data-stage='Y1'] tbody tr")}
    assert "2 of 3" in rows["reviews"] and "1 of 1" in rows["learning-agreement"]

"""Dashboards: per-requirement progress and due dates for the practitioner and their supervisor, reviews and
standards coverage, and a constant number of SQL statements however much evidence there is."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from portal.db import session
from portal.enrolments.models import EnrolmentDocument, ExternalResult, SelfAssessment
from portal.enrolments.queries import EvidenceParts, register_evidence_source, unregister_evidence_source
from portal.enrolments.services import london_today, record_document, record_review
from portal.framework.clock import add_months, compute_schedule
from portal.framework.evidence import CaseworkTally, CoverageTally
from portal.framework.services import template_for
from tests.conftest import parse, reload

OBSERVED: dict[int, int] = {}  # enrolment id -> verified direct observations the test source reports


def observations(enrolment_ids: list[int]) -> dict[int, EvidenceParts]:
    """A stand-in for the casework feature's source: one GROUP BY's worth of tallies, no queries."""
    return {i: EvidenceParts(casework=[CaseworkTally("direct_observation", london_today(), count=OBSERVED[i],
                                                     verified=True)],
                             coverage=[CoverageTally("KSS-CF.5", count=4, on=london_today())])
            for i in enrolment_ids if i in OBSERVED}


@pytest.fixture
def test_source():
    register_evidence_source(observations)
    yield OBSERVED
    unregister_evidence_source(observations)
    OBSERVED.clear()


def requirement_rows(soup, stage="Y1"):
    table = soup.select_one(f".app-requirements[data-stage='{stage}']")
    return {row["data-requirement"]: [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
            for row in table.select("tbody tr")}


@pytest.fixture
def started(world, enrol_as):
    """Pat, four months into the five-year ECF with Sue as supervisor: a learning agreement and the 3-month review
    recorded."""
    start = add_months(london_today(), -4)
    enrolment = reload(enrol_as(world["prac"], start=start, supervisor=world["sup"]))
    sup = reload(world["sup"])
    record_document(enrolment, kind="learning_agreement", title="Learning agreement", summary="Agreed",
                    completed_on=start + dt.timedelta(days=10), stage_code="Y1", by=sup)
    schedule = compute_schedule(template_for(enrolment.programme_version), start=start, today=london_today())
    record_review(enrolment, review_code="Y1-R3", held_on=schedule.review_due("Y1-R3").due, attendees="Pat, Sue",
                  notes="Going well", development_plan="Shadow a conference\nObservation in May", by=sup)
    session().commit()
    return enrolment, schedule


def test_the_practitioner_dashboard_shows_each_requirement(client, world, sign_in_as, started, test_source):
    enrolment, schedule = started
    test_source[enrolment.id] = 1
    sign_in_as(world["prac"])
    soup = parse(client.get("/"))
    rows = requirement_rows(soup)
    year_end = schedule.stage("Y1").due.strftime("%-d %B %Y")
    assert rows["direct-observations"] == ["Direct observations of practice Still needed: 2 more direct observations",
                                           "1 of 3", year_end, "In progress"]
    assert rows["learning-agreement"][1:] == ["1 of 1", schedule.date_into_stage("Y1", 1).strftime("%-d %B %Y"),
                                              "Met"]
    assert rows["reviews"][1] == "1 of 3"
    assert "Review at 6 months not yet held" in rows["reviews"][0]
    assert rows["kss-self-assessment"][-1] == "Overdue"  # the start self-assessment was due a month in
    assert rows["cpd"][1:] == ["0 of 2", year_end, "Not started"]
    timeline = soup.select(".govuk-task-list__item")
    # Year 5's "every KSS statement evidenced" counts evidence from the whole enrolment, so it has begun
    assert [t.select_one(".govuk-task-list__status").get_text(strip=True) for t in timeline] == [
        "Overdue", "Not started", "Not started", "In progress", "Not started"]
    assert "current stage" in timeline[0].get_text() and "current stage" not in timeline[1].get_text()
    coverage = {row["data-statement"]: row.select_one("td").get_text(strip=True)
                for row in soup.select(".app-coverage tbody tr")}
    assert coverage["KSS-CF.5"] == "4" and coverage["KSS-CF.1"] == "0"
    assert coverage["SWE-PS.1"] == "4"  # through the KSS to SWE crosswalk
    reviews = {row["data-review"]: row.get_text(" ", strip=True) for row in soup.select(".app-reviews tbody tr")}
    assert "Review at 3 months" in reviews["Y1-R3"]
    assert schedule.review_due("Y1-R6").due.strftime("%-d %B %Y") in reviews["Y1-R6"]


def test_a_practitioner_without_an_enrolment_sees_the_plain_home_page(client, world, sign_in_as):
    sign_in_as(world["other_prac"])
    soup = parse(client.get("/"))
    assert "Your progress" not in soup.get_text() and "Signed in as Olu Other" in soup.get_text()


def test_the_supervisor_sees_supervisees_and_each_dashboard(client, world, sign_in_as, started, test_source, page):
    enrolment, _ = started
    test_source[enrolment.id] = 3
    sign_in_as(world["sup"])
    soup = page("/supervisees")
    row = soup.select_one(f"tr[data-enrolment='{enrolment.id}']").get_text(" ", strip=True)
    assert "Pat Practitioner" in row and "Year 1 (ASYE-equivalent)" in row and "of 8 requirements met" in row
    assert "Overdue" in row
    detail = page(f"/enrolments/{enrolment.id}")
    observed = requirement_rows(detail)["direct-observations"]
    assert (observed[1], observed[3]) == ("3 of 3", "Met")
    assert "Your supervisees" in soup.select_one(".govuk-service-navigation").get_text()


def test_reviews_are_recorded_by_the_supervisor_with_the_self_assessment(client, world, sign_in_as, started, page):
    enrolment, _ = started
    url = f"/enrolments/{enrolment.id}/reviews/Y1-R6"
    sign_in_as(world["prac"])
    assert "has not been recorded yet" in page(url).get_text()
    assert client.post(url, data={}).status_code == 403  # the practitioner views, never records
    sign_in_as(world["sup"])
    held = london_today()
    base = {"held_on": [str(held.day), str(held.month), str(held.year)], "attendees": "Pat, Sue",
            "notes": "Half way", "development_plan": "Lead an assessment\n- Court skills course"}
    partly = parse(client.post(url, data={**base, "rating_1": "3"}))
    assert "Rate every statement: select a level for KSS-CF.2" in partly.select_one(".govuk-error-summary").get_text()
    assert partly.select_one(".govuk-error-summary a")["href"] == "#rating_2"
    ratings = {f"rating_{n}": str(1 + n % 4) for n in range(1, 11)}
    assert client.post(url, data={**base, **ratings}).status_code == 302
    sign_in_as(world["prac"])
    record = page(url).get_text(" ", strip=True)
    assert "Lead an assessment" in record and "Court skills course" in record and "(at the middle of the stage)" in record
    rows = requirement_rows(page("/"))
    assert rows["reviews"][1] == "2 of 3"
    assert "self-assessment at the middle" not in rows["kss-self-assessment"][0]
    sign_in_as(world["sup"])
    again = client.post(url, data={**base})
    assert again.status_code == 403  # recorded once; the record is read-only


def test_the_practitioner_adds_documents_and_self_assessments(client, world, sign_in_as, started, page):
    enrolment, _ = started
    sign_in_as(world["prac"])
    today = london_today()
    date = [str(today.day), str(today.month), str(today.year)]
    assert client.post(f"/enrolments/{enrolment.id}/documents/new", data={
        "kind": "critical_reflection_log", "summary": "Reflections so far", "completed_on": date,
        "stage_code": "Y1"}).status_code == 302
    ratings = {f"rating_{n}": "2" for n in range(1, 11)}
    assert client.post(f"/enrolments/{enrolment.id}/self-assessments/new", data={
        "stage_code": "Y1", "point": "start", "completed_on": date, **ratings}).status_code == 302
    rows = requirement_rows(page("/"))
    assert rows["critical-reflection-log"][1] == "1 of 1"
    assert rows["kss-self-assessment"][1] == "1 of 3"
    future = [str(today.day), str(today.month), str(today.year + 1)]
    soup = parse(client.post(f"/enrolments/{enrolment.id}/documents/new", data={
        "kind": "learning_agreement", "summary": "x", "completed_on": future, "stage_code": "Y1"}))
    assert "must be today or in the past" in soup.select_one(".govuk-error-summary").get_text()
    assert client.post(f"/enrolments/{enrolment.id}/results/new", data={}).status_code == 403


# ------------------------------------------------------------------------------------------------ statement counts
def add_evidence(enrolment_ids: list[int], total: int, start: dt.date) -> None:
    """Bulk-insert `total` evidence rows (documents, self-assessments, external results) across the enrolments."""
    documents, assessments, results = [], [], []
    for n in range(total):
        enrolment_id = enrolment_ids[n % len(enrolment_ids)]
        on = start + dt.timedelta(days=n % 100)
        if n % 3 == 0:
            documents.append({"enrolment_id": enrolment_id, "kind": "critical_reflection_log", "title": f"Log {n}",
                              "summary": "", "completed_on": on, "stage_code": None})
        elif n % 3 == 1:
            assessments.append({"enrolment_id": enrolment_id, "point": ("start", "middle", "end")[n % 3],
                                "set_code": "KSS-CF", "ratings": {}, "completed_on": on, "stage_code": "Y1"})
        else:
            results.append({"enrolment_id": enrolment_id, "kind": "knowledge_assessment", "passed": n % 2 == 0,
                            "recorded_on": on, "notes": "", "stage_code": None})
    sess = session()
    for model, rows in ((EnrolmentDocument, documents), (SelfAssessment, assessments), (ExternalResult, results)):
        if rows:
            sess.execute(insert(model), rows)
    sess.commit()


def test_the_practitioner_dashboard_runs_a_constant_number_of_statements(client, world, sign_in_as, enrol_as,
                                                                         count_statements):
    start = add_months(london_today(), -6)
    enrolment = enrol_as(world["prac"], start=start, supervisor=world["sup"])
    add_evidence([enrolment.id], 10, start)
    sign_in_as(world["prac"])
    assert client.get("/").status_code == 200  # warm the parsed-template cache
    with count_statements() as small:
        small_page = parse(client.get("/"))
    add_evidence([enrolment.id], 990, start)
    with count_statements() as big:
        big_page = parse(client.get("/"))
    assert small.count == big.count, (small.statements, big.statements)
    assert requirement_rows(small_page)["critical-reflection-log"][1] == "1 of 1"
    assert requirement_rows(big_page)["critical-reflection-log"][1] == "1 of 1"
    print(f"practitioner dashboard: {big.count} statements with 10 and with 1,000 evidence rows")


def test_the_supervisee_list_runs_a_constant_number_of_statements(client, world, make_user, sign_in_as, enrol_as,
                                                                  count_statements):
    from portal.users.models import Role

    start = add_months(london_today(), -6)
    practitioners = [world["prac"], world["other_prac"]] + [
        make_user(Role.PRACTITIONER, world["north"], name=f"Extra {n}") for n in range(4)]
    enrolments = [enrol_as(p, start=start, supervisor=world["sup"]) for p in practitioners[:3]]
    add_evidence([e.id for e in enrolments], 10, start)
    sign_in_as(world["sup"])
    assert client.get("/supervisees").status_code == 200
    with count_statements() as small:
        client.get("/supervisees")
    add_evidence([e.id for e in enrolments], 990, start)
    with count_statements() as big:
        client.get("/supervisees")
    enrolments += [enrol_as(p, start=start, supervisor=world["sup"]) for p in practitioners[3:]]
    with count_statements() as more_people:
        soup = parse(client.get("/supervisees"))
    assert small.count == big.count == more_people.count, (small.statements, big.statements)
    assert len(soup.select("tr[data-enrolment]")) == 6
    # the employer's list and an enrolment page too
    sign_in_as(world["north_admin"])
    client.get("/enrolments")
    with count_statements() as listing:
        client.get("/enrolments")
    add_evidence([e.id for e in enrolments], 600, start)
    with count_statements() as listing_more:
        client.get("/enrolments")
    assert listing.count == listing_more.count
    print(f"supervisee list: {big.count} statements; employer list: {listing.count}")

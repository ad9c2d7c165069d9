"""The dashboards' assessment figures: submissions waiting and their ages, outcomes and referral rates by stage and
organisation, time to sign-off, assessor load and agreement, appeals; each count is the length of its list."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.assessments.models import Appeal, Marking, StageSignOff, Submission, SubmissionEvent
from portal.assessments.states import Outcome, SubmissionState
from portal.db import session, utcnow

from .conftest import london_today

S = SubmissionState


@pytest.fixture
def submissions(world, enrol_as):
    """North: Pat's Y1 under assessment for 20 days (Ash, marking overdue), Olu's Y1 failed after a referral and
    appealed, and a third signed off as a pass 30 days after first submission; South: Sam's Y1 just submitted."""
    now = utcnow()
    today = london_today()
    pat = enrol_as(world["prac"], supervisor=world["sup"])
    olu = enrol_as(world["other_prac"], supervisor=world["sup"])
    sam = enrol_as(world["south_prac"], organisation=world["south"], supervisor=world["south_sup"])
    sess = session()

    def submission(enrolment, practitioner, state, **values):
        row = Submission(enrolment_id=enrolment.id, practitioner_id=practitioner.id, stage_code=values.pop(
            "stage", "Y1"), version=1, state=state, first_submitted_at=values.pop("first", now),
            submitted_at=values.pop("sealed", now), **values)
        sess.add(row)
        sess.flush()
        return row

    waiting = submission(pat, world["prac"], S.UNDER_ASSESSMENT, assessor_id=world["assessor"].id,
                         assessor_due_on=today - dt.timedelta(days=3), sealed=now - dt.timedelta(days=20),
                         first=now - dt.timedelta(days=20))
    failed = submission(olu, world["other_prac"], S.CONFIRMED, outcome=Outcome.FAIL, decided_on=today,
                        assessor_id=world["assessor"].id)
    sess.add(SubmissionEvent(submission_id=failed.id, action="refer", from_state="under_assessment",
                             to_state="referred"))
    sess.add(Appeal(submission_id=failed.id, grounds="The marking missed my second observation.",
                    original_outcome=Outcome.FAIL, decision_on=today, lodged_on=today))
    passed = submission(sam, world["south_prac"], S.SIGNED_OFF, outcome=Outcome.PASS, decided_on=today,
                        first=now - dt.timedelta(days=30), stage="Y2")
    sess.add(StageSignOff(enrolment_id=sam.id, stage_code="Y2", submission_id=passed.id, outcome=Outcome.PASS,
                          decided_on=today, manifest_digest="0" * 64, signed_off_at=now))
    fresh = submission(sam, world["south_prac"], S.SUBMITTED, sealed=now)
    sess.add(Marking(submission_id=failed.id, version=1, role="first", marker_id=world["assessor"].id,
                     outcome=Outcome.FAIL, feedback="Not yet", finished_at=now))
    sess.commit()
    return {"waiting": waiting.id, "failed": failed.id, "passed": passed.id, "fresh": fresh.id}


def numbers(soup, where):
    return [(int(a.get_text(strip=True)), a["href"]) for a in soup.select(f"{where} a[href]")
            if re.fullmatch(r"\d+", a.get_text(strip=True)) and "/assessments" in a["href"]]


def count_of(page, href):
    return int(page(href).select_one("#assessments-count strong").get_text(strip=True))


def test_the_employer_sees_its_assessments_waiting_and_their_ages(page, sign_in_as, world, submissions):
    sign_in_as(world["north_admin"])
    soup = page(f"/oversight/organisations/{world['north'].id}")
    table = soup.select_one("[data-chart='assessments-waiting'] table")
    rows = {r["data-category"]: {c["data-series"]: c.get_text(strip=True) for c in r.select("td")}
            for r in table.select("tbody tr")}
    assert rows == {"under_assessment": {"under-2-weeks": "0", "2-to-4-weeks": "1", "over-4-weeks": "0", "total": "1"},
                    "confirmed": {"under-2-weeks": "1", "2-to-4-weeks": "0", "over-4-weeks": "0", "total": "1"}}
    assert "Under assessment (oldest 20 days): 1" in soup.select_one("[data-chart='assessments-waiting'] desc").text
    assert soup.select_one("#outcomes-by-stage") is None  # the national figures are for programme admins
    links = numbers(soup, "main")
    assert links
    for number, href in links:
        assert count_of(page, href) == number, href
    listed = page(f"/oversight/organisations/{world['north'].id}/assessments?state=waiting")
    assert {int(r["data-submission"]) for r in listed.select("tr[data-submission]")} == {
        submissions["waiting"], submissions["failed"]}
    assert "second observation" not in listed.get_text()


def test_the_programme_sees_rates_time_to_sign_off_assessors_and_appeals(page, sign_in_as, world, submissions):
    sign_in_as(world["prog"])
    soup = page("/oversight/programme")
    y1 = soup.select_one("#outcomes-by-stage tr[data-row='Year 1 (ASYE-equivalent)']")
    cells = {c["data-column"]: c.get_text(" ", strip=True) for c in y1.select("td")}
    assert cells["submitted"] == "3" and cells["decided"] == "1" and cells["failed"] == "1 100%"
    assert cells["passed"] == "0 0%" and cells["referred"] == "1 33%"
    y2 = soup.select_one("#outcomes-by-stage tr[data-row='Year 2 (end of induction)']")
    assert {c["data-column"]: c.get_text(" ", strip=True) for c in y2.select("td")}["days"] == "30"
    orgs = {r["data-row"] for r in soup.select("#outcomes-by-organisation tbody tr")}
    assert orgs == {"Northshire", "Southshire"}
    assessor = soup.select_one(f"#assessor-load tr[data-assessor='{world['assessor'].id}']")
    assert assessor.select_one("[data-column='open']").get_text(strip=True) == "1"
    assert assessor.select_one("[data-column='overdue']").get_text(strip=True) == "1"
    appeals = {r["data-category"]: r.select_one("td").get_text(strip=True)
               for r in soup.select("[data-chart='appeals'] tbody tr")}
    assert appeals == {"lodged": "1", "upheld": "0", "dismissed": "0"}
    for number, href in numbers(soup, "main"):
        assert count_of(page, href) == number, href


def test_assessment_exports_and_bad_filters(client, page, sign_in_as, world, submissions):
    sign_in_as(world["prog"])
    text = client.get("/oversight/programme/assessments.csv?state=waiting").get_data(as_text=True)
    lines = text.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Submission,Practitioner,Employer,Stage,State,Outcome")
    assert len(lines) == 1 + 3
    assert "second observation" not in text
    soup = page("/oversight/programme/assessments?state=bogus&outcome=meh&age=old&appeal=x&assessor=y&page=zz")
    assert len(soup.select(".app-ignored-filters li")) == 5
    assert count_of(page, "/oversight/programme/assessments?state=bogus") == 4

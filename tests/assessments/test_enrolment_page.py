"""The enrolment page lists its stage submissions, so an employer admin finds a draft that needs their agreement."""
from __future__ import annotations

from portal.assessments import services
from portal.db import session

from ..conftest import parse


def test_the_employer_admin_finds_the_draft_that_needs_their_agreement(client, flow, world, as_user, sign_in_as):
    submission_id = services.start_submission(session().get(type(world["enrolment"]), world["enrolment"].id), "Y1",
                                              by=as_user("practitioner")).id
    session().commit()
    enrolment_url = f"/enrolments/{world['enrolment'].id}"

    sign_in_as(world["employer_admin"])
    row = parse(client.get(enrolment_url)).select_one(f"tr[data-submission='{submission_id}']")
    assert row is not None and "Draft" in row.get_text()
    agree = next((a for a in row.select("a") if "Agree to submission" in a.get_text()), None)
    assert agree is not None, row
    assert agree["href"] == f"/assessments/submissions/{submission_id}/agreement"
    assert client.get(agree["href"]).status_code == 200

    sign_in_as(world["supervisor"])  # sees the stage and its state, without links they may not follow
    page = client.get(enrolment_url)
    assert page.status_code == 200
    row = parse(page).select_one(f"tr[data-submission='{submission_id}']")
    assert row is not None and not row.select("a")

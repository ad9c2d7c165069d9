"""Marking: the rubric, the outcome's own fields, drafts, and optimistic locking (the second saver is told, and
their text is shown back; nothing is overwritten)."""
from __future__ import annotations

import datetime as dt

import pytest

from portal.assessments import services
from portal.assessments.calendar import incomplete_evidence_deadline
from portal.assessments.marking import requirements_of
from portal.assessments.models import Marking
from portal.assessments.states import Outcome
from portal.assessments.states import SubmissionState as S
from portal.db import session
from portal.exceptions import DomainError

from ..conftest import parse, start_session
from .conftest import today


def _form(flow, submission_id, *, lock="1", outcome="", feedback="", save=True, **extra):
    requirements = requirements_of(flow.sub(submission_id))
    data = {f"level_{n}": "met" for n in range(1, len(requirements) + 1)}
    data.update({"lock_version": lock, "outcome": outcome, "feedback": feedback,
                 "incomplete_deadline": ["", "", ""], "extend_to": ["", "", ""]})
    data.update(extra)
    data["save" if save else "finish"] = "y"
    return data


def test_two_people_saving_the_same_marking_cannot_overwrite_each_other(app, flow, world, sign_in_as):
    from ..conftest import FreshContextClient  # noqa: F401  (both clients get a fresh context per request)

    submission_id = flow.assessing()
    url = f"/assessments/submissions/{submission_id}/marking"
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        start_session(client, world["south_assessor"])
        soup = parse(client.get(url))
        assert soup.select_one('input[name="lock_version"]')["value"] == "1"
    assert first.post(url, data=_form(flow, submission_id, feedback="First tab: strong on risk.")).status_code == 302
    response = second.post(url, data=_form(flow, submission_id, feedback="Second tab: weak on risk."))
    assert response.status_code == 409
    soup = parse(response)
    assert "This marking was changed by Sam Southassessor" in soup.select_one(".govuk-error-summary").get_text()
    assert soup.select_one('textarea[name="feedback"]').get_text() == "Second tab: weak on risk."
    session().expire_all()
    saved = session().query(Marking).filter_by(submission_id=submission_id).one()
    assert saved.feedback == "First tab: strong on risk." and saved.lock_version == 2
    # reopened, the second tab gets the latest version and can save over it knowingly
    soup = parse(second.get(url))
    assert soup.select_one('input[name="lock_version"]')["value"] == "2"
    assert soup.select_one('textarea[name="feedback"]').get_text() == "First tab: strong on risk."


def test_a_write_racing_past_the_check_is_refused_by_the_version_counter(flow, as_user):
    from sqlalchemy import update

    submission_id = flow.assessing()
    submission = flow.sub(submission_id)
    marking = services.open_marking(submission, by=as_user("south_assessor"))
    session().commit()
    assert marking.lock_version == 1
    # someone else's save (another session) lands between our read and our write
    from portal.db import db

    other = db.session_factory()
    other.execute(update(Marking).where(Marking.id == marking.id).values(feedback="Theirs.", lock_version=2))
    other.commit()
    other.close()
    data = services.MarkingInput(outcome="PASS", feedback="Mine.")
    with pytest.raises(services.MarkingConflict):
        services.save_marking(flow.sub(submission_id), by=as_user("south_assessor"), data=data,
                              expected_lock_version=1)
    assert session().get(Marking, marking.id, populate_existing=True).feedback == "Theirs."


def test_a_draft_is_saved_and_shown_again(flow, client, sign_in_as, world, page):
    submission_id = flow.assessing()
    sign_in_as(world["south_assessor"])
    url = f"/assessments/submissions/{submission_id}/marking"
    response = client.post(url, data=_form(flow, submission_id, outcome="PASS_DEV", feedback="Half way.",
                                           level_1="partly_met", feedback_1="Only one review held."))
    assert response.status_code == 302
    soup = page(url)
    assert soup.select_one('textarea[name="feedback"]').get_text() == "Half way."
    assert soup.select_one('input[name="level_1"][value="partly_met"]').has_attr("checked")
    assert soup.select_one('input[name="outcome"][value="PASS_DEV"]').has_attr("checked")
    assert flow.sub(submission_id).state is S.UNDER_ASSESSMENT


@pytest.mark.parametrize(("outcome", "extra", "message"), [
    ("PASS_DEV", {}, "Enter the targeted development points"),
    ("INCOMPLETE", {}, "Enter what evidence is missing"),
    ("EXTEND", {}, "Enter the new due date"),
    ("PASS", {"level_2": ""}, "Choose a level for"),
    ("FAIL", {"feedback": ""}, "an outcome needs feedback"),
    ("", {}, "Choose an outcome"),
])
def test_finishing_needs_the_outcomes_own_fields(flow, client, sign_in_as, world, outcome, extra, message):
    submission_id = flow.assessing()
    sign_in_as(world["south_assessor"])
    data = _form(flow, submission_id, outcome=outcome, feedback="Feedback.", save=False)
    data.update(extra)
    response = client.post(f"/assessments/submissions/{submission_id}/marking", data=data)
    assert response.status_code == 200
    assert message in parse(response).select_one(".govuk-error-summary").get_text()
    assert flow.sub(submission_id).state is S.UNDER_ASSESSMENT


def test_incomplete_evidence_gets_a_default_deadline_of_14_days(flow, as_user):
    submission_id = flow.assessing()
    flow.mark(submission_id, Outcome.INCOMPLETE)
    submission = flow.sub(submission_id)
    assert submission.state is S.INCOMPLETE_EVIDENCE
    assert submission.incomplete_deadline == incomplete_evidence_deadline(today())
    assert submission.incomplete_deadline >= today() + dt.timedelta(days=14)


def test_an_unallocated_assessor_cannot_mark(flow, client, sign_in_as, world, as_user):
    submission_id = flow.assessing()
    with pytest.raises(DomainError, match="Only the assessor allocated"):
        services.open_marking(flow.sub(submission_id), by=as_user("east_assessor"))
    session().rollback()
    sign_in_as(world["east_assessor"])
    assert client.get(f"/assessments/submissions/{submission_id}/marking").status_code == 403
    assert client.post(f"/assessments/submissions/{submission_id}/marking",
                       data={"outcome": "PASS"}).status_code == 403


def test_an_assessor_who_became_conflicted_cannot_mark(flow, world, as_user):
    from portal.users import teams
    from portal.users.models import Organisation, Role, RoleGrant

    submission_id = flow.assessing()
    # Sam moves to Northshire and joins Pat's team after the allocation
    session().add(RoleGrant(user_id=world["south_assessor"].id, role=Role.ASSESSOR,
                            organisation_id=world["north"].id))
    session().flush()
    team = teams.create_team(session().get(Organisation, world["north"].id), name="Referral and assessment",
                             by=as_user("employer_admin"))
    session().expire_all()
    teams.add_team_member(team, as_user("practitioner"), by=as_user("employer_admin"))
    teams.add_team_member(team, as_user("south_assessor"), by=as_user("employer_admin"))
    session().commit()
    with pytest.raises(DomainError, match="works in the same team"):
        services.open_marking(flow.sub(submission_id), by=as_user("south_assessor"))

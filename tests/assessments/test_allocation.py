"""Allocating an assessor: the conflict rules (supervisor then or now, same team, the independent stage's same
organisation), who may allocate, the load shown, and the allocation page."""
from __future__ import annotations

import pytest

from portal.assessments import services
from portal.assessments.states import SubmissionState as S
from portal.db import session
from portal.exceptions import DomainError
from portal.users.models import Role, RoleGrant

from ..conftest import parse
from .conftest import today


def _refused(flow, submission_id, assessor, by, message):
    with pytest.raises(DomainError) as caught:
        services.allocate_assessor(flow.sub(submission_id), assessor, by=by, today=today())
    session().rollback()
    assert message in caught.value.message
    assert flow.sub(submission_id).state is S.SUBMITTED and flow.sub(submission_id).assessor_id is None


def test_a_past_supervisor_is_refused_with_the_dates(flow, as_user):
    submission_id = flow.submitted()
    _refused(flow, submission_id, as_user("old_supervisor"), as_user("employer_admin"),
             "Otto Oldsup supervised this practitioner from")


def test_the_current_supervisor_is_refused(flow, world, as_user):
    session().add(RoleGrant(user_id=world["supervisor"].id, role=Role.ASSESSOR, organisation_id=world["south"].id))
    session().commit()
    session().expire_all()
    submission_id = flow.submitted()
    _refused(flow, submission_id, as_user("supervisor"), as_user("employer_admin"),
             "Sue Supervisor supervises this practitioner (since")


def test_someone_in_the_same_team_is_refused(flow, world, as_user):
    from portal.users import teams
    from portal.users.models import Organisation

    team = teams.create_team(session().get(Organisation, world["north"].id), name="Child protection east",
                             by=as_user("employer_admin"))
    teams.add_team_member(team, as_user("practitioner"), by=as_user("employer_admin"))
    teams.add_team_member(team, as_user("assessor"), by=as_user("employer_admin"))
    session().commit()
    submission_id = flow.submitted()
    _refused(flow, submission_id, as_user("assessor"), as_user("employer_admin"),
             "Ash Assessor works in the same team as this practitioner (Child protection east)")
    # out of the team: allowed (years 1-4 may be assessed within the organisation)
    teams.remove_team_member(team, as_user("assessor"), by=as_user("employer_admin"))
    services.allocate_assessor(flow.sub(submission_id), as_user("assessor"), by=as_user("employer_admin"),
                               today=today())
    assert flow.sub(submission_id).state is S.UNDER_ASSESSMENT


def test_the_independent_assessor_comes_from_another_organisation(flow, as_user):
    submission_id = flow.submitted(stage="Y5")
    assert flow.sub(submission_id).independent
    _refused(flow, submission_id, as_user("assessor"), as_user("programme_admin"),
             "works for the same organisation as this practitioner (Northshire)")
    _refused(flow, submission_id, as_user("east_assessor"), as_user("employer_admin"),
             "allocated by a programme admin")
    services.allocate_assessor(flow.sub(submission_id), as_user("east_assessor"), by=as_user("programme_admin"),
                               today=today())
    assert flow.sub(submission_id).assessor_id == as_user("east_assessor").id


def test_someone_without_the_assessor_role_is_refused(flow, as_user):
    submission_id = flow.submitted()
    _refused(flow, submission_id, as_user("moderator"), as_user("employer_admin"), "Mo Moderator is not an assessor")


def test_another_employer_cannot_allocate(flow, as_user):
    submission_id = flow.submitted()
    _refused(flow, submission_id, as_user("south_assessor"), as_user("south_admin"),
             "Only an admin of the practitioner's employer or a programme admin")


def test_the_due_date_defaults_to_twenty_working_days(flow, as_user):
    from portal.assessments.calendar import add_working_days

    submission_id = flow.assessing()
    assert flow.sub(submission_id).assessor_due_on == add_working_days(today(), 20)


def test_the_allocation_page_shows_load_and_conflicts(flow, client, sign_in_as, world, page):
    flow.assessing("south_assessor", stage="Y2")  # Sam has one portfolio already
    submission_id = flow.submitted()
    sign_in_as(world["employer_admin"])
    soup = page(f"/assessments/submissions/{submission_id}/allocate")
    sam = soup.select_one(f'[data-person="{world["south_assessor"].id}"]')
    assert "Current load: 1 submission" in sam.get_text(" ", strip=True)
    assert not sam.select_one("input").has_attr("disabled")
    otto = soup.select_one(f'[data-person="{world["old_supervisor"].id}"]')
    assert otto.select_one("input").has_attr("disabled")
    assert "Cannot be chosen: Otto Oldsup supervised this practitioner" in otto.get_text(" ", strip=True)
    # choosing Otto anyway (a tampered form) is refused with the reason, nothing changes
    response = client.post(f"/assessments/submissions/{submission_id}/allocate",
                           data={"assessor": str(world["old_supervisor"].id)})
    assert response.status_code == 200
    assert "supervised this practitioner" in parse(response).select_one(".govuk-error-summary").get_text()
    assert flow.sub(submission_id).state is S.SUBMITTED
    response = client.post(f"/assessments/submissions/{submission_id}/allocate",
                           data={"assessor": str(world["east_assessor"].id), "due_on": ["", "", ""]})
    assert response.status_code == 302
    assert flow.sub(submission_id).assessor_id == world["east_assessor"].id

"""Teams: an organisation's employer admins keep them (the assessment rule "never someone in your own team" reads
them); nobody else can."""
from __future__ import annotations

from portal.db import session
from portal.users.models import Role, Team, TeamMembership

from ..conftest import parse


def test_an_employer_admin_adds_a_team_and_its_members(client, sign_in_as, make_org, make_user, page):
    org = make_org("Northshire", "NORTH")
    admin = make_user(Role.EMPLOYER_ADMIN, org, name="Emma Admin")
    worker = make_user(Role.PRACTITIONER, org, name="Pat Practitioner")
    outsider = make_user(Role.PRACTITIONER, make_org("Southshire", "SOUTH"), name="Sam South")
    sign_in_as(admin)
    assert "Teams in this organisation" in page(f"/admin/organisations/{org.id}").get_text()
    response = client.post(f"/admin/organisations/{org.id}/teams", data={"name": "Child protection east"})
    assert response.status_code == 302
    team = session().query(Team).filter_by(organisation_id=org.id).one()
    # a second team with the same name is refused
    response = client.post(f"/admin/organisations/{org.id}/teams", data={"name": "Child protection  east"})
    assert "already has a team called Child protection east" in parse(response).select_one(
        ".govuk-error-summary").get_text()
    soup = page(f"/admin/teams/{team.id}")
    options = [o["value"] for o in soup.select('select[name="person"] option')]
    assert str(worker.id) in options and str(outsider.id) not in options
    assert client.post(f"/admin/teams/{team.id}", data={"person": str(worker.id)}).status_code == 302
    assert session().query(TeamMembership).filter_by(team_id=team.id, user_id=worker.id).count() == 1
    # someone without a role in the organisation cannot be added, even by a tampered form
    response = client.post(f"/admin/teams/{team.id}", data={"person": str(outsider.id)})
    assert response.status_code == 200
    assert "Pat Practitioner" in page(f"/admin/teams/{team.id}").select_one("#members").get_text()
    assert client.post(f"/admin/teams/{team.id}/members/{worker.id}/remove").status_code == 302
    assert session().query(TeamMembership).filter_by(team_id=team.id).count() == 0


def test_other_people_cannot_manage_teams(client, sign_in_as, make_org, make_user):
    north, south = make_org("Northshire", "NORTH"), make_org("Southshire", "SOUTH")
    team = Team(organisation_id=north.id, name="Fostering")
    session().add(team)
    session().commit()
    team_id = team.id
    for person in (make_user(Role.EMPLOYER_ADMIN, south), make_user(Role.PRACTITIONER, north),
                   make_user(Role.ASSESSOR, north)):
        sign_in_as(person)
        assert client.get(f"/admin/organisations/{north.id}/teams").status_code == 403
        assert client.get(f"/admin/teams/{team_id}").status_code == 403
        assert client.post(f"/admin/teams/{team_id}/members/1/remove").status_code == 403
    sign_in_as(make_user(Role.PROGRAMME_ADMIN))
    assert client.get(f"/admin/teams/{team_id}").status_code == 200

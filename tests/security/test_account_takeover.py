"""Issue 13 (part 3): an employer admin cannot take over someone else's account.

The attack, replayed on the security world: South's admin invites North's practitioner (the owner) to South,
gives himself the supervisor role, supervises her and reads her evidence; edits the details of people who are not
wholly South's; imports CPD into someone else's log. Each step must now be refused, visibly.
"""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from portal.db import session
from portal.users.models import Role, RoleGrant, User

from ..conftest import start_session
from .world import World


def _as(client: Any, world: World, actor: str) -> Any:
    return start_session(client, session().get(User, world[f"user:{actor}"]))


def _roles(world: World, actor: str) -> set[tuple[Role, int | None]]:
    session().expire_all()
    return {(g.role, g.organisation_id) for g in session().get(User, world[f"user:{actor}"]).grants}


def _add_role(world: World, actor: str, role: Role, org: str | None) -> None:
    """Give someone a role directly (the arrangement of a test, not the behaviour under test)."""
    session().add(RoleGrant(user_id=world[f"user:{actor}"], role=role,
                            organisation_id=world[org] if org else None))
    session().commit()


def _notifications(world: World, actor: str, kind: str) -> list[Any]:
    """Plain copies (message, link, outbox_message_id): safe to read after further requests."""
    from types import SimpleNamespace

    from portal.notifications.models import Notification

    return [SimpleNamespace(message=n.message, link=n.link, outbox_message_id=n.outbox_message_id)
            for n in session().execute(select(Notification).where(
                Notification.user_id == world[f"user:{actor}"], Notification.kind == kind)
                .order_by(Notification.id)).scalars()]


def _invite(client: Any, world: World, email: str, role: Role = Role.PRACTITIONER, org: str = "south") -> Any:
    return client.post("/admin/people/invite", data={
        "name": "Someone", "email": email, "swe_number": "", "organisation": str(world[org]), "role": role.value})


# ------------------------------------------------------------------------------------------------- invitations
def test_inviting_another_organisations_account_grants_nothing_until_they_accept(client, world, app):
    from portal.mail import memory_outbox

    before = _roles(world, "owner")
    response = _invite(_as(client, world, "employer_admin"), world, "owner@example.org")
    assert response.status_code == 302
    assert _roles(world, "owner") == before, "the role was granted without the person's acceptance"
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "sent an invitation to accept" in page

    # the owner hears of it in the service and by e-mail (through the outbox), with one link
    [note] = _notifications(world, "owner", "role_invitation")
    assert "Southshire" in note.message and "Practitioner" in note.message
    assert note.link.startswith("/invitation/role/")
    from portal.mail import OutboxMessage

    mails = session().execute(select(OutboxMessage).where(OutboxMessage.to_address == "owner@example.org",
                                                          OutboxMessage.id == note.outbox_message_id)).scalars().all()
    assert len(mails) == 1 and note.link in mails[0].body_text
    memory_outbox.clear()

    # South's admin still cannot reach her: not his to see, edit or supervise
    assert client.get(f"/admin/people/{world['user:owner']}").status_code == 403

    # the owner, signed in as herself, sees which organisation and role, and accepts
    _as(client, world, "owner")
    page = client.get(note.link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Invitation to join Southshire" in text and "Practitioner" in text
    response = client.post(note.link, data={"decision": "accept"})
    assert response.status_code == 302
    assert (Role.PRACTITIONER, world["south"]) in _roles(world, "owner")
    # the link works once
    assert client.get(note.link).status_code == 410


def test_the_person_can_decline_and_gets_nothing(client, world):
    _invite(_as(client, world, "employer_admin"), world, "owner@example.org")
    [note] = _notifications(world, "owner", "role_invitation")
    before = _roles(world, "owner")
    _as(client, world, "owner")
    response = client.post(note.link, data={"decision": "decline"}, follow_redirects=True)
    assert "You have declined the invitation to Southshire" in response.get_data(as_text=True)
    assert _roles(world, "owner") == before


def test_the_invitation_page_needs_an_answer(client, world):
    _as(client, world, "owner")
    response = client.post(f"/invitation/role/{world.secrets['role_invitation']}", data={})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Select whether you accept or decline the invitation" in text
    assert "<title>Error:" in text


@pytest.mark.parametrize("actor", ["employer_admin", "colleague", "programme_admin"])
def test_nobody_else_can_answer_someone_elses_invitation(client, world, actor):
    before = _roles(world, "owner")
    url = f"/invitation/role/{world.secrets['role_invitation']}"
    _as(client, world, actor)
    response = client.get(url)
    assert response.status_code == 403
    assert "This invitation was sent to another account" in response.get_data(as_text=True)
    assert client.post(url, data={"decision": "accept"}).status_code == 403
    assert _roles(world, "owner") == before


def test_an_invitation_expires(client, world, app):
    import datetime as dt

    from portal.auth.models import AccountToken, TokenPurpose
    from portal.db import utcnow

    token = session().execute(select(AccountToken).where(
        AccountToken.purpose == TokenPurpose.ROLE_INVITATION)).scalar_one()
    assert token.expires_at - token.created_at == dt.timedelta(days=app.config["INVITATION_DAYS"])
    token.expires_at = utcnow() - dt.timedelta(seconds=1)
    session().commit()
    _as(client, world, "owner")
    url = f"/invitation/role/{world.secrets['role_invitation']}"
    response = client.get(url)
    assert response.status_code == 410 and "This link has expired" in response.get_data(as_text=True)
    assert client.post(url, data={"decision": "accept"}).status_code == 410
    assert (Role.PRACTITIONER, world["south"]) not in _roles(world, "owner")


def test_an_invitation_cannot_be_accepted_once_its_sender_is_no_longer_admin(client, world):
    session().execute(RoleGrant.__table__.delete().where(RoleGrant.user_id == world["user:employer_admin"]))
    session().commit()
    _as(client, world, "owner")
    response = client.post(f"/invitation/role/{world.secrets['role_invitation']}", data={"decision": "accept"})
    assert response.status_code == 200
    assert "This invitation can no longer be accepted" in response.get_data(as_text=True)
    assert (Role.PRACTITIONER, world["south"]) not in _roles(world, "owner")


def test_an_admin_still_adds_a_role_at_once_to_their_own_people(client, world):
    """Someone all of whose roles are in the admin's organisation gets a new role there without an invitation."""
    response = _invite(_as(client, world, "same_org_admin"), world, "colleague@example.org", Role.SUPERVISOR,
                       "north")
    assert response.status_code == 302
    assert (Role.SUPERVISOR, world["north"]) in _roles(world, "colleague")


# ------------------------------------------------------------------------------------------------- self-grants
def test_nobody_grants_a_role_to_themselves(client, world):
    admin = world["user:employer_admin"]
    _as(client, world, "employer_admin")
    # hidden in the UI: no "Add a role" on their own page, and the page itself is refused
    own_page = client.get(f"/admin/people/{admin}").get_data(as_text=True)
    assert f"/admin/people/{admin}/roles/new" not in own_page
    assert client.get(f"/admin/people/{admin}/roles/new").status_code == 403
    before = _roles(world, "employer_admin")
    response = client.post(f"/admin/people/{admin}/roles/new",
                           data={"organisation": str(world["south"]), "role": Role.SUPERVISOR.value})
    assert response.status_code == 403
    # inviting your own e-mail address is refused with a clear message
    response = _invite(client, world, "south.admin@example.org", Role.SUPERVISOR)
    assert response.status_code == 200
    assert "You cannot give yourself a role. Ask another admin to give it to you" in response.get_data(as_text=True)
    assert _roles(world, "employer_admin") == before


def test_the_service_refuses_a_self_grant(world):
    from portal.exceptions import DomainError
    from portal.users.models import Organisation
    from portal.users.services import grant_role

    admin = session().get(User, world["user:employer_admin"])
    with pytest.raises(DomainError, match="You cannot give yourself a role"):
        grant_role(admin, Role.SUPERVISOR, session().get(Organisation, world["south"]), by=admin)


def test_every_grant_is_audited_and_the_person_and_other_admins_are_told(client, world):
    from portal.audit import AuditEvent

    _add_role(world, "assessor", Role.EMPLOYER_ADMIN, "south")  # a second admin at South
    practitioner = world["user:practitioner"]
    _as(client, world, "employer_admin")
    response = client.post(f"/admin/people/{practitioner}/roles/new",
                           data={"organisation": str(world["south"]), "role": Role.SUPERVISOR.value})
    assert response.status_code == 302
    event = session().execute(select(AuditEvent).where(AuditEvent.action == "role.granted")
                              .order_by(AuditEvent.id.desc())).scalars().first()
    assert event.actor_id == world["user:employer_admin"] and event.subject_id == str(practitioner)
    [told] = _notifications(world, "practitioner", "role_granted")
    assert "Practice supervisor" in told.message and "Southshire" in told.message
    [other_admin] = _notifications(world, "assessor", "organisation_role_granted")
    assert "South Practitioner now has the role Practice supervisor at Southshire" in other_admin.message
    assert _notifications(world, "employer_admin", "organisation_role_granted") == []


# --------------------------------------------------------------------------------------------- identity edits
def test_an_employer_admin_cannot_edit_someone_with_a_role_elsewhere(client, world):
    _add_role(world, "owner", Role.PRACTITIONER, "south")  # the owner works for North and South
    owner = world["user:owner"]
    _as(client, world, "employer_admin")
    assert client.get(f"/admin/people/{owner}").status_code == 200  # South's admin sees her
    assert "/edit" not in client.get(f"/admin/people/{owner}").get_data(as_text=True)
    response = client.post(f"/admin/people/{owner}/edit", data={"name": "Taken Over", "swe_number": "SW999999"})
    assert response.status_code == 403
    session().expire_all()
    user = session().get(User, owner)
    assert (user.name, user.swe_number) == ("Owner", "SW300001")


def test_an_employer_admin_never_edits_a_programme_admin(client, world):
    _add_role(world, "programme_admin", Role.PRACTITIONER, "south")
    target = world["user:programme_admin"]
    _as(client, world, "employer_admin")
    response = client.post(f"/admin/people/{target}/edit", data={"name": "Taken Over", "swe_number": ""})
    assert response.status_code == 403
    session().expire_all()
    assert session().get(User, target).name == "Programme Admin"


def test_the_service_refuses_an_edit_by_someone_who_may_not_act_for_the_person(world):
    from portal.exceptions import DomainError
    from portal.users.services import update_user

    _add_role(world, "owner", Role.PRACTITIONER, "south")
    with pytest.raises(DomainError, match="You cannot change this person's details"):
        update_user(session().get(User, world["user:owner"]), name="Taken Over", swe_number="SW999999",
                    by=session().get(User, world["user:employer_admin"]))


def test_an_admin_still_edits_people_wholly_in_their_organisation(client, world):
    owner = world["user:owner"]
    _as(client, world, "same_org_admin")
    response = client.post(f"/admin/people/{owner}/edit", data={"name": "Owner Renamed", "swe_number": "SW300001"})
    assert response.status_code == 302
    session().expire_all()
    assert session().get(User, owner).name == "Owner Renamed"


# ---------------------------------------------------------------------------------------- supervisors' sight
def test_a_supervisor_sees_evidence_only_where_they_hold_the_supervisor_role(client, world):
    """South's supervisor put on the owner's North enrolment (he is no supervisor at North) sees none of it."""
    from portal.enrolments.models import Enrolment

    session().get(Enrolment, world["enrolment:owner"]).supervisor_id = world["user:supervisor"]
    session().commit()
    _as(client, world, "supervisor")
    for url in (f"/cpd/{world['cpd']}", f"/files/{world['file:cpd']}", f"/files/{world['file:casework']}",
                f"/casework/items/{world['item:draft']}", f"/cpd/people/{world['user:owner']}"):
        assert client.get(url).status_code == 403, url
    # with the supervisor role at North, the same allocation is theirs to see
    _add_role(world, "supervisor", Role.SUPERVISOR, "north")
    _as(client, world, "supervisor")
    assert client.get(f"/cpd/{world['cpd']}").status_code == 200
    assert client.get(f"/casework/items/{world['item:draft']}").status_code == 200


# ------------------------------------------------------------------------------------------------- CPD import
def _import_rows(world: World, importer: str, lines: list[str]) -> Any:
    from portal.cpd.imports import check_rows, parse_csv
    from portal.cpd.services import today_in_england

    day = f"{today_in_england():%d/%m/%Y}"
    text = "swe_number,email,title,type,start_date,end_date,hours\n" + "".join(
        f"{line},Court skills,course,{day},{day},3\n" for line in lines)
    return check_rows(parse_csv(text), importer=session().get(User, world[f"user:{importer}"]))


def test_an_import_row_says_the_same_whether_or_not_the_person_exists(world):
    checked = _import_rows(world, "employer_admin", [
        "SW300001,colleague@example.org",  # two real people of another organisation
        "SW999998,nobody@example.org",  # nobody
        "SW300001,",  # a real SWE number elsewhere
        ",owner@example.org",  # a real e-mail address elsewhere
    ])
    messages = {tuple(row.errors) for row in checked.rows}
    assert messages == {("There is no practitioner you manage with this SWE number or email address",)}
    assert all(row.person in {"SW300001", "SW999998"} or "@" in row.person for row in checked.rows)


def test_an_import_never_reaches_someone_with_a_role_elsewhere(world):
    from portal.cpd.imports import import_rows, upload_list
    from portal.cpd.models import CpdRecord
    from portal.cpd.services import today_in_england

    _add_role(world, "owner", Role.PRACTITIONER, "south")
    day = f"{today_in_england():%d/%m/%Y}"
    admin = session().get(User, world["user:employer_admin"])
    upload = upload_list(f"swe_number,title,type,start_date,end_date,hours\nSW300001,Court skills,course,{day},"
                         f"{day},3\n".encode(), "list.csv", by=admin)
    before = session().execute(select(CpdRecord.id).where(CpdRecord.practitioner_id == world["user:owner"])).all()
    assert import_rows(upload, by=admin) == []
    after = session().execute(select(CpdRecord.id).where(CpdRecord.practitioner_id == world["user:owner"])).all()
    assert after == before


def test_adding_a_role_in_another_organisation_of_the_admin_is_an_invitation(client, world):
    """An admin of South and East who may not act for the owner (she is North's too) cannot add her to East."""
    _add_role(world, "owner", Role.PRACTITIONER, "south")
    _add_role(world, "employer_admin", Role.EMPLOYER_ADMIN, "east")
    _as(client, world, "employer_admin")
    response = client.post(f"/admin/people/{world['user:owner']}/roles/new",
                           data={"organisation": str(world["east"]), "role": Role.PRACTITIONER.value},
                           follow_redirects=True)
    assert "has been sent an invitation to accept the role Practitioner" in response.get_data(as_text=True)
    assert (Role.PRACTITIONER, world["east"]) not in _roles(world, "owner")
    assert len(_notifications(world, "owner", "role_invitation")) == 1


def test_a_supervisor_without_the_role_there_does_not_list_the_practitioner(client, world):
    from portal.enrolments.models import Enrolment

    session().get(Enrolment, world["enrolment:owner"]).supervisor_id = world["user:supervisor"]
    session().commit()
    _as(client, world, "supervisor")
    for url in ("/supervisees", "/cpd/supervisees"):
        response = client.get(url)
        assert response.status_code == 200 and "Owner" not in response.get_data(as_text=True), url

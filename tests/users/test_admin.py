"""Administration of organisations and people, and who may do it."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.db import session
from portal.users.models import Organisation, Role, RoleGrant, User, UserStatus

from ..conftest import parse, reload

ROLES = list(Role)


@pytest.fixture
def world(make_org, make_user):
    """Two councils, each with an admin and a practitioner, plus a programme admin."""
    north, south = make_org("Northshire", "NORTH"), make_org("Southshire", "SOUTH")
    return {
        "north": north, "south": south,
        "north_admin": make_user(Role.EMPLOYER_ADMIN, north, name="Nia North"),
        "south_admin": make_user(Role.EMPLOYER_ADMIN, south, name="Sol South"),
        "north_prac": make_user(Role.PRACTITIONER, north, name="Pat North"),
        "south_prac": make_user(Role.PRACTITIONER, south, name="Sam South"),
        "prog": make_user(Role.PROGRAMME_ADMIN, name="Prog Admin"),
    }


def routes(w):
    n, s = w["north"], w["north_prac"]
    grant = s.grants[0]
    return {
        "organisations": ("GET", "/admin/organisations"),
        "new_organisation": ("GET", "/admin/organisations/new"),
        "organisation": ("GET", f"/admin/organisations/{n.id}"),
        "people": ("GET", "/admin/people"),
        "invite": ("GET", "/admin/people/invite"),
        "person": ("GET", f"/admin/people/{s.id}"),
        "edit_person": ("GET", f"/admin/people/{s.id}/edit"),
        "add_role": ("GET", f"/admin/people/{s.id}/roles/new"),
        "disable_person": ("GET", f"/admin/people/{s.id}/disable"),
        "revoke_role": ("POST", f"/admin/people/{s.id}/roles/{grant.id}/revoke"),
    }


# Expected status per (route, actor) where the target is north's organisation or north's practitioner.
ALLOWED = {
    "prog": {"organisations", "new_organisation", "organisation", "people", "invite", "person", "edit_person",
             "add_role", "disable_person", "revoke_role"},
    "north_admin": {"organisations", "organisation", "people", "invite", "person", "edit_person", "add_role",
                    "disable_person", "revoke_role"},
    "south_admin": {"organisations", "people", "invite"},
}


@pytest.mark.parametrize("actor", ["prog", "north_admin", "south_admin", "north_prac", "supervisor", "assessor",
                                   "moderator"])
def test_access_to_every_admin_route(client, world, make_user, sign_in_as, actor):
    if actor in world:
        user = world[actor]
    else:
        user = make_user(Role(actor), world["north"])
    sign_in_as(user)
    allowed = ALLOWED.get(actor, set())
    for name, (method, url) in routes(world).items():
        response = client.open(url, method=method)
        expected = {200, 302} if name in allowed else {403}
        assert response.status_code in expected, (actor, name, response.status_code)


def test_missing_objects_are_404(client, world, sign_in_as):
    sign_in_as(world["prog"])
    assert client.get("/admin/organisations/999999").status_code == 404
    assert client.get("/admin/people/999999").status_code == 404
    grant_of_other = reload(world["south_prac"]).grants[0]
    # a real grant id under the wrong person is not found (no acting on someone else's grant by URL)
    assert client.post(f"/admin/people/{world['north_prac'].id}/roles/{grant_of_other.id}/revoke").status_code == 404
    assert reload(world["south_prac"]).grants


def test_programme_admin_creates_an_organisation(client, world, sign_in_as):
    sign_in_as(world["prog"])
    response = client.post("/admin/organisations/new", data={"name": "Eastshire Council", "kind": "local_authority",
                                                             "code": "east-cc"})
    assert response.status_code == 302
    org = session().execute(select(Organisation).where(Organisation.code == "EAST-CC")).scalar_one()
    assert org.name == "Eastshire Council"
    assert "Eastshire Council" in parse(client.get(response.headers["Location"])).h1.get_text()


@pytest.mark.parametrize("data, message", [
    ({"name": "", "kind": "local_authority", "code": "X1"}, "Enter the organisation's name"),
    ({"name": "A", "kind": "", "code": "X1"}, "Select the type of organisation"),
    ({"name": "A", "kind": "spaceship", "code": "X1"}, "Not a valid choice"),
    ({"name": "A", "kind": "local_authority", "code": "bad code!"}, "2 to 20 letters"),
    ({"name": "A" * 201, "kind": "local_authority", "code": "X1"}, "200 characters or fewer"),
    ({"name": "A\x00B", "kind": "local_authority", "code": "X1"}, "control characters"),
    ({"name": "North\u202eLA", "kind": "local_authority", "code": "X1"},
     "Organisation name must not contain control characters that change the direction of text"),
    ({"name": "Dup", "kind": "local_authority", "code": "north"}, "already exists"),
])
def test_organisation_form_errors_change_nothing(client, world, sign_in_as, data, message):
    sign_in_as(world["prog"])
    before = session().execute(select(func.count(Organisation.id))).scalar()
    soup = parse(client.post("/admin/organisations/new", data=data))
    assert soup.title.get_text().startswith("Error: ")
    assert message in soup.select_one(".govuk-error-summary").get_text()
    assert session().execute(select(func.count(Organisation.id))).scalar() == before


def test_employer_admin_invites_into_own_organisation_only(client, world, sign_in_as):
    sign_in_as(world["north_admin"])
    response = client.post("/admin/people/invite", data={
        "name": "Sup Ervisor", "email": "sup@example.org", "organisation": str(world["south"].id),
        "role": "supervisor"})
    assert response.status_code == 200
    assert "Not a valid choice" in parse(response).select_one(".govuk-error-summary").get_text()
    response = client.post("/admin/people/invite", data={
        "name": "Sup Ervisor", "email": "sup@example.org", "organisation": str(world["north"].id),
        "role": "programme_admin"})
    assert response.status_code == 200
    assert session().execute(select(User).where(User.email == "sup@example.org")).scalar() is None
    response = client.post("/admin/people/invite", data={
        "name": "Sup Ervisor", "email": "sup@example.org", "organisation": str(world["north"].id),
        "role": "supervisor", "swe_number": "sw 123456"})
    assert response.status_code == 302
    person = session().execute(select(User).where(User.email == "sup@example.org")).scalar_one()
    assert person.status == UserStatus.INVITED and person.swe_number == "SW123456"
    assert person.has_role(Role.SUPERVISOR, world["north"].id)


@pytest.mark.parametrize("data, message", [
    ({"email": "x@example.org", "swe_number": "AB123"}, "correct format, like SW123456"),
    ({"email": "x@example.org", "swe_number": "SW"}, "correct format"),
    ({"email": "not an email"}, "correct format, like name@example.com"),
    ({"email": ""}, "Enter the person's email address"),
    ({"email": "x@example.org", "name": ""}, "Enter the person's full name"),
])
def test_invite_form_errors(client, world, sign_in_as, data, message):
    sign_in_as(world["north_admin"])
    form = {"name": "Someone", "organisation": str(world["north"].id), "role": "practitioner", **data}
    before = session().execute(select(func.count(User.id))).scalar()
    soup = parse(client.post("/admin/people/invite", data=form))
    assert message in soup.select_one(".govuk-error-summary").get_text()
    assert session().execute(select(func.count(User.id))).scalar() == before


def test_duplicate_swe_number_is_refused(client, world, sign_in_as, make_user):
    make_user(Role.PRACTITIONER, world["north"], swe_number="SW555")
    sign_in_as(world["north_admin"])
    soup = parse(client.post("/admin/people/invite", data={
        "name": "Dup", "email": "dup@example.org", "organisation": str(world["north"].id), "role": "practitioner",
        "swe_number": "SW555"}))
    assert "already has this Social Work England" in soup.select_one(".govuk-error-summary").get_text()


def test_duplicate_role_is_refused(client, world, sign_in_as):
    sign_in_as(world["north_admin"])
    soup = parse(client.post("/admin/people/invite", data={
        "name": "Pat", "email": world["north_prac"].email.upper(), "organisation": str(world["north"].id),
        "role": "practitioner"}))
    assert "already has the role" in soup.select_one(".govuk-error-summary").get_text()


def test_programme_admin_can_make_a_programme_admin(client, world, sign_in_as):
    sign_in_as(world["prog"])
    response = client.post("/admin/people/invite", data={
        "name": "Second Admin", "email": "second@example.org", "organisation": "national",
        "role": "programme_admin"})
    assert response.status_code == 302
    person = session().execute(select(User).where(User.email == "second@example.org")).scalar_one()
    assert person.has_role(Role.PROGRAMME_ADMIN)


def test_employer_admin_sees_only_their_people(client, world, sign_in_as):
    sign_in_as(world["north_admin"])
    text = parse(client.get("/admin/people")).get_text()
    assert "Pat North" in text and "Sam South" not in text
    assert client.get(f"/admin/people/{world['south_prac'].id}").status_code == 403
    assert client.get(f"/admin/organisations/{world['south'].id}").status_code == 403
    orgs = parse(client.get("/admin/organisations")).get_text()
    assert "Northshire" in orgs and "Southshire" not in orgs


def test_search_and_role_filter(client, world, sign_in_as):
    sign_in_as(world["prog"])
    text = parse(client.get("/admin/people?q=sam")).get_text()
    assert "Sam South" in text and "Pat North" not in text
    text = parse(client.get("/admin/people?role=employer_admin")).get_text()
    assert "Nia North" in text and "Pat North" not in text
    response = client.get("/admin/people?role=wizard&q=%25_")
    assert response.status_code == 200
    assert "role filter was not recognised" in response.get_data(as_text=True)
    response = client.get("/admin/people?q=%00")
    assert response.status_code == 400 and parse(response).h1


def test_people_list_is_keyset_paginated_with_constant_queries(client, world, sign_in_as, make_user,
                                                               count_statements):
    org = world["north"]
    for i in range(60):
        make_user(Role.PRACTITIONER, org, name=f"Zed {i:03d}")
    sign_in_as(world["north_admin"])
    seen = []
    url = f"/admin/organisations/{org.id}?q=zed"
    while url:
        soup = parse(client.get(url))
        seen += [a.get_text(strip=True) for a in soup.select("tbody a") if a.get_text(strip=True).startswith("Zed")]
        nxt = soup.select_one(".govuk-pagination__next a")
        url = nxt["href"] if nxt else None
    assert seen == [f"Zed {i:03d}" for i in range(60)]
    with count_statements() as small:
        client.get(f"/admin/organisations/{org.id}?q=zed 00")
    with count_statements() as big:
        client.get(f"/admin/organisations/{org.id}?q=zed")
    assert small.count == big.count


def test_previous_page_link_goes_back(client, world, sign_in_as, make_user):
    for i in range(30):
        make_user(Role.PRACTITIONER, world["north"], name=f"Yan {i:02d}")
    sign_in_as(world["prog"])
    first = parse(client.get("/admin/people?q=yan"))
    second = parse(client.get(first.select_one(".govuk-pagination__next a")["href"]))
    back = parse(client.get(second.select_one(".govuk-pagination__prev a")["href"]))
    names = lambda s: [a.get_text(strip=True) for a in s.select("tbody a")]
    assert names(back) == names(first)


def test_disable_and_enable(client, world, sign_in_as):
    sign_in_as(world["north_admin"])
    person = world["north_prac"]
    response = client.post(f"/admin/people/{person.id}/disable", data={"reason": "Left the council"})
    assert response.status_code == 302
    assert reload(person).status == UserStatus.DISABLED
    assert client.post(f"/admin/people/{person.id}/enable", data={}).status_code == 302
    assert reload(person).status == UserStatus.ACTIVE


def test_admin_cannot_disable_themselves_or_a_programme_admin(client, world, sign_in_as):
    sign_in_as(world["north_admin"])
    assert client.post(f"/admin/people/{world['north_admin'].id}/disable").status_code == 403
    assert client.post(f"/admin/people/{world['prog'].id}/disable").status_code == 403


def test_revoke_role(client, world, sign_in_as):
    sign_in_as(world["north_admin"])
    person = world["north_prac"]
    grant = person.grants[0]
    assert client.post(f"/admin/people/{person.id}/roles/{grant.id}/revoke").status_code == 302
    assert session().get(RoleGrant, grant.id) is None
    own = world["north_admin"].grants[0]
    assert client.post(f"/admin/people/{world['north_admin'].id}/roles/{own.id}/revoke").status_code == 403


def test_edit_person_checks_swe_number(client, world, sign_in_as):
    sign_in_as(world["north_admin"])
    person = world["north_prac"]
    soup = parse(client.post(f"/admin/people/{person.id}/edit", data={"name": "Pat North", "swe_number": "12345"}))
    assert "correct format" in soup.select_one(".govuk-error-summary").get_text()
    assert client.post(f"/admin/people/{person.id}/edit", data={"name": "Patricia North", "swe_number": "SW42"}
                       ).status_code == 302
    person = reload(person)
    assert (person.name, person.swe_number) == ("Patricia North", "SW42")


def test_role_changes_are_audited(client, world, sign_in_as):
    from portal.audit import AuditEvent

    sign_in_as(world["north_admin"])
    client.post(f"/admin/people/{world['north_prac'].id}/roles/new", data={
        "organisation": str(world["north"].id), "role": "supervisor"})
    event = session().execute(select(AuditEvent).where(AuditEvent.action == "role.granted")
                              .order_by(AuditEvent.id.desc())).scalars().first()
    assert event.actor_id == world["north_admin"].id and event.details["role"] == "supervisor"

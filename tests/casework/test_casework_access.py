"""Who can reach which casework page, for every role, including by changing ids in the URL; every view of an item's
text is audited; an employer admin sees counts and statuses, never the text."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal import clock
from portal.audit import AuditEvent
from portal.db import session
from portal.permissions import can_view_casework, register_casework_viewer
from portal.users.models import Role

from ..conftest import parse
from .conftest import fresh

ACTORS = ["practitioner", "supervisor", "other_supervisor", "coworker", "unregistered", "employer_admin",
          "south_admin", "south_supervisor", "assessor", "moderator", "programme_admin", "stranger"]


@pytest.fixture
def items(world, item_builder):
    return {"draft": item_builder(), "requested": item_builder(status="requested"),
            "supervision": item_builder("supervision_record", status="requested")}


def routes(world, items):
    e, d, r, s = world["enrolment"].id, items["draft"].id, items["requested"].id, items["supervision"].id
    return {
        "list": ("GET", f"/casework/enrolments/{e}"),
        "item": ("GET", f"/casework/items/{d}"),
        "edit": ("GET", f"/casework/items/{d}/edit"),
        "check": ("GET", f"/casework/items/{d}/check"),
        "delete": ("GET", f"/casework/items/{d}/delete"),
        "comment": ("POST", f"/casework/items/{d}/comments"),
        "verify": ("GET", f"/casework/items/{r}/verify"),
        "decline": ("GET", f"/casework/items/{r}/decline"),
        "withdraw": ("POST", f"/casework/items/{r}/withdraw"),
        "new_reflection": ("GET", f"/casework/enrolments/{e}/reflections/new"),
        "request_link": ("GET", f"/casework/enrolments/{e}/feedback/request"),
        "record_feedback": ("GET", f"/casework/enrolments/{e}/feedback/record"),
        "new_observation": ("GET", f"/casework/enrolments/{e}/observations/new"),
        "new_supervision": ("GET", f"/casework/enrolments/{e}/supervision/new"),
        "supervision_item": ("GET", f"/casework/items/{s}"),
        "cosign": ("GET", f"/casework/items/{s}/verify"),
        "supervision_edit": ("GET", f"/casework/items/{s}/edit"),
        "queue": ("GET", "/casework/verifications"),
        "summary": ("GET", f"/casework/organisations/{world['north'].id}"),
    }


ALLOWED = {
    "practitioner": {"list", "item", "edit", "check", "delete", "comment", "withdraw", "new_reflection",
                     "request_link", "record_feedback", "supervision_item", "cosign"},
    "supervisor": {"list", "item", "comment", "verify", "decline", "new_observation", "new_supervision",
                   "supervision_item", "supervision_edit", "queue"},
    "other_supervisor": {"new_observation", "queue"},
    "unregistered": {"new_observation", "queue"},  # the page explains why they cannot record one
    "coworker": {"new_observation"},
    "south_supervisor": {"queue"},
    "employer_admin": {"summary"},
    "programme_admin": {"summary"},
}


@pytest.mark.parametrize("actor", ACTORS)
def test_access_to_every_casework_route(client, world, items, make_user, sign_in_as, actor):
    user = world[actor] if actor in world else make_user(Role.PRACTITIONER, name="Stranger")
    sign_in_as(user)
    allowed = ALLOWED.get(actor, set())
    for name, (method, url) in routes(world, items).items():
        response = client.open(url, method=method)
        expected = {200, 302} if name in allowed else {403}
        assert response.status_code in expected, (actor, name, response.status_code)


def test_another_practitioners_ids_give_403_and_missing_ids_404(client, world, items, make_user, sign_in_as,
                                                                 programme_version):
    from portal.enrolments.models import Enrolment
    from portal.enrolments.services import enrol
    from portal.framework.models import ProgrammeVersion
    from portal.users.models import Organisation, User

    other = make_user(Role.PRACTITIONER, world["north"], name="Olly Other")
    sess = session()
    enrolment = enrol(practitioner=sess.get(User, other.id), organisation=sess.get(Organisation, world["north"].id),
                      programme_version=sess.get(ProgrammeVersion, programme_version.id),
                      start_date=clock.today() - dt.timedelta(days=30), fte="1", supervisor=None, by=None)
    sess.commit()
    own_enrolment = enrolment.id
    sign_in_as(other)
    assert client.get(f"/casework/enrolments/{own_enrolment}").status_code == 200
    for item in items.values():
        for suffix in ("", "/edit", "/check", "/verify", "/decline", "/delete"):
            assert client.get(f"/casework/items/{item.id}{suffix}").status_code == 403, suffix
    assert client.post(f"/casework/items/{items['draft'].id}/request").status_code == 403
    assert client.post(f"/casework/items/{items['draft'].id}/comments", data={"comment": "x"}).status_code == 403
    assert client.get(f"/casework/enrolments/{world['enrolment'].id}/reflections/new").status_code == 403
    # posting to someone else's enrolment creates nothing
    assert client.post(f"/casework/enrolments/{world['enrolment'].id}/feedback/request", data={
        "kind": "professional_feedback", "email": "x@example.org", "respondent_description": "X",
        "case_reference": "Case 1"}).status_code == 403
    assert client.get("/casework/items/999999").status_code == 404
    assert client.get("/casework/enrolments/999999").status_code == 404
    assert session().get(Enrolment, own_enrolment) is not None


def test_every_view_of_an_items_text_is_audited(client, world, items, sign_in_as):
    item = items["requested"]
    for who in ("practitioner", "supervisor"):
        sign_in_as(world[who])
        assert client.get(f"/casework/items/{item.id}").status_code == 200
    sign_in_as(world["supervisor"])
    client.get(f"/casework/items/{item.id}/verify")
    views = session().execute(select(AuditEvent).where(AuditEvent.action == "casework.viewed",
                                                       AuditEvent.subject_id == str(item.id))
                              .order_by(AuditEvent.id)).scalars().all()
    assert [v.actor_id for v in views] == [world["practitioner"].id, world["supervisor"].id,
                                           world["supervisor"].id]
    assert views[0].details["own"] is True and views[1].details["own"] is False
    assert views[0].ip_address


def test_employer_admin_sees_counts_and_statuses_never_text(client, world, items, sign_in_as):
    sign_in_as(world["employer_admin"])
    response = client.get(f"/casework/organisations/{world['north'].id}")
    html = response.get_data(as_text=True)
    soup = parse(response)
    row = soup.select_one("tbody tr")
    assert "Pat Practitioner" in row.get_text()
    cells = [td.get_text(strip=True) for td in row.select("td")]
    # by kind (reflection, observation, family, professional, supervision), then by status
    assert cells == ["2", "0", "0", "0", "1", "1", "2", "0", "0"]
    assert "visited Child A" not in html and "Case 14" not in html
    assert client.get(f"/casework/items/{items['draft'].id}").status_code == 403
    sign_in_as(world["south_admin"])
    assert client.get(f"/casework/organisations/{world['north'].id}").status_code == 403


def test_the_assessor_hook_grants_sight(client, world, items, sign_in_as):
    """The extension point the assessment feature will use: a registered hook lets a named person see an item."""
    from portal.permissions import CASEWORK_VIEWER_HOOKS

    item_id = items["draft"].id
    assessor_id = world["assessor"].id

    def assessor_of_submission(user, item):
        return user.id == assessor_id and item.id == item_id

    sign_in_as(world["assessor"])
    assert client.get(f"/casework/items/{item_id}").status_code == 403
    register_casework_viewer(assessor_of_submission)
    try:
        assert client.get(f"/casework/items/{item_id}").status_code == 200
        assert client.get(f"/casework/items/{items['requested'].id}").status_code == 403
        assert client.get(f"/casework/items/{item_id}/edit").status_code == 403
    finally:
        CASEWORK_VIEWER_HOOKS.remove(assessor_of_submission)
    assert not can_view_casework(world["moderator"], fresh(items["draft"]))


def test_the_moderators_anonymised_view_hook(client, world, sign_in_as, item_builder):
    from portal.permissions import CASEWORK_ANONYMISED_VIEWER_HOOKS

    item = item_builder(texts={"account": "I visited Jayden Smith in LS1 4AB.", "analysis": "Calm.",
                               "reflection": "Plan ahead."})
    sign_in_as(world["moderator"])
    assert client.get(f"/casework/items/{item.id}/anonymised").status_code == 403

    def moderator(user, _item):
        return user.id == world["moderator"].id

    register_casework_viewer(moderator, anonymised=True)
    try:
        text = parse(client.get(f"/casework/items/{item.id}/anonymised")).get_text()
        assert "Jayden" not in text and "LS1 4AB" not in text and "[postcode]" in text
        assert "Pat Practitioner" not in text and "Sue Supervisor" not in text
        assert client.get(f"/casework/items/{item.id}").status_code == 403
    finally:
        CASEWORK_ANONYMISED_VIEWER_HOOKS.remove(moderator)
    event = session().execute(select(AuditEvent).where(AuditEvent.action == "casework.viewed_anonymised")
                              ).scalar_one()
    assert event.actor_id == world["moderator"].id


def test_navigation_by_role(client, world, sign_in_as):
    def nav(who):
        sign_in_as(world[who])
        return [a.get_text(strip=True) for a in parse(client.get("/")).select(".govuk-service-navigation__link")]

    assert "Casework" in nav("practitioner")
    assert "Verifications" in nav("supervisor")
    assert "Casework counts" in nav("employer_admin")
    assert not {"Casework", "Verifications"} & set(nav("assessor"))


def test_a_lock_hook_freezes_an_item(client, world, sign_in_as, item_builder):
    """The seam the assessment feature uses to lock items sealed in a submission."""
    from portal.permissions import CASEWORK_LOCK_HOOKS, register_casework_lock

    item = item_builder()

    def sealed(candidate):
        return candidate.id == item.id

    register_casework_lock(sealed)
    try:
        sign_in_as(world["practitioner"])
        assert client.get(f"/casework/items/{item.id}").status_code == 200
        assert client.get(f"/casework/items/{item.id}/edit").status_code == 403
        assert client.post(f"/casework/items/{item.id}/delete").status_code == 403
        from portal.casework import services
        from portal.exceptions import DomainError
        from portal.users.models import User

        with pytest.raises(DomainError, match="part of a submission"):
            services.update_item(fresh(item), by=session().get(User, world["practitioner"].id),
                                 values={"account": "Changed"})
    finally:
        CASEWORK_LOCK_HOOKS.remove(sealed)
    assert fresh(item).content["account"].startswith("I visited")

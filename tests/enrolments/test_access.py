"""Who may see and change an enrolment, by every role, including by editing URLs."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.db import session
from portal.enrolments.models import EnrolmentPause

ACTORS = ["prac", "other_prac", "sup", "sup2", "south_sup", "north_admin", "south_admin", "prog", "assessor"]


def routes(enrolment_id: int) -> dict[str, tuple[str, str]]:
    base = f"/enrolments/{enrolment_id}"
    return {
        "enrolment": ("GET", base),
        "review_view": ("GET", f"{base}/reviews/Y1-R3"),
        "review_record": ("POST", f"{base}/reviews/Y1-R3"),
        "pause": ("GET", f"{base}/pauses/new"),
        "pause_post": ("POST", f"{base}/pauses/new"),
        "extension": ("GET", f"{base}/extensions/new"),
        "supervisor": ("GET", f"{base}/supervisor"),
        "transfer": ("GET", f"{base}/transfer"),
        "migrate": ("GET", f"{base}/version"),
        "document": ("GET", f"{base}/documents/new"),
        "self_assessment": ("GET", f"{base}/self-assessments/new"),
        "result": ("GET", f"{base}/results/new"),
        "list": ("GET", "/enrolments"),
        "enrol": ("GET", "/enrolments/new"),
        "supervisees": ("GET", "/supervisees"),
    }


MANAGE = {"enrolment", "review_view", "review_record", "pause", "pause_post", "extension", "supervisor", "transfer",
          "migrate", "document", "self_assessment", "result", "list", "enrol"}
ALLOWED = {
    "prac": {"enrolment", "review_view", "document", "self_assessment"},
    "other_prac": set(),
    "sup": {"enrolment", "review_view", "review_record", "document", "self_assessment", "supervisees"},
    "sup2": {"supervisees"},
    "south_sup": {"supervisees"},
    "north_admin": MANAGE,
    "south_admin": {"list", "enrol"},
    "prog": MANAGE,
    "assessor": set(),
}


@pytest.mark.parametrize("actor", ACTORS)
def test_access_to_every_enrolment_route(client, world, sign_in_as, enrol_as, actor):
    enrolment = enrol_as(world["prac"], supervisor=world["sup"])
    sign_in_as(world[actor])
    for name, (method, url) in routes(enrolment.id).items():
        response = client.open(url, method=method)
        expected = {200, 302} if name in ALLOWED[actor] else {403}
        assert response.status_code in expected, (actor, name, response.status_code)
    assert session().execute(select(func.count(EnrolmentPause.id))).scalar_one() == 0


def test_missing_things_are_404_for_everyone(client, world, sign_in_as, enrol_as):
    enrolment = enrol_as(world["prac"])
    for actor in ("prog", "prac"):
        sign_in_as(world[actor])
        assert client.get("/enrolments/999999").status_code == 404
        assert client.get("/enrolments/999999/pauses/new").status_code == 404
        assert client.get("/programmes/999999").status_code in (404, 403)
    sign_in_as(world["prac"])
    assert client.get(f"/enrolments/{enrolment.id}/reviews/NO-SUCH-REVIEW").status_code == 404


def test_url_tampering_shows_nobody_else_s_enrolment(client, world, sign_in_as, enrol_as):
    mine = enrol_as(world["prac"], supervisor=world["sup"])
    theirs = enrol_as(world["other_prac"], supervisor=world["sup2"])
    south = enrol_as(world["south_prac"], organisation=world["south"], supervisor=world["south_sup"])
    checks = [
        ("prac", theirs, 403), ("prac", mine, 200),
        ("sup", theirs, 403), ("sup", mine, 200),
        ("north_admin", south, 403), ("south_admin", mine, 403), ("south_admin", south, 200),
        ("prog", south, 200),
    ]
    for actor, enrolment, status in checks:
        sign_in_as(world[actor])
        assert client.get(f"/enrolments/{enrolment.id}").status_code == status, (actor, enrolment.id)
        assert client.get(f"/enrolments/{enrolment.id}/reviews/Y1-R3").status_code == status
    # a practitioner cannot add a pause to their own enrolment by posting to the URL
    sign_in_as(world["prac"])
    response = client.post(f"/enrolments/{mine.id}/pauses/new", data={
        "start_date": ["1", "1", "2026"], "end_date": ["31", "1", "2026"], "reason": "sickness"})
    assert response.status_code == 403
    assert session().execute(select(func.count(EnrolmentPause.id))).scalar_one() == 0
    # an employer admin sees only their own organisation's enrolments in the list
    sign_in_as(world["north_admin"])
    listed = client.get("/enrolments").get_data(as_text=True)
    assert "Pat Practitioner" in listed and "Sam South" not in listed
    # and cannot enrol into another organisation by editing the query string
    other = client.get(f"/enrolments/new?organisation={world['south'].id}")
    assert "Sam South" not in other.get_data(as_text=True)


def test_the_home_page_shows_a_practitioner_only_their_own_dashboard(client, world, sign_in_as, enrol_as):
    enrol_as(world["prac"], start=dt.date(2025, 9, 1))
    sign_in_as(world["other_prac"])
    assert "Your progress" not in client.get("/").get_data(as_text=True)
    sign_in_as(world["prac"])
    assert "Your progress" in client.get("/").get_data(as_text=True)

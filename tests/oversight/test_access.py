"""Who may see the dashboards, their lists and exports, and notifications: every role, and URL tampering (another
organisation's dashboard, list or export; someone else's notification)."""
from __future__ import annotations

import pytest

from portal.db import session
from portal.notifications.models import Notification
from portal.notifications.services import notify
from portal.users.models import User

ACTORS = ["prac", "sup", "assessor", "moderator", "north_admin", "south_admin", "prog"]


def routes(north: int) -> dict[str, str]:
    org = f"/oversight/organisations/{north}"
    return {
        "index": "/oversight",
        "org_dashboard": org, "org_people": f"{org}/people", "org_people_csv": f"{org}/people.csv",
        "org_people_xlsx": f"{org}/people.xlsx", "org_verifications": f"{org}/verifications",
        "org_verifications_csv": f"{org}/verifications.csv", "org_assessments": f"{org}/assessments",
        "org_assessments_xlsx": f"{org}/assessments.xlsx",
        "national": "/oversight/programme", "national_people": "/oversight/programme/people",
        "national_people_xlsx": "/oversight/programme/people.xlsx",
        "national_verifications": "/oversight/programme/verifications",
        "national_verifications_csv": "/oversight/programme/verifications.csv",
        "national_assessments": "/oversight/programme/assessments",
        "national_assessments_csv": "/oversight/programme/assessments.csv",
        "notifications": "/notifications", "settings": "/account/notifications",
    }


ORG = {"org_dashboard", "org_people", "org_people_csv", "org_people_xlsx", "org_verifications",
       "org_verifications_csv", "org_assessments", "org_assessments_xlsx"}
NATIONAL = {"national", "national_people", "national_people_xlsx", "national_verifications",
            "national_verifications_csv", "national_assessments", "national_assessments_csv"}
EVERYONE = {"notifications", "settings"}
ALLOWED = {
    "prac": EVERYONE, "sup": EVERYONE, "assessor": EVERYONE, "moderator": EVERYONE,
    "north_admin": EVERYONE | ORG | {"index"},
    "south_admin": EVERYONE | {"index"},  # the index sends them to their own organisation's dashboard
    "prog": EVERYONE | ORG | NATIONAL | {"index"},
}


@pytest.mark.parametrize("actor", ACTORS)
def test_access_to_every_oversight_route(client, world, sign_in_as, enrol_as, actor):
    enrol_as(world["prac"], supervisor=world["sup"])
    sign_in_as(world[actor])
    for name, url in routes(world["north"].id).items():
        response = client.get(url)
        expected = {200, 302} if name in ALLOWED[actor] else {403}
        assert response.status_code in expected, (actor, name, response.status_code)


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in routes(world["north"].id).values():
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url


def test_url_tampering_never_shows_another_organisation(client, world, sign_in_as, enrol_as):
    enrol_as(world["south_prac"], organisation=world["south"], supervisor=world["south_sup"])
    sign_in_as(world["north_admin"])
    south = world["south"].id
    for url in (f"/oversight/organisations/{south}", f"/oversight/organisations/{south}/people",
                f"/oversight/organisations/{south}/people.csv", f"/oversight/organisations/{south}/verifications.xlsx",
                f"/oversight/organisations/{south}/assessments"):
        response = client.get(url)
        assert response.status_code == 403 and "Sam South" not in response.get_data(as_text=True), url
    # the national scope's organisation filter is not a way in either
    assert client.get(f"/oversight/programme/people?organisation={south}").status_code == 403
    # nor a filter on their own dashboard: it is ignored, and South's people never appear
    page = client.get(f"/oversight/organisations/{world['north'].id}/people?organisation={south}")
    assert page.status_code == 200 and "Sam South" not in page.get_data(as_text=True)
    assert client.get("/oversight/organisations/999999").status_code == 404
    # the index sends an employer admin to their own organisation
    assert client.get("/oversight").headers["Location"].endswith(f"/oversight/organisations/{world['north'].id}")


def test_someone_else_s_notification_cannot_be_read_or_marked(client, world, sign_in_as):
    mine = notify(session().get(User, world["prac"].id), "review_due", "Your review is due", "/").id
    session().commit()
    sign_in_as(world["other_prac"])
    assert client.get(f"/notifications/{mine}/open").status_code == 403
    assert client.post(f"/notifications/{mine}/read").status_code == 403
    assert "Your review is due" not in client.get("/notifications").get_data(as_text=True)
    assert session().get(Notification, mine, populate_existing=True).read_at is None


def test_the_dashboard_link_is_in_the_navigation_only_for_admins(client, world, sign_in_as):
    for actor, shown in (("prac", False), ("sup", False), ("north_admin", True), ("prog", True)):
        sign_in_as(world[actor])
        nav = [a.get_text(strip=True) for a in _nav(client)]
        assert ("Dashboard" in nav) is shown, actor
        assert "Notifications" in nav


def _nav(client):
    from tests.conftest import parse

    return parse(client.get("/")).select(".govuk-service-navigation__item a")

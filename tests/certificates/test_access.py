"""Who may reach what: every certificate route for every role, and URL tampering (another practitioner's
certificate by id)."""
from __future__ import annotations

import pytest

ACTORS = ["anonymous", "holder", "other", "supervisor", "assessor", "moderator", "north_admin", "south_admin", "prog"]
PRACTITIONERS = {"holder", "other"}
CHECKERS = {"north_admin", "south_admin", "prog"}


def routes(certificate, people) -> dict[str, tuple[str, set[str]]]:
    """name -> (URL, the actors allowed); everyone else gets 403 (anonymous: sent to sign in)."""
    c = certificate.id
    return {
        "your certificates": ("/certificates", PRACTITIONERS),
        "certificate page": (f"/certificates/{c}", {"holder", "prog"}),
        "pdf": (f"/certificates/{c}/certificate.pdf", {"holder", "prog"}),
        "credential": (f"/certificates/{c}/credential.jwt", {"holder", "prog"}),
        "credential json": (f"/certificates/{c}/credential.json", {"holder", "prog"}),
        "record": ("/certificates/record.zip", PRACTITIONERS),
        "register": ("/admin/certificates", {"prog"}),
        "revoke page": (f"/certificates/{c}/revoke", {"prog"}),
        "reissue page": (f"/certificates/{c}/reissue", {"prog"}),
        "check": ("/checks", CHECKERS),
        "bulk check": ("/checks/bulk", CHECKERS),
        "api tokens": (f"/admin/organisations/{people['north'].id}/api-tokens", {"north_admin", "prog"}),
    }


PUBLIC = ["/verify", "/.well-known/jwks.json", "/credentials/status/revocation", "/credentials/status/suspension",
          "/api/v1/openapi.json"]


@pytest.mark.parametrize("actor", ACTORS)
def test_every_route_for_every_role(client, sign_in_as, people, certificate, actor):
    if actor != "anonymous":
        sign_in_as(people[actor])
    for name, (url, allowed) in routes(certificate, people).items():
        response = client.get(url)
        if actor == "anonymous":
            assert response.status_code == 302 and "/sign-in" in response.headers["Location"], name
        else:
            expected = 200 if actor in allowed else 403
            assert response.status_code == expected, (actor, name, response.status_code)
    for url in [*PUBLIC, f"/verify/{certificate.code}"]:
        assert client.get(url).status_code == 200, (actor, url)


def test_nobody_changes_a_status_by_posting_without_the_role(client, sign_in_as, people, certificate):
    from portal.certificates.models import CertificateStatus

    from ..conftest import reload

    for actor in ("holder", "other", "north_admin", "moderator"):
        sign_in_as(people[actor])
        assert client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "x"}).status_code == 403
    assert reload(certificate).status == CertificateStatus.VALID


def test_another_practitioners_certificate_by_id_is_refused(client, sign_in_as, people, issue):
    mine = issue("Y1")[0]
    theirs = issue("Y1", who="other")[0]
    sign_in_as(people["holder"])
    assert client.get(f"/certificates/{mine.id}/certificate.pdf").status_code == 200
    for suffix in ("", "/certificate.pdf", "/credential.jwt", "/credential.json"):
        assert client.get(f"/certificates/{theirs.id}{suffix}").status_code == 403, suffix
    assert client.get("/certificates/999999/certificate.pdf").status_code == 404
    listing = client.get("/certificates").get_data(as_text=True)
    assert mine.code in listing and theirs.code not in listing

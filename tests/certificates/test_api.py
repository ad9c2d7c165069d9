"""The JSON API: organisation tokens (shown once, hashed at rest, revocable), authentication and scoping, each
endpoint's answers and errors, rate limiting per token, and an OpenAPI document that describes every route."""
from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from portal.certificates.models import ApiToken
from portal.db import session

from ..conftest import parse


def _get(client, url: str, secret: str | None = None, **kwargs):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.get(url, headers=headers, **kwargs)


def _error(response) -> dict:
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["status"] == response.status_code and body["error"]["message"]
    return body["error"]


def test_an_employer_admin_creates_a_token_shown_once_and_stored_hashed(client, sign_in_as, people):
    sign_in_as(people["north_admin"])
    url = f"/admin/organisations/{people['north'].id}/api-tokens"
    assert client.get(url).status_code == 200
    soup = parse(client.post(url, data={"name": "Payroll (live)"}))
    secret = soup.select_one("#secret").get_text(strip=True)
    assert re.fullmatch(r"epp_[A-Za-z0-9_-]{43}", secret)
    row = session().execute(select(ApiToken)).scalar_one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in (row.prefix, row.name)
    listing = client.get(url).get_data(as_text=True)
    assert "Payroll (live)" in listing and row.prefix in listing and secret not in listing
    assert _get(client, "/api/v1/practitioners/SW1/accreditation", secret).status_code == 404
    assert "Enter a name" in parse(client.post(url, data={"name": ""})).select_one(".govuk-error-summary").get_text()


def test_tokens_are_managed_only_within_ones_own_organisation(client, sign_in_as, people, token_for):
    token_for("north")
    token_id = session().execute(select(ApiToken.id)).scalar_one()
    sign_in_as(people["south_admin"])
    assert client.get(f"/admin/organisations/{people['north'].id}/api-tokens").status_code == 403
    assert client.post(f"/admin/api-tokens/{token_id}/revoke").status_code == 403
    sign_in_as(people["holder"])
    assert client.get(f"/admin/organisations/{people['north'].id}/api-tokens").status_code == 403


def test_no_token_an_unknown_token_and_a_revoked_token_are_401(client, sign_in_as, people, token_for):
    url = "/api/v1/practitioners/SW123456/accreditation"
    missing = _get(client, url)
    assert missing.status_code == 401 and _error(missing)["code"] == "missing_token"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert _error(_get(client, url, "epp_" + "A" * 43))["code"] == "invalid_token"
    assert _error(client.get(url, headers={"Authorization": "Basic dXNlcjpwYXNz"}))["code"] == "missing_token"
    secret = token_for("north")
    assert _get(client, url, secret).status_code == 404  # works (no certificates yet)
    sign_in_as(people["north_admin"])
    token_id = session().execute(select(ApiToken.id)).scalar_one()
    assert client.post(f"/admin/api-tokens/{token_id}/revoke").status_code == 302
    revoked = _get(client, url, secret)
    assert revoked.status_code == 401 and _error(revoked)["code"] == "revoked_token"


def test_certificate_status_by_code(client, token_for, certificate):
    secret = token_for("south")  # any organisation may check any certificate's public status
    response = _get(client, f"/api/v1/certificates/{certificate.code.lower()}", secret)
    assert response.status_code == 200
    assert response.get_json() == {
        "code": certificate.code, "status": "valid", "status_date": None, "award": "Year 1 (ASYE-equivalent)",
        "kind": "stage", "holder_name": "Siân Llŷr", "issued_on": certificate.issued_at.date().isoformat(),
        "superseded_by": None, "verify_url": f"https://portal.test/verify/{certificate.code}"}
    from portal.certificates.codes import generate_code

    assert _error(_get(client, f"/api/v1/certificates/{generate_code()}", secret))["code"] == "not_found"
    bad = _get(client, "/api/v1/certificates/EPP-0000", secret)
    assert bad.status_code == 404 and _error(bad)["code"] == "invalid_code" and "has 4" in _error(bad)["message"]


def test_accreditation_by_number(client, token_for, issue):
    issue("Y1")
    secret = token_for("south")
    body = _get(client, "/api/v1/practitioners/sw123456/accreditation", secret).get_json()
    assert body["swe_number"] == "SW123456" and body["holder_name"] == "Siân Llŷr"
    assert body["accreditation"] == {"stage": "Year 1 (ASYE-equivalent)", "stage_code": "Y1", "expert": False}
    assert [c["status"] for c in body["certificates"]] == ["valid"]
    assert _get(client, "/api/v1/practitioners/SW999/accreditation", secret).status_code == 404
    bad = _get(client, "/api/v1/practitioners/12345/accreditation", secret)
    assert bad.status_code == 404 and _error(bad)["code"] == "invalid_swe_number"


def test_bulk_checks_of_a_thousand_and_refusals(client, token_for, issue):
    issue("Y1")
    secret = token_for("north")
    numbers = ["SW123456", "bad", "sw123456"] + [f"SW{400000 + n}" for n in range(997)]
    response = client.post("/api/v1/accreditation-checks", json={"swe_numbers": numbers},
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["count"] == 1000 and len(body["results"]) == 1000
    assert body["summary"] == {"found": 1, "no_certificates": 997, "invalid": 1, "duplicate": 1}
    first, bad, repeat = body["results"][:3]
    assert first["result"] == "found" and first["accreditation"]["holder_name"] == "Siân Llŷr"
    assert bad == {"row": 2, "given": "bad", "swe_number": None, "result": "invalid",
                   "message": "Not a valid Social Work England registration number", "duplicate_of": None,
                   "accreditation": None}
    assert repeat["result"] == "duplicate" and repeat["duplicate_of"] == 1
    for body, code in (({"swe_numbers": numbers + ["SW1"]}, "too_many"), ({"swe_numbers": []}, "invalid_body"),
                       ({"numbers": ["SW1"]}, "invalid_body"), ({"swe_numbers": [1]}, "invalid_body"),
                       ({"swe_numbers": ["SW1"], "extra": 1}, "invalid_body"), ([], "invalid_body")):
        refused = client.post("/api/v1/accreditation-checks", json=body, headers={"Authorization": f"Bearer {secret}"})
        assert refused.status_code == 422 and _error(refused)["code"] == code, body
    not_json = client.post("/api/v1/accreditation-checks", data="SW1", headers={"Authorization": f"Bearer {secret}"})
    assert not_json.status_code == 422


def test_the_organisation_endpoint_is_private_to_its_organisation(client, token_for, issue, people):
    mine = issue("Y1")[0]
    issue("Y1", who="south_prac")
    north, south = token_for("north"), token_for("south")
    body = _get(client, "/api/v1/organisations/north/certificates", north).get_json()
    assert [c["code"] for c in body["certificates"]] == [mine.code] and body["next"] is None
    assert body["certificates"][0]["swe_number"] == "SW123456"
    other = _get(client, "/api/v1/organisations/NORTH/certificates", south)
    assert other.status_code == 403 and _error(other)["code"] == "wrong_organisation"
    assert _error(_get(client, "/api/v1/organisations/NORTH/certificates?limit=0", north))["code"] == "invalid_limit"


def test_pages_of_an_organisations_certificates(client, token_for, issue):
    codes = [issue(stage)[0].code for stage in ("Y1", "Y2", "Y3-4")]
    secret = token_for("north")
    first = _get(client, "/api/v1/organisations/NORTH/certificates?limit=2", secret).get_json()
    second = _get(client, f"/api/v1/organisations/NORTH/certificates?limit=2&after={first['next']}", secret).get_json()
    assert [c["code"] for c in first["certificates"] + second["certificates"]] == codes[::-1]
    assert second["next"] is None


def test_unknown_api_addresses_and_methods_answer_in_json(client, token_for):
    secret = token_for("north")
    assert _error(_get(client, "/api/v1/nothing-here", secret))["code"] == "not_found"
    wrong = client.delete("/api/v1/accreditation-checks", headers={"Authorization": f"Bearer {secret}"})
    assert wrong.status_code == 405 and _error(wrong)["code"] == "method_not_allowed"
    assert client.get("/no-such-page").mimetype == "text/html"  # the rest of the site keeps its HTML pages


def test_the_api_is_rate_limited_per_token(app, client, token_for):
    from portal.extensions import limiter

    first, second = token_for("north", "one"), token_for("north", "two")
    app.config["API_RATE_LIMIT"] = "2 per minute"
    limiter.reset()
    try:
        url = "/api/v1/practitioners/SW1/accreditation"
        assert [_get(client, url, first).status_code for _ in range(2)] == [404, 404]
        limited = _get(client, url, first)
        assert limited.status_code == 429 and _error(limited)["code"] == "rate_limited"
        assert int(limited.headers["Retry-After"]) > 0
        assert _get(client, url, second).status_code == 404  # another token has its own budget
    finally:
        app.config["API_RATE_LIMIT"] = "100000 per minute"
        limiter.reset()


def test_the_api_needs_no_csrf_token(csrf_app, token_for):
    secret = token_for("north")
    response = csrf_app.test_client().post("/api/v1/accreditation-checks", json={"swe_numbers": ["SW1"]},
                                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200


def test_the_openapi_document_describes_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0" and document["servers"] == [{"url": "https://portal.test/api/v1"}]
    described = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == described
    for path, item in document["paths"].items():
        for operation in item.values():
            assert operation["responses"], path
            if operation.get("security") != []:
                assert "401" in operation["responses"] and "429" in operation["responses"], path

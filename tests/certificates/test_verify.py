"""Public verification: by code (forgiving typing, refusing malformed codes, revealing nothing about unknown ones),
by code and surname, and by pasted or uploaded credential (every tampering fails with its reason); status changes
show at once on the page and in the signed status lists; the pages are rate-limited."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json

import pytest

from portal import clock
from portal.certificates import services
from portal.certificates.codes import generate_code
from portal.certificates.credentials import issue_credential
from portal.certificates.keys import KeyRing, generate_private_key_pem
from portal.certificates.models import CertificateStatus
from portal.certificates.snapshot import CertificateSnapshot
from portal.db import session

from ..conftest import on_boundary_days, parse, reload
from .jose_check import b64url, payload_of, replace_payload
from .world import status_bits


def _text(response) -> str:
    return parse(response).get_text(" ", strip=True)


@on_boundary_days
def test_a_valid_certificate_shows_status_award_holder_and_issue_date_only(client, certificate):
    response = client.get(f"/verify/{certificate.code}")
    assert response.status_code == 200
    text = _text(response)
    assert "This certificate is valid" in text
    assert "Siân Llŷr" in text and "Year 1 (ASYE-equivalent)" in text and "Valid" in text
    for private in ("SW123456", "Cyngor Sir Ynys Môn", "Assessor", "9f86d081"):
        assert private not in text  # status and award only: no number, employer, signatories or digest
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("typed", ["{lower}", "{bare}", "{spaced}"])
def test_sloppy_codes_redirect_to_the_canonical_page(client, certificate, typed):
    bare = certificate.code.replace("-", "")[3:]
    text = typed.format(lower=certificate.code.lower(), bare=bare, spaced=" ".join(bare[i:i + 2] for i in (0, 2, 4,
                                                                                                          6, 8)))
    response = client.get(f"/verify/{text}")
    assert response.status_code == 302 and response.headers["Location"] == f"/verify/{certificate.code}"


def test_the_form_takes_a_code_and_optionally_a_surname(client, certificate):
    response = client.post("/verify", data={"code": certificate.code.lower().replace("-", " ")})
    assert response.headers["Location"] == f"/verify/{certificate.code}"
    for surname in ("Llŷr", "llyr", " LLYR "):
        response = client.post("/verify", data={"code": certificate.code, "surname": surname})
        assert response.status_code == 302, surname
    soup = parse(client.post("/verify", data={"code": certificate.code, "surname": "Jones"}))
    assert "No certificate matches that code and surname" in soup.get_text()
    assert "Siân" not in soup.get_text()


def test_unknown_and_malformed_codes_reveal_nothing(client, certificate):
    unknown = generate_code()
    response = client.get(f"/verify/{unknown}")
    assert response.status_code == 404
    assert "Certificate not found" in _text(response) and unknown in _text(response)
    malformed = client.get("/verify/EPP-7KQ0-MX9D-2W")
    assert malformed.status_code == 404
    assert "This is not a valid certificate code" in _text(malformed) and "zero" in _text(malformed)
    soup = parse(client.post("/verify", data={"code": "EPP-7KQ4-MX9D"}))
    assert soup.title.get_text().startswith("Error: ")
    assert "not a valid certificate code" in soup.select_one(".govuk-error-summary").get_text()
    assert "Enter a certificate code" in parse(client.post("/verify", data={"code": ""})).get_text()


@on_boundary_days
def test_revoke_and_suspend_flip_the_status_list_bits_and_the_page(client, people, certificate):
    prog = session().get(type(people["prog"]), people["prog"].id)
    row = reload(certificate)
    services.suspend(row, by=prog, reason="A concern is being looked into")
    session().commit()
    assert status_bits(client, "suspension").get(certificate.suspension_index)
    assert not status_bits(client, "revocation").get(certificate.revocation_index)
    text = _text(client.get(f"/verify/{certificate.code}"))
    assert "This certificate is suspended" in text
    assert "concern is being" not in text  # the reason is not public

    services.reinstate(reload(certificate), by=prog, reason="Concern not upheld")
    session().commit()
    assert status_bits(client, "suspension").set_indexes() == []
    assert "This certificate is valid" in _text(client.get(f"/verify/{certificate.code}"))

    services.revoke(reload(certificate), by=prog, reason="Obtained by deception")
    session().commit()
    assert status_bits(client, "revocation").set_indexes() == [certificate.revocation_index]
    text = _text(client.get(f"/verify/{certificate.code}"))
    today = clock.today()
    assert "This certificate has been revoked" in text and f"{today.day} " in text and str(today.year) in text


def test_reissue_supersedes_with_a_link_to_the_new_certificate(client, people, certificate):
    from portal.users.models import User

    holder = session().get(User, people["holder"].id)
    holder.name = "Siân Llŷr-Evans"
    successor = services.reissue(reload(certificate), by=session().get(User, people["prog"].id),
                                 reason="Name changed on marriage")
    session().commit()
    old = reload(certificate)
    assert old.status == CertificateStatus.SUPERSEDED and old.superseded_by_id == successor.id
    assert successor.code != certificate.code and successor.sign_off_id == certificate.sign_off_id
    new_snapshot = CertificateSnapshot.from_json(successor.snapshot_json)
    old_snapshot = CertificateSnapshot.from_json(old.snapshot_json)
    assert new_snapshot.holder_name == "Siân Llŷr-Evans" and old_snapshot.holder_name == "Siân Llŷr"
    assert (new_snapshot.decision_date, new_snapshot.submission_sha256) == (old_snapshot.decision_date,
                                                                             old_snapshot.submission_sha256)
    soup = parse(client.get(f"/verify/{certificate.code}"))
    assert "This certificate has been replaced" in soup.get_text()
    assert soup.find("a", href=f"/verify/{successor.code}")
    assert "This certificate is valid" in _text(client.get(f"/verify/{successor.code}"))
    assert status_bits(client, "revocation").get(old.revocation_index)  # the old credential stops verifying
    with pytest.raises(Exception, match="cannot reissue"):
        services.reissue(old, by=None, reason="again")


# ----------------------------------------------------------------------------------------------- credentials
@pytest.fixture
def token(certificate) -> str:
    return reload(certificate).credential_jws


def _check(client, token_text: str | None = None, *, upload: bytes | None = None):
    data = {"credential": token_text or ""}
    if upload is not None:
        data["file"] = (io.BytesIO(upload), "credential.jwt")
    response = client.post("/verify/credential", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    return parse(response)


def _reasons(soup) -> list[str]:
    return [li["data-reason"] for li in soup.select("#reasons li")]


def test_a_pasted_or_uploaded_credential_verifies(client, token, certificate):
    for soup in (_check(client, token), _check(client, upload=token.encode())):
        assert "This credential is valid" in soup.get_text()
        assert "Siân Llŷr" in soup.get_text()
        assert soup.find("a", href=f"/verify/{certificate.code}")


def _signed(app, certificate, **changes) -> str:
    from portal.certificates.signing import issuer_profile, keyring

    snapshot = dataclasses.replace(CertificateSnapshot.from_json(reload(certificate).snapshot_json), **changes)
    return issue_credential(snapshot, issuer_profile(), keyring())


def test_every_tampering_fails_with_its_reason_on_the_page(app, client, token, certificate):
    from portal.certificates.signing import issuer_profile

    changed_name = payload_of(token)
    changed_name["vc"]["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    changed_status = payload_of(token)
    changed_status["vc"]["credentialStatus"][0]["statusListIndex"] = "0"
    snapshot = CertificateSnapshot.from_json(reload(certificate).snapshot_json)
    stranger = issue_credential(snapshot, issuer_profile(), KeyRing(generate_private_key_pem()))
    _, payload_b64, _ = token.split(".")
    alg_none = f"{b64url(json.dumps({'alg': 'none'}).encode())}.{payload_b64}."
    past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    expired = _signed(app, certificate, issued_at=past, valid_until=past + dt.timedelta(days=30))
    cases = {
        "bad_signature": replace_payload(token, changed_name),
        "unknown_kid": stranger,
        "unsupported_alg": alg_none,
        "expired": expired,
        "malformed": "not-a-credential",
    }
    for reason, forged in cases.items():
        soup = _check(client, forged)
        assert "This credential is not valid" in soup.get_text(), reason
        assert _reasons(soup) == [reason], (reason, _reasons(soup))
    assert _reasons(_check(client, replace_payload(token, changed_status))) == ["bad_signature"]


def test_a_revoked_or_suspended_credential_fails_with_that_reason(client, people, token, certificate):
    prog = session().get(type(people["prog"]), people["prog"].id)
    services.suspend(reload(certificate), by=prog, reason="Concern")
    session().commit()
    assert _reasons(_check(client, token)) == ["suspended"]
    services.revoke(reload(certificate), by=prog, reason="Revoked")
    session().commit()
    assert _reasons(_check(client, token)) == ["revoked"]


def test_a_readable_json_copy_or_nothing_is_refused_clearly(client, token):
    soup = _check(client, json.dumps(payload_of(token)["vc"]))
    assert "readable copy" in soup.select_one(".govuk-error-summary").get_text()
    soup = _check(client, "")
    assert "Paste the credential or upload" in soup.select_one(".govuk-error-summary").get_text()


# ------------------------------------------------------------------------------------------------ rate limit
def test_verification_is_rate_limited(app, client, certificate):
    from portal.extensions import limiter

    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        statuses = [client.get(f"/verify/{certificate.code}").status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        blocked = client.post("/verify", data={"code": certificate.code})  # the whole area shares the budget
        assert blocked.status_code == 429
        assert "Too many checks" in _text(blocked)
        assert blocked.headers.get("Retry-After")
    finally:
        app.config["VERIFY_RATE_LIMIT"] = "100000 per minute"
        limiter.reset()


def test_the_status_lists_and_keys_are_not_rate_limited(app, client, certificate):
    from portal.extensions import limiter

    app.config["VERIFY_RATE_LIMIT"] = "1 per minute"
    limiter.reset()
    try:
        assert all(client.get("/credentials/status/revocation").status_code == 200 for _ in range(3))
        assert all(client.get("/.well-known/jwks.json").status_code == 200 for _ in range(3))
    finally:
        app.config["VERIFY_RATE_LIMIT"] = "100000 per minute"
        limiter.reset()


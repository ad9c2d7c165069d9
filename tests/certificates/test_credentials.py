"""The Open Badges 3.0 credential: its shape, independent signature check, and every tampering refused."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json

import pytest

from portal.certificates.credentials import (
    IssuerProfile,
    build_credential,
    identity_hash,
    issue_credential,
    sign_credential,
    verify_credential,
)
from portal.certificates.keys import KeyRing, generate_private_key_pem
from portal.certificates.snapshot import CertificateSnapshot
from portal.certificates.status_list import BitstringStatusList, build_status_list_credential, sign_status_list
from tests.certificates.factories import BASE, ISSUED_AT, NOW, REVOCATION_URL, SUSPENSION_URL, make_snapshot
from tests.certificates.jose_check import b64url, independent_verify, payload_of, replace_payload


def signed_lists(ring: KeyRing, revoked: set[int] = frozenset(), suspended: set[int] = frozenset(),
                 when: dt.datetime = ISSUED_AT) -> dict[str, str]:
    out = {}
    for url, purpose, indexes in ((REVOCATION_URL, "revocation", revoked), (SUSPENSION_URL, "suspension", suspended)):
        bits = BitstringStatusList()
        for index in indexes:
            bits.set(index)
        credential = build_status_list_credential(list_url=url, purpose=purpose, status_list=bits,
                                                  issuer_id=f"{BASE}/", valid_from=when)
        out[url] = sign_status_list(credential, ring)
    return out


@pytest.fixture
def token(snapshot: CertificateSnapshot, issuer: IssuerProfile, keyring: KeyRing) -> str:
    return issue_credential(snapshot, issuer, keyring)


def test_credential_is_an_open_badges_3_credential(snapshot: CertificateSnapshot, issuer: IssuerProfile) -> None:
    vc = build_credential(snapshot, issuer)
    assert vc["@context"] == ["https://www.w3.org/ns/credentials/v2",
                              "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"] == snapshot.verify_url
    assert vc["issuer"] == {"id": f"{BASE}/", "type": ["Profile"], "name": issuer.name}
    assert vc["validFrom"] == "2026-09-15T10:30:00Z" and vc["validUntil"].endswith("Z")
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and subject["id"] == snapshot.subject_id
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["id"] == f"{BASE}/achievements/ECF-5Y/3/year-1"
    assert achievement["name"] == snapshot.award_title
    assert achievement["criteria"] == {"narrative": snapshot.criteria_narrative}
    assert achievement["achievementType"] == "Certificate" and achievement["description"]
    name_id, swe_id = subject["identifier"]
    assert name_id == {"type": "IdentityObject", "identityType": "name", "hashed": False,
                       "identityHash": "Siân Llŷr"}
    assert swe_id["hashed"] is True and swe_id["salt"] == snapshot.identity_salt
    assert "SW123456" not in json.dumps(vc)  # the registration number only appears hashed
    expected = "sha256$" + hashlib.sha256(("SW123456" + snapshot.identity_salt).encode()).hexdigest()
    assert swe_id["identityHash"] == expected == identity_hash("SW123456", snapshot.identity_salt)
    assert vc["credentialStatus"] == [
        {"id": f"{REVOCATION_URL}#4711", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
         "statusListIndex": "4711", "statusListCredential": REVOCATION_URL},
        {"id": f"{SUSPENSION_URL}#90210", "type": "BitstringStatusListEntry", "statusPurpose": "suspension",
         "statusListIndex": "90210", "statusListCredential": SUSPENSION_URL},
    ]
    assert snapshot.submission_sha256 in vc["evidence"][0]["description"]
    assert "Pass with targeted development" in subject["narrative"]
    assert subject["activityStartDate"] == "2025-09-01T00:00:00Z"


def test_jws_verifies_with_the_published_jwks_independently(token: str, keyring: KeyRing,
                                                            snapshot: CertificateSnapshot) -> None:
    published = json.loads(json.dumps(keyring.jwks()))  # as served at /.well-known/jwks.json
    claims = independent_verify(token, published)
    assert set(claims) == {"iss", "jti", "sub", "nbf", "exp", "vc"}
    assert claims["iss"] == f"{BASE}/" and claims["jti"] == snapshot.verify_url
    assert claims["sub"] == snapshot.subject_id
    assert claims["nbf"] == int(ISSUED_AT.timestamp())
    assert claims["exp"] == int(snapshot.valid_until.timestamp())
    assert claims["vc"]["credentialSubject"]["identifier"][0]["identityHash"] == "Siân Llŷr"


def test_a_genuine_credential_is_valid(token: str, keyring: KeyRing) -> None:
    result = verify_credential(token, keyring.jwks(), signed_lists(keyring), NOW, trusted_issuer=f"{BASE}/")
    assert result.valid, result.messages
    assert result.reasons == () and result.warnings == ()
    assert result.status == {"revocation": False, "suspension": False}
    assert result.kid == keyring.kid
    assert result.summary["holder_name"] == "Siân Llŷr"
    assert result.summary["award"].startswith("Year 1")


def test_issuing_is_reproducible(snapshot: CertificateSnapshot, issuer: IssuerProfile, keyring: KeyRing,
                                 token: str) -> None:
    again = CertificateSnapshot.from_json(snapshot.to_json())
    assert issue_credential(again, issuer, keyring) == token


def test_without_status_lists_the_status_is_unknown_not_invalid(token: str, keyring: KeyRing) -> None:
    result = verify_credential(token, keyring.jwks(), None, NOW)
    assert result.valid
    assert result.status == {"revocation": None, "suspension": None}
    assert len(result.warnings) == 2 and "not available" in result.warnings[0]


def _tampered_name(token: str) -> str:
    payload = payload_of(token)
    payload["vc"]["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    return replace_payload(token, payload)


def _tampered_status(token: str) -> str:
    payload = payload_of(token)
    payload["vc"]["credentialStatus"][0]["statusListIndex"] = "1"  # point at a bit that is clear
    return replace_payload(token, payload)


def _tampered_validity(token: str) -> str:
    payload = payload_of(token)
    payload["exp"] += 10 * 365 * 86400
    return replace_payload(token, payload)


def _alg_none(token: str) -> str:
    _, payload_b64, _ = token.split(".")
    return f"{b64url(json.dumps({'alg': 'none'}).encode())}.{payload_b64}."


def _alg_hs256(token: str, keyring: KeyRing) -> str:
    _, payload_b64, signature = token.split(".")
    header = b64url(json.dumps({"alg": "HS256", "kid": keyring.kid}).encode())
    return f"{header}.{payload_b64}.{signature}"


def test_each_tampering_fails_with_its_reason(snapshot: CertificateSnapshot, issuer: IssuerProfile,
                                               keyring: KeyRing, token: str) -> None:
    stranger = KeyRing(generate_private_key_pem())
    impostor = copy.copy(stranger)
    impostor.kid = keyring.kid  # a different key claiming to be ours
    cases = {
        "changed name": (_tampered_name(token), "bad_signature"),
        "changed status entry": (_tampered_status(token), "bad_signature"),
        "extended validity": (_tampered_validity(token), "bad_signature"),
        "signed with an unpublished key": (issue_credential(snapshot, issuer, stranger), "unknown_kid"),
        "wrong key under our kid": (issue_credential(snapshot, issuer, impostor), "bad_signature"),
        "alg none": (_alg_none(token), "unsupported_alg"),
        "alg HS256": (_alg_hs256(token, keyring), "unsupported_alg"),
        "not a JWS": ("eyJhbGciOiJFZERTQSJ9", "malformed"),
    }
    lists = signed_lists(keyring)
    for label, (forged, reason) in cases.items():
        result = verify_credential(forged, keyring.jwks(), lists, NOW)
        assert not result.valid, label
        assert result.reasons == (reason,), (label, result.reasons)
        assert result.credential is None and result.messages


def test_expired_and_not_yet_valid(snapshot: CertificateSnapshot, issuer: IssuerProfile, keyring: KeyRing,
                                   token: str) -> None:
    lists = signed_lists(keyring, when=ISSUED_AT - dt.timedelta(days=7))
    expired = verify_credential(token, keyring.jwks(), lists, snapshot.valid_until + dt.timedelta(days=1))
    assert (expired.valid, expired.reasons) == (False, ("expired",))
    early = verify_credential(token, keyring.jwks(), lists, ISSUED_AT - dt.timedelta(hours=1))
    assert (early.valid, early.reasons) == (False, ("not_yet_valid",))
    short = make_snapshot(valid_until=ISSUED_AT + dt.timedelta(days=1))
    result = verify_credential(issue_credential(short, issuer, keyring), keyring.jwks(), lists, NOW)
    assert result.reasons == ("expired",)
    # a few seconds of clock skew are tolerated
    assert verify_credential(token, keyring.jwks(), lists, ISSUED_AT - dt.timedelta(seconds=30)).valid


def test_revoked_and_suspended_via_the_status_list_bit(snapshot: CertificateSnapshot, keyring: KeyRing,
                                                       token: str) -> None:
    revoked = verify_credential(token, keyring.jwks(), signed_lists(keyring, revoked={4711}), NOW)
    assert (revoked.valid, revoked.reasons) == (False, ("revoked",))
    assert revoked.status == {"revocation": True, "suspension": False}
    suspended = verify_credential(token, keyring.jwks(), signed_lists(keyring, suspended={90210}), NOW)
    assert (suspended.valid, suspended.reasons) == (False, ("suspended",))
    reinstated = verify_credential(token, keyring.jwks(), signed_lists(keyring), NOW)
    assert reinstated.valid
    neighbours = verify_credential(token, keyring.jwks(), signed_lists(keyring, {4710, 4712}, {90209, 90211}), NOW)
    assert neighbours.valid  # only its own bits count
    both = verify_credential(token, keyring.jwks(), signed_lists(keyring, {4711}, {90210}), NOW)
    assert both.reasons == ("revoked", "suspended")


def test_decoded_status_lists_can_be_passed_directly(keyring: KeyRing, token: str) -> None:
    revocation = BitstringStatusList()
    revocation.set(4711)
    lists = {REVOCATION_URL: revocation, SUSPENSION_URL: BitstringStatusList()}
    assert verify_credential(token, keyring.jwks(), lists, NOW).reasons == ("revoked",)


def test_a_forged_status_list_is_not_trusted(keyring: KeyRing, token: str) -> None:
    lists = signed_lists(keyring, revoked={4711})
    forger = KeyRing(generate_private_key_pem())
    clean = signed_lists(forger)  # a "clear" list signed by someone else
    tampered = payload_of(lists[REVOCATION_URL])
    tampered["vc"]["credentialSubject"]["encodedList"] = BitstringStatusList().encode()
    for forged in (clean[REVOCATION_URL], replace_payload(lists[REVOCATION_URL], tampered),
                   lists[SUSPENSION_URL]):  # the right signature, but the suspension list
        result = verify_credential(token, keyring.jwks(), {**lists, REVOCATION_URL: forged}, NOW)
        assert not result.valid and result.reasons == ("status_list_invalid",)


def test_signed_claims_must_match_the_credential(snapshot: CertificateSnapshot, issuer: IssuerProfile,
                                                 keyring: KeyRing) -> None:
    vc = build_credential(snapshot, issuer)
    payload = payload_of(sign_credential(vc, keyring))
    payload["sub"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    result = verify_credential(keyring.sign(payload), keyring.jwks(), signed_lists(keyring), NOW)
    assert result.reasons == ("inconsistent_claims",)
    other = verify_credential(keyring.sign(payload_of(sign_credential(vc, keyring))), keyring.jwks(),
                              signed_lists(keyring), NOW, trusted_issuer="https://elsewhere.example/")
    assert other.reasons == ("untrusted_issuer",)


def test_old_credentials_verify_after_key_rotation(snapshot: CertificateSnapshot, issuer: IssuerProfile,
                                                   private_pem: str, token: str) -> None:
    rotated = KeyRing(generate_private_key_pem(), retired=[private_pem])
    lists = signed_lists(rotated)  # lists are re-signed with the new key
    result = verify_credential(token, rotated.jwks(), lists, NOW)
    assert result.valid and result.kid != rotated.kid
    assert independent_verify(token, rotated.jwks())
    fresh = issue_credential(snapshot, issuer, rotated)
    assert verify_credential(fresh, rotated.jwks(), lists, NOW).kid == rotated.kid

"""Keys: Ed25519 PEM, JWKS with RFC 7638 kids, compact JWS checked independently, rotation."""
from __future__ import annotations

import json

import pytest

from portal.certificates.keys import JWSError, KeyRing, generate_private_key_pem, public_jwk, verify_compact
from tests.certificates.jose_check import (
    InvalidSignature,
    b64url,
    independent_verify,
    rfc7638_thumbprint,
)


def test_private_key_is_pem_and_public_jwk_has_a_thumbprint_kid(private_pem: str) -> None:
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    jwk = public_jwk(private_pem)
    assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"}
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert jwk["kid"] == rfc7638_thumbprint(jwk)
    assert public_jwk(jwk) == jwk  # stable from the public half too
    assert all("d" not in key for key in KeyRing(private_pem).jwks()["keys"])  # never the private part


def test_signature_verifies_with_an_independent_implementation(keyring: KeyRing) -> None:
    token = keyring.sign({"name": "Siân Llŷr", "n": 1})
    assert independent_verify(token, keyring.jwks()) == {"name": "Siân Llŷr", "n": 1}
    header, payload = verify_compact(token, keyring.jwks())
    assert header == {"alg": "EdDSA", "kid": keyring.kid}  # no typ / cty
    assert payload["name"] == "Siân Llŷr"


def test_signing_is_deterministic(keyring: KeyRing) -> None:
    assert keyring.sign({"b": 2, "a": 1}) == keyring.sign({"a": 1, "b": 2})


def test_rotation_keeps_old_credentials_verifiable() -> None:
    old_pem, new_pem = generate_private_key_pem(), generate_private_key_pem()
    old_ring = KeyRing(old_pem)
    old_token = old_ring.sign({"issued": "before rotation"})
    for retired in ([old_pem], [public_jwk(old_pem)]):  # keep the PEM, or only its public JWK
        ring = KeyRing(new_pem, retired=retired)
        published = ring.jwks()
        assert [k["kid"] for k in published["keys"]] == [ring.kid, old_ring.kid]
        assert verify_compact(old_token, published)[1] == {"issued": "before rotation"}
        assert independent_verify(old_token, published)
        new_token = ring.sign({"issued": "after rotation"})
        assert verify_compact(new_token, published)[0]["kid"] == ring.kid
    with pytest.raises(JWSError) as caught:  # an old key dropped from the JWKS no longer verifies
        verify_compact(old_token, KeyRing(new_pem).jwks())
    assert caught.value.reason == "unknown_kid"


def test_forged_tokens_are_refused(keyring: KeyRing) -> None:
    token = keyring.sign({"a": 1})
    header_b64, payload_b64, signature_b64 = token.split(".")
    none_header = b64url(json.dumps({"alg": "none", "kid": keyring.kid}).encode())
    hs_header = b64url(json.dumps({"alg": "HS256", "kid": keyring.kid}).encode())
    other_payload = b64url(b'{"a":2}')
    cases = {
        f"{none_header}.{payload_b64}.": "unsupported_alg",
        f"{hs_header}.{payload_b64}.{signature_b64}": "unsupported_alg",
        f"{header_b64}.{other_payload}.{signature_b64}": "bad_signature",
        f"{header_b64}.{payload_b64}.{signature_b64[:-4]}AAAA": "bad_signature",
        "not a token": "malformed",
        "a.b": "malformed",
        f"{header_b64}.!!!.{signature_b64}": "malformed",
    }
    for forged, reason in cases.items():
        with pytest.raises(JWSError) as caught:
            verify_compact(forged, keyring.jwks())
        assert caught.value.reason == reason, forged
    with pytest.raises(InvalidSignature):
        independent_verify(f"{header_b64}.{other_payload}.{signature_b64}", keyring.jwks())


def test_a_published_kid_must_be_its_keys_thumbprint(keyring: KeyRing) -> None:
    other = public_jwk(generate_private_key_pem())
    lying = {"keys": [{**other, "kid": keyring.kid}]}
    with pytest.raises(JWSError) as caught:
        verify_compact(keyring.sign({"a": 1}), lying)
    assert caught.value.reason == "unknown_kid"


def test_only_ed25519_keys_are_accepted() -> None:
    with pytest.raises(ValueError):
        public_jwk({"kty": "RSA", "n": "x", "e": "AQAB"})
    with pytest.raises(ValueError):
        KeyRing(json.dumps(public_jwk(generate_private_key_pem())))

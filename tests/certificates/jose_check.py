"""An independent check of our compact JWS, written against ``cryptography`` directly (not joserfc)."""
from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def rfc7638_thumbprint(jwk: dict[str, Any]) -> str:
    required = {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}
    return b64url(hashlib.sha256(json.dumps(required, sort_keys=True, separators=(",", ":")).encode()).digest())


def independent_verify(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """Verify an EdDSA compact JWS by hand; return the payload or raise ``InvalidSignature``/``LookupError``."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(unb64url(header_b64))
    if header != {"alg": "EdDSA", "kid": header.get("kid")}:
        raise InvalidSignature(f"unexpected header {header}")
    jwk = next((k for k in jwks["keys"] if k["kid"] == header["kid"]), None)
    if jwk is None:
        raise LookupError(header["kid"])
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    assert rfc7638_thumbprint(jwk) == jwk["kid"]
    key = Ed25519PublicKey.from_public_bytes(unb64url(jwk["x"]))
    key.verify(unb64url(signature_b64), f"{header_b64}.{payload_b64}".encode("ascii"))
    return json.loads(unb64url(payload_b64))


def replace_payload(token: str, payload: dict[str, Any]) -> str:
    """Keep header and signature, swap in another payload (what a forger without the key can do)."""
    header_b64, _, signature_b64 = token.split(".")
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return f"{header_b64}.{b64url(body)}.{signature_b64}"


def payload_of(token: str) -> dict[str, Any]:
    return json.loads(unb64url(token.split(".")[1]))


__all__ = ["InvalidSignature", "b64url", "independent_verify", "payload_of", "replace_payload", "rfc7638_thumbprint",
           "unb64url"]

"""The service's signing keys: Ed25519, compact JWS (``alg: EdDSA``), published as a JWKS, rotatable.

Contract
--------
* ``generate_private_key_pem()`` makes a new Ed25519 key as unencrypted PKCS#8 PEM text. Store it as a secret
  (``instance/`` file readable only by the app, or the environment); never publish it.
* ``public_jwk(pem_or_jwk)`` is the public JWK: ``kty OKP``, ``crv Ed25519``, ``x``, ``kid``, ``alg EdDSA``,
  ``use sig``. ``kid`` is the RFC 7638 thumbprint, so it is stable and anyone can recompute it from the key.
* ``KeyRing(current_pem, retired=[...])`` signs with the current key and verifies with the current key and every
  retired one (retired entries may be old PEMs or just their public JWKs). ``keyring.jwks()`` is the document for
  ``/.well-known/jwks.json``: rotation keeps old keys published so credentials signed with them still verify.
* ``sign_compact(payload, keyring)`` returns ``BASE64URL(header).BASE64URL(payload).BASE64URL(signature)``, the
  header being exactly ``{"alg": "EdDSA", "kid": …}`` (no ``typ``/``cty``: the VC and OB specs disagree on them)
  and the payload canonical JSON (sorted keys, no spaces, UTF-8).
* ``verify_compact(token, jwks)`` returns ``(header, payload)`` or raises :class:`JWSError` whose ``reason`` is
  ``"malformed"``, ``"unsupported_alg"`` (``none``, ``HS256``, … anything not in :data:`ALLOWED_ALGORITHMS`),
  ``"unknown_kid"`` or ``"bad_signature"``. Only OKP/Ed25519 keys are ever used; header keys (``jwk``, ``jku``,
  ``x5u``) are ignored, the key is chosen by ``kid`` from the published set only.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwa import EdDSAAlgorithm, JWSAlgModel
from joserfc.jwk import OKPKey

__all__ = [
    "ALLOWED_ALGORITHMS",
    "JWSError",
    "KeyRing",
    "canonical_json",
    "generate_private_key_pem",
    "public_jwk",
    "sign_compact",
    "verify_compact",
]

SIGNING_ALGORITHM = "EdDSA"
#: The only ``alg`` values a token may carry. "EdDSA" with an Ed25519 key (RFC 8037) is what every JOSE library
#: verifies today; RFC 9864's fully specified "Ed25519" name can be added here once verifiers have caught up.
ALLOWED_ALGORITHMS = frozenset({SIGNING_ALGORITHM})


class _EdDSA(EdDSAAlgorithm):
    # joserfc warns that the polymorphic name "EdDSA" is deprecated by RFC 9864; the cryptography is unchanged and
    # we pin the curve to Ed25519 ourselves (see _load_key), so the warning says nothing new here.
    security_warning = None


class _Registry(jws.JWSRegistry):
    algorithms: ClassVar[dict[str, JWSAlgModel]] = {SIGNING_ALGORITHM: _EdDSA()}
    recommended: ClassVar[list[str]] = [SIGNING_ALGORITHM]
    max_payload_length = 4 * 1024 * 1024  # status lists can be larger than joserfc's 128 kB default


def _registry() -> _Registry:
    return _Registry(algorithms=sorted(ALLOWED_ALGORITHMS))


class JWSError(Exception):
    """A compact JWS that cannot be trusted; ``reason`` is a stable code, the message explains it."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: the same value always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _b64url_decode(part: str) -> bytes:
    if not isinstance(part, str) or any(c in part for c in "=+/ \n"):
        raise JWSError("malformed", "not base64url")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JWSError("malformed", "not base64url") from exc


def generate_private_key_pem() -> str:
    """A new Ed25519 private key as PKCS#8 PEM text (keep it secret)."""
    return OKPKey.generate_key("Ed25519").as_pem(private=True).decode("ascii")


def _load_key(source: str | bytes | Mapping[str, Any] | OKPKey) -> OKPKey:
    if isinstance(source, OKPKey):
        key = source
    elif isinstance(source, Mapping):
        if source.get("kty") != "OKP" or source.get("crv") != "Ed25519":
            raise ValueError("only OKP Ed25519 keys are accepted")
        key = OKPKey.import_key({k: v for k, v in source.items() if k in ("kty", "crv", "x", "d")})
    else:
        key = OKPKey.import_key(source.encode("ascii") if isinstance(source, str) else source)
    if key.curve_name != "Ed25519":
        raise ValueError("only Ed25519 keys are accepted")
    return key


def public_jwk(source: str | bytes | Mapping[str, Any] | OKPKey) -> dict[str, str]:
    """The public JWK (with ``kid`` = RFC 7638 thumbprint, ``alg``, ``use``) for a private PEM or a JWK."""
    key = _load_key(source)
    data = key.as_dict(private=False)
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": data["x"],
        "kid": key.thumbprint(),
        "alg": SIGNING_ALGORITHM,
        "use": "sig",
    }


class KeyRing:
    """Signs with the current key; verifies with it and with every retired key (rotation)."""

    def __init__(self, current_private_pem: str | bytes,
                 retired: Iterable[str | bytes | Mapping[str, Any]] = ()) -> None:
        self._current = _load_key(current_private_pem)
        if not self._current.is_private:
            raise ValueError("the current key must be a private key (PEM)")
        self.kid = self._current.thumbprint()
        published: dict[str, dict[str, str]] = {self.kid: public_jwk(self._current)}
        for entry in retired:
            jwk = public_jwk(entry)
            published.setdefault(jwk["kid"], jwk)
        self._published = published

    def sign(self, payload: Mapping[str, Any]) -> str:
        """Compact JWS over the canonical JSON of ``payload``, header ``{"alg": "EdDSA", "kid": <current>}``."""
        header = {"alg": SIGNING_ALGORITHM, "kid": self.kid}
        return jws.serialize_compact(header, canonical_json(payload), self._current, registry=_registry())

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public key set to publish (current key first, then retired keys in the order given)."""
        return {"keys": [dict(jwk) for jwk in self._published.values()]}

    @property
    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        return self.jwks()


def sign_compact(payload: Mapping[str, Any], keyring: KeyRing) -> str:
    """Shorthand for ``keyring.sign(payload)``."""
    return keyring.sign(payload)


def _jwk_list(jwks: Mapping[str, Any] | Iterable[Mapping[str, Any]] | KeyRing) -> list[Mapping[str, Any]]:
    if isinstance(jwks, KeyRing):
        return jwks.jwks()["keys"]
    if isinstance(jwks, Mapping):
        return list(jwks.get("keys", []))
    return list(jwks)


def verify_compact(token: str | bytes,
                   jwks: Mapping[str, Any] | Iterable[Mapping[str, Any]] | KeyRing) -> tuple[dict, dict]:
    """Check a compact JWS against a published key set; return ``(header, payload)`` or raise :class:`JWSError`."""
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise JWSError("malformed", "the credential is not a compact JWS") from exc
    if not isinstance(token, str):
        raise JWSError("malformed", "the credential is not a compact JWS")
    token = token.strip()
    parts = token.split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise JWSError("malformed", "the credential is not a compact JWS (three base64url parts)")
    try:
        header = json.loads(_b64url_decode(parts[0]))
        payload = json.loads(_b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise JWSError("malformed", "the JWS header or payload is not JSON") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise JWSError("malformed", "the JWS header and payload must be JSON objects")
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise JWSError("unsupported_alg", f"algorithm {alg!r} is not accepted (only {', '.join(ALLOWED_ALGORITHMS)})")
    if header.get("crit"):
        raise JWSError("malformed", "critical header parameters are not supported")
    kid = header.get("kid")
    match = None
    for jwk in _jwk_list(jwks):
        if isinstance(jwk, Mapping) and jwk.get("kid") == kid:
            match = jwk
            break
    if not isinstance(kid, str) or match is None:
        raise JWSError("unknown_kid", f"the signing key {kid!r} is not among the published keys")
    try:
        key = _load_key(match)
        if public_jwk(key)["kid"] != kid:  # a published kid must be the key's own thumbprint
            raise JWSError("unknown_kid", f"the published key {kid!r} does not match its thumbprint")
        jws.deserialize_compact(token, key, registry=_registry())
    except JWSError:
        raise
    except (JoseError, ValueError) as exc:
        raise JWSError("bad_signature", "the signature does not match the content and the key") from exc
    return header, payload

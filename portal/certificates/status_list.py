"""W3C Bitstring Status List v1.0: the revocation and suspension bits of every credential, published and signed.

Contract
--------
* :class:`BitstringStatusList` holds at least 131,072 bits (the spec's minimum, for herd privacy). Bit ``i`` is bit
  ``7 - i % 8`` of byte ``i // 8``: index 0 is the most significant bit of the first byte. ``set(i)``,
  ``clear(i)``, ``get(i)``; ``encode()`` gives the ``encodedList`` value: GZIP (``mtime=0``, so the same bits
  always give the same text) then base64url without padding, with the multibase prefix ``u``.
  ``BitstringStatusList.decode(text)`` reverses it and refuses a list shorter than the minimum.
* ``allocate_index(used)`` picks a random free index (random so a credential's index says nothing about when it was
  issued or about its neighbours); the caller stores it on the certificate and must keep indexes unique per list
  (a unique constraint on (list, index)).
* ``build_status_list_credential(...)`` is the ``BitstringStatusListCredential`` (VC Data Model 2.0) for one
  purpose, ``"revocation"`` or ``"suspension"``. ``sign_status_list(credential, keyring)`` secures it as a compact
  JWS exactly as the credentials are (claims ``iss``, ``jti``, ``sub``, ``nbf``, ``exp`` when ``validUntil`` is
  set, and ``vc``). Publish the JWS at the credential's ``id`` URL (media type ``application/vc+jwt``).
* ``read_status_list(token, jwks, now=…, expected_url=…, expected_purpose=…)`` verifies such a JWS and returns the
  decoded :class:`BitstringStatusList`, or raises :class:`StatusListError` with a ``reason``.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
import struct
import zlib
from collections.abc import Callable, Collection, Mapping
from typing import Any

from ._time import from_numeric_date, iso_utc, numeric_date, parse_iso_utc, window_problem
from .keys import JWSError, KeyRing, verify_compact

__all__ = [
    "MIN_LENGTH",
    "PURPOSES",
    "VC_V2_CONTEXT",
    "BitstringStatusList",
    "StatusListError",
    "StatusListFullError",
    "allocate_index",
    "build_status_list_credential",
    "read_status_list",
    "sign_status_list",
]

MIN_LENGTH = 131_072  # 16 KiB
PURPOSES = ("revocation", "suspension")
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
_MAX_LENGTH = 8 * 1024 * 1024 * 8  # 8 MiB of bits uncompressed: refuse zip bombs when decoding
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"  # magic, deflate, no flags, mtime 0, XFL 0, Unix


def _gzip(raw: bytes) -> bytes:
    """GZIP with a fixed header (mtime 0, no extra flags, OS "Unix"), so output is the same on every Python.

    ``gzip.compress(..., mtime=0)`` is equivalent but its XFL/OS header bytes vary with level and Python version;
    this layout reproduces the spec's example ``encodedList`` for an empty list byte for byte.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = compressor.compress(raw) + compressor.flush()
    return _GZIP_HEADER + body + struct.pack("<II", zlib.crc32(raw), len(raw) & 0xFFFFFFFF)


class StatusListError(ValueError):
    """A status list that cannot be used; ``reason`` is a stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class StatusListFullError(RuntimeError):
    """Every index of the list is taken: start a new list."""


class BitstringStatusList:
    """A mutable bitstring of ``length`` bits (a multiple of 8, at least :data:`MIN_LENGTH`), all clear at first."""

    def __init__(self, length: int = MIN_LENGTH, data: bytes | bytearray | None = None) -> None:
        if data is not None:
            length = len(data) * 8
        if length < MIN_LENGTH or length % 8:
            raise ValueError(f"a status list has at least {MIN_LENGTH} bits, in whole bytes")
        self._bits = bytearray(data) if data is not None else bytearray(length // 8)

    def __len__(self) -> int:
        return len(self._bits) * 8

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BitstringStatusList) and self._bits == other._bits

    def _locate(self, index: int) -> tuple[int, int]:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self):
            raise IndexError(f"status list index {index!r} is outside 0..{len(self) - 1}")
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        byte, mask = self._locate(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        byte, mask = self._locate(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def clear(self, index: int) -> None:
        self.set(index, False)

    def set_indexes(self) -> list[int]:
        """Every index whose bit is set, ascending."""
        out = []
        for byte_no, byte in enumerate(self._bits):
            if byte:
                out.extend(byte_no * 8 + bit for bit in range(8) if byte & (0x80 >> bit))
        return out

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def encode(self) -> str:
        """The ``encodedList`` text: ``"u"`` + base64url(gzip(bits, mtime=0)) without padding."""
        return "u" + base64.urlsafe_b64encode(_gzip(bytes(self._bits))).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str) -> BitstringStatusList:
        """Parse an ``encodedList`` value; :class:`StatusListError` (reason ``"malformed"``) if it is not one."""
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise StatusListError("malformed", "encodedList must be multibase base64url (prefix 'u')")
        body = encoded[1:]
        if any(c in body for c in "=+/"):
            raise StatusListError("malformed", "encodedList must be base64url without padding")
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
            raw = decompressor.decompress(compressed, _MAX_LENGTH // 8 + 1)
        except (binascii.Error, ValueError, zlib.error) as exc:
            raise StatusListError("malformed", "encodedList is not gzip-compressed base64url") from exc
        if len(raw) * 8 > _MAX_LENGTH or decompressor.unconsumed_tail:
            raise StatusListError("malformed", "encodedList is too large")
        if not decompressor.eof:
            raise StatusListError("malformed", "encodedList is a truncated gzip stream")
        if len(raw) * 8 < MIN_LENGTH:
            raise StatusListError("malformed", f"a status list has at least {MIN_LENGTH} bits")
        return cls(data=raw)


def allocate_index(used: Collection[int], length: int = MIN_LENGTH,
                   randbelow: Callable[[int], int] = secrets.randbelow) -> int:
    """A uniformly random index in ``0..length-1`` not in ``used`` (pass a set for speed).

    Raises :class:`StatusListFullError` when no index is free.
    """
    free_count = length - len(used)
    if free_count <= 0:
        raise StatusListFullError("the status list is full")
    for _ in range(64):  # fast path while the list is mostly free
        index = randbelow(length)
        if index not in used:
            return index
    taken = set(used)
    free = [i for i in range(length) if i not in taken]
    if not free:
        raise StatusListFullError("the status list is full")
    return free[randbelow(len(free))]


def build_status_list_credential(*, list_url: str, purpose: str, status_list: BitstringStatusList,
                                 issuer_id: str, valid_from: dt.datetime,
                                 valid_until: dt.datetime | None = None) -> dict[str, Any]:
    """The ``BitstringStatusListCredential`` for ``purpose`` ("revocation" or "suspension") as a JSON-ready dict.

    ``list_url`` is where it is published and the ``statusListCredential`` value of every entry pointing into it.
    ``valid_from`` is when this version was made; a ``valid_until`` makes verifiers fetch a fresh copy.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(PURPOSES)}")
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": iso_utc(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": status_list.encode(),
        },
    }
    if valid_until is not None:
        credential["validUntil"] = iso_utc(valid_until)
    return credential


def sign_status_list(credential: Mapping[str, Any], keyring: KeyRing) -> str:
    """Compact JWS of a status list credential (same key, header and claim layout as the credentials)."""
    claims: dict[str, Any] = {
        "iss": credential["issuer"],
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": numeric_date(parse_iso_utc(credential["validFrom"])),
        "vc": dict(credential),
    }
    if credential.get("validUntil"):
        claims["exp"] = numeric_date(parse_iso_utc(credential["validUntil"]))
    return keyring.sign(claims)


def read_status_list(token: str, jwks: Any, *, now: dt.datetime | None = None, expected_url: str | None = None,
                     expected_purpose: str | None = None) -> BitstringStatusList:
    """Verify a signed status list and return its bits.

    Reasons: those of :func:`keys.verify_compact`, then ``"malformed"``, ``"wrong_list"`` (not the list the entry
    points at, or another purpose), ``"not_yet_valid"``, ``"expired"``.
    """
    try:
        _, claims = verify_compact(token, jwks)
    except JWSError as exc:
        raise StatusListError(exc.reason, f"status list: {exc}") from exc
    vc = claims.get("vc")
    subject = vc.get("credentialSubject") if isinstance(vc, dict) else None
    if not isinstance(subject, dict) or "BitstringStatusListCredential" not in (vc.get("type") or []):
        raise StatusListError("malformed", "not a BitstringStatusListCredential")
    if subject.get("type") != "BitstringStatusList" or subject.get("statusPurpose") not in PURPOSES:
        raise StatusListError("malformed", "not a revocation or suspension BitstringStatusList")
    if claims.get("jti") != vc.get("id") or claims.get("iss") != vc.get("issuer"):
        raise StatusListError("malformed", "status list claims do not match its content")
    if expected_url is not None and vc.get("id") != expected_url:
        raise StatusListError("wrong_list", f"expected the status list {expected_url}, got {vc.get('id')}")
    if expected_purpose is not None and subject.get("statusPurpose") != expected_purpose:
        raise StatusListError("wrong_list", f"expected a {expected_purpose} list, got {subject.get('statusPurpose')}")
    if now is not None:
        try:
            nbf = from_numeric_date(claims["nbf"]) if "nbf" in claims else None
            exp = from_numeric_date(claims["exp"]) if "exp" in claims else None
        except (TypeError, ValueError) as exc:
            raise StatusListError("malformed", "status list nbf/exp are not NumericDates") from exc
        problem = window_problem(now, nbf, exp)
        if problem:
            raise StatusListError(problem, f"the status list is {problem.replace('_', ' ')}")
    return BitstringStatusList.decode(subject.get("encodedList"))

"""Bitstring Status List: spec encoding and bit order, random allocation, signed list credentials."""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import random

import pytest

from portal.certificates.keys import KeyRing, generate_private_key_pem
from portal.certificates.status_list import (
    MIN_LENGTH,
    BitstringStatusList,
    StatusListError,
    StatusListFullError,
    allocate_index,
    build_status_list_credential,
    read_status_list,
    sign_status_list,
)
from tests.certificates.factories import BASE, ISSUED_AT, NOW, REVOCATION_URL
from tests.certificates.jose_check import independent_verify, payload_of, replace_payload

# The W3C Bitstring Status List v1.0 example: an empty list of 131,072 entries.
SPEC_EMPTY_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def test_empty_list_encodes_exactly_as_the_spec_example() -> None:
    assert BitstringStatusList().encode() == SPEC_EMPTY_LIST
    decoded = BitstringStatusList.decode(SPEC_EMPTY_LIST)
    assert len(decoded) == MIN_LENGTH == 131_072 and decoded.set_indexes() == []


def test_bit_zero_is_the_most_significant_bit_of_byte_zero() -> None:
    bits = BitstringStatusList()
    bits.set(0)
    assert bits.to_bytes()[:2] == b"\x80\x00"
    bits.set(7)
    bits.set(8)
    assert bits.to_bytes()[:2] == b"\x81\x80"
    bits.clear(0)
    assert bits.to_bytes()[:2] == b"\x01\x80"
    assert [bits.get(i) for i in range(9)] == [False] * 7 + [True, True]
    bits.set(MIN_LENGTH - 1)
    assert bits.to_bytes()[-1] == 0x01


def test_encoding_is_gzip_mtime_zero_multibase_base64url_without_padding() -> None:
    bits = BitstringStatusList()
    for index in (0, 5, 4711, 90210, MIN_LENGTH - 1):
        bits.set(index)
    encoded = bits.encode()
    assert encoded.startswith("u") and "=" not in encoded and "+" not in encoded and "/" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\x00\x00\x00\x00"  # gzip, mtime 0
    assert gzip.decompress(raw) == bits.to_bytes()
    assert BitstringStatusList.decode(encoded) == bits
    assert BitstringStatusList.decode(encoded).set_indexes() == [0, 5, 4711, 90210, MIN_LENGTH - 1]
    assert bits.encode() == encoded  # deterministic


def test_random_round_trip_of_a_bigger_list() -> None:
    rng = random.Random(4)
    bits = BitstringStatusList(length=MIN_LENGTH * 4)
    chosen = sorted(rng.sample(range(len(bits)), 3000))
    for index in chosen:
        bits.set(index)
    assert BitstringStatusList.decode(bits.encode()).set_indexes() == chosen


@pytest.mark.parametrize("encoded", [
    "",
    "zH4sI",
    "u!!!",
    "u" + base64.urlsafe_b64encode(gzip.compress(bytes(1000), mtime=0)).rstrip(b"=").decode(),  # too short
    "u" + base64.urlsafe_b64encode(b"not gzip at all").rstrip(b"=").decode(),
    SPEC_EMPTY_LIST[:30],  # truncated stream
])
def test_decode_refuses_what_is_not_a_status_list(encoded: str) -> None:
    with pytest.raises(StatusListError) as caught:
        BitstringStatusList.decode(encoded)
    assert caught.value.reason == "malformed"


def test_indexes_outside_the_list_are_refused() -> None:
    bits = BitstringStatusList()
    for bad in (-1, MIN_LENGTH, True):
        with pytest.raises(IndexError):
            bits.get(bad)
    with pytest.raises(ValueError):
        BitstringStatusList(length=1024)


def test_allocate_index_is_random_and_avoids_used_indexes() -> None:
    rng = random.Random(9)
    used: set[int] = set()
    for _ in range(500):
        index = allocate_index(used, randbelow=rng.randrange)
        assert 0 <= index < MIN_LENGTH and index not in used
        used.add(index)
    assert max(used) > MIN_LENGTH // 2 and min(used) < MIN_LENGTH // 2  # spread, not sequential
    assert allocate_index(set(range(16)) - {11}, length=16, randbelow=rng.randrange) == 11  # dense: finds the gap
    with pytest.raises(StatusListFullError):
        allocate_index(set(range(16)), length=16)


@pytest.fixture(scope="module")
def signed_list() -> tuple[KeyRing, BitstringStatusList, str]:
    ring = KeyRing(generate_private_key_pem())
    bits = BitstringStatusList()
    bits.set(4711)
    credential = build_status_list_credential(list_url=REVOCATION_URL, purpose="revocation", status_list=bits,
                                              issuer_id=f"{BASE}/", valid_from=ISSUED_AT,
                                              valid_until=ISSUED_AT + dt.timedelta(days=90))
    return ring, bits, sign_status_list(credential, ring)


def test_status_list_credential_shape(signed_list: tuple[KeyRing, BitstringStatusList, str]) -> None:
    ring, bits, token = signed_list
    claims = independent_verify(token, ring.jwks())  # signed exactly like the credentials
    vc = claims["vc"]
    assert vc["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert vc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert vc["id"] == claims["jti"] == REVOCATION_URL
    assert vc["issuer"] == claims["iss"] == f"{BASE}/"
    assert vc["credentialSubject"] == {"id": f"{REVOCATION_URL}#list", "type": "BitstringStatusList",
                                       "statusPurpose": "revocation", "encodedList": bits.encode()}
    assert claims["sub"] == f"{REVOCATION_URL}#list"
    assert claims["nbf"] == int(ISSUED_AT.timestamp()) and claims["exp"] > claims["nbf"]


def test_read_status_list_checks_signature_purpose_url_and_dates(
        signed_list: tuple[KeyRing, BitstringStatusList, str]) -> None:
    ring, bits, token = signed_list
    assert read_status_list(token, ring.jwks(), now=NOW, expected_url=REVOCATION_URL,
                            expected_purpose="revocation") == bits
    forged_payload = payload_of(token)
    forged_payload["vc"]["credentialSubject"]["encodedList"] = BitstringStatusList().encode()
    problems = {
        "bad_signature": {"token": replace_payload(token, forged_payload)},
        "unknown_kid": {"jwks": KeyRing(generate_private_key_pem()).jwks()},
        "wrong_list": {"expected_purpose": "suspension"},
        "expired": {"now": ISSUED_AT + dt.timedelta(days=91)},
        "not_yet_valid": {"now": ISSUED_AT - dt.timedelta(days=1)},
    }
    for reason, change in problems.items():
        kwargs = {"token": token, "jwks": ring.jwks(), "now": NOW, "expected_url": REVOCATION_URL,
                      "expected_purpose": "revocation"} | change
        with pytest.raises(StatusListError) as caught:
            read_status_list(kwargs.pop("token"), kwargs.pop("jwks"), **kwargs)
        assert caught.value.reason == reason


def test_purpose_must_be_revocation_or_suspension() -> None:
    with pytest.raises(ValueError):
        build_status_list_credential(list_url=REVOCATION_URL, purpose="message", status_list=BitstringStatusList(),
                                     issuer_id=BASE, valid_from=ISSUED_AT)

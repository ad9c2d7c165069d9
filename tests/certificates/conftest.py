"""Fixtures for the database-free certificate core: a realistic snapshot, an issuer, keys."""
from __future__ import annotations

import pytest

from portal.certificates.credentials import IssuerProfile
from portal.certificates.keys import KeyRing, generate_private_key_pem
from portal.certificates.snapshot import CertificateSnapshot
from tests.certificates.factories import BASE, make_snapshot
from tests.certificates.world import certificate, issue, people, programmes, token_for  # noqa: F401  (database fixtures)


@pytest.fixture
def snapshot() -> CertificateSnapshot:
    return make_snapshot()


@pytest.fixture(scope="session")
def issuer() -> IssuerProfile:
    return IssuerProfile(id=f"{BASE}/", name="Expert practitioner pathway (test)")


@pytest.fixture(scope="session")
def private_pem() -> str:
    return generate_private_key_pem()


@pytest.fixture(scope="session")
def keyring(private_pem: str) -> KeyRing:
    return KeyRing(private_pem)


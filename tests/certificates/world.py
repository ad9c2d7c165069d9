"""Fixtures for the certificate register tests: two councils with people, an enrolment on the five-year ECF, and a
sign-off shaped like the assessment feature's ``StageSignOff`` (plain attributes: issuing uses duck typing).

The fixtures are registered for the whole folder by ``conftest.py``.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from portal.db import session
from portal.users.models import Role

from ..conftest import _keep

DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
_ids = itertools.count(1000)


@dataclass
class SignOff:
    """What the assessment feature hands the sign-off listener (its StageSignOff row has these attributes)."""

    enrolment_id: int
    stage_code: str = "Y1"
    outcome: str = "PASS"
    decided_on: dt.date = dt.date(2026, 9, 14)
    manifest_digest: str = DIGEST
    signatory_roles: list[str] = field(default_factory=lambda: ["Assessor", "Moderator", "Employer admin"])
    is_award: bool = False
    submission_id: int = 1
    signed_off_by_id: int | None = None
    signed_off_at: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 9, 14, 15, tzinfo=dt.UTC))
    reversed_at: dt.datetime | None = None
    id: int = field(default_factory=lambda: next(_ids))


@pytest.fixture
def programmes(app: Any) -> dict[str, Any]:
    from portal.framework.services import load_builtin, published_versions

    load_builtin(by=None)
    session().commit()
    versions = {v.code: v for v in published_versions()}
    for version in versions.values():
        session().expunge(version)
    return versions


@pytest.fixture
def people(on_day: dt.date, make_org: Any, make_user: Any, programmes: dict[str, Any]) -> dict[str, Any]:
    """North: the holder (a Welsh name), another practitioner, a supervisor, an assessor, a moderator and an
    employer admin. South: an employer admin and a practitioner. A programme admin. The holder is enrolled on the
    five-year ECF with North."""
    from portal.enrolments.services import enrol
    from portal.framework.models import ProgrammeVersion
    from portal.users.models import Organisation, User

    north, south = make_org("Cyngor Sir Ynys Môn", "NORTH"), make_org("Southshire", "SOUTH")
    world = {
        "north": north, "south": south,
        "holder": make_user(Role.PRACTITIONER, north, name="Siân Llŷr", swe_number="SW123456"),
        "other": make_user(Role.PRACTITIONER, north, name="Olu Other", swe_number="SW654321"),
        "south_prac": make_user(Role.PRACTITIONER, south, name="Sam South", swe_number="SW777777"),
        "supervisor": make_user(Role.SUPERVISOR, north, name="Sue Supervisor"),
        "assessor": make_user(Role.ASSESSOR, south, name="Ava Assessor"),
        "moderator": make_user(Role.MODERATOR, north, name="Mo Moderator"),
        "north_admin": make_user(Role.EMPLOYER_ADMIN, north, name="Nia Admin"),
        "south_admin": make_user(Role.EMPLOYER_ADMIN, south, name="Sol Admin"),
        "prog": make_user(Role.PROGRAMME_ADMIN, name="Prog Admin"),
    }
    sess = session()
    for who, org in (("holder", north), ("other", north), ("south_prac", south)):
        enrolment = enrol(practitioner=sess.get(User, world[who].id), organisation=sess.get(Organisation, org.id),
                          programme_version=sess.get(ProgrammeVersion, programmes["ECF-5Y"].id),
                          start_date=dt.date(2025, 9, 1), fte=1, supervisor=None, by=None)
        sess.commit()
        world[f"{who}_enrolment"] = _keep(enrolment)
    return world


@pytest.fixture
def issue(people: dict[str, Any]) -> Any:
    """``issue(stage_code="Y1", who="holder", **sign_off_fields) -> list[Certificate]``: certificates issued for a
    new sign-off through the service (committed, detached)."""
    from portal.certificates.issuing import issue_for_sign_off

    def build(stage_code: str = "Y1", who: str = "holder", **fields: Any) -> list[Any]:
        sign_off = SignOff(enrolment_id=people[f"{who}_enrolment"].id, stage_code=stage_code, **fields)
        certificates = issue_for_sign_off(sign_off, by=None)
        session().commit()
        return [_keep(c) for c in certificates]

    return build


@pytest.fixture
def certificate(issue: Any) -> Any:
    """The holder's Year 1 certificate."""
    return issue("Y1")[0]


def status_bits(client: Any, purpose: str) -> Any:
    """The status list as a verifier gets it: fetched from the public route, signature checked with the published
    keys (independently of the service's code), decoded."""
    from portal.certificates.status_list import BitstringStatusList
    from tests.certificates.jose_check import independent_verify

    jwks = json.loads(client.get("/.well-known/jwks.json").get_data(as_text=True))
    response = client.get(f"/credentials/status/{purpose}")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    claims = independent_verify(response.get_data(as_text=True), jwks)
    assert claims["vc"]["credentialSubject"]["statusPurpose"] == purpose
    return BitstringStatusList.decode(claims["vc"]["credentialSubject"]["encodedList"])


__all__ = ["DIGEST", "SignOff", "certificate", "issue", "people", "programmes", "status_bits"]


@pytest.fixture
def token_for(people):
    """``token_for("north") -> secret``: a token made through the service."""
    from portal.certificates.tokens import create_token
    from portal.users.models import Organisation

    def build(org: str = "north", name: str = "HR system") -> str:
        _, secret = create_token(session().get(Organisation, people[org].id), name=name, by=None)
        session().commit()
        return secret

    return build

"""Shared fixtures for the pathway tests: the shipped templates loaded, two councils with people, and a builder
that enrols someone through the service."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from portal.db import session
from portal.users.models import Role

from ..conftest import _keep


@pytest.fixture
def programmes(app: Any) -> dict[str, Any]:
    """The shipped standards sets and programmes, loaded as `portal framework load-builtin` does."""
    from portal.framework.services import load_builtin, published_versions

    load_builtin(by=None)
    session().commit()
    versions = {v.code: v for v in published_versions()}
    for version in versions.values():
        session().expunge(version)
    return versions


@pytest.fixture
def world(on_day: dt.date, make_org: Any, make_user: Any, programmes: dict[str, Any]) -> dict[str, Any]:
    """Two councils. North: an admin, two practitioners, two supervisors. South: an admin, a practitioner, a
    supervisor. Plus a programme admin and an assessor."""
    north, south = make_org("Northshire", "NORTH"), make_org("Southshire", "SOUTH")
    return {
        "north": north, "south": south, "programmes": programmes,
        "north_admin": make_user(Role.EMPLOYER_ADMIN, north, name="Nia Admin"),
        "south_admin": make_user(Role.EMPLOYER_ADMIN, south, name="Sol Admin"),
        "prac": make_user(Role.PRACTITIONER, north, name="Pat Practitioner"),
        "other_prac": make_user(Role.PRACTITIONER, north, name="Olu Other"),
        "south_prac": make_user(Role.PRACTITIONER, south, name="Sam South"),
        "sup": make_user(Role.SUPERVISOR, north, name="Sue Supervisor"),
        "sup2": make_user(Role.SUPERVISOR, north, name="Sid Second"),
        "south_sup": make_user(Role.SUPERVISOR, south, name="Sal South-Sup"),
        "prog": make_user(Role.PROGRAMME_ADMIN, name="Prog Admin"),
        "assessor": make_user(Role.ASSESSOR, north, name="Ash Assessor"),
    }


@pytest.fixture
def enrol_as(world: dict[str, Any]) -> Any:
    """``enrol_as(practitioner, start=..., fte=1, supervisor=..., programme="ECF-5Y")``: an enrolment made by
    the practitioner's employer admin through the service (committed, detached)."""
    from portal.enrolments.services import enrol
    from portal.framework.models import ProgrammeVersion
    from portal.users.models import Organisation, User

    def build(practitioner: Any, *, start: dt.date | None = None, fte: Any = 1, supervisor: Any = None,
              programme: str = "ECF-5Y", organisation: Any = None) -> Any:
        sess = session()
        organisation = organisation or world["north"]
        enrolment = enrol(practitioner=sess.get(User, practitioner.id),
                          organisation=sess.get(Organisation, organisation.id),
                          programme_version=sess.get(ProgrammeVersion, world["programmes"][programme].id),
                          start_date=start or dt.date(2025, 9, 1), fte=fte,
                          supervisor=sess.get(User, supervisor.id) if supervisor else None,
                          by=sess.get(User, world["north_admin"].id))
        return _keep(enrolment)

    return build

"""Oversight fixtures: two councils with people in every role, the shipped programmes, an enrolment builder going
through the services, and a bulk builder (plain INSERTs) for cohorts of hundreds of enrolments and evidence rows."""
from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any

import pytest
from sqlalchemy import insert, select

from portal.db import session, utcnow
from portal.users.models import Role

from ..conftest import _keep

_serial = count(1)


def london_today() -> dt.date:
    from portal.enrolments.services import london_today as today

    return today()


@pytest.fixture
def world(app: Any, on_day: dt.date, make_org: Any, make_user: Any) -> dict[str, Any]:
    """North: an employer admin, practitioners Pat and Olu, supervisors Sue and Sid, an assessor and a moderator.
    South: an employer admin, a practitioner and a supervisor. Plus a programme admin; the shipped programmes."""
    from portal.framework.models import ProgrammeVersion
    from portal.framework.services import load_builtin

    north, south = make_org("Northshire", "NORTH"), make_org("Southshire", "SOUTH")
    w = {
        "north": north, "south": south,
        "north_admin": make_user(Role.EMPLOYER_ADMIN, north, name="Nia Admin"),
        "south_admin": make_user(Role.EMPLOYER_ADMIN, south, name="Sol Admin"),
        "prac": make_user(Role.PRACTITIONER, north, name="Pat Practitioner", swe_number="SW200001"),
        "other_prac": make_user(Role.PRACTITIONER, north, name="Olu Other", swe_number="SW200002"),
        "south_prac": make_user(Role.PRACTITIONER, south, name="Sam South", swe_number="SW200003"),
        "sup": make_user(Role.SUPERVISOR, north, name="Sue Supervisor", swe_number="SW200004"),
        "sup2": make_user(Role.SUPERVISOR, north, name="Sid Second", swe_number="SW200005"),
        "south_sup": make_user(Role.SUPERVISOR, south, name="Sal South-Sup", swe_number="SW200006"),
        "assessor": make_user(Role.ASSESSOR, north, name="Ash Assessor"),
        "moderator": make_user(Role.MODERATOR, north, name="Mo Moderator"),
        "prog": make_user(Role.PROGRAMME_ADMIN, name="Prog Admin"),
    }
    load_builtin(by=None)
    session().commit()
    w["ecf"] = _keep(session().execute(select(ProgrammeVersion).where(ProgrammeVersion.code == "ECF-5Y")
                                       .order_by(ProgrammeVersion.id.desc())).scalars().first())
    return w


@pytest.fixture
def enrol_as(world: dict[str, Any]) -> Any:
    """``enrol_as(practitioner, start=..., supervisor=..., organisation=...)``: enrolled on the five-year ECF
    through the service (committed, detached)."""
    from portal.enrolments.services import enrol
    from portal.framework.models import ProgrammeVersion
    from portal.users.models import Organisation, User

    def build(practitioner: Any, *, start: dt.date | None = None, fte: Any = 1, supervisor: Any = None,
              organisation: Any = None) -> Any:
        sess = session()
        enrolment = enrol(practitioner=sess.get(User, practitioner.id),
                          organisation=sess.get(Organisation, (organisation or world["north"]).id),
                          programme_version=sess.get(ProgrammeVersion, world["ecf"].id),
                          start_date=start or london_today() - dt.timedelta(days=120), fte=fte,
                          supervisor=sess.get(User, supervisor.id) if supervisor else None, by=None)
        return _keep(enrolment)

    return build


@pytest.fixture
def bulk(world: dict[str, Any]) -> Any:
    """``bulk(n, organisation=..., start=..., supervisor=..., waiting=2, cpd=1)``: n practitioners enrolled (plain
    INSERTs), each with ``waiting`` casework items waiting for verification and ``cpd`` complete CPD records.
    Returns the enrolment ids."""
    from portal.casework.models import CaseworkItem
    from portal.cpd.models import CpdRecord
    from portal.cpd.years import registration_year
    from portal.enrolments.models import EmploymentPeriod, Enrolment
    from portal.users.models import RoleGrant, User

    def build(n: int, *, organisation: Any = None, start: dt.date | None = None, supervisor: Any = None,
              waiting: int = 2, cpd: int = 1, name: str = "Bulk") -> list[int]:
        sess = session()
        org_id = (organisation or world["north"]).id
        start = start or london_today() - dt.timedelta(days=200)
        now = utcnow()
        serials = [next(_serial) for _ in range(n)]
        sess.execute(insert(User), [{"email": f"bulk{s}@example.org", "name": f"{name} {s:05d}",
                                     "status": "active", "password_hash": "x", "session_version": 1,
                                     "failed_sign_ins": 0, "created_at": now, "updated_at": now} for s in serials])
        ids = dict(sess.execute(select(User.email, User.id).where(
            User.email.in_([f"bulk{s}@example.org" for s in serials]))).all())
        user_ids = [ids[f"bulk{s}@example.org"] for s in serials]
        sess.execute(insert(RoleGrant), [{"user_id": u, "role": Role.PRACTITIONER, "organisation_id": org_id,
                                          "created_at": now} for u in user_ids])
        sess.execute(insert(Enrolment), [{
            "practitioner_id": u, "organisation_id": org_id, "programme_version_id": world["ecf"].id,
            "programme_code": "ECF-5Y", "start_date": start, "fte": 1, "status": "active", "created_at": now,
            "supervisor_id": supervisor.id if supervisor else None} for u in user_ids])
        enrolments = dict(sess.execute(select(Enrolment.practitioner_id, Enrolment.id).where(
            Enrolment.practitioner_id.in_(user_ids))).all())
        sess.execute(insert(EmploymentPeriod), [{"enrolment_id": enrolments[u], "organisation_id": org_id,
                                                 "started_on": start, "created_at": now} for u in user_ids])
        asked = now - dt.timedelta(days=9)
        if waiting:
            sess.execute(insert(CaseworkItem), [{
                "enrolment_id": enrolments[u], "practitioner_id": u, "kind": "direct_observation",
                "status": "requested", "occurred_on": start + dt.timedelta(days=10), "case_reference": "Case 1",
                "content": {"observed": "A visit"}, "observer_id": u, "requested_at": asked,
                "content_changed_at": now, "created_at": now} for u in user_ids for _ in range(waiting)])
        if cpd:
            end = london_today() - dt.timedelta(days=5)
            sess.execute(insert(CpdRecord), [{
                "practitioner_id": u, "enrolment_id": enrolments[u], "status": "complete", "activity_type": "reading",
                "title": "Reading", "start_date": end, "end_date": end, "hours": 1, "description": "d",
                "learning": "l", "impact_practice": "p", "impact_people": "q", "provider": "", "peer_name": "",
                "peer_role": "", "peer_learning": "", "registration_year": registration_year(end),
                "activity_on": end, "created_at": now, "updated_at": now} for u in user_ids for _ in range(cpd)])
        sess.commit()
        return [enrolments[u] for u in user_ids]

    return build

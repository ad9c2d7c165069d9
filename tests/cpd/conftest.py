"""CPD fixtures: a council with a practitioner enrolled on the five-year ECF (with a supervisor), everyone else who
might try to read their CPD, and a builder for records."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from portal.db import session
from portal.users.models import Role

DAY = dt.timedelta(days=1)


def today() -> dt.date:
    from portal.cpd.services import today_in_england

    return today_in_england()


def this_year(days_back: int = 10) -> dt.date:
    """A day of the current registration year at most ``days_back`` days ago: ten days back where the year is that
    old, the year's first day (1 December) otherwise, so 'a record of this year' stays in this year on any day."""
    from portal.cpd.years import registration_year, year_start

    return max(today() - days_back * DAY, year_start(registration_year(today())))


def date_parts(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def complete_form(**overrides: Any) -> dict[str, Any]:
    """A POST body for the CPD form with every answer (a complete record, with a peer reflection)."""
    end = this_year()
    data: dict[str, Any] = {
        "title": "Working with neglect: the graded care profile",
        "activity_type": "course",
        "start_date": date_parts(end),
        "end_date": date_parts(end),
        "hours": "6.5",
        "participatory_hours": "4",
        "provider": "Northshire Training",
        "description": "A two-day course on assessing neglect.",
        "learning": "How to use the graded care profile.",
        "impact_practice": "I use the profile in assessments.",
        "impact_people": "Child A's needs were seen sooner.",
        "peer_name": "Rhiannon Jones",
        "peer_role": "Practice supervisor",
        "peer_discussed_on": date_parts(end),
        "peer_learning": "We discussed thresholds.",
        "standards": ["KSS-CF.5", "SWE-PS.4"],
        "complete": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def world(app: Any, on_day: dt.date, make_org: Any, make_user: Any) -> dict[str, Any]:
    """Northshire: Siân (practitioner, enrolled, supervised by Sue), another practitioner, a second supervisor,
    an assessor, a moderator and an employer admin; Southshire: its admin and practitioner; a programme admin."""
    from portal.enrolments.models import Enrolment
    from portal.enrolments.services import enrol
    from portal.framework.models import ProgrammeVersion
    from portal.framework.services import load_builtin
    from portal.users.models import Organisation, User

    from ..conftest import _keep

    north, south = make_org("Northshire", "NORTH"), make_org("Southshire", "SOUTH")
    w = {
        "north": north, "south": south,
        "practitioner": make_user(Role.PRACTITIONER, north, name="Siân Llŷr", swe_number="SW100001",
                                  email="sian@example.org"),
        "supervisor": make_user(Role.SUPERVISOR, north, name="Sue Pervisor"),
        "other_supervisor": make_user(Role.SUPERVISOR, north, name="Sam Otherteam"),
        "other_practitioner": make_user(Role.PRACTITIONER, north, name="Pat Other", swe_number="SW100002",
                                        email="pat@example.org"),
        "assessor": make_user(Role.ASSESSOR, north, name="Asa Sessor"),
        "moderator": make_user(Role.MODERATOR, north, name="Mo Derator"),
        "employer_admin": make_user(Role.EMPLOYER_ADMIN, north, name="Nia North"),
        "south_admin": make_user(Role.EMPLOYER_ADMIN, south, name="Sol South"),
        "south_practitioner": make_user(Role.PRACTITIONER, south, name="Sam South", swe_number="SW100003",
                                        email="sam@example.org"),
        "programme_admin": make_user(Role.PROGRAMME_ADMIN, name="Prog Admin"),
    }
    load_builtin()
    from sqlalchemy import select

    version = session().execute(select(ProgrammeVersion).where(ProgrammeVersion.code == "ECF-5Y")).scalar_one()
    enrolment = enrol(practitioner=session().get(User, w["practitioner"].id),
                      organisation=session().get(Organisation, north.id), programme_version=version,
                      start_date=today() - 400 * DAY, fte=1, supervisor=session().get(User, w["supervisor"].id),
                      by=None)
    w["enrolment"] = _keep(enrolment)
    w["enrolment_id"] = enrolment.id
    assert session().get(Enrolment, enrolment.id) is not None
    return w


@pytest.fixture
def make_record(app: Any) -> Any:
    """``make_record(user, complete=True, **answers)``: a record made through the service, committed."""
    from portal.cpd.models import CpdType
    from portal.cpd.services import CpdAnswers, create_record
    from portal.users.models import User

    def build(user: Any, *, complete: bool = True, files: list[Any] | None = None, **overrides: Any) -> Any:
        end = overrides.pop("end_date", this_year())
        values: dict[str, Any] = {
            "title": "Reading on cumulative harm", "activity_type": CpdType.READING, "start_date": end, "end_date": end,
            "hours": Decimal(2), "participatory_hours": Decimal(0), "description": "An article.", "learning": "Learnt.",
            "impact_practice": "Practice.", "impact_people": "People.", "peer_name": "", "peer_role": "",
            "peer_discussed_on": None, "peer_learning": "", "standards": ["KSS-CF.5"]}
        values.update(overrides)
        record = create_record(session().get(User, user.id), CpdAnswers(**values), complete=complete, by=user,
                               uploads=files or [], today=today())
        session().commit()
        record_id = record.id
        session().expunge_all()
        return record_id

    return build

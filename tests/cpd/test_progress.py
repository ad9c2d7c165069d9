"""CPD counts in the pathway's progress: the evidence source's tallies, its fixed number of queries, and the
requirements of the five-year ECF that ask for CPD records."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.cpd.models import CpdRecord
from portal.cpd.queries import cpd_evidence
from portal.db import session
from portal.enrolments.models import Enrolment
from portal.enrolments.queries import _SOURCES, standings, with_people

from .conftest import DAY, today


def _standing(world):
    enrolment = session().execute(with_people(select(Enrolment).where(Enrolment.id == world["enrolment_id"]))
                                  ).scalar_one()
    return standings([enrolment], today())[enrolment.id]


def _peer(day: dt.date) -> dict:
    return {"peer_name": "Rhiannon", "peer_role": "Supervisor", "peer_discussed_on": day, "peer_learning": "Discussed"}


def test_the_source_is_registered():
    assert any(source is cpd_evidence for source in _SOURCES.values())


def test_tallies_count_complete_records_only(world, make_record):
    practitioner, enrolment_id = world["practitioner"], world["enrolment_id"]
    day = today() - 5 * DAY
    make_record(practitioner, end_date=day, standards=["KSS-CF.5", "SWE-PS.4"], **_peer(day))
    make_record(practitioner, end_date=day, standards=["KSS-CF.5"])
    make_record(practitioner, end_date=day, complete=False, title="Draft")
    make_record(world["other_practitioner"], end_date=day)
    parts = cpd_evidence([enrolment_id])[enrolment_id]
    assert sorted((t.on, t.count, t.peer_reflection) for t in parts.cpd) == [(day, 1, False), (day, 1, True)]
    coverage = {(t.statement, t.count) for t in parts.coverage}
    assert coverage == {("KSS-CF.5", 2), ("SWE-PS.4", 1)}


def test_records_not_tied_to_an_enrolment_count_and_stage_codes_stay_with_their_enrolment(world, make_record):
    practitioner, enrolment_id = world["practitioner"], world["enrolment_id"]
    day = today() - 5 * DAY
    loose = make_record(practitioner, end_date=day)
    tied = make_record(practitioner, end_date=day)
    session().get(CpdRecord, loose).enrolment_id = None
    session().get(CpdRecord, tied).stage_code = "Y1"
    session().commit()
    parts = cpd_evidence([enrolment_id])[enrolment_id]
    assert sorted((t.stage_code or "", t.count) for t in parts.cpd) == [("", 1), ("Y1", 1)]
    assert cpd_evidence([]) == {}


def test_a_fixed_number_of_queries(world, make_record, make_user, count_statements):
    from portal.enrolments.services import enrol
    from portal.framework.models import ProgrammeVersion
    from portal.users.models import Organisation, Role, User

    make_record(world["practitioner"])
    with count_statements() as one:
        cpd_evidence([world["enrolment_id"]])
    version = session().execute(select(ProgrammeVersion).where(ProgrammeVersion.code == "ECF-5Y")).scalar_one()
    ids = [world["enrolment_id"]]
    for i in range(3):
        person = make_user(Role.PRACTITIONER, world["north"], name=f"Extra {i}")
        for _ in range(5):
            make_record(person)
        enrolment = enrol(practitioner=session().get(User, person.id),
                          organisation=session().get(Organisation, world["north"].id), programme_version=version,
                          start_date=today() - 30 * DAY, fte=1, supervisor=None, by=None)
        ids.append(enrolment.id)
        session().commit()
    with count_statements() as many:
        result = cpd_evidence(ids)
    assert one.count == many.count == 2
    assert all(sum(t.count for t in result[i].cpd) == 5 for i in ids[1:])


def test_cpd_counts_in_the_ecf_progress(world, make_record):
    practitioner = world["practitioner"]
    start = session().get(Enrolment, world["enrolment_id"]).start_date
    standing = _standing(world)
    year_2 = standing.progress.stage("Y2").requirement("cpd")
    assert (year_2.done, year_2.required) == (0, 2)
    day = today() - 5 * DAY
    make_record(practitioner, end_date=day, standards=["KSS-CF.5"])
    make_record(practitioner, end_date=day, standards=["KSS-CF.5"], **_peer(day))
    make_record(practitioner, end_date=day, complete=False)
    make_record(practitioner, end_date=start + 30 * DAY)  # in year 1
    standing = _standing(world)
    year_2 = standing.progress.stage("Y2").requirement("cpd")
    assert (year_2.done, year_2.required, year_2.status.value) == (2, 2, "met")
    year_1 = standing.progress.stage("Y1").requirement("cpd")
    assert year_1.done == 1
    assert standing.progress.coverage["KSS-CF"]["KSS-CF.5"] == 3

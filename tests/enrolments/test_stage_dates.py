"""Stored stage dates: the database's "current stage" agrees with the clock's on every day, whatever the FTE,
pauses, extensions and programme; the services keep them fresh; the list's stage filter is one query, however many
enrolments are scanned."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from portal import clock
from portal.db import session
from portal.enrolments import stage_dates
from portal.enrolments.models import Enrolment, EnrolmentStageDates, PauseReason
from portal.enrolments.queries import current_stages
from portal.enrolments.services import grant_extension, record_pause
from portal.users.models import Role
from tests.conftest import on_boundary_days, parse


def _sql_stage(enrolment_id: int, stage_codes: list[str], day: dt.date) -> str | None:
    found = [code for code in stage_codes if session().execute(
        select(Enrolment.id).where(Enrolment.id == enrolment_id, stage_dates.in_stage(code, day))).first()]
    assert len(found) <= 1, found  # never two stages at once
    return found[0] if found else None


def _agree_every_fortnight(enrolment: Enrolment, codes: list[str], years: int = 8) -> int:
    checked = 0
    day = enrolment.start_date - dt.timedelta(days=30)
    end = enrolment.start_date + dt.timedelta(days=365 * years)
    while day <= end:
        assert _sql_stage(enrolment.id, codes, day) == current_stages([enrolment], day)[enrolment.id], day
        day += dt.timedelta(days=14)
        checked += 1
    return checked


@on_boundary_days
def test_the_stored_dates_agree_with_the_clock_on_every_day(world, enrol_as):
    codes = ["Y1", "Y2", "Y3-4", "Y5", "AWARD", "ASYE"]
    part_time = enrol_as(world["prac"], start=dt.date(2024, 1, 15), fte="0.6")
    asye = enrol_as(world["other_prac"], start=dt.date(2025, 9, 1), programme="ASYE-CF")
    sess = session()
    enrolment = sess.get(Enrolment, part_time.id)
    record_pause(enrolment, start_date=dt.date(2024, 6, 1), end_date=dt.date(2024, 11, 30),
                 reason=PauseReason.PARENTAL_LEAVE, by=None)
    grant_extension(enrolment, stage_code="Y1", months=2, days=10, reason="Long sickness absence.", by=None)
    sess.commit()
    for row, expected in ((part_time, {"Y1", "Y2", "Y3-4", "Y5", "AWARD"}), (asye, {"ASYE"})):
        codes_of = [r.stage_code for r in sess.execute(select(EnrolmentStageDates).where(
            EnrolmentStageDates.enrolment_id == row.id)).scalars()]
        assert codes_of and set(codes_of) <= expected  # (a zero-length award stage is never current)
        assert _agree_every_fortnight(sess.get(Enrolment, row.id), codes) > 150


@on_boundary_days
def test_a_pause_moves_the_stored_dates(world, enrol_as):
    row = enrol_as(world["prac"], start=dt.date(2024, 9, 1))
    before = dict(session().execute(select(EnrolmentStageDates.stage_code, EnrolmentStageDates.starts_on).where(
        EnrolmentStageDates.enrolment_id == row.id)).all())
    record_pause(session().get(Enrolment, row.id), start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 3, 31),
                 reason=PauseReason.SICKNESS, by=None)
    session().commit()
    after = dict(session().execute(select(EnrolmentStageDates.stage_code, EnrolmentStageDates.starts_on).where(
        EnrolmentStageDates.enrolment_id == row.id)).all())
    assert after["Y1"] == before["Y1"] and after["Y2"] == before["Y2"] + dt.timedelta(days=90)


def test_refresh_missing_fills_in_enrolments_loaded_without_them(world, enrol_as):
    row = enrol_as(world["prac"], start=dt.date(2024, 9, 1))
    session().execute(delete(EnrolmentStageDates))
    session().commit()
    assert stage_dates.refresh_missing() == 1
    assert stage_dates.refresh_missing() == 0
    assert _sql_stage(row.id, ["Y1", "Y2", "Y3-4", "Y5", "AWARD"], dt.date(2025, 10, 1)) == "Y2"


def test_the_stage_filter_is_one_query_however_many_enrolments_it_passes_over(client, world, make_user, sign_in_as,
                                                                            enrol_as, count_statements):
    today = clock.today()
    second_year = enrol_as(world["prac"], start=today - dt.timedelta(days=400))
    for n in range(3):  # in Year 1
        enrol_as(make_user(Role.PRACTITIONER, world["north"], name=f"New {n}"), start=today - dt.timedelta(days=30))
    sign_in_as(world["north_admin"])
    client.get("/enrolments?stage=Y2")
    with count_statements() as few:
        client.get("/enrolments?stage=Y2")
    for n in range(40):  # many newer ones that the filter passes over (the list is newest first)
        enrol_as(make_user(Role.PRACTITIONER, world["north"], name=f"Later {n}"), start=today - dt.timedelta(days=30))
    with count_statements() as many:
        soup = parse(client.get("/enrolments?stage=Y2"))
    assert few.count == many.count, (few.statements, many.statements)
    assert [tr["data-enrolment"] for tr in soup.select("tr[data-enrolment]")] == [str(second_year.id)]
    year_1 = [tr["data-enrolment"] for tr in parse(client.get("/enrolments?stage=Y1")).select("tr[data-enrolment]")]
    assert year_1 and str(second_year.id) not in year_1

"""Each rule of a CPD record (service and form), the registration year and Social Work England's minimum."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.cpd.models import CpdRecord, CpdStatus, CpdType
from portal.cpd.services import CpdAnswers, check_answers
from portal.cpd.years import YearCheck, registration_year, year_end, year_label
from portal.db import session

from ..conftest import on_boundary_days, parse
from .conftest import DAY, complete_form, this_year, today

TODAY = dt.date(2026, 6, 15)


def answers(**overrides) -> CpdAnswers:
    values = {"title": "Course", "activity_type": CpdType.COURSE, "start_date": dt.date(2026, 3, 1),
                  "end_date": dt.date(2026, 3, 2), "hours": Decimal(6), "participatory_hours": Decimal(3),
                  "description": "d", "learning": "l", "impact_practice": "p", "impact_people": "q"}
    values.update(overrides)
    return CpdAnswers(**values)


def test_complete_answers_pass():
    assert check_answers(answers(), complete=True, today=TODAY) == {}


@pytest.mark.parametrize("overrides, field, message", [
    ({"title": ""}, "title", "Enter a title for the CPD activity"),
    ({"title": "x" * 201}, "title", "Title must be 200 characters or fewer"),
    ({"title": "bad\x07bell"}, "title", "must not contain control characters"),
    ({"learning": "x" * 5001}, "learning", "5,000 characters or fewer"),
    ({"description": "null\x00byte"}, "description", "must not contain control characters"),
    ({"title": "Invoice\u202efdp.exe"}, "title", "must not contain control characters that change the direction"),
    ({"learning": "line one\n\u2066isolated\u2069"}, "learning", "control characters that change the direction"),
    ({"start_date": dt.date(2026, 3, 5), "end_date": dt.date(2026, 3, 4)}, "end_date",
     "The end date must be the same as or after the start date"),
    ({"start_date": dt.date(1989, 12, 31)}, "start_date", "after 1 January 1990"),
    ({"hours": Decimal(0)}, "hours", "Hours must be more than 0"),
    ({"hours": Decimal(-2)}, "hours", "Hours must be more than 0"),
    ({"hours": Decimal("1000.01")}, "hours", "Hours must be 1,000 or fewer"),
    ({"participatory_hours": Decimal(-1)}, "participatory_hours", "must be 0 or more"),
    ({"participatory_hours": Decimal("6.5")}, "participatory_hours",
     "Participatory hours must be the same as or fewer than the hours"),
    ({"peer_discussed_on": dt.date(2026, 2, 1), "peer_name": "A", "peer_role": "B", "peer_learning": "C"},
     "peer_discussed_on", "must be the same as or after the start date"),
    ({"peer_discussed_on": TODAY + DAY, "peer_name": "A", "peer_role": "B", "peer_learning": "C"},
     "peer_discussed_on", "must be today or in the past"),
    ({"standards": ["KSS-CF.5", "NOPE.1"]}, "standards", "NOPE.1 is not one of them"),
])
def test_rules_for_every_record(overrides, field, message):
    for complete in (False, True):
        errors = check_answers(answers(**overrides), complete=complete, today=TODAY,
                               allowed_standards={"KSS-CF.5", "PCF.3"})
        assert field in errors and message in errors[field], (complete, errors)


def test_boundaries_that_are_allowed():
    ok = answers(hours=Decimal(1000), participatory_hours=Decimal(1000), start_date=dt.date(2026, 3, 2))
    assert check_answers(ok, complete=True, today=TODAY) == {}
    assert check_answers(answers(participatory_hours=Decimal(0)), complete=True, today=TODAY) == {}
    assert check_answers(answers(participatory_hours=None), complete=True, today=TODAY) == {}


@pytest.mark.parametrize("missing", ["activity_type", "start_date", "end_date", "hours", "description", "learning",
                                     "impact_practice", "impact_people"])
def test_finishing_needs_every_answer_but_a_draft_does_not(missing):
    value = None if missing in {"activity_type", "start_date", "end_date", "hours"} else ""
    incomplete = answers(**{missing: value})
    assert check_answers(incomplete, complete=False, today=TODAY) == {}
    assert missing in check_answers(incomplete, complete=True, today=TODAY)


def test_a_draft_can_be_almost_empty_and_a_future_course_finished_only_after_it_ends():
    assert check_answers(CpdAnswers(title="Planned course"), complete=False, today=TODAY) == {}
    future = answers(start_date=TODAY + DAY, end_date=TODAY + 2 * DAY)
    assert check_answers(future, complete=False, today=TODAY) == {}
    assert "today or in the past" in check_answers(future, complete=True, today=TODAY)["end_date"]


def test_peer_reflection_is_all_or_nothing_to_finish():
    partial = answers(peer_name="Rhiannon")
    errors = check_answers(partial, complete=True, today=TODAY)
    assert set(errors) == {"peer_role", "peer_discussed_on", "peer_learning"}
    whole = answers(peer_name="R", peer_role="Supervisor", peer_discussed_on=dt.date(2026, 3, 3), peer_learning="x")
    assert check_answers(whole, complete=True, today=TODAY) == {}


# ---------------------------------------------------------------------------------------------- registration year
@pytest.mark.parametrize("day, year", [
    (dt.date(2026, 11, 29), 2026),
    (dt.date(2026, 11, 30), 2026),
    (dt.date(2026, 12, 1), 2027),
    (dt.date(2026, 1, 1), 2026),
    (dt.date(2025, 12, 1), 2026),
    (dt.date(2025, 11, 30), 2025),
])
def test_registration_year_runs_1_december_to_30_november(day, year):
    assert registration_year(day) == year


def test_year_labels_and_days_left():
    assert year_label(2026) == "1 December 2025 to 30 November 2026"
    assert YearCheck(2026, 0, 0, 0, 0, dt.date(2026, 11, 29)).days_left == 1
    assert YearCheck(2026, 0, 0, 0, 0, dt.date(2026, 11, 30)).days_left == 0
    assert YearCheck(2027, 0, 0, 0, 0, dt.date(2026, 12, 1)).days_left == (year_end(2027) - dt.date(2026, 12, 1)).days
    assert YearCheck(2025, 0, 0, 0, 0, dt.date(2026, 12, 1)).days_left is None


@pytest.mark.parametrize("records, peer, met, missing", [
    (0, 0, False, ["2 more complete CPD records", "a record with a peer reflection"]),
    (1, 1, False, ["1 more complete CPD record"]),
    (2, 0, False, ["a record with a peer reflection"]),
    (2, 1, True, []),
    (5, 3, True, []),
])
def test_the_minimum(records, peer, met, missing):
    check = YearCheck(2026, records, peer, 0, 0, TODAY)
    assert check.met is met
    assert check.missing == missing


@on_boundary_days
def test_stored_year_follows_the_end_date_across_the_boundary(world, make_record):
    practitioner = world["practitioner"]
    ids = {day: make_record(practitioner, end_date=day, start_date=day - DAY)
           for day in (dt.date(2024, 11, 29), dt.date(2024, 11, 30), dt.date(2024, 12, 1))}
    years = {day: session().get(CpdRecord, rid).registration_year for day, rid in ids.items()}
    assert years == {dt.date(2024, 11, 29): 2024, dt.date(2024, 11, 30): 2024, dt.date(2024, 12, 1): 2025}


@on_boundary_days
def test_year_check_counts_only_complete_records(world, make_record):
    from portal.cpd.queries import year_checks

    practitioner = world["practitioner"]
    day = this_year(3)
    make_record(practitioner, end_date=day)
    make_record(practitioner, end_date=day, complete=False, peer_name="P", peer_role="R", peer_discussed_on=day,
                peer_learning="Discussed")
    current = year_checks(practitioner.id, today())[0]
    assert (current.records, current.with_peer_reflection, current.met) == (1, 0, False)
    make_record(practitioner, end_date=day, peer_name="P", peer_role="R", peer_discussed_on=day,
                peer_learning="Discussed")
    current = year_checks(practitioner.id, today())[0]
    assert (current.records, current.with_peer_reflection, current.met) == (2, 1, True)
    assert current.hours == 4.0


def test_past_years_are_listed_back_to_the_first_record(world, make_record):
    from portal.cpd.queries import year_checks

    practitioner = world["practitioner"]
    make_record(practitioner, end_date=dt.date(registration_year(today()) - 3, 6, 1))
    checks = year_checks(practitioner.id, today())
    assert [c.year for c in checks] == [registration_year(today()) - i for i in range(4)]
    assert checks[0].is_current and not checks[-1].is_current and checks[-1].records == 1


# ------------------------------------------------------------------------------------------------ through the form
def _count() -> int:
    return session().execute(select(func.count(CpdRecord.id))).scalar_one()


@pytest.mark.parametrize("overrides, message", [
    ({"title": ""}, "Enter a title for the CPD activity"),
    ({"hours": "-3"}, "Hours must be more than 0"),
    ({"hours": "1001"}, "Hours must be 1,000 or fewer"),
    ({"hours": "six"}, "Hours must be a number, like 2 or 1.5"),
    ({"hours": "1.234"}, "no more than 2 decimal places"),
    ({"participatory_hours": "7"}, "Participatory hours must be the same as or fewer than the hours"),
    ({"start_date": ["5", "3", "2026"], "end_date": ["4", "3", "2026"]}, "The end date must be the same as or after"),
    ({"start_date": ["31", "2", "2026"]}, "Start date must be a real date"),
    ({"start_date": ["", "3", "2026"]}, "Start date must include a day"),
    ({"end_date": ["4", "", ""]}, "End date must include a month and year"),
    ({"end_date": ["4", "3", "26"]}, "End date must be a real date"),
    ({"learning": ""}, "Enter what you have learnt from this CPD activity"),
    ({"impact_people": ""}, "Enter the impact on the people you work with"),
    ({"activity_type": None}, "Select the type of CPD activity"),
    ({"activity_type": "spaceship"}, "Not a valid choice"),
    ({"title": "Tab\x0bvertical"}, "must not contain control characters"),
    ({"title": "Safeguarding course \u202egnp.exe"},
     "Title of the CPD activity must not contain control characters that change the direction of text"),
    ({"description": "x" * 5001}, "5,000 characters or fewer"),
    ({"peer_role": ""}, "Enter your peer’s role".replace("’", "'")),
    ({"standards": ["KSS-CF.5", "MADE-UP.1"]}, "MADE-UP.1 is not one of them"),
])
def test_form_errors_name_the_problem_and_store_nothing(client, world, sign_in_as, overrides, message):
    sign_in_as(world["practitioner"])
    before = _count()
    response = client.post("/cpd/new", data=complete_form(**overrides))
    assert response.status_code == 200
    soup = parse(response)
    assert soup.title.get_text().startswith("Error: ")
    assert message in soup.select_one(".govuk-error-summary").get_text()
    assert _count() == before


def test_a_post_without_date_parts_is_not_a_server_error(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    data = complete_form()
    del data["start_date"], data["end_date"], data["peer_discussed_on"]
    response = client.post("/cpd/new", data=data)
    assert response.status_code == 200
    summary = parse(response).select_one(".govuk-error-summary").get_text()
    assert "Enter the start date" in summary and "Enter the end date" in summary
    # a draft may leave the dates out
    data.update({"complete": None, "save_draft": "y", "peer_name": "", "peer_role": "", "peer_learning": ""})
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post("/cpd/new", data=data)
    assert response.status_code == 302
    record = session().execute(select(CpdRecord).order_by(CpdRecord.id.desc())).scalars().first()
    assert record.status == CpdStatus.DRAFT and record.start_date is None and record.registration_year is None


def test_one_date_part_only_is_reported_not_crashed(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    data = complete_form(start_date="7")
    response = client.post("/cpd/new", data=data)
    assert response.status_code == 200
    assert "Start date must include a month and year" in parse(response).get_text()


def test_the_database_repeats_the_rules(world, make_record):
    from sqlalchemy.exc import IntegrityError

    rid = make_record(world["practitioner"])
    for column, value in [("hours", Decimal(0)), ("hours", Decimal(1001)), ("participatory_hours", Decimal(3)),
                          ("learning", ""), ("end_date", dt.date(1999, 1, 1))]:
        with pytest.raises(IntegrityError), session().begin_nested():
            setattr(session().get(CpdRecord, rid), column, value)
            session().flush()
        session().expire_all()


def test_every_problem_is_listed_at_once(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    soup = parse(client.post("/cpd/new", data=complete_form(hours="-1", start_date=["", "3", "2026"], learning="")))
    summary = soup.select_one(".govuk-error-summary").get_text()
    assert "Start date must include a day" in summary
    assert "Hours must be more than 0" in summary and "Enter what you have learnt" in summary


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
                                  "\u2069", "\u200e", "\u200f", "\u061c"])
def test_every_bidirectional_control_is_refused_in_a_title(char):
    errors = check_answers(answers(title=f"Course{char}title"), complete=False, today=TODAY)
    assert errors["title"] == "Title must not contain control characters that change the direction of text"


def test_right_to_left_text_itself_is_accepted():
    assert check_answers(answers(title="دورة تدريبية", learning="קורס"), complete=True, today=TODAY) == {}

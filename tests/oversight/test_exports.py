"""CSV and XLSX exports of the oversight lists: their contents, formula injection neutralised, empty lists give a
valid file with headers, and large lists stream."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from portal.casework import services as casework
from portal.db import session
from portal.enrolments.models import Enrolment
from portal.exports import csv_chunks, neutralise, write_xlsx
from portal.oversight.exports import PEOPLE_HEADERS, VERIFICATION_HEADERS
from portal.users.models import Role, User

from .conftest import london_today

INJECTION = '=HYPERLINK("http://evil.example","Click")'


def read_csv(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def read_xlsx(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def hostile(world, make_user, enrol_as):
    """A practitioner whose name is a formula, enrolled in North with evidence waiting for Sue."""
    person = make_user(Role.PRACTITIONER, world["north"], name=INJECTION, swe_number="SW299999")
    enrolment = enrol_as(person, supervisor=world["sup"])
    sess = session()
    item = casework.create_case_reflection(
        sess.get(Enrolment, enrolment.id), by=sess.get(User, person.id), occurred_on=london_today(),
        case_reference="Case 9", category="child_protection", activity="home_visit", role="observer",
        texts={"account": "Visited Child A.", "analysis": "Safe.", "reflection": "Listen first."},
        statements=["KSS-CF.1"])
    casework.request_verification(item, by=sess.get(User, person.id))
    sess.commit()
    return enrolment


@pytest.mark.parametrize("value", ["=1+2", "+44", "-3", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_neutralised(value):
    assert neutralise(value) == "'" + value
    assert neutralise("Plain text") == "Plain text"


def test_people_csv_and_xlsx_with_an_injection_attempt(client, sign_in_as, world, hostile):
    sign_in_as(world["north_admin"])
    base = f"/oversight/organisations/{world['north'].id}/people"
    response = client.get(f"{base}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"] and "NORTH-people-" in response.headers[
        "Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == list(PEOPLE_HEADERS)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Practitioner"] == "'" + INJECTION
    assert row["Social Work England number"] == "SW299999" and row["Employer"] == "Northshire"
    assert row["Enrolment status"] == "Active" and row["Practice supervisor"] == "Sue Supervisor"
    assert row["Standing"] in {"On track", "At risk", "Overdue"}
    response = client.get(f"{base}.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = read_xlsx(response)
    assert list(sheet[0]) == list(PEOPLE_HEADERS)
    assert sheet[1][0] == "'" + INJECTION  # a string, not a formula
    assert sheet[1][7] == dt.datetime.combine(london_today() - dt.timedelta(days=120), dt.time())  # a real date
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.worksheets[0]["A2"].data_type == "s"


def test_verifications_export_has_no_evidence_text(client, sign_in_as, world, hostile):
    sign_in_as(world["north_admin"])
    base = f"/oversight/organisations/{world['north'].id}/verifications"
    rows = read_csv(client.get(f"{base}.csv"))
    assert rows[0] == list(VERIFICATION_HEADERS)
    assert rows[1][:5] == ["'" + INJECTION, "Northshire", "Sue Supervisor", "Case reflection", "Case 9"]
    assert rows[1][7] == "0"
    assert "Visited Child A" not in str(rows)
    sheet = read_xlsx(client.get(f"{base}.xlsx"))
    assert sheet[1][0] == "'" + INJECTION and sheet[1][4] == "Case 9" and sheet[1][7] == 0


def test_an_empty_list_gives_a_valid_file_with_its_headers(client, sign_in_as, world):
    sign_in_as(world["north_admin"])
    base = f"/oversight/organisations/{world['north'].id}"
    assert read_csv(client.get(f"{base}/people.csv?q=nobody")) == [list(PEOPLE_HEADERS)]
    assert read_xlsx(client.get(f"{base}/people.xlsx?q=nobody")) == [list(PEOPLE_HEADERS)]
    assert read_csv(client.get(f"{base}/verifications.csv")) == [list(VERIFICATION_HEADERS)]
    assert read_xlsx(client.get(f"{base}/verifications.xlsx")) == [list(VERIFICATION_HEADERS)]


def test_exports_keep_the_list_filters(client, sign_in_as, world, hostile, enrol_as):
    enrol_as(world["other_prac"], supervisor=world["sup2"])
    sign_in_as(world["north_admin"])
    base = f"/oversight/organisations/{world['north'].id}/people"
    assert len(read_csv(client.get(f"{base}.csv"))) == 3
    assert [r[0] for r in read_csv(client.get(f"{base}.csv?q=olu"))[1:]] == ["Olu Other"]
    assert client.get(f"{base}.pdf").status_code == 404


def test_the_csv_streams_in_chunks_and_the_xlsx_is_written_row_by_row():
    rows = ([f"Person {n}", n] for n in range(1000))
    chunks = list(csv_chunks(["Name", "Number"], rows))
    assert len(chunks) > 5  # a generator response: pieces, not one document
    assert "".join(chunks).count("\r\n") == 1001
    out = io.BytesIO()
    assert write_xlsx(out, ["Name", "Number"], ([f"=P{n}", n] for n in range(3000)), title="Big") == 3000
    sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 3001 and values[1] == ("'=P0", 0)


def test_the_export_response_is_a_stream(client, sign_in_as, world, hostile):
    sign_in_as(world["north_admin"])
    response = client.get(f"/oversight/organisations/{world['north'].id}/people.csv")
    assert response.is_streamed
    assert response.get_data().count(b"\r\n") == 2  # the header and the one person
    response.close()

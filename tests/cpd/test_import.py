"""Importing a training provider's attendance list: whole-file refusals, row-by-row report, importing good rows."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.cpd.imports import MAX_ROWS
from portal.cpd.models import CpdImport, CpdRecord, CpdStatus
from portal.db import session

from ..conftest import parse
from .conftest import DAY, today

HEADER = "swe_number,email,title,type,start_date,end_date,hours,participatory_hours,provider"


def _day(offset: int = 10) -> str:
    return (today() - offset * DAY).strftime("%d/%m/%Y")


def _upload(client, text: str | bytes, name: str = "attendance.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post("/cpd/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _records() -> int:
    return session().execute(select(func.count(CpdRecord.id))).scalar_one()


def _imports() -> int:
    return session().execute(select(func.count(CpdImport.id))).scalar_one()


@pytest.mark.parametrize("content, name, message", [
    (b"", "attendance.csv", "The selected file is empty"),
    (HEADER + "\n", "attendance.csv", "header row but no rows"),
    ("name,course\nSiân,Neglect\n", "attendance.csv", "does not recognise: 'name'"),
    ("swe_number,title,type,start_date,end_date\nSW1,T,course,1/1/2026,1/1/2026\n", "attendance.csv",
     "must have a column called 'hours'"),
    ("title,type,start_date,end_date,hours\nT,course,1/1/2026,1/1/2026,1\n", "attendance.csv",
     "column called 'swe_number' or 'email'"),
    (HEADER + ",title\n", "attendance.csv", "'title' more than once"),
    (b"%PDF-1.4 binary\x00\x01", "attendance.csv", "must be a CSV"),
    (HEADER.encode() + b"\n\xff\xfe broken", "attendance.csv", "saved as UTF-8"),
    (HEADER + "\n", "attendance.xlsx", "must be a CSV"),
    (HEADER + "\n" + "\n".join(f"SW100001,,Course {i},course,{_day()},{_day()},1,," for i in range(MAX_ROWS + 1)),
     "attendance.csv", "more than 2,000 rows"),
])
def test_whole_file_refusals(client, world, sign_in_as, content, name, message):
    sign_in_as(world["employer_admin"])
    response = _upload(client, content, name)
    assert response.status_code == 200
    soup = parse(response)
    assert soup.title.get_text().startswith("Error: ")
    assert message in soup.select_one(".govuk-error-summary").get_text()
    assert _imports() == 0 and _records() == 0


def test_no_file_chosen(client, world, sign_in_as):
    sign_in_as(world["employer_admin"])
    response = client.post("/cpd/import", data={}, content_type="multipart/form-data")
    assert "Select a CSV file" in parse(response).select_one(".govuk-error-summary").get_text()


def test_the_import_page_documents_the_columns(client, world, sign_in_as):
    sign_in_as(world["employer_admin"])
    text = parse(client.get("/cpd/import")).get_text()
    for column in ("swe_number", "email", "title", "type", "start_date", "end_date", "hours",
                   "participatory_hours", "provider"):
        assert column in text


def test_preview_reports_each_row_and_confirm_imports_only_good_rows(client, world, sign_in_as):
    lines = [
        HEADER,
        f"SW100001,,Working with neglect,course,{_day(12)},{_day(11)},6,5,Northshire Training",  # good (by SWE)
        f",pat@example.org,Court skills,Conference,{_day()},{_day()},3.5,,Northshire Training",  # good (by email)
        f"SW100003,,Southshire person,course,{_day()},{_day()},2,,X",  # not someone north's admin manages
        f"SW999999,,Nobody,course,{_day()},{_day()},2,,X",  # unknown
        f"SW100001,,Bad dates,course,{_day(1)},{_day(5)},2,,X",  # end before start
        f"SW100001,,Too long,course,{_day()},{_day()},1001,,X",  # hours over 1,000
        f"SW100001,,Negative,course,{_day()},{_day()},-1,,X",  # negative hours
        f"SW100001,,More participatory,course,{_day()},{_day()},2,3,X",  # participatory over hours
        f"SW100001,,Wrong type,juggling,{_day()},{_day()},2,,X",
        f"SW100001,,Not a date,course,31/02/2026,{_day()},2,,X",
        f"SW100001,,,course,{_day()},{_day()},2,,X",  # no title
        f"SW100001,pat@example.org,Two people,course,{_day()},{_day()},2,,X",
        f"SW100001,,Working with neglect,course,{_day(12)},{_day(11)},6,5,Repeat",  # repeats line 2
        "=cmd|' /C calc'!A0,,Injection,course,01/01/2026,01/01/2026,1,,X",
    ]
    sign_in_as(world["employer_admin"])
    response = _upload(client, "\n".join(lines) + "\n")
    assert response.status_code == 302
    preview = parse(client.get(response.headers["Location"]))
    text = preview.get_text(" ", strip=True)
    assert "2 rows will be imported" in text and "12 rows have problems" in text
    for message in ("There is no practitioner you manage", "The end date must be the same as or after",
                    "Hours must be 1,000 or fewer", "Hours must be more than 0",
                    "Participatory hours must be the same as or fewer than the hours", "Type must be one of",
                    "Start date must be a real date", "Enter a title", "belong to different people",
                    "repeats an earlier row"):
        assert message in text, message
    assert _records() == 0  # the preview stores nothing but the upload
    response = client.post(response.headers["Location"])
    assert response.status_code == 302
    records = session().execute(select(CpdRecord).order_by(CpdRecord.id)).scalars().all()
    assert [(r.title, r.practitioner_id, r.status) for r in records] == [
        ("Working with neglect", world["practitioner"].id, CpdStatus.DRAFT),
        ("Court skills", world["other_practitioner"].id, CpdStatus.DRAFT)]
    assert records[0].provider == "Northshire Training" and str(records[0].participatory_hours) == "5.00"
    done = parse(client.get(response.headers["Location"])).get_text()
    assert "2 CPD records imported" in done
    upload = session().execute(select(CpdImport)).scalar_one()
    assert upload.content == "" and upload.imported_count == 2
    # a second confirm (double click, back button) imports nothing more
    client.post(f"/cpd/import/{upload.id}")
    assert _records() == 2
    assert session().execute(select(AuditEvent).where(AuditEvent.action == "cpd.imported")).scalar_one()
    # the same list again: every row is already recorded
    again = _upload(client, "\n".join(lines[:3]) + "\n")
    assert "already recorded for this person" in parse(client.get(again.headers["Location"])).get_text()


def test_a_practitioner_imports_their_own_cpd_only(client, world, sign_in_as):
    header = HEADER + ",description,learning,impact_practice,impact_people"
    lines = [header,
             f"SW100001,,Full row,e-learning,{_day()},{_day()},1,,X,What it was,What I learnt,Practice,People",
             f"SW100001,,Partial row,reading,{_day()},{_day()},1,,X,,,,",
             f"SW100002,,Someone else,reading,{_day()},{_day()},1,,X,,,,"]
    sign_in_as(world["practitioner"])
    response = _upload(client, "\n".join(lines))
    text = parse(client.get(response.headers["Location"])).get_text(" ", strip=True)
    assert "You can only import your own CPD" in text
    assert "Will import as complete" in text and "Will import as draft" in text
    client.post(response.headers["Location"])
    statuses = dict(session().execute(select(CpdRecord.title, CpdRecord.status)).all())
    assert statuses == {"Full row": CpdStatus.COMPLETE, "Partial row": CpdStatus.DRAFT}


def test_only_the_uploader_sees_an_upload(client, world, sign_in_as):
    sign_in_as(world["employer_admin"])
    response = _upload(client, HEADER + f"\nSW100001,,A course,course,{_day()},{_day()},1,,X\n")
    url = response.headers["Location"]
    sign_in_as(world["south_admin"])
    assert client.get(url).status_code == 403 and client.post(url).status_code == 403
    sign_in_as(world["practitioner"])
    assert client.get(url).status_code == 403
    assert _records() == 0


def test_a_semicolon_file_and_extra_cells_are_reported(client, world, sign_in_as):
    sign_in_as(world["employer_admin"])
    response = _upload(client, "swe_number;title;type\nSW100001;A;course\n")
    assert "does not recognise" in parse(response).select_one(".govuk-error-summary").get_text()
    response = _upload(client, HEADER + f"\nSW100001,,A course,course,{_day()},{_day()},1,,X,surprise\n")
    assert "more cells than the header row" in parse(client.get(response.headers["Location"])).get_text()


def test_control_characters_and_long_text_in_rows(client, world, sign_in_as):
    sign_in_as(world["employer_admin"])
    long_title = "x" * 201
    response = _upload(client, HEADER + f"\nSW100001,,Bell\x07title,course,{_day()},{_day()},1,,X\n"
                       f"SW100001,,{long_title},course,{_day()},{_day()},1,,X\n")
    text = parse(client.get(response.headers["Location"])).get_text()
    assert "must not contain control characters" in text and "200 characters or fewer" in text
    assert "0 rows will be imported" in " ".join(text.split())

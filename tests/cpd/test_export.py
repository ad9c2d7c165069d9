"""Exports of a registration year in Social Work England's form order: CSV (formula-safe) and PDF (text checked)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest

from portal.cpd.export import CpdExport, ExportRecord, build_export, neutralise, render_csv, render_pdf
from portal.cpd.models import CpdStatus, CpdType
from portal.cpd.wording import SWE_FORM_ORDER
from portal.cpd.years import registration_year
from tests.conftest import on_boundary_days

from .conftest import today


def _record(**overrides):
    values = {
        "id": 1, "title": "Working with neglect", "activity_type": CpdType.COURSE, "start_date": dt.date(2026, 3, 26),
        "end_date": dt.date(2026, 3, 27), "hours": Decimal("6.50"), "participatory_hours": Decimal("4.00"),
        "provider": "Northshire Training", "description": "A two-day course.", "learning": "The graded care profile.",
        "impact_practice": "I assess neglect earlier.", "impact_people": "Child A was helped sooner.",
        "peer_name": "Rhiannon Jones", "peer_role": "Practice supervisor", "peer_discussed_on": dt.date(2026, 3, 30),
        "peer_learning": "Thresholds differ between teams.", "statement_codes": ["KSS-CF.5", "SWE-PS.4"],
        "status": CpdStatus.COMPLETE}
    values.update(overrides)
    return SimpleNamespace(**values)


def _export(*records) -> CpdExport:
    practitioner = SimpleNamespace(name="Siân Llŷr", swe_number="SW100001")
    files = {1: [SimpleNamespace(original_name="certificate.pdf")]}
    titles = {"KSS-CF.5": "KSS-CF.5 Abuse and neglect of children"}
    return build_export(practitioner, 2026, list(records), files, titles, dt.date(2026, 11, 2))


@pytest.mark.parametrize("value, safe", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"), ("Plain", "Plain"), ("", ""),
])
def test_cells_that_look_like_formulas_are_neutralised(value, safe):
    assert neutralise(value) == safe


def test_csv_is_in_the_form_order_with_every_answer():
    rows = list(csv.reader(io.StringIO(render_csv(_export(_record())))))
    assert rows[0] == [question for _name, question in SWE_FORM_ORDER]
    answer = dict(zip(rows[0], rows[1], strict=True))
    assert answer["Title of the CPD activity"] == "Working with neglect"
    assert answer["Type of CPD activity"] == "Course or training"
    assert answer["Start date"] == "26 March 2026" and answer["End date"] == "27 March 2026"
    assert answer["Hours"] == "6.5" and answer["Participatory hours"] == "4"
    assert answer["Describe what you have learnt from discussing this CPD activity with a peer"] == \
        "Thresholds differ between teams."
    assert answer["Professional standards this CPD relates to"] == "KSS-CF.5 Abuse and neglect of children; SWE-PS.4"
    assert answer["Evidence files"] == "certificate.pdf"
    # the order of SWE's questions: type, description, learning, impact, then the peer reflection
    header = rows[0]
    assert header.index("Type of CPD activity") < header.index(
        "Describe the CPD activity and why it is relevant to your practice") < header.index(
        "What have you learnt from this CPD activity?") < header.index(
        "Describe what you have learnt from discussing this CPD activity with a peer")


def test_csv_injection_attempts_are_neutralised():
    hostile = _record(title="=cmd|' /C calc'!A0", learning="+SUM(1,2)", peer_name="@evil", provider="-1+1",
                      impact_people="\t=1+1")
    rows = list(csv.reader(io.StringIO(render_csv(_export(hostile)))))
    cells = rows[1]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert "'=cmd|' /C calc'!A0" in cells and "'+SUM(1,2)" in cells and "'@evil" in cells


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_holds_every_field_and_welsh_letters():
    data = render_pdf(_export(_record(), _record(id=2, title="Second record", peer_name="", peer_role="",
                                                 peer_discussed_on=None, peer_learning="")))
    assert data.startswith(b"%PDF")
    text = " ".join(_pdf_text(data).split())
    assert "Siân Llŷr" in text and "SW100001" in text
    assert "1 December 2025 to 30 November 2026" in text
    for _name, question in SWE_FORM_ORDER:
        if _name != "title":
            assert " ".join(question.split()) in text, question
    for answer in ("Working with neglect", "Course or training", "26 March 2026", "27 March 2026",
                   "A two-day course.", "The graded care profile.", "I assess neglect earlier.",
                   "Child A was helped sooner.", "Rhiannon Jones", "Practice supervisor", "30 March 2026",
                   "Thresholds differ between teams.", "KSS-CF.5 Abuse and neglect of children", "6.5",
                   "Northshire Training", "certificate.pdf", "Second record", "Not given"):
        assert answer in text, answer


def test_pdf_is_reproducible_and_escapes_markup():
    export = _export(_record(title="<b>bold</b> & <script>x</script>"))
    assert render_pdf(export) == render_pdf(export)
    assert "<b>bold</b> & <script>x</script>" in " ".join(_pdf_text(render_pdf(export)).split())


def test_an_empty_year_still_renders():
    text = _pdf_text(render_pdf(CpdExport("Siân Llŷr", "", 2026, dt.date(2026, 1, 1), ())))
    assert "no complete CPD records" in text


def test_export_is_csv_with_one_charset(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    response = client.get(f"/cpd/export/{registration_year(today())}.csv")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"


@on_boundary_days
def test_export_downloads_only_complete_records_of_the_year(client, world, sign_in_as, make_record):
    practitioner = world["practitioner"]
    year = registration_year(today())
    make_record(practitioner, title="=Counts this year")
    make_record(practitioner, title="Draft is left out", complete=False)
    make_record(practitioner, title="Last year is left out", end_date=dt.date(year - 1, 5, 1))
    make_record(world["other_practitioner"], title="Not mine")
    sign_in_as(practitioner)
    response = client.get(f"/cpd/export/{year}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="cpd-{year - 1}-{year}.csv"' in response.headers["Content-Disposition"]
    body = response.data.decode("utf-8-sig")
    assert "'=Counts this year" in body
    assert "Draft is left out" not in body and "Last year" not in body and "Not mine" not in body
    pdf = client.get(f"/cpd/export/{year}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data)
    assert "=Counts this year" in text and "Siân Llŷr" in text and "Draft is left out" not in text
    assert client.get("/cpd/export/1066.csv").status_code == 404


def test_export_record_snapshot_is_plain_data():
    export = _export(_record())
    assert isinstance(export.records[0], ExportRecord)
    assert set(export.records[0].answers) == {name for name, _q in SWE_FORM_ORDER}
    assert export.year_label == "1 December 2025 to 30 November 2026"

"""Employers' accreditation checks: one number, and a CSV of up to 1,000 (bad and repeated numbers reported, 1,001
refused whole, formulas neutralised in the results)."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.certificates import checks
from portal.db import session

from ..conftest import parse


def test_one_number_shows_the_stage_and_every_certificate(client, sign_in_as, people, issue):
    first = issue("Y1")[0]
    second = issue("Y2")[0]
    sign_in_as(people["south_admin"])  # an employer admin checks anyone, not only their own staff
    soup = parse(client.post("/checks", data={"swe_number": " sw123456 "}))
    text = soup.get_text(" ", strip=True)
    assert "SW123456" in text and "Siân Llŷr" in text
    assert "Accredited to Year 2 (end of induction)" in text
    assert "Expert child protection practitioner No" in text
    assert first.code in text and second.code in text
    assert session().execute(select(AuditEvent).where(AuditEvent.action == "accreditation.checked")).scalar_one() \
        .details == {"swe_number": "SW123456", "found": True}


def test_a_number_without_certificates_and_a_bad_number(client, sign_in_as, people, certificate):
    sign_in_as(people["north_admin"])
    assert "No certificates have been issued" in parse(client.post("/checks", data={"swe_number": "SW999"})).get_text()
    soup = parse(client.post("/checks", data={"swe_number": "12345"}))
    assert "correct format, like SW123456" in soup.select_one(".govuk-error-summary").get_text()


def test_accreditation_counts_only_valid_certificates(client, sign_in_as, people, issue):
    from portal.certificates.services import revoke
    from portal.users.models import User

    issue("Y1")
    (year_two,) = issue("Y2")
    revoke(session().get(type(year_two), year_two.id), by=session().get(User, people["prog"].id), reason="Error")
    session().commit()
    (result,) = checks.check_numbers([(1, "SW123456")])
    assert result.accreditation.stage == "Year 1 (ASYE-equivalent)"
    assert [c.status for c in result.accreditation.certificates] == ["revoked", "valid"]


def _csv(rows: list[str], header: str | None = "swe_number") -> bytes:
    lines = ([header] if header else []) + rows
    return ("\r\n".join(lines) + "\r\n").encode()


def _upload(client, data: bytes, name: str = "staff.csv"):
    return client.post("/checks/bulk", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_a_thousand_rows_with_bad_and_duplicate_numbers_and_a_formula(client, sign_in_as, people, issue):
    issue("Y1")
    rows = ["SW123456", "sw 654321", "=HYPERLINK(\"http://evil.example\",\"x\")", "SW123456", "not a number"]
    rows += [f"SW{200000 + n}" for n in range(1000 - len(rows))]
    sign_in_as(people["north_admin"])
    response = _upload(client, _csv(rows))
    assert response.status_code == 302
    page = parse(client.get(response.headers["Location"]))
    text = page.get_text(" ", strip=True)
    assert "Rows checked 1,000" in text and "Certificates found 1" in text
    assert "Not valid registration numbers 2" in text and "Duplicates 1" in text
    assert "Duplicate of row 2" in page.select_one("#problems").get_text()

    link = next(a for a in page.select("a") if "Download the results (CSV)" in a.get_text())
    download = client.get(link["href"])
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == list(checks.CSV_COLUMNS)
    assert len(table) == 1001  # every row accounted for
    found, other, formula, duplicate, bad = table[1:6]
    assert found[0] == "2" and found[3] == "Certificates found" and found[4] == "Siân Llŷr"
    assert found[5] == "Year 1 (ASYE-equivalent)" and found[6] == "no" and "(valid, issued" in found[7]
    assert other[2] == "SW654321" and other[3] == "No certificates for this number"
    assert formula[1].startswith("'=HYPERLINK") and formula[3].startswith("Not a valid")
    assert duplicate[3] == "Duplicate of row 2" and bad[3].startswith("Not a valid")
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)


def test_1001_rows_are_refused_whole(client, sign_in_as, people):
    sign_in_as(people["north_admin"])
    soup = parse(_upload(client, _csv([f"SW{300000 + n}" for n in range(1001)])))
    assert "1,001 numbers" in soup.select_one(".govuk-error-summary").get_text()
    assert "up to 1,000" in soup.select_one(".govuk-error-summary").get_text()


@pytest.mark.parametrize("data, message", [
    (b"", "Select a CSV file"),
    (b"\xff\xfe\x00S\x00W", "UTF-8"),
    (b"swe_number\r\n\r\n", "no registration numbers"),
    (b"x" * (checks.MAX_BYTES + 1), "smaller than 256 KB"),
])
def test_unusable_files_are_refused(client, sign_in_as, people, data, message):
    sign_in_as(people["north_admin"])
    response = client.post("/checks/bulk", data={"file": (io.BytesIO(data), "x.csv")} if data else {},
                           content_type="multipart/form-data")
    assert message in parse(response).select_one(".govuk-error-summary").get_text()


def test_header_rows_are_optional_and_blank_rows_ignored():
    assert checks.read_numbers_csv(b"SW1\r\n\r\nSW2,extra\r\n") == [(1, "SW1"), (3, "SW2")]
    assert checks.read_numbers_csv(b"\xef\xbb\xbfSWE registration number\nSW1\n") == [(2, "SW1")]


def test_only_the_uploader_sees_a_batch(client, sign_in_as, people):
    sign_in_as(people["north_admin"])
    location = _upload(client, _csv(["SW1"])).headers["Location"]
    sign_in_as(people["south_admin"])
    assert client.get(location).status_code == 403
    assert client.get(location + "/results.csv").status_code == 403

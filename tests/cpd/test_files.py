"""Evidence files through the CPD form: good files are kept; hostile ones are refused on the file field with the
storage module's message, and nothing (no record, no file row, no stored bytes) is kept."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.cpd.models import CpdRecord
from portal.db import session
from portal.evidence.models import EvidenceFile
from portal.evidence.storage import get_storage

from ..conftest import parse
from ..evidence import files
from .conftest import complete_form


def _counts() -> tuple[int, int, int]:
    return (session().execute(select(func.count(CpdRecord.id))).scalar_one(),
            session().execute(select(func.count(EvidenceFile.id))).scalar_one(),
            len(get_storage().list_keys()))


def _post(client, uploads, url="/cpd/new", **overrides):
    data = complete_form(**overrides)
    data["files"] = [(io.BytesIO(content), name) for content, name in uploads]
    return client.post(url, data=data, content_type="multipart/form-data")


def test_good_files_are_stored_and_listed(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    response = _post(client, [(files.pdf(), "certificate.pdf"), (files.png(), "slide.png")])
    assert response.status_code == 302
    record = session().execute(select(CpdRecord).order_by(CpdRecord.id.desc())).scalars().first()
    page = parse(client.get(f"/cpd/{record.id}"))
    links = {a.get_text(strip=True): a["href"] for a in page.select("a[href^='/files/']")}
    assert set(links) == {"certificate.pdf", "slide.png"}
    download = client.get(links["certificate.pdf"])
    assert download.data == files.pdf() and download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Type"] == "application/pdf"


def test_a_text_file_downloads_with_one_charset(client, world, sign_in_as):
    sign_in_as(world["practitioner"])
    assert _post(client, [(b"Notes from the course\n", "notes.txt")]).status_code == 302
    record = session().execute(select(CpdRecord).order_by(CpdRecord.id.desc())).scalars().first()
    link = parse(client.get(f"/cpd/{record.id}")).select_one("a[href^='/files/']")["href"]
    download = client.get(link)
    assert download.status_code == 200 and download.data == b"Notes from the course\n"
    assert download.headers["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("content, name, message", [
    (files.exe(), "certificate.pdf", "must be a PDF, DOCX, XLSX, PPTX, PNG, JPEG or TXT"),
    (b"<html><body><script>alert(1)</script></body></html>", "notes.txt", "must be a PDF"),
    (b"<html><script>alert(1)</script></html>", "page.html", "must be a PDF"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "diagram.svg", "must be a PDF"),
    (b"", "empty.pdf", "is empty"),
])
def test_hostile_uploads_are_refused_and_nothing_is_kept(client, world, sign_in_as, content, name, message):
    sign_in_as(world["practitioner"])
    before = _counts()
    response = _post(client, [(files.pdf(), "good-first.pdf"), (content, name)])
    assert response.status_code == 200
    soup = parse(response)
    summary = soup.select_one(".govuk-error-summary")
    assert message in summary.get_text()
    assert summary.select_one("a")["href"] == "#files"
    assert message in soup.select_one("#files").find_parent(class_="govuk-form-group").get_text()
    assert _counts() == before


def test_a_file_over_the_limit_is_refused(client, app, world, sign_in_as):
    sign_in_as(world["practitioner"])
    app.config["EVIDENCE_MAX_BYTES"] = 1024 * 1024
    try:
        before = _counts()
        response = _post(client, [(files.pdf() + b"%" * (1024 * 1024), "big.pdf")])
        assert "must be smaller than 1 MB" in parse(response).select_one(".govuk-error-summary").get_text()
        assert _counts() == before
    finally:
        app.config["EVIDENCE_MAX_BYTES"] = 20 * 1024 * 1024


def test_too_many_files_are_refused(client, app, world, sign_in_as):
    sign_in_as(world["practitioner"])
    app.config["EVIDENCE_MAX_FILES_PER_ITEM"] = 2
    try:
        before = _counts()
        response = _post(client, [(files.pdf(), f"{i}.pdf") for i in range(3)])
        assert "up to 2 files" in parse(response).select_one(".govuk-error-summary").get_text()
        assert _counts() == before
    finally:
        app.config["EVIDENCE_MAX_FILES_PER_ITEM"] = 10


@pytest.mark.parametrize("name, kept", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\certificate.pdf", "certificate.pdf"),  # multipart unescapes to ....windowscertificate
    ("cert\x00ificate\x07.pdf", "certificate.pdf"),
])
def test_paths_and_control_characters_in_names_are_stripped(client, world, sign_in_as, name, kept):
    sign_in_as(world["practitioner"])
    assert _post(client, [(files.pdf(), name)]).status_code == 302
    stored = session().execute(select(EvidenceFile).order_by(EvidenceFile.id.desc())).scalars().first()
    assert stored.original_name.endswith(kept) and not set("/\\\x00\x07") & set(stored.original_name)
    assert not stored.original_name.startswith(".")
    assert "/" not in stored.storage_key and ".." not in stored.storage_key


def test_a_bad_file_on_edit_keeps_the_record_as_it_was(client, world, sign_in_as, make_record):
    rid = make_record(world["practitioner"], title="Before")
    sign_in_as(world["practitioner"])
    before = _counts()
    response = _post(client, [(files.exe(), "setup.pdf")], url=f"/cpd/{rid}/edit", title="After")
    assert "must be a PDF" in parse(response).select_one(".govuk-error-summary").get_text()
    session().expire_all()
    assert session().get(CpdRecord, rid).title == "Before"
    assert _counts() == before

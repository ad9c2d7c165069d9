"""Upload checks: the real type by content, the name, the size, and hostile files."""
from __future__ import annotations

import io

import pytest

from portal.evidence.uploads import check_upload, sanitise_filename
from portal.exceptions import DomainError

from . import files

MB = 1024 * 1024


def check(data: bytes, name: str, max_bytes: int = 20 * MB):
    return check_upload(io.BytesIO(data), name, max_bytes=max_bytes)


@pytest.mark.parametrize("data, name, extension", [
    (files.pdf(), "reflection.pdf", "pdf"),
    (files.png(), "diagram.png", "png"),
    (files.jpeg(), "photo.JPEG", "jpg"),
    (files.jpeg(), "photo.jpg", "jpg"),
    (files.ooxml("word/"), "Supervision notes.docx", "docx"),
    (files.ooxml("xl/"), "hours.xlsx", "xlsx"),
    (files.ooxml("ppt/"), "training.pptx", "pptx"),
    ("Reflection on a home visit – Child A’s views.\n".encode(), "notes.txt", "txt"),
])
def test_allowed_types_pass(data, name, extension):
    checked = check(data, name)
    assert checked.extension == extension
    assert checked.size_bytes == len(data)
    assert len(checked.sha256) == 64


@pytest.mark.parametrize("data, name, message", [
    (files.exe(), "certificate.pdf", "must be a PDF, DOCX, XLSX, PPTX, PNG, JPEG or TXT"),
    (b"<html><script>alert(1)</script></html>", "page.txt", "must be a PDF"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image.svg", "must be a PDF"),
    (b'<?xml version="1.0"?><svg onload="alert(1)"/>', "image.png", "must be a PDF"),
    (b"", "empty.pdf", "is empty"),
    (files.pdf(), "reflection.docx", "is a PDF file but its name does not end in .pdf"),
    (files.ooxml("word/"), "renamed.xlsx", "is a DOCX file"),
    (files.zip_bomb_docx(), "bomb.docx", "expands too much"),
    (files.ooxml(extra={"word/vbaProject.bin": b"macro"}), "macro.docx", "contains macros"),
    (b"\x00\x01\x02binary", "data.txt", "must be a PDF"),
    (b"PK\x03\x04" + bytes(100), "broken.docx", "must be a PDF"),
])
def test_hostile_and_wrong_files_are_refused(data, name, message):
    with pytest.raises(DomainError) as error:
        check(data, name)
    assert message in error.value.message
    assert error.value.field == "files"


def test_size_limit():
    with pytest.raises(DomainError, match="smaller than 1 MB"):
        check(files.pdf() + b"%" * MB, "big.pdf", max_bytes=MB)


@pytest.mark.parametrize("raw, safe", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\evil.pdf", "evil.pdf"),
    ("report\x00\x07\n.pdf", "report.pdf"),
    ("   .hidden.pdf", "hidden.pdf"),
    ("", "file"),
    (None, "file"),
    ("Siân’s reflection.pdf", "Siân’s reflection.pdf"),
    ("a" * 300 + ".pdf", "a" * 190 + ".pdf"),
])
def test_filenames_are_sanitised(raw, safe):
    assert sanitise_filename(raw) == safe


def test_path_in_name_does_not_matter_to_the_check():
    assert check(files.pdf(), "../../x.pdf").original_name == "x.pdf"

"""Hostile uploads through every form that takes a file: polyglots, renamed executables, scripts in SVG and HTML, a
zip bomb dressed as a DOCX, an empty file, files over the limits, and names that climb folders or carry control
characters.

Each is refused with a GOV.UK error (or the 413 page), and leaves nothing behind: no new file in evidence storage
and no new row in any table (the audit log apart). Every upload route is first shown to accept a good file with the
same answers, so a refusal is the file's doing.
"""
from __future__ import annotations

import datetime as dt
import io
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from ..conftest import parse
from ..evidence import files
from .conftest import table_counts
from .test_access_matrix import MATRIX, _sign_in
from .world import World, today

KB = 1024


def _date(days_ago: int) -> list[str]:
    day = today() - dt.timedelta(days=days_ago)
    return [str(day.day), str(day.month), str(day.year)]


def _reflection(w: World) -> dict[str, Any]:
    return {"occurred_on": _date(3), "case_reference": "Case 30", "category": "child_protection",
            "activity": "home_visit", "practitioner_role": "co_worker", "account": "A home visit.",
            "analysis": "The plan held.", "reflection": "Ask the child first.", "statements": ["KSS-CF.5"]}


def _cpd(w: World) -> dict[str, Any]:
    return {"title": "Court skills", "activity_type": "course", "start_date": _date(5), "end_date": _date(5),
            "hours": "3", "participatory_hours": "1", "description": "A day in court.", "learning": "Evidence.",
            "impact_practice": "Better statements.", "impact_people": "Clearer for families.",
            "standards": ["KSS-CF.5"], "complete": "y"}


def _feedback(w: World) -> dict[str, Any]:
    return {"occurred_on": _date(3), "case_reference": "Case 31", "respondent": "A parent or carer",
            "went_well": "She listened.", "even_better": "", "reflection": "Listening mattered.",
            "statements": ["KSS-CF.5"]}


@dataclass(frozen=True)
class Upload:
    """A form that takes a file: who posts it, where, the other answers, the file field, and a good file."""

    actor: str
    url: Callable[[World], str]
    answers: Callable[[World], dict[str, Any]]
    field: str
    good: tuple[bytes, str]
    evidence: bool = True  # stores the file as evidence (else it is read and dropped)


CSV = b"email,title,type,start_date,end_date,hours\nowner@example.org,Court skills,course,01/03/2026,01/03/2026,3\n"
UPLOADS: dict[str, Upload] = {
    "cpd.new": Upload("owner", lambda w: "/cpd/new", _cpd, "files", (files.pdf(), "certificate.pdf")),
    "cpd.edit": Upload("owner", lambda w: f"/cpd/{w['cpd']}/edit", _cpd, "files", (files.pdf(), "notes.pdf")),
    "casework.new_reflection": Upload(
        "owner", lambda w: f"/casework/enrolments/{w['enrolment:owner']}/reflections/new", _reflection, "files",
        (files.pdf(), "notes.pdf")),
    "casework.record_feedback": Upload(
        "owner", lambda w: f"/casework/enrolments/{w['enrolment:owner']}/feedback/record", _feedback, "files",
        (files.png(), "drawing.png")),
    "casework.edit": Upload("owner", lambda w: f"/casework/items/{w['item:draft']}/edit", _reflection, "files",
                            (files.ooxml(), "plan.docx")),
    "framework.upload": Upload("programme_admin", lambda w: "/programmes/upload", lambda w: {}, "template_file",
                               (b"code: X\n", "template.yaml"), evidence=False),
    "cpd.import_upload": Upload("owner", lambda w: "/cpd/import", lambda w: {}, "file", (CSV, "attendance.csv"),
                                evidence=False),
    "certificates.verify_credential_page": Upload("anonymous", lambda w: "/verify/credential", lambda w: {}, "file",
                                                  (b"a.b.c", "credential.jwt"), evidence=False),
    "certificates.bulk_check": Upload("same_org_admin", lambda w: "/checks/bulk", lambda w: {}, "file",
                                      (b"swe_number\nSW300001\n", "numbers.csv"), evidence=False),
}


def _jpeg_with_script() -> bytes:
    comment = b"<script>alert(document.domain)</script>"
    return b"\xff\xd8\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + files.jpeg()[2:]


HOSTILE: dict[str, tuple[bytes, str]] = {
    "pdf-html-polyglot": (b"%PDF-1.4\n<html><body><script>alert(document.domain)</script></body></html>\n%%EOF\n",
                          "notes.pdf"),
    "gif-with-script": (b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(document.domain);//<script>alert(1)</script>",
                        "photo.gif"),
    "gif-with-script-as-png": (b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(document.domain);", "photo.png"),
    "jpeg-with-script": (_jpeg_with_script(), "photo.jpg"),
    "exe-as-pdf": (files.exe(), "certificate.pdf"),
    "exe-as-docx": (files.exe(), "reflection.docx"),
    "svg-script": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
                   "diagram.svg"),
    "svg-script-as-png": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
                          "diagram.png"),
    "html": (b"<!doctype html><html><script>alert(document.cookie)</script></html>", "page.html"),
    "html-as-txt": (b"<html><body><script>alert(1)</script></body></html>", "notes.txt"),
    "zip-bomb-as-docx": (files.zip_bomb_docx(), "reflection.docx"),
    "empty": (b"", "empty.pdf"),
    "nul-bytes-as-txt": (b"notes\x00\x00\x00", "notes.txt"),
}
#: names that climb folders or carry control characters, on otherwise hostile content
HOSTILE_NAMES = ["../../../etc/passwd", "..\\..\\windows\\system32\\evil", "evil\x00.pdf\x07", "\u202egpj.exe",
                 "/absolute/path/notes", ".htaccess"]

def _params(cases: list[tuple[str, str]]) -> list[Any]:
    params = []
    for route, name in cases:
        params.append(pytest.param(route, name, id=f"{route}-{name}"))
    return params


def _stored_keys() -> set[str]:
    from portal.evidence.storage import get_storage

    return set(get_storage().list_keys())


def _post(app: Any, world: World, route: str, content: bytes, filename: str) -> Any:
    upload = UPLOADS[route]
    client = app.test_client()
    headers = _sign_in(client, world, MATRIX[route], upload.actor)
    data: Any = MultiDict(upload.answers(world))
    data.add(upload.field, (io.BytesIO(content), filename))
    return client.post(upload.url(world), data=data, headers=headers, content_type="multipart/form-data",
                       buffered=True)


def _error_summary(response: Any) -> str:
    summary = parse(response).select_one(".govuk-error-summary")
    return summary.get_text(" ", strip=True) if summary else ""


def _writes(before: dict[str, int]) -> dict[str, tuple[int, int]]:
    after = table_counts()
    # _post signs the client in after ``before`` was counted: that server session is the test's, not the upload's
    return {t: (before[t], after[t]) for t in before
            if before[t] != after[t] and t not in {"audit_events", "user_sessions"}}


def _assert_refused(response: Any, before_rows: dict[str, int], before_keys: set[str]) -> None:
    assert response.status_code < 500
    if response.status_code != 413:
        assert response.status_code == 200, response.status_code
        page = parse(response)
        assert _error_summary(response) or page.select_one(".govuk-error-message") or \
            "not valid" in page.get_text().lower(), "no GOV.UK error shown"
        assert page.title.get_text().startswith("Error: ") or "/verify/credential" in response.request.path
    assert _writes(before_rows) == {}, "a refused upload wrote rows"
    assert _stored_keys() == before_keys, "a refused upload left a file in storage"


@pytest.mark.parametrize("route", sorted(UPLOADS))
def test_each_upload_form_accepts_a_good_file(route: str, app: Any, world: World) -> None:
    """The control case: the same answers with a good file are accepted (a refusal below is the file's doing)."""
    upload = UPLOADS[route]
    before_keys = _stored_keys()
    response = _post(app, world, route, *upload.good)
    assert response.status_code in (200, 302)
    assert not _error_summary(response) or route == "framework.upload", _error_summary(response)
    if upload.evidence:
        assert response.status_code == 302
        assert len(_stored_keys() - before_keys) == 1


@pytest.mark.parametrize(("route", "hostile"), _params([(r, h) for r in sorted(UPLOADS) for h in HOSTILE]))
def test_hostile_files_are_refused_and_leave_nothing(route: str, hostile: str, app: Any, world: World) -> None:
    content, filename = HOSTILE[hostile]
    if not UPLOADS[route].evidence and hostile == "zip-bomb-as-docx" and route != "framework.upload":
        content = content[:200_000]  # these read a bounded prefix: what matters is that it is refused
    before_rows, before_keys = table_counts(), _stored_keys()
    response = _post(app, world, route, content, filename)
    if route == "certificates.verify_credential_page":
        # kept nowhere: a hostile "credential" is just not a valid one (the status lists are published on first use)
        page = parse(response)
        assert response.status_code == 200
        assert page.title.get_text().startswith("Error: ") or "not valid" in page.get_text().lower()
        assert set(_writes(before_rows)) <= {"credential_status_lists"} and _stored_keys() == before_keys
        return
    _assert_refused(response, before_rows, before_keys)


@pytest.mark.parametrize(("route", "name"), _params([(r, n) for r in sorted(UPLOADS) for n in HOSTILE_NAMES]))
def test_names_that_climb_folders_or_carry_control_characters(route: str, name: str, app: Any,
                                                              world: World) -> None:
    """With hostile content the upload is refused and nothing is kept; with good content the name is made safe
    (no folders, no control characters, no leading dot) and the file is kept under a random key inside storage."""
    from sqlalchemy import select

    from portal.db import session
    from portal.evidence.models import EvidenceFile

    before_rows, before_keys = table_counts(), _stored_keys()
    response = _post(app, world, route, HOSTILE["exe-as-pdf"][0], name + ".pdf")
    if route != "certificates.verify_credential_page":
        _assert_refused(response, before_rows, before_keys)
    else:
        assert response.status_code == 200 and _stored_keys() == before_keys
        assert set(_writes(before_rows)) <= {"credential_status_lists"}

    upload = UPLOADS[route]
    good, good_name = upload.good
    extension = good_name.rsplit(".", 1)[-1]
    response = _post(app, world, route, good, f"{name}.{extension}")
    assert response.status_code < 500
    if upload.evidence and response.status_code == 302:
        row = session().execute(select(EvidenceFile).order_by(EvidenceFile.id.desc())).scalars().first()
        assert not set("/\\") & set(row.original_name)
        assert all(ord(c) >= 32 and c not in "\u202e" for c in row.original_name), repr(row.original_name)
        assert not row.original_name.startswith(".")
        assert "/" not in row.storage_key and ".." not in row.storage_key
        assert _stored_keys() - before_keys == {row.storage_key}
    elif route == "cpd.import_upload" and response.status_code == 302:
        from portal.cpd.models import CpdImport

        stored = session().execute(select(CpdImport).order_by(CpdImport.id.desc())).scalars().first()
        assert not set("/\\") & set(stored.filename) and all(ord(c) >= 32 for c in stored.filename)


@pytest.fixture
def limits(app: Any) -> Any:
    """Lower a size limit for one test and put it back."""
    saved: dict[str, Any] = {}

    def lower(**values: int) -> None:
        for key, value in values.items():
            saved.setdefault(key, app.config[key])
            app.config[key] = value

    yield lower
    app.config.update(saved)


@pytest.mark.parametrize("route", sorted(r for r, u in UPLOADS.items() if u.evidence))
def test_a_file_over_the_evidence_limit_is_refused(route: str, app: Any, world: World, limits: Any) -> None:
    limits(EVIDENCE_MAX_BYTES=4 * KB)
    before_rows, before_keys = table_counts(), _stored_keys()
    response = _post(app, world, route, files.pdf() + b"%" * (8 * KB), "big.pdf")
    _assert_refused(response, before_rows, before_keys)
    assert "must be smaller than" in _error_summary(response)


@pytest.mark.parametrize("route", sorted(UPLOADS))
def test_a_request_over_the_size_limit_is_the_413_page(route: str, app: Any, world: World, limits: Any) -> None:
    limits(MAX_CONTENT_LENGTH=64 * KB)
    before_rows, before_keys = table_counts(), _stored_keys()
    response = _post(app, world, route, files.pdf() + b"%" * (256 * KB), "huge.pdf")
    assert response.status_code == 413
    assert "govuk-" in response.get_data(as_text=True)  # the service's own page, not a bare error
    assert _writes(before_rows) == {} and _stored_keys() == before_keys


def test_too_many_files_on_one_item_are_refused(app: Any, world: World, limits: Any) -> None:
    limits(EVIDENCE_MAX_FILES_PER_ITEM=2)
    client = app.test_client()
    headers = _sign_in(client, world, MATRIX["cpd.new"], "owner")
    data: Any = MultiDict(_cpd(world))
    for n in range(3):
        data.add("files", (io.BytesIO(files.pdf()), f"{n}.pdf"))
    before_rows, before_keys = table_counts(), _stored_keys()
    response = client.post("/cpd/new", data=data, headers=headers, content_type="multipart/form-data",
                           buffered=True)
    _assert_refused(response, before_rows, before_keys)
    assert "up to 2 files" in _error_summary(response)


def test_one_bad_file_among_good_ones_keeps_none(app: Any, world: World) -> None:
    """All or nothing: a good file written before the bad one was found is removed with the rollback."""
    client = app.test_client()
    headers = _sign_in(client, world, MATRIX["casework.new_reflection"], "owner")
    data: Any = MultiDict(_reflection(world))
    data.add("files", (io.BytesIO(files.pdf()), "good.pdf"))
    data.add("files", (io.BytesIO(files.png()), "good.png"))
    data.add("files", (io.BytesIO(files.exe()), "bad.pdf"))
    before_rows, before_keys = table_counts(), _stored_keys()
    response = client.post(f"/casework/enrolments/{world['enrolment:owner']}/reflections/new", data=data,
                           headers=headers, content_type="multipart/form-data", buffered=True)
    _assert_refused(response, before_rows, before_keys)

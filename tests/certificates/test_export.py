"""The portable record: a ZIP with the pathway summary, every certificate (PDF, credential, decoded credential), the
keys and status lists to check them offline, CPD and casework as JSON with their files, a README and checksums."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

from pypdf import PdfReader

from portal.casework import services as casework
from portal.cpd.services import CpdAnswers, create_record
from portal.db import session
from portal.enrolments.models import Enrolment
from portal.users.models import User

from ..conftest import reload
from .jose_check import independent_verify


class Upload:
    """What the services take as an uploaded file (a werkzeug FileStorage look-alike)."""

    def __init__(self, name: str, data: bytes) -> None:
        self.filename, self.stream = name, io.BytesIO(data)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


def _evidence(people) -> tuple[bytes, bytes]:
    holder = session().get(User, people["holder"].id)
    enrolment = session().get(Enrolment, people["holder_enrolment"].id)
    cpd_file, case_file = _png(), _png() + b"\x00"
    create_record(holder, CpdAnswers(title="Working with neglect", start_date=dt.date(2026, 3, 1),
                                     end_date=dt.date(2026, 3, 1)), complete=False, by=holder,
                  uploads=[Upload("notes.png", cpd_file)])
    casework.create_case_reflection(
        enrolment, by=holder, occurred_on=dt.date(2026, 3, 2), case_reference="Case 14",
        category="child_protection", activity="home_visit", role="co_worker",
        texts={"account": "I visited Child A.", "analysis": "The plan worked.", "reflection": "Ask the child first."},
        uploads=[Upload("plan.png", case_file)])
    session().commit()
    return cpd_file, case_file


def test_the_record_holds_everything_and_checks_out_offline(client, sign_in_as, people, issue):
    certificate = issue("Y1")[0]
    cpd_file, case_file = _evidence(people)
    sign_in_as(people["holder"])
    response = client.get("/certificates/record.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment; filename=pathway-record-SW123456-" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = set(archive.namelist())
    code = certificate.code
    for name in ("README.txt", "pathway-summary.pdf", f"certificates/{code}.pdf", f"certificates/{code}.jwt",
                 f"certificates/{code}.json", "certificates/index.json", "verification/jwks.json",
                 "verification/revocation-list.jwt", "verification/suspension-list.jwt", "cpd/records.json",
                 "casework/items.json", "SHA256SUMS.txt"):
        assert name in names, name

    readme = archive.read("README.txt").decode()
    assert "Siân Llŷr" in readme and "https://portal.test/.well-known/jwks.json" in readme
    assert "statusListIndex" in readme and "Ed25519" in readme

    summary = PdfReader(io.BytesIO(archive.read("pathway-summary.pdf")))
    text = " ".join(page.extract_text() for page in summary.pages)
    assert "Siân Llŷr" in text and "Year 1 (ASYE-equivalent)" in text and code in text
    assert "Pass" in text and "Not decided yet" in text and "Cyngor Sir Ynys Môn" in text

    jwks = json.loads(archive.read("verification/jwks.json"))
    claims = independent_verify(archive.read(f"certificates/{code}.jwt").decode(), jwks)
    assert json.loads(archive.read(f"certificates/{code}.json")) == claims["vc"]
    revocation = independent_verify(archive.read("verification/revocation-list.jwt").decode(), jwks)
    assert revocation["vc"]["credentialSubject"]["statusPurpose"] == "revocation"
    assert archive.read(f"certificates/{code}.pdf").startswith(b"%PDF")
    assert json.loads(archive.read("certificates/index.json"))[0]["status"] == "valid"

    (record,) = json.loads(archive.read("cpd/records.json"))
    assert record["title"] == "Working with neglect" and record["files"][0]["name"] == "notes.png"
    assert archive.read(record["files"][0]["path"]) == cpd_file
    (item,) = json.loads(archive.read("casework/items.json"))
    assert item["case_reference"] == "Case 14" and item["text"]["account"] == "I visited Child A."
    assert archive.read(item["files"][0]["path"]) == case_file

    sums = dict(line.split("  ", 1)[::-1] for line in archive.read("SHA256SUMS.txt").decode().splitlines())
    assert set(sums) == names - {"SHA256SUMS.txt"}
    for name, digest in sums.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    from sqlalchemy import select

    from portal.audit import AuditEvent

    assert session().execute(select(AuditEvent.actor_id).where(AuditEvent.action == "record.exported")).scalar_one() \
        == people["holder"].id


def test_the_record_of_someone_without_certificates_or_evidence(client, sign_in_as, make_user):
    from portal.users.models import Role

    sign_in_as(make_user(Role.PRACTITIONER, name="New Starter", swe_number="SW424242"))
    archive = zipfile.ZipFile(io.BytesIO(client.get("/certificates/record.zip").get_data()))
    assert json.loads(archive.read("certificates/index.json")) == []
    assert json.loads(archive.read("cpd/records.json")) == []
    text = PdfReader(io.BytesIO(archive.read("pathway-summary.pdf"))).pages[0].extract_text()
    assert "not been enrolled" in text


def test_a_large_record_is_spooled_to_disk(app, people, issue, monkeypatch):
    from portal.certificates import export

    issue("Y1")
    monkeypatch.setattr(export, "SPOOL_BYTES", 1024)  # a large record goes to disk, not memory
    archive, name = export.build_record(reload(people["holder"]))
    assert name.endswith(".zip") and archive._rolled is True
    assert zipfile.ZipFile(archive).testzip() is None

"""The practitioner's portable record: one ZIP they keep if this service or their employer goes away.

Contents::

    README.txt                          what is in the file and how to check the credentials without this service
    pathway-summary.pdf                 each enrolment: programme, employer, stages with dates and decisions
    certificates/<code>.pdf             every certificate (rendered from its stored snapshot)
    certificates/<code>.jwt             its signed credential (Open Badges 3.0, compact JWS)
    certificates/<code>.json            the same credential, decoded and readable
    certificates/index.json             code, award, status and dates of each
    verification/jwks.json              the public keys the credentials were signed with
    verification/revocation-list.jwt    the signed status lists as they stood at export
    verification/suspension-list.jwt
    cpd/records.json, cpd/files/<record id>/<file>
    casework/items.json, casework/files/<item id>/<file>
    SHA256SUMS.txt                      a SHA-256 of every other file

The archive is written into a spooled temporary file (in memory up to ``SPOOL_BYTES``, then on disk) and evidence
files are copied from storage in chunks, so a large record never sits in memory whole. ``render_summary_pdf`` is
pure: it draws a ``PathwaySummary`` and nothing else.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Iterable
from typing import IO, Any
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.casework.kinds import text_fields
from portal.casework.models import CaseworkItem
from portal.casework.queries import items_of_practitioner
from portal.casework.services import FILE_OWNER as CASEWORK_FILES
from portal.cpd import FILE_OWNER as CPD_FILES
from portal.cpd.models import CpdRecord
from portal.db import session
from portal.enrolments.queries import enrolments_of, schedule_of
from portal.enrolments.services import london_today, timing_inputs
from portal.evidence.models import EvidenceFile
from portal.evidence.services import files_for
from portal.evidence.storage import get_storage
from portal.exports import safe_filename
from portal.framework.clock import ScheduleError, format_date
from portal.framework.services import template_for
from portal.urls import external_url

from .keys import verify_compact
from .models import Certificate, CertificateKind, CertificateStatus
from .pdf import render_certificate_pdf
from .publishing import published_status_list
from .queries import certificates_of, sign_off_model
from .signing import keyring
from .snapshot import DECISION_LABELS, CertificateSnapshot

SPOOL_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024


# ---------------------------------------------------------------------------------------------- the summary
@dataclasses.dataclass(frozen=True)
class StageLine:
    name: str
    start: dt.date | None
    end: dt.date | None
    decision: str
    decided_on: dt.date | None
    certificate: str


@dataclasses.dataclass(frozen=True)
class EnrolmentLine:
    programme: str
    employer: str
    start: dt.date
    status: str
    stages: tuple[StageLine, ...]


@dataclasses.dataclass(frozen=True)
class PathwaySummary:
    holder_name: str
    swe_number: str
    made_on: dt.date
    enrolments: tuple[EnrolmentLine, ...]


def _outcome_label(outcome: Any) -> str:
    value = str(getattr(outcome, "value", outcome) or "")
    return DECISION_LABELS.get(value) or getattr(outcome, "label", value) or value


def pathway_summary(user: Any, certificates: list[Certificate], today: dt.date) -> PathwaySummary:
    """The summary's content: each enrolment's stages with their planned dates, the standing decision (from the
    assessment feature's sign-offs when it has them, else from the certificates) and the certificate code."""
    enrolments = enrolments_of(user.id)
    decisions: dict[tuple[int, str], tuple[str, dt.date]] = {}
    model = sign_off_model()
    if model is not None and enrolments:
        rows = session().execute(select(model).where(model.enrolment_id.in_([e.id for e in enrolments]))
                                 .order_by(model.id)).scalars()
        for row in rows:
            if getattr(row, "reversed_at", None) is None:
                decisions[(row.enrolment_id, row.stage_code)] = (_outcome_label(row.outcome), row.decided_on)
    codes: dict[tuple[int, str], str] = {}
    for certificate in certificates:
        if certificate.status == CertificateStatus.SUPERSEDED:
            continue
        key = (certificate.enrolment_id, certificate.stage_code)
        codes[key] = f"{certificate.code} ({certificate.status.label.lower()})"
        if key not in decisions:
            snap = CertificateSnapshot.from_json(certificate.snapshot_json)
            decisions[key] = (snap.decision_label, snap.decision_date)
    lines = []
    for enrolment in reversed(enrolments):  # oldest first
        template = template_for(enrolment.programme_version)
        try:
            schedule = schedule_of(enrolment, *timing_inputs(enrolment), today)
        except ScheduleError:
            schedule = None
        stages = []
        for stage in template.stages:
            planned = schedule.stage(stage.code) if schedule else None
            decision, decided_on = decisions.get((enrolment.id, stage.code), ("Not decided yet", None))
            stages.append(StageLine(stage.name, planned.start if planned else None, planned.end if planned else None,
                                    decision, decided_on, codes.get((enrolment.id, stage.code), "")))
        lines.append(EnrolmentLine(f"{template.name} ({template.code}, version {template.version})",
                                   enrolment.organisation.name, enrolment.start_date, enrolment.status.label,
                                   tuple(stages)))
    return PathwaySummary(user.name, user.swe_number or "not recorded", today, tuple(lines))


def render_summary_pdf(summary: PathwaySummary) -> bytes:
    """The pathway summary as A4 pages (pure: the same summary gives the same bytes)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from portal.pdf_fonts import register_fonts

    regular, bold = register_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=13)
    strong = ParagraphStyle("strong", parent=body, fontName=bold)
    heading = ParagraphStyle("heading", parent=body, fontName=bold, fontSize=13, leading=17, spaceBefore=10,
                             spaceAfter=4)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=20, leading=24, spaceAfter=8)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    def day(value: dt.date | None) -> str:
        return format_date(value) if value else ""

    story: list[Any] = [
        p("Pathway summary", title),
        p(summary.holder_name, heading),
        p(f"Social Work England registration number: {summary.swe_number}"),
        p(f"Made on {format_date(summary.made_on)} from the expert practitioner pathway's records. The "
          "certificates in this file can be checked as README.txt explains."),
    ]
    if not summary.enrolments:
        story.append(p("You have not been enrolled on a programme.", body))
    for enrolment in summary.enrolments:
        story += [p(enrolment.programme, heading),
                  p(f"Employer: {enrolment.employer}. Started {format_date(enrolment.start)}. "
                    f"Status: {enrolment.status}.")]
        rows = [[p("Stage", strong), p("Dates", strong), p("Decision", strong), p("Certificate", strong)]]
        for stage in enrolment.stages:
            dates = f"{day(stage.start)} to {day(stage.end)}" if stage.start else ""
            decided = f"{stage.decision}" + (f", {day(stage.decided_on)}" if stage.decided_on else "")
            rows.append([p(stage.name), p(dates), p(decided), p(stage.certificate)])
        table = Table(rows, colWidths=[50 * mm, 45 * mm, 42 * mm, 37 * mm], repeatRows=1)
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]))
        story += [Spacer(1, 2 * mm), table]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                      bottomMargin=18 * mm, title=f"Pathway summary: {summary.holder_name}",
                      author="Expert practitioner pathway", invariant=1).build(story)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------ the ZIP
README = """\
Your expert practitioner pathway record
=======================================

{name}, Social Work England registration number {swe}. Made on {made_on}.

What is in this file
--------------------
pathway-summary.pdf     your programmes, stages, dates and decisions
certificates/           each certificate as a PDF, its signed credential (.jwt) and the same credential
                        decoded (.json); index.json lists them with their status when this file was made
verification/           the public keys (jwks.json) and the signed revocation and suspension lists as they
                        stood when this file was made, so the credentials can be checked offline
cpd/                    your CPD records (records.json) and their files
casework/               your casework evidence (items.json) and its files
SHA256SUMS.txt          a SHA-256 checksum of every other file (check with: sha256sum -c SHA256SUMS.txt)

Checking a certificate
----------------------
Online: open the address printed on the certificate (or scan its QR code), or type the certificate code at
{verify_url}

Without this service: each .jwt file is an Open Badges 3.0 credential (W3C Verifiable Credential 2.0) signed with
the service's Ed25519 key as a compact JWS. Anyone can check it with any JOSE library:

1. Split the .jwt at the dots into header, payload and signature (each base64url). The header names the key
   ("kid"); take the key with that "kid" from verification/jwks.json (or, while the service runs, from
   {jwks_url}).
2. Verify the EdDSA (Ed25519) signature over "header.payload" with that key. If it fails, the credential has been
   changed or was not issued by the service.
3. Check the payload's "nbf" (and "exp", if present) against today's date.
4. For the status: the payload's vc.credentialStatus has a revocation and a suspension entry, each with a
   "statusListIndex" and a "statusListCredential" address. Verify the signed list (verification/*-list.jwt, or a
   fresh copy from that address) exactly as in steps 1-2, take its vc.credentialSubject.encodedList, drop the
   leading "u", base64url-decode it, gunzip it, and read bit number statusListIndex (bit 0 is the most significant
   bit of the first byte). A set bit means revoked (or superseded by a reissued certificate) or suspended.

The lists in this file show the status on the day it was made; a fresher copy may say otherwise.
"""


def _decoded(token: str, jwks: dict[str, Any]) -> bytes:
    _, claims = verify_compact(token, jwks)
    return json.dumps(claims["vc"], indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")


class _Archive:
    """A ZIP being written, remembering each member's SHA-256."""

    def __init__(self, target: IO[bytes]) -> None:
        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
        self.sums: list[tuple[str, str]] = []
        self.names: set[str] = set()

    def add(self, name: str, data: bytes) -> None:
        self.zip.writestr(name, data)
        self.sums.append((hashlib.sha256(data).hexdigest(), name))

    def add_file(self, name: str, source: IO[bytes]) -> None:
        digest = hashlib.sha256()
        with self.zip.open(name, "w", force_zip64=True) as out:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        self.sums.append((digest.hexdigest(), name))

    def close(self) -> None:
        self.add("SHA256SUMS.txt", "".join(f"{digest}  {name}\n" for digest, name in self.sums).encode())
        self.zip.close()


def _file_entries(files: list[EvidenceFile], folder: str) -> list[dict[str, Any]]:
    return [{"name": f.original_name, "path": f"{folder}/{f.id}-{safe_filename(f.original_name)}",
             "sha256": f.sha256, "size": f.size_bytes, "content_type": f.content_type} for f in files]


def _cpd(user: Any) -> tuple[list[dict[str, Any]], list[tuple[str, EvidenceFile]]]:
    records = list(session().execute(select(CpdRecord).options(selectinload(CpdRecord.standards))
                                     .where(CpdRecord.practitioner_id == user.id)
                                     .order_by(CpdRecord.activity_on, CpdRecord.id)).scalars())
    files = files_for(CPD_FILES, [r.id for r in records])
    out, copies = [], []
    for record in records:
        folder = f"cpd/files/{record.id}"
        out.append({
            "id": record.id, "status": record.status.value, "title": record.title,
            "type": record.activity_type.label if record.activity_type else None,
            "start_date": record.start_date, "end_date": record.end_date, "hours": record.hours,
            "participatory_hours": record.participatory_hours, "provider": record.provider,
            "description": record.description, "learning": record.learning,
            "impact_on_practice": record.impact_practice, "impact_on_people": record.impact_people,
            "peer_reflection": {"name": record.peer_name, "role": record.peer_role,
                                "date": record.peer_discussed_on, "learning": record.peer_learning},
            "registration_year": record.registration_year, "stage_code": record.stage_code,
            "standards": record.statement_codes, "files": _file_entries(files[record.id], folder)})
        copies += [(f"{folder}/{f.id}-{safe_filename(f.original_name)}", f) for f in files[record.id]]
    return out, copies


def _casework(user: Any) -> tuple[list[dict[str, Any]], list[tuple[str, EvidenceFile]]]:
    items: list[CaseworkItem] = items_of_practitioner(user)
    files = files_for(CASEWORK_FILES, [i.id for i in items])
    out, copies = [], []
    for item in items:
        folder = f"casework/files/{item.id}"
        out.append({
            "id": item.id, "kind": item.kind.value, "status": item.status.value, "occurred_on": item.occurred_on,
            "case_reference": item.case_reference, "category": item.category, "activity": item.activity,
            "practitioner_role": item.practitioner_role, "stage_code": item.stage_code, "text": text_fields(item),
            "standards": item.statement_codes, "verified_at": item.verified_at,
            "files": _file_entries(files[item.id], folder)})
        copies += [(f"{folder}/{f.id}-{safe_filename(f.original_name)}", f) for f in files[item.id]]
    return out, copies


def _copy_files(archive: _Archive, copies: Iterable[tuple[str, EvidenceFile]]) -> None:
    storage = get_storage()
    for name, row in copies:
        with storage.open(row.storage_key) as source:
            archive.add_file(name, source)


def build_record(user: Any, today: dt.date | None = None) -> tuple[IO[bytes], str]:
    """The whole record of ``user`` as a ZIP in a spooled temporary file (rewound), and a download name.
    May rebuild a stale status list (flushed): the caller commits."""
    today = today or london_today()
    jwks = keyring().jwks()
    certificates = certificates_of(user.id)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned open, closed by Flask)
    archive = _Archive(spool)
    archive.add("README.txt", README.format(
        name=user.name, swe=user.swe_number or "not recorded", made_on=format_date(today),
        verify_url=external_url("certificates.verify"),
        jwks_url=external_url("certificates.jwks")).encode("utf-8"))
    archive.add("pathway-summary.pdf", render_summary_pdf(pathway_summary(user, certificates, today)))
    index = []
    for certificate in certificates:
        snapshot = CertificateSnapshot.from_json(certificate.snapshot_json)
        archive.add(f"certificates/{certificate.code}.pdf", render_certificate_pdf(snapshot))
        archive.add(f"certificates/{certificate.code}.jwt", certificate.credential_jws.encode("ascii"))
        archive.add(f"certificates/{certificate.code}.json", _decoded(certificate.credential_jws, jwks))
        index.append({"code": certificate.code, "award": certificate.award_title,
                      "kind": certificate.kind.value, "status": certificate.status.value,
                      "issued_at": certificate.issued_at, "decision_date": certificate.decision_date,
                      "verify_url": snapshot.verify_url, "expert_award": certificate.kind == CertificateKind.AWARD})
    archive.add("certificates/index.json", _json(index))
    archive.add("verification/jwks.json", _json(jwks))
    for purpose in ("revocation", "suspension"):
        archive.add(f"verification/{purpose}-list.jwt", published_status_list(purpose).token.encode("ascii"))
    cpd, cpd_files = _cpd(user)
    archive.add("cpd/records.json", _json(cpd))
    casework, casework_files = _casework(user)
    archive.add("casework/items.json", _json(casework))
    _copy_files(archive, cpd_files)
    _copy_files(archive, casework_files)
    archive.close()
    spool.seek(0)
    name = safe_filename(f"pathway-record-{user.swe_number or user.id}-{today.isoformat()}.zip")
    return spool, name

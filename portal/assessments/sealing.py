"""The seal: the canonical content of every item a version holds, the stored manifest made of them, and its checks.

A version's manifest is built with ``manifest.build_manifest`` from:

* each chosen casework item, as ``casework.queries.seal_item`` gives it (kind: the casework kind);
* each chosen CPD record, as :func:`seal_cpd_record` gives it (kind ``cpd_record``);
* the summary statement (kind ``statement``, id ``summary``);
* the employer's agreement when requirements were not all met (kind ``employer_agreement``, id ``agreement``);
* the stage's progress when it was sealed, requirement by requirement (kind ``stage_progress``, id: the stage code).

The version keeps the index (kind, id, SHA-256) and the digest; each item's content is kept in a
``SubmissionItem`` row. :func:`stored_manifest` puts them back together for ``manifest.verify_manifest``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.assessments.manifest import Manifest, build_manifest, verify_manifest
from portal.assessments.models import SubmissionItem, SubmissionVersion
from portal.casework.models import CaseworkItem, CaseworkKind
from portal.cpd import FILE_OWNER as CPD_FILE_OWNER
from portal.cpd.models import CpdRecord
from portal.db import session
from portal.evidence.models import EvidenceFile
from portal.evidence.services import files_for
from portal.evidence.storage import get_storage

CPD_KIND = "cpd_record"
STATEMENT_KIND = "statement"
AGREEMENT_KIND = "employer_agreement"
PROGRESS_KIND = "stage_progress"
CASEWORK_KINDS = frozenset(kind.value for kind in CaseworkKind)
#: What the working copy can choose ("casework" or "cpd_record", with the live item's id)
CHOOSABLE = ("casework", CPD_KIND)
CPD_SEAL_VERSION = 1


def _files(files: Iterable[EvidenceFile]) -> list[dict[str, Any]]:
    return [{"id": f.id, "name": f.original_name, "sha256": f.sha256, "size": f.size_bytes,
             "content_type": f.content_type} for f in sorted(files, key=lambda f: f.id)]


def seal_cpd_record(record: CpdRecord, files: Sequence[EvidenceFile]) -> dict[str, Any]:
    """The canonical content of a CPD record for a manifest: every Social Work England answer, the standards and
    the files' SHA-256 (plain JSON values; the same record always gives the same dict)."""
    return {
        "seal_version": CPD_SEAL_VERSION,
        "kind": CPD_KIND,
        "id": record.id,
        "practitioner_id": record.practitioner_id,
        "enrolment_id": record.enrolment_id,
        "stage_code": record.stage_code,
        "status": record.status.value,
        "activity_type": record.activity_type.value if record.activity_type else None,
        "title": record.title,
        "start_date": record.start_date.isoformat() if record.start_date else None,
        "end_date": record.end_date.isoformat() if record.end_date else None,
        "hours": str(record.hours) if record.hours is not None else None,
        "participatory_hours": str(record.participatory_hours) if record.participatory_hours is not None else None,
        "provider": record.provider,
        "text": {"description": record.description, "learning": record.learning,
                 "impact_practice": record.impact_practice, "impact_people": record.impact_people,
                 "peer_learning": record.peer_learning},
        "peer": {"name": record.peer_name, "role": record.peer_role,
                 "discussed_on": record.peer_discussed_on.isoformat() if record.peer_discussed_on else None},
        "statements": sorted(record.statement_codes),
        "files": _files(files),
        "updated_at": record.updated_at.astimezone(dt.UTC).isoformat(),
    }


def seal_statement(statement: str) -> dict[str, Any]:
    return {"kind": STATEMENT_KIND, "id": "summary", "text": statement}


def seal_agreement(submission: Any) -> dict[str, Any]:
    return {"kind": AGREEMENT_KIND, "id": "agreement", "by_id": submission.agreement_by_id,
            "at": submission.agreement_at, "reason": submission.agreement_reason,
            "unmet": list(submission.agreement_unmet or [])}


def seal_progress(stage: Any, today: dt.date) -> dict[str, Any]:
    """The stage's progress (a ``StageProgress``) when the portfolio was sealed: what the assessor reads beside the
    items, requirement by requirement."""
    return {"kind": PROGRESS_KIND, "id": stage.code, "as_of": today, "name": stage.name,
            "requirements": [{"code": r.code, "title": r.title, "kind": r.kind, "done": r.done,
                              "required": r.required, "status": r.status.value, "missing": list(r.missing)}
                             for r in stage.requirements]}


@dataclass(frozen=True)
class LiveItems:
    """The live items a working copy names, loaded (casework with statements, CPD with standards)."""

    casework: list[CaseworkItem]
    cpd: list[CpdRecord]

    def __len__(self) -> int:
        return len(self.casework) + len(self.cpd)


def load_chosen(chosen: Iterable[Sequence[Any]]) -> LiveItems:
    """The casework items and CPD records of a working copy, in the order chosen (2 queries)."""
    pairs = [(str(kind), int(item_id)) for kind, item_id in chosen]
    casework_ids = [i for kind, i in pairs if kind == "casework"]
    cpd_ids = [i for kind, i in pairs if kind == CPD_KIND]
    sess = session()
    casework = {i.id: i for i in sess.execute(select(CaseworkItem).options(selectinload(CaseworkItem.statements))
                                              .where(CaseworkItem.id.in_(casework_ids or [-1]))).scalars()}
    cpd = {r.id: r for r in sess.execute(select(CpdRecord).options(selectinload(CpdRecord.standards))
                                         .where(CpdRecord.id.in_(cpd_ids or [-1]))).scalars()}
    return LiveItems([casework[i] for i in casework_ids if i in casework], [cpd[i] for i in cpd_ids if i in cpd])


def seal_contents(live: LiveItems, *, statement: str, agreement: dict[str, Any] | None,
                  progress: dict[str, Any]) -> list[dict[str, Any]]:
    """The content of every item of a new version."""
    from portal.casework.queries import seal_item

    cpd_files = files_for(CPD_FILE_OWNER, [r.id for r in live.cpd])
    contents = [seal_item(item) for item in live.casework]
    contents += [seal_cpd_record(record, cpd_files[record.id]) for record in live.cpd]
    contents.append(seal_statement(statement))
    if agreement is not None:
        contents.append(agreement)
    contents.append(progress)
    return contents


def store_version(submission: Any, number: int, contents: list[dict[str, Any]], *, statement: str,
                  by: Any) -> SubmissionVersion:
    """Seal ``contents`` as version ``number``: build the manifest, keep its index and digest on the version and
    each item's content in its own row."""
    manifest = build_manifest(contents)
    index = {"manifest_version": manifest.version, "items": [entry.index() for entry in manifest.entries]}
    version = SubmissionVersion(submission_id=submission.id, number=number, statement=statement, manifest=index,
                                digest=manifest.digest, sealed_by_id=getattr(by, "id", None))
    version.items = [SubmissionItem(kind=e.kind, item_key=str(e.id), sha256=e.sha256, content=dict(e.content))
                     for e in manifest.entries]
    session().add(version)
    session().flush()
    return version


def stored_manifest(version: SubmissionVersion) -> dict[str, Any]:
    """The stored manifest of a version (``Manifest.to_dict`` form), put back together from its index and its
    items' sealed content, for ``verify_manifest`` and ``Manifest.from_dict``."""
    contents = {(item.kind, item.item_key): item.content for item in version.items}
    items = []
    for entry in version.manifest.get("items", []):
        content = contents.get((entry["kind"], str(entry["id"])))
        items.append({**entry, "content": content if content is not None else {}})
    return {"manifest_version": version.manifest.get("manifest_version"), "digest": version.digest, "items": items}


def manifest_of(version: SubmissionVersion) -> Manifest:
    return Manifest.from_dict(stored_manifest(version))


def verify_version(version: SubmissionVersion) -> bool:
    """Whether the sealed version is intact: every item's content still hashes to its recorded SHA-256 and the
    digest matches the index."""
    return verify_manifest(stored_manifest(version))


def file_problems(version: SubmissionVersion) -> list[str]:
    """Re-hash the stored bytes of every sealed file against the SHA-256 in the manifest; one line per problem
    (a file gone or changed). Empty: every file is as sealed."""
    sealed = {f["id"]: f for item in version.items for f in item.content.get("files", [])}
    rows = {row.id: row for row in session().execute(
        select(EvidenceFile).where(EvidenceFile.id.in_(list(sealed) or [-1]))).scalars()}
    storage = get_storage()
    problems = []
    for file_id, meta in sorted(sealed.items()):
        row = rows.get(file_id)
        if row is None or not storage.exists(row.storage_key):
            problems.append(f"{meta['name']} is no longer stored")
            continue
        digest = hashlib.sha256()
        with storage.open(row.storage_key) as stream:
            for chunk in iter(lambda: stream.read(65536), b""):
                digest.update(chunk)
        if digest.hexdigest() != meta["sha256"]:
            problems.append(f"{meta['name']} has changed since it was sealed")
    return problems

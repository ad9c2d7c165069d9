"""Storing, attaching and deleting evidence files so the database and the storage never disagree.

A new file is written before the row is committed; if the transaction rolls back, the file is deleted. A deleted
file's bytes go only after the deleting transaction commits. So a failed upload leaves no orphan file and no row,
and a failed delete loses nothing.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from portal import audit
from portal.db import db, session
from portal.evidence.models import EvidenceFile
from portal.evidence.storage import Storage, get_storage, new_key
from portal.evidence.uploads import CheckedUpload, check_upload
from portal.exceptions import DomainError

log = logging.getLogger(__name__)
_NEW = "portal_new_files"
_GONE = "portal_deleted_files"


def _pending(sess: Session, name: str) -> list[tuple[Storage, str]]:
    return sess.info.setdefault(name, [])


@event.listens_for(db.session_factory, "after_commit")
def _after_commit(sess: Session) -> None:
    sess.info.pop(_NEW, None)
    for storage, key in sess.info.pop(_GONE, []):
        try:
            storage.delete(key)
        except OSError:  # pragma: no cover - reported by `portal evidence sweep`
            log.exception("could not delete evidence file %s", key)


@event.listens_for(db.session_factory, "after_transaction_end")
def _after_transaction_end(sess: Session, transaction: Any) -> None:
    """Files written in a transaction that ended without committing (rollback, error, close) are removed."""
    if transaction.parent is not None:
        return
    for storage, key in sess.info.pop(_NEW, []):
        try:
            storage.delete(key)
        except OSError:  # pragma: no cover
            log.exception("could not remove uncommitted evidence file %s", key)
    sess.info.pop(_GONE, None)


def max_bytes() -> int:
    return current_app.config["EVIDENCE_MAX_BYTES"]


def max_files() -> int:
    return current_app.config["EVIDENCE_MAX_FILES_PER_ITEM"]


def check(stream: Any, filename: str | None) -> CheckedUpload:
    """Check an upload (type by content, size, hostile content) without storing it."""
    return check_upload(stream, filename, max_bytes=max_bytes())


def files_for(attached_type: str, attached_ids: Iterable[int]) -> dict[int, list[EvidenceFile]]:
    """Files of many items in one query, by item id."""
    ids = list(attached_ids)
    result: dict[int, list[EvidenceFile]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = session().execute(select(EvidenceFile).where(EvidenceFile.attached_type == attached_type,
                                                        EvidenceFile.attached_id.in_(ids))
                             .order_by(EvidenceFile.id)).scalars()
    for row in rows:
        result[row.attached_id].append(row)
    return result


def attach_uploads(uploads: Iterable[Any], *, attached_type: str, attached_id: int, by: Any) -> list[EvidenceFile]:
    """Check and store uploaded files (werkzeug FileStorage objects) for one item. All or nothing: the first bad
    file raises DomainError naming it, and whatever was already written is removed with the rollback."""
    uploads = [u for u in uploads if u is not None and getattr(u, "filename", "")]
    existing = session().execute(select(func.count(EvidenceFile.id)).where(
        EvidenceFile.attached_type == attached_type, EvidenceFile.attached_id == attached_id)).scalar_one()
    if existing + len(uploads) > max_files():
        raise DomainError(f"You can attach up to {max_files()} files to one item", "files")
    checked = [check(u.stream, u.filename) for u in uploads]
    return [store(c, attached_type=attached_type, attached_id=attached_id, by=by) for c in checked]


def store(upload: CheckedUpload, *, attached_type: str, attached_id: int, by: Any) -> EvidenceFile:
    """Write a checked upload to storage and add its row (removed again if the transaction rolls back)."""
    sess = session()
    storage = get_storage()
    key = new_key()
    upload.data.seek(0)
    storage.save(key, upload.data)
    _pending(sess, _NEW).append((storage, key))
    row = EvidenceFile(storage_key=key, original_name=upload.original_name, content_type=upload.content_type,
                       extension=upload.extension, size_bytes=upload.size_bytes, sha256=upload.sha256,
                       attached_type=attached_type, attached_id=attached_id, uploaded_by_id=getattr(by, "id", None))
    sess.add(row)
    sess.flush()
    audit.record(by, "evidence.file_uploaded", row, attached_type=attached_type, attached_id=attached_id,
                 sha256=upload.sha256, size=upload.size_bytes)
    return row


def delete_file(row: EvidenceFile, *, by: Any) -> None:
    """Delete one file; its bytes go once the transaction commits."""
    sess = session()
    _pending(sess, _GONE).append((get_storage(), row.storage_key))
    audit.record(by, "evidence.file_deleted", row, attached_type=row.attached_type, attached_id=row.attached_id)
    sess.delete(row)
    sess.flush()


def delete_files_for(attached_type: str, attached_id: int, *, by: Any) -> int:
    """Delete every file of an item (call it when the item itself is deleted)."""
    sess = session()
    rows = sess.execute(select(EvidenceFile).where(EvidenceFile.attached_type == attached_type,
                                                   EvidenceFile.attached_id == attached_id)).scalars().all()
    for row in rows:
        _pending(sess, _GONE).append((get_storage(), row.storage_key))
    if rows:
        sess.execute(delete(EvidenceFile).where(EvidenceFile.id.in_([r.id for r in rows])))
        audit.record(by, "evidence.files_deleted", subject_type=attached_type, subject_id=attached_id,
                     count=len(rows))
    return len(rows)


def orphaned_keys() -> list[str]:
    """Stored files with no row (left by a crash between writing and committing)."""
    known = set(session().execute(select(EvidenceFile.storage_key)).scalars())
    return [k for k in get_storage().list_keys() if k not in known]

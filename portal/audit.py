"""The audit log: an append-only, hash-chained record of who did what.

Every event stores the SHA-256 of the previous event's hash and its own content, so editing or deleting a row
breaks the chain, and ``portal audit verify`` finds where.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, session, utcnow

GENESIS_HASH = "0" * 64


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject", "subject_type", "subject_id", "id"),
        Index("ix_audit_events_actor_id_id", "actor_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(60))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def _content_hash(prev_hash: str, event: AuditEvent) -> str:
    payload = json.dumps(
        {
            "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": event.actor_id,
            "action": event.action,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "details": event.details or {},
            "ip_address": event.ip_address,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def _lock_chain() -> None:
    """Serialise appends so two transactions never chain onto the same previous event."""
    sess = session()
    if sess.get_bind().dialect.name == "postgresql":
        sess.execute(text("SELECT pg_advisory_xact_lock(781241)"))


def record(
    actor: Any | None,
    action: str,
    subject: Any | None = None,
    *,
    ip_address: str | None = None,
    subject_type: str | None = None,
    subject_id: Any | None = None,
    **details: Any,
) -> AuditEvent:
    """Append an audit event. ``subject`` is a model instance (its class name and id are kept)."""
    if subject is not None:
        subject_type = subject_type or type(subject).__name__
        subject_id = subject_id if subject_id is not None else getattr(subject, "id", None)
    sess = session()
    _lock_chain()
    prev = sess.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        details={k: v for k, v in details.items() if v is not None},
        ip_address=ip_address,
        prev_hash=prev or GENESIS_HASH,
    )
    event.hash = _content_hash(event.prev_hash, event)
    sess.add(event)
    sess.flush()
    return event


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    message: str


def verify_chain(batch_size: int = 5000, on_batch: Callable[[int], None] | None = None) -> Iterator[ChainProblem]:
    """Recompute the chain in id order and yield every break (edited, deleted or re-ordered events)."""
    sess = session()
    expected_prev = GENESIS_HASH
    last_id = 0
    while True:
        rows = (
            sess.execute(select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size))
            .scalars()
            .all()
        )
        if not rows:
            return
        for event in rows:
            if event.prev_hash != expected_prev:
                yield ChainProblem(event.id, "the previous event is missing or was changed")
            if _content_hash(event.prev_hash, event) != event.hash:
                yield ChainProblem(event.id, "this event's content was changed after it was written")
            expected_prev = event.hash
            last_id = event.id
        if on_batch is not None:
            on_batch(len(rows))
        sess.expunge_all()


def count_events() -> int:
    return session().execute(select(func.count(AuditEvent.id))).scalar_one()

"""What the oversight commands remember: the reminders already sent (so a second run on the same day, or any later
day, sends nothing twice) and the enrolments whose evidence was erased at the end of retention."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow


class SentReminder(Base):
    """One reminder sent: to ``user``, of ``kind`` (e.g. ``review_overdue``), about ``subject`` (e.g.
    ``enrolment:4:review:Y1-R3``) for ``on_date`` (the date it is about: the due date, or the day a verification was
    asked for). The unique key makes ``portal reminders run`` idempotent."""

    __tablename__ = "sent_reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "subject", "on_date"),
        Index("ix_sent_reminders_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(120))
    on_date: Mapped[dt.date] = mapped_column(Date)
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RetentionErasure(Base):
    """An enrolment whose evidence text and files were erased once its retention period ran out (what was erased
    is counted in ``erased``; the audit log has the same entry)."""

    __tablename__ = "retention_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), unique=True)
    ended_on: Mapped[dt.date] = mapped_column(Date)
    retain_until: Mapped[dt.date] = mapped_column(Date)
    erased: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    erased_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

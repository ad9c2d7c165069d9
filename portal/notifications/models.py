"""A notification shown in someone's list until they read it, and their e-mail choice per kind (a row only where
they changed the kind's default)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow

MESSAGE_MAX = 500
LINK_MAX = 500


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # the list, newest first
        Index("ix_notifications_user_id_id", "user_id", "id"),
        # the unread count on every page
        Index("ix_notifications_unread", "user_id", sqlite_where=text("read_at IS NULL"),
              postgresql_where=text("read_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(MESSAGE_MAX))
    #: a path inside the service (never another site)
    link: Mapped[str | None] = mapped_column(String(LINK_MAX))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]
    #: the e-mail queued with it (None: e-mail turned off for this kind, or no address)
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"))

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(Base):
    """Whether ``user`` wants e-mail for ``kind`` (absent: the kind's default)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[bool]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

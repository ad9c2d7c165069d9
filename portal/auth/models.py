"""Single-use account links (invitations, password resets) and two-factor recovery codes."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow
from portal.users.models import Organisation, Role, User


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"
    #: an existing account invited to take a role in an organisation: nothing is granted until they accept
    ROLE_INVITATION = "role_invitation"


class AccountToken(Base):
    """The server half of a signed e-mail link: the link carries the id and a random nonce whose hash is here."""

    __tablename__ = "account_tokens"
    __table_args__ = (Index("ix_account_tokens_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[TokenPurpose] = mapped_column(
        Enum(TokenPurpose, name="token_purpose", native_enum=False, length=32,
             values_callable=lambda e: [m.value for m in e]))
    nonce_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    #: what a role invitation offers (the role and, unless national, the organisation); empty for other purposes
    role: Mapped[Role | None] = mapped_column(
        Enum(Role, name="role", native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    organisation: Mapped[Organisation | None] = relationship()


class RecoveryCode(Base):
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class UserSession(Base):
    """A signed-in browser. The cookie carries a random id; only its SHA-256 is stored, so a copy of this table
    cannot be replayed. A session ends when revoked (sign-out, password change …), after ``SESSION_IDLE_MINUTES``
    without use, or ``SESSION_HOURS`` after sign-in, whichever comes first."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_id_revoked_at", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    #: "Firefox on Windows": a summary, not the whole user-agent string
    device: Mapped[str] = mapped_column(String(80))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    revoked_at: Mapped[dt.datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

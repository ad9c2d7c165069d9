"""The mail outbox: messages are rows committed with the change that caused them, delivered later.

``queue_email`` adds a row in the caller's transaction, so a change that rolls back sends nothing and a change that
commits never loses its message. ``portal mail send`` delivers pending rows through the configured backend with
retries and backoff.

Failures: a server that is down, times out or answers with a temporary (4xx) refusal leaves the message pending,
retried after 2, 4, 8 ... minutes (at most an hour apart) until MAIL_GIVE_UP_HOURS (default 72) after it was
queued; then it is marked failed with the last error. A malformed address, or a recipient the server refuses
permanently (5xx), is marked failed at once with the reason.
"""
from __future__ import annotations

import datetime as dt
import enum
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from sqlalchemy import Enum, Index, String, Text, select, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, session, utcnow

#: the longest wait between two attempts
MAX_BACKOFF = dt.timedelta(hours=1)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_pending", "next_attempt_at", "id",
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, name="outbox_status", native_enum=False, length=16,
             values_callable=lambda e: [m.value for m in e]), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]


def queue_email(to: str, subject: str, template: str, **context: Any) -> OutboxMessage:
    """Render ``templates/emails/<template>.txt`` and add it to the outbox in the current transaction."""
    body = render_template(f"emails/{template}.txt", **context)
    message = OutboxMessage(to_address=to, subject=subject, body_text=body)
    session().add(message)
    session().flush()
    return message


class PermanentMailError(Exception):
    """The message can never be delivered (e.g. a malformed address); do not retry."""


def _build(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="pathway.local")
    email.set_content(message.body_text)
    return email


def _deliver_smtp(message: OutboxMessage) -> None:
    cfg = current_app.config
    email = _build(message)
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        try:
            smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _reply in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentMailError(f"recipient refused: {_refusals(exc.recipients)}") from exc
            raise


def _refusals(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{address} ({code} {reply.decode(errors='replace')})"
                     for address, (code, reply) in recipients.items())


def _deliver_console(message: OutboxMessage) -> None:
    print(f"--- e-mail to {message.to_address}: {message.subject}\n{message.body_text}\n---", flush=True)


def _deliver_file(message: OutboxMessage) -> None:
    folder = Path(current_app.config["MAIL_FILE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{message.id:08d}.eml").write_bytes(bytes(_build(message)))


#: test backend: delivered messages are appended here
memory_outbox: list[dict[str, str]] = []


def _deliver_memory(message: OutboxMessage) -> None:
    memory_outbox.append({"to": message.to_address, "subject": message.subject, "body": message.body_text})


BACKENDS: dict[str, Callable[[OutboxMessage], None]] = {
    "smtp": _deliver_smtp,
    "console": _deliver_console,
    "file": _deliver_file,
    "memory": _deliver_memory,
}


def _address_problem(address: str) -> str | None:
    """Why an address cannot be delivered to (None: it is well formed)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def send_pending(limit: int = 500, now: dt.datetime | None = None) -> dict[str, int]:
    """Deliver due pending messages (see the module docstring for failures and retries). Each row is committed as
    it goes, so a crash loses nothing; returns how many were sent, failed and left to retry."""
    now = now or utcnow()
    backend = BACKENDS[current_app.config["MAIL_BACKEND"]]
    sess = session()
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if sess.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    counts = {"sent": 0, "failed": 0, "retry": 0}
    for message in sess.execute(query).scalars().all():
        message.attempts += 1
        try:
            problem = _address_problem(message.to_address)
            if problem is not None:
                raise PermanentMailError(f"the e-mail address is not valid: {problem}")
            backend(message)
        except PermanentMailError as exc:
            message.status = OutboxStatus.FAILED
            message.last_error = str(exc)
            counts["failed"] += 1
        except (OSError, smtplib.SMTPException) as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"
            if now - message.created_at >= dt.timedelta(hours=current_app.config["MAIL_GIVE_UP_HOURS"]):
                message.status = OutboxStatus.FAILED
                message.last_error = f"gave up after {message.attempts} attempts: {message.last_error}"
                counts["failed"] += 1
            else:
                message.next_attempt_at = now + min(dt.timedelta(minutes=2 ** min(message.attempts, 10)), MAX_BACKOFF)
                counts["retry"] += 1
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            message.last_error = None
            counts["sent"] += 1
        sess.commit()
    return counts

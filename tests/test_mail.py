"""The mail outbox: messages live and die with the change that made them, and delivery retries."""
from __future__ import annotations

import datetime as dt
import socket

from sqlalchemy import func, select

from portal.db import session, utcnow
from portal.mail import OutboxMessage, OutboxStatus, memory_outbox, queue_email, send_pending
from portal.users.models import Role


def _count() -> int:
    return session().execute(select(func.count(OutboxMessage.id))).scalar_one()


def test_a_rolled_back_change_sends_nothing(app, make_user):
    user = make_user(Role.PRACTITIONER)
    before = _count()
    queue_email(user.email, "Hello", "role_granted", user=user, role_label="Assessor", organisation_name="X")
    session().rollback()
    assert _count() == before
    assert send_pending()["sent"] == 0


def test_pending_messages_are_delivered_once(app, make_user):
    user = make_user(Role.PRACTITIONER)
    queue_email(user.email, "Hello", "role_granted", user=user, role_label="Assessor", organisation_name="X")
    session().commit()
    assert send_pending()["sent"] == 1
    assert send_pending()["sent"] == 0
    assert [m["to"] for m in memory_outbox] == [user.email]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_smtp_down_keeps_messages_pending_for_retry(app, make_user):
    user = make_user(Role.PRACTITIONER)
    message = queue_email(user.email, "Hello", "role_granted", user=user, role_label="A", organisation_name="X")
    session().commit()
    saved = {k: app.config[k] for k in ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_USE_TLS=False)
    try:
        assert send_pending() == {"sent": 0, "failed": 0, "retry": 1}
    finally:
        app.config.update(saved)
    row = session().get(OutboxMessage, message.id, populate_existing=True)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert "ConnectionRefused" in row.last_error
    assert row.next_attempt_at > utcnow()
    assert send_pending()["sent"] == 0  # not due yet
    assert send_pending(now=utcnow() + dt.timedelta(hours=1))["sent"] == 1


def test_malformed_address_is_marked_failed_with_the_reason(app):
    message = OutboxMessage(to_address="not an address", subject="x", body_text="y")
    session().add(message)
    session().commit()
    assert send_pending()["failed"] == 1
    row = session().get(OutboxMessage, message.id, populate_existing=True)
    assert row.status == OutboxStatus.FAILED and "not valid" in row.last_error

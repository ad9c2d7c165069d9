"""The outbox delivered over real SMTP: an aiosmtpd server on 127.0.0.1 receives the message; with the server down
the message stays pending and goes later; refusals are temporary (retried) or permanent (failed with the reason)."""
from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from portal.db import session, utcnow
from portal.mail import OutboxMessage, OutboxStatus, send_pending
from portal.notifications.services import notify
from portal.users.models import Role, User


class Recorder:
    """An SMTP handler that keeps every message; addresses starting "refuse" get 550, "busy" get 450."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 No such mailbox"
        if address.startswith("busy"):
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_settings(app) -> Iterator[dict[str, int]]:
    port = free_port()
    saved = {k: app.config[k] for k in ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME")}
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                      MAIL_USERNAME="")
    yield {"port": port}
    app.config.update(saved)


@pytest.fixture
def smtp_server(smtp_settings) -> Iterator[Recorder]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=smtp_settings["port"])
    controller.start()
    yield recorder
    controller.stop()


def person(make_user, email: str = "pat@example.org") -> User:
    return session().get(User, make_user(Role.PRACTITIONER, name="Pat Practitioner", email=email).id)


def reread(message_id: int) -> OutboxMessage:
    return session().get(OutboxMessage, message_id, populate_existing=True)


def test_a_real_smtp_server_receives_the_message(smtp_server, make_user):
    note = notify(person(make_user), "cpd_due", "Record your CPD by 30 November 2026", "/cpd/")
    session().commit()
    assert send_pending() == {"sent": 1, "failed": 0, "retry": 0}
    (mail_from, rcpt_tos, content), = smtp_server.messages
    assert rcpt_tos == ["pat@example.org"] and mail_from == "no-reply@pathway.example"
    email = message_from_bytes(content)
    assert email["Subject"] == "Record your CPD by 30 November 2026" and email["To"] == "pat@example.org"
    assert "https://portal.test/cpd/" in email.get_payload(decode=True).decode()
    row = reread(note.outbox_message_id)
    assert row.status == OutboxStatus.SENT and row.attempts == 1 and row.sent_at is not None
    assert send_pending()["sent"] == 0 and len(smtp_server.messages) == 1  # never twice


def test_with_the_server_down_the_message_waits_and_goes_later(smtp_settings, make_user):
    note = notify(person(make_user), "review_due", "Your review at 6 months is due", "/")
    session().commit()
    assert send_pending() == {"sent": 0, "failed": 0, "retry": 1}
    row = reread(note.outbox_message_id)
    assert row.status == OutboxStatus.PENDING and "ConnectionRefused" in row.last_error
    assert row.next_attempt_at > utcnow()
    assert send_pending() == {"sent": 0, "failed": 0, "retry": 0}  # not due again yet
    # still down an hour later: retried again, with a longer wait
    first_wait = row.next_attempt_at
    assert send_pending(now=utcnow() + dt.timedelta(hours=1))["retry"] == 1
    assert reread(note.outbox_message_id).next_attempt_at > first_wait
    # the server comes back: the next run delivers it
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=smtp_settings["port"])
    controller.start()
    try:
        assert send_pending(now=utcnow() + dt.timedelta(hours=3))["sent"] == 1
    finally:
        controller.stop()
    assert [rcpt for _from, rcpt, _content in recorder.messages] == [["pat@example.org"]]
    row = reread(note.outbox_message_id)
    assert row.status == OutboxStatus.SENT and row.attempts == 3 and row.last_error is None


def test_a_server_down_for_days_marks_the_message_failed_with_the_reason(app, smtp_settings, make_user):
    note = notify(person(make_user), "review_due", "Your review is due", "/")
    session().commit()
    later = utcnow() + dt.timedelta(hours=app.config["MAIL_GIVE_UP_HOURS"] + 1)
    assert send_pending(now=later) == {"sent": 0, "failed": 1, "retry": 0}
    row = reread(note.outbox_message_id)
    assert row.status == OutboxStatus.FAILED and row.last_error.startswith("gave up after 1 attempts:")


def test_a_permanent_refusal_fails_with_the_reason_and_a_temporary_one_is_retried(smtp_server, make_user):
    refused = notify(person(make_user, "refuse.me@example.org"), "cpd_due", "CPD", "/").outbox_message_id
    busy = notify(person(make_user, "busy.box@example.org"), "cpd_due", "CPD", "/").outbox_message_id
    session().commit()
    assert send_pending() == {"sent": 0, "failed": 1, "retry": 1}
    row = reread(refused)
    assert row.status == OutboxStatus.FAILED and "550" in row.last_error and "No such mailbox" in row.last_error
    assert reread(busy).status == OutboxStatus.PENDING and "450" in reread(busy).last_error


def test_a_malformed_address_is_failed_with_the_reason_without_contacting_the_server(smtp_server):
    message = OutboxMessage(to_address="pat at example dot org", subject="x", body_text="y")
    session().add(message)
    session().commit()
    assert send_pending() == {"sent": 0, "failed": 1, "retry": 0}
    row = reread(message.id)
    assert row.status == OutboxStatus.FAILED
    assert row.last_error.startswith("the e-mail address is not valid: ") and "@" in row.last_error
    assert smtp_server.messages == []


def test_the_mail_send_command_reports_what_happened(runner, smtp_server, make_user):
    notify(person(make_user), "cpd_due", "CPD", "/")
    session().commit()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "sent 1, failed 0, to retry 0" in result.output
    assert len(smtp_server.messages) == 1

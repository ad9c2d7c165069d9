"""Telling people that something happened: an in-app notification, and an e-mail through the outbox in the same
transaction (so a change that rolls back notifies nobody) unless they turned e-mail off for that kind.

Like every service these flush and never commit, need no request (they work from the CLI), and take the actor
where someone acts.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, update

from portal import audit
from portal.db import session, utcnow
from portal.mail import queue_email
from portal.notifications.kinds import KINDS, kinds_for
from portal.notifications.models import LINK_MAX, MESSAGE_MAX, Notification, NotificationPreference
from portal.users.models import User, UserStatus

DEFAULT_EMAIL_TEMPLATE = "notification"


def path_for(endpoint: str, **values: Any) -> str:
    """The path of an endpoint under EXTERNAL_URL (``/casework/items/4``), built without a request, for
    ``notify(link=...)`` from services and commands."""
    base = urlsplit(current_app.config["EXTERNAL_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values)


def absolute_link(link: str | None) -> str | None:
    """EXTERNAL_URL's scheme and host in front of a path (what an e-mail carries)."""
    if not link:
        return None
    base = urlsplit(current_app.config["EXTERNAL_URL"])
    return f"{base.scheme or 'https'}://{base.netloc}{link}"


def is_internal_link(link: str | None) -> bool:
    """A path in this service: starts with one slash (never ``//host`` or a scheme), no backslashes."""
    return bool(link) and link.startswith("/") and not link.startswith("//") and "\\" not in link  # type: ignore[union-attr]


def email_preferences(user: User) -> dict[str, bool]:
    """Every kind's e-mail choice for ``user``: their own where they made one, else the kind's default (1 query)."""
    chosen = dict(session().execute(select(NotificationPreference.kind, NotificationPreference.email)
                                    .where(NotificationPreference.user_id == user.id)).all())
    return {code: bool(chosen.get(code, kind.email_by_default)) for code, kind in KINDS.items()}


def wants_email(user: User, kind: str) -> bool:
    """Whether ``user`` is e-mailed about ``kind`` (1 query)."""
    chosen = session().execute(select(NotificationPreference.email).where(
        NotificationPreference.user_id == user.id, NotificationPreference.kind == kind)).scalar_one_or_none()
    return KINDS[kind].email_by_default if chosen is None else bool(chosen)


def notify(user: User | None, kind: str, message: str, link: str | None = None, *, email_subject: str | None = None,
           email_template: str | None = None, **ctx: Any) -> Notification | None:
    """Tell ``user`` about an event of ``kind`` (a code in ``portal.notifications.kinds.KINDS``; anything else
    raises ValueError).

    Adds a notification (``message``: one plain sentence, no evidence text; ``link``: a path in this service, e.g.
    from ``path_for``) to their list, and, unless they turned e-mail off for this kind or their account is
    disabled, queues an e-mail in the same transaction: ``templates/emails/<email_template>.txt`` (default
    ``notification.txt``: the message and the link) rendered with ``user``, ``message``, ``link_url`` (absolute)
    and ``ctx``; the subject is ``email_subject`` or the message. ``user`` None does nothing (returns None).
    Flushes; the caller commits.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}; register it in portal.notifications.kinds")
    if user is None:
        return None
    if link is not None and not is_internal_link(link):
        raise ValueError(f"a notification links to a path in this service, not {link!r}")
    message = " ".join(message.split())[:MESSAGE_MAX]
    notification = Notification(user_id=user.id, kind=kind, message=message, link=link[:LINK_MAX] if link else None)
    if user.email and user.status != UserStatus.DISABLED and wants_email(user, kind):
        subject = " ".join((email_subject or message).split())[:200]
        outbox = queue_email(user.email, subject, email_template or DEFAULT_EMAIL_TEMPLATE, user=user,
                             message=message, link_url=absolute_link(link), **ctx)
        notification.outbox_message_id = outbox.id
    session().add(notification)
    session().flush()
    return notification


def unread_count(user: User) -> int:
    """How many of ``user``'s notifications are unread (1 query, on the partial index)."""
    return session().execute(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalar_one()


def mark_read(notification: Notification, *, by: User) -> None:
    """Mark one notification read (only its owner may: the view's predicate checks)."""
    if notification.user_id != by.id:
        raise PermissionError("only the person notified can mark a notification read")
    if notification.read_at is None:
        notification.read_at = utcnow()
        session().flush()


def mark_all_read(user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many (1 statement)."""
    result = session().execute(update(Notification).where(Notification.user_id == user.id,
                                                          Notification.read_at.is_(None))
                               .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


def set_email_preferences(user: User, choices: Mapping[str, bool], *, by: User) -> list[str]:
    """Record ``user``'s e-mail choice for each kind in ``choices`` (unknown kinds are ignored); returns the kinds
    whose choice changed, and audits the change."""
    current = email_preferences(user)
    rows = {p.kind: p for p in session().execute(select(NotificationPreference).where(
        NotificationPreference.user_id == user.id)).scalars()}
    changed = []
    for code, wanted in choices.items():
        if code not in KINDS or current[code] == bool(wanted):
            continue
        changed.append(code)
        if code in rows:
            rows[code].email = bool(wanted)
        else:
            session().add(NotificationPreference(user_id=user.id, kind=code, email=bool(wanted)))
    if changed:
        session().flush()
        audit.record(by, "notifications.preferences_changed", user,
                     email={code: bool(choices[code]) for code in changed})
    return changed


def settings_kinds(user: User) -> list[Any]:
    """The kinds shown on ``user``'s settings page: those their roles may receive."""
    return kinds_for(user.roles())

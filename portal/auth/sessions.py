"""Sessions kept on the server.

The signed session cookie holds a random session id (``sid``) and nothing that says who you are; the server keeps
the session: who it belongs to, when it started and was last used, the device, and whether and why it ended. So
signing out really ends a session (a copied cookie stops working), and a password change, a password reset,
turning two-factor authentication off, disabling the account or "sign out everywhere" end sessions at once.

A session ends:

* when revoked (``revoke`` / ``revoke_all``), with the reason kept;
* after ``SESSION_IDLE_MINUTES`` without a request (idle timeout);
* ``SESSION_HOURS`` after sign-in however busy it is (absolute timeout).

``last_seen_at`` is written at most once every ``TOUCH_SECONDS`` per session, so pages do not queue for SQLite's
write lock to record it.

The store is an interface (``SessionStore``); ``DatabaseSessionStore`` (the ``user_sessions`` table) is the one
there is. A Redis store would implement the same methods (a hash per session keyed by the id's SHA-256, a set per
user for ``revoke_all`` and listing, Redis expiry for the timeouts) and be chosen by ``SESSION_STORE``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Protocol

from flask import Flask, current_app, flash, g, request
from flask import session as cookie_session
from flask_login import current_user
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from portal.auth.models import UserSession
from portal.db import db, session, utcnow
from portal.extensions import login_manager
from portal.users.models import RoleGrant, User, UserStatus

#: the key in the signed cookie that holds the session id
COOKIE_KEY = "sid"
#: write last_seen_at at most this often per session
TOUCH_SECONDS = 60


class SessionStore(Protocol):
    """Where sessions live. Every method flushes and never commits, except ``touch`` (see its docstring)."""

    def start(self, user: User, *, device: str, ip_address: str | None) -> tuple[str, int]: ...
    def find_live(self, token: str) -> UserSession | None: ...
    def touch(self, record: UserSession) -> None: ...
    def revoke(self, record: UserSession, reason: str) -> None: ...
    def revoke_all(self, user: User, reason: str, *, keep: int | None = None) -> int: ...
    def live_for(self, user: User) -> list[UserSession]: ...


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _limits() -> tuple[dt.timedelta, dt.timedelta]:
    cfg = current_app.config
    return (dt.timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]),
            dt.timedelta(seconds=int(cfg["PERMANENT_SESSION_LIFETIME"])))


class DatabaseSessionStore:
    """Sessions in the ``user_sessions`` table (the default, and what the tests run)."""

    def start(self, user: User, *, device: str, ip_address: str | None) -> tuple[str, int]:
        """A new session for ``user``; returns the id for the cookie (shown once, never stored) and the row id."""
        token = secrets.token_urlsafe(32)
        now = utcnow()
        record = UserSession(token_hash=_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                             expires_at=now + _limits()[1], device=device[:80], ip_address=ip_address)
        session().add(record)
        session().flush()
        return token, record.id

    def find_live(self, token: str) -> UserSession | None:
        """The session behind a cookie's id, if it has not been revoked, been idle too long or run out; its user
        comes in the same query (with their roles), so a page costs no more queries than before."""
        record = session().execute(
            select(UserSession).where(UserSession.token_hash == _hash(token))
            .options(joinedload(UserSession.user).selectinload(User.grants).joinedload(RoleGrant.organisation))
        ).scalar_one_or_none()
        if record is None or record.revoked_at is not None:
            return None
        now = utcnow()
        idle, _ = _limits()
        if record.expires_at <= now:
            g.session_ended = "expired"
            return None
        if record.last_seen_at + idle <= now:
            g.session_ended = "idle"
            return None
        return record

    def touch(self, record: UserSession) -> None:
        """Note that the session is in use (restarting the idle clock), at most once a minute. Commits at once, in
        its own short transaction at the start of the request: reading a page must not lose it, and nothing else
        is pending then. A lost race for SQLite's write lock only skips this minute's note."""
        now = utcnow()
        if now - record.last_seen_at < dt.timedelta(seconds=TOUCH_SECONDS):
            return
        try:
            session().execute(update(UserSession).where(UserSession.id == record.id)
                              .values(last_seen_at=now).execution_options(synchronize_session=False))
            session().commit()
        except OperationalError:
            session().rollback()
        db.begin_request()  # SQLite: a page request reads in a deferred transaction again

    def revoke(self, record: UserSession, reason: str) -> None:
        if record.revoked_at is None:
            record.revoked_at = utcnow()
            record.revoked_reason = reason
        session().flush()

    def revoke_all(self, user: User, reason: str, *, keep: int | None = None) -> int:
        """End every live session of ``user`` (except the one whose row id is ``keep``); returns how many."""
        query = (update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
                 .values(revoked_at=utcnow(), revoked_reason=reason).execution_options(synchronize_session=False))
        if keep is not None:
            query = query.where(UserSession.id != keep)
        count = session().execute(query).rowcount
        session().flush()
        return count

    def live_for(self, user: User) -> list[UserSession]:
        """The user's sessions that still work, most recently used first."""
        idle, _ = _limits()
        now = utcnow()
        return list(session().execute(
            select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None),
                                      UserSession.expires_at > now, UserSession.last_seen_at > now - idle)
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())).scalars())


STORES: dict[str, type[DatabaseSessionStore]] = {"database": DatabaseSessionStore}


def store() -> SessionStore:
    return STORES[current_app.config.get("SESSION_STORE", "database")]()


# ---------------------------------------------------------------------------------------------------- services
def start_session(user: User, *, user_agent: str | None, ip_address: str | None) -> tuple[str, int]:
    """Open a server session for a user who has just proved who they are; the caller puts the id in the cookie."""
    return store().start(user, device=describe_device(user_agent), ip_address=ip_address)


def revoke_session(record: UserSession, reason: str) -> None:
    store().revoke(record, reason)


def revoke_all_sessions(user: User, reason: str, *, keep: int | None = None) -> int:
    """End the user's sessions (all, or all but ``keep``): password changes and resets, two-factor turned off,
    sign out everywhere, account disabled, a role removed, a lockout."""
    return store().revoke_all(user, reason, keep=keep)


def live_sessions(user: User) -> list[UserSession]:
    return store().live_for(user)


def current_session_id() -> int | None:
    """The row id of the session this request belongs to (None when signed out)."""
    current_user._get_current_object()  # loads the session if not yet loaded
    record = g.get("user_session")
    return record.id if record is not None else None


# ---------------------------------------------------------------------------------------------------- devices
_BROWSERS = (("Edge", r"Edg(e|A|iOS)?/"), ("Opera", r"OPR/|Opera"), ("Samsung Internet", r"SamsungBrowser/"),
             ("Firefox", r"Firefox/|FxiOS/"), ("Chrome", r"Chrome/|CriOS/|Chromium/"), ("Safari", r"Safari/"))
_SYSTEMS = (("iOS", r"iPhone|iPad|iPod"), ("Android", r"Android"), ("ChromeOS", r"CrOS"),
            ("Windows", r"Windows"), ("macOS", r"Mac OS X|Macintosh"), ("Linux", r"Linux"))


def describe_device(user_agent: str | None) -> str:
    """'Firefox on Windows' from a User-Agent header (enough to recognise your own devices, nothing more)."""
    agent = user_agent or ""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, agent)), "Unknown browser")
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, agent)), "unknown system")
    return f"{browser} on {system}"


# ---------------------------------------------------------------------------------------------------- loading
@login_manager.request_loader
def load_user_from_session(_request: object) -> User | None:
    """Flask-Login asks who the request is from: the user of the live server session named in the cookie."""
    token = cookie_session.get(COOKIE_KEY)
    if not isinstance(token, str) or not token:
        return None
    sessions = store()
    record = sessions.find_live(token)
    user = record.user if record is not None else None
    if user is None or user.status != UserStatus.ACTIVE:
        cookie_session.pop(COOKIE_KEY, None)
        _say_why_it_ended()
        return None
    g.user_session = record
    sessions.touch(record)
    return user


def _say_why_it_ended() -> None:
    cfg = current_app.config
    ended = g.pop("session_ended", None)
    if ended == "idle":
        flash(f"You have been signed out because you had not used the service for {cfg['SESSION_IDLE_MINUTES']} "
              "minutes. Sign in again to continue.", "info")
    elif ended == "expired":
        flash(f"You have been signed out because you signed in more than "
              f"{int(cfg['PERMANENT_SESSION_LIFETIME']) // 3600} hours ago. Sign in again to continue.", "info")


def init_app(app: Flask) -> None:
    @app.before_request
    def load_session_first() -> None:
        """Load the session before any view runs, so its once-a-minute note commits with nothing else pending."""
        if request.endpoint != "static":
            current_user._get_current_object()

"""Signed, single-use, expiring links for invitations and password resets.

The link carries ``{id, nonce}`` signed with the app secret (so a tampered link fails before any lookup); the
database keeps only the nonce's SHA-256, an expiry, and when it was used or replaced.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from portal.auth.models import AccountToken, TokenPurpose
from portal.db import session, utcnow
from portal.users.models import Role, User


class TokenError(Exception):
    """A link that cannot be used; ``reason`` is one of invalid, expired, used."""

    def __init__(self, reason: str, token: AccountToken | None = None):
        super().__init__(reason)
        self.reason = reason
        self.token = token


def _serializer(purpose: TokenPurpose) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"account-token:{purpose.value}")


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: AccountToken
    signed: str


def issue_token(user: User, purpose: TokenPurpose, *, lifetime: dt.timedelta, by: User | None,
                role: Role | None = None, organisation_id: int | None = None) -> IssuedToken:
    """Create a new link for ``user``; any earlier unused link for the same purpose (and, for a role invitation,
    the same role and organisation) stops working."""
    now = utcnow()
    same = [AccountToken.user_id == user.id, AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None), AccountToken.revoked_at.is_(None)]
    if purpose == TokenPurpose.ROLE_INVITATION:
        same += [AccountToken.role == role, AccountToken.organisation_id.is_(None) if organisation_id is None
                 else AccountToken.organisation_id == organisation_id]
    session().execute(
        update(AccountToken).where(*same).values(revoked_at=now).execution_options(synchronize_session=False)
    )
    nonce = secrets.token_urlsafe(32)
    token = AccountToken(user_id=user.id, purpose=purpose, nonce_hash=_hash(nonce),
                         created_by_id=by.id if by else None, created_at=now, expires_at=now + lifetime,
                         role=role, organisation_id=organisation_id)
    session().add(token)
    session().flush()
    return IssuedToken(token, _serializer(purpose).dumps({"i": token.id, "n": nonce}))


def resolve_token(signed: str, purpose: TokenPurpose, *, for_update: bool = False) -> AccountToken:
    """Return the live token behind a link, or raise TokenError saying why it cannot be used."""
    try:
        data = _serializer(purpose).loads(signed)
        token_id, nonce = int(data["i"]), str(data["n"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise TokenError("invalid") from None
    sess = session()
    token = sess.get(AccountToken, token_id, with_for_update=for_update or None)
    if token is None or token.purpose != purpose or not hmac.compare_digest(token.nonce_hash, _hash(nonce)):
        raise TokenError("invalid")
    if token.used_at is not None:
        raise TokenError("used", token)
    if token.revoked_at is not None:
        raise TokenError("replaced", token)
    if token.expires_at <= utcnow():
        raise TokenError("expired", token)
    return token


def consume_token(token: AccountToken) -> None:
    """Mark a token used, atomically: a second, concurrent use finds no row to update and fails."""
    result = session().execute(
        update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None), AccountToken.revoked_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TokenError("used", token)
    session().refresh(token)


def random_code(length: int = 10) -> str:
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(length))

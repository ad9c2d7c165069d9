"""Employers' API tokens: created by an employer admin for their organisation, shown once, stored only as the
SHA-256 of the secret (the secret has 256 bits of randomness, so a fast hash is enough), named, and revoked."""
from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from portal.audit import record
from portal.db import session, utcnow
from portal.exceptions import DomainError
from portal.users.models import Organisation

from .models import ApiToken

TOKEN_PREFIX = "epp_"
NAME_MAX = 100


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(organisation: Organisation, *, name: str, by: Any,
                 max_active: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``organisation``; returns the row and the secret (shown to the admin once, never again).
    An organisation holds at most ``max_active`` active tokens (``API_MAX_TOKENS_PER_ORGANISATION``): each has its
    own rate limit and daily quota, so more tokens would multiply what the organisation may look up."""
    name = (name or "").strip()
    if not name:
        raise DomainError("Enter a name for the token", "name")
    if len(name) > NAME_MAX:
        raise DomainError(f"The name must be {NAME_MAX} characters or fewer", "name")
    if max_active is None:
        max_active = current_app.config["API_MAX_TOKENS_PER_ORGANISATION"]
    active = session().execute(select(func.count(ApiToken.id)).where(
        ApiToken.organisation_id == organisation.id, ApiToken.revoked_at.is_(None))).scalar_one()
    if active >= max_active:
        raise DomainError(f"Your organisation already has {active} active API tokens: revoke one before creating "
                          f"another", "name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(organisation_id=organisation.id, name=name, token_hash=hash_token(secret),
                     prefix=secret[:len(TOKEN_PREFIX) + 6], created_by_id=getattr(by, "id", None))
    session().add(token)
    session().flush()
    record(by, "api_token.created", token, organisation_id=organisation.id, name=name)
    return token, secret


def revoke_token(token: ApiToken, *, by: Any) -> None:
    """Stop a token working (at once, for every request after the commit)."""
    if token.revoked_at is not None:
        raise DomainError("This token has already been revoked")
    token.revoked_at = utcnow()
    token.revoked_by_id = getattr(by, "id", None)
    record(by, "api_token.revoked", token, organisation_id=token.organisation_id, name=token.name)
    session().flush()


def find_token(secret: str) -> ApiToken | None:
    """The token row for a presented secret (active or revoked), or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return session().execute(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).scalar_one_or_none()


def tokens_of(organisation_id: int) -> list[ApiToken]:
    """An organisation's tokens, active first, newest first."""
    rows = session().execute(select(ApiToken).where(ApiToken.organisation_id == organisation_id)
                             .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())).scalars()
    return list(rows)

"""The JSON API for employers' HR systems, under ``/api/v1`` (described by ``/api/v1/openapi.json``).

Every call but the document itself needs ``Authorization: Bearer <token>`` with an organisation's active API token
(401 otherwise), and is rate-limited per token in look-ups: each number or code looked up counts, so a bulk check of
1,000 numbers costs 1,000 (``API_RATE_LIMIT``, and a daily quota ``API_DAILY_QUOTA``; 429 with ``Retry-After``, and
``RateLimit-Limit``/``-Remaining``/``-Reset`` on every answer). Errors are JSON:
``{"error": {"status": 404, "code": "invalid_code", "message": "..."}}``: 401 without a usable token, 403 for another
organisation's data, 404 for an address that names nothing (including one that cannot be a code or registration
number: the code says which), 422 for a query or body that is not acceptable, 429 when rate-limited. The blueprint is exempt from CSRF
(no cookies are read: the token is the credential).
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, g, jsonify, render_template, request
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from portal import clock
from portal.db import db, session, utcnow
from portal.enrolments.models import Enrolment
from portal.errors import PAGES
from portal.extensions import limiter
from portal.pagination import keyset_page
from portal.permissions import public
from portal.urls import external_url

from . import api_bp, checks
from .codes import InvalidCodeError
from .models import ApiToken, Certificate
from .openapi import openapi_document
from .queries import accreditation_for, public_status, status_by_code
from .tokens import find_token, hash_token

LAST_USED_RESOLUTION = 60  # seconds: note a token's use at most this often (a write on every call locked SQLite)
DAILY_SCOPE = "api-daily"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Any:
    response = jsonify(error={"status": status, "code": code, "message": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response


@api_bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Any:
    db.session.rollback()
    return error_response(error.status, error.code, error.message, error.headers)


@api_bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Any:
    db.session.rollback()
    code = error.code or 500
    if code == 429:
        return _rate_limited(error)
    names = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
    headers = {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else {}
    return error_response(code, names.get(code, "error"), error.description or "Request failed", headers)


def _seconds_until(reset_at: float) -> int:
    return max(1, int(reset_at - clock.now().timestamp() + 0.999))


def _rate_limited(error: HTTPException) -> Any:
    """429: the minute's (or hour's) look-ups are used up, or the day's quota, saying when it resets."""
    breached = limiter.current_limit
    retry_after = _seconds_until(breached.reset_at) if breached else 60
    if getattr(getattr(error, "limit", None), "scope", None) == DAILY_SCOPE and breached is not None:
        resets_at = dt.datetime.fromtimestamp(breached.reset_at, dt.UTC)
        response = jsonify(error={
            "status": 429, "code": "daily_quota_exceeded", "resets_at": resets_at.isoformat(timespec="seconds"),
            "message": f"This token has used its {breached.limit.amount:,} look-ups a day. The quota resets at "
                       f"{resets_at:%H:%M} UTC on {resets_at.day} {resets_at:%B %Y}"})
        response.status_code = 429
        response.headers["Retry-After"] = str(retry_after)
        return response
    return error_response(429, "rate_limited", "Too many look-ups for this token: wait, then try again",
                          {"Retry-After": str(retry_after)})


@api_bp.after_request
def _rate_limit_headers(response: Any) -> Any:
    """RateLimit-Limit, -Remaining and -Reset (seconds) of the limit nearest to being reached (or the one hit)."""
    current = limiter.current_limit
    if current is not None:
        response.headers["RateLimit-Limit"] = str(current.limit.amount)
        response.headers["RateLimit-Remaining"] = str(max(0, current.remaining))
        response.headers["RateLimit-Reset"] = str(_seconds_until(current.reset_at))
    return response


@api_bp.app_errorhandler(404)
@api_bp.app_errorhandler(405)
def _routing_error(error: HTTPException) -> Any:
    """Paths under /api/ that match no route get JSON errors; every other path keeps the HTML pages."""
    if request.path.startswith(api_bp.url_prefix or "/api/v1"):
        return _http_error(error)
    db.session.rollback()
    return render_template(PAGES[error.code or 404], error=error), error.code


# ---------------------------------------------------------------------------------------------- tokens
def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def rate_limit_key() -> str:
    """Per token (its hash, whether or not it is valid); per address when no token is sent."""
    bearer = _bearer()
    return f"token:{hash_token(bearer)}" if bearer else f"ip:{request.remote_addr or 'unknown'}"


def api_rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def api_daily_quota() -> str:
    return f"{current_app.config['API_DAILY_QUOTA']} per day"


def bulk_check_cost() -> int:
    """What a bulk check costs: one look-up per number sent (1 for a body that is refused anyway)."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return 1
    numbers = body.get("swe_numbers") if isinstance(body, dict) else None
    return len(numbers) if isinstance(numbers, list) and 1 <= len(numbers) <= checks.MAX_ROWS else 1


def token_required(view: Callable[..., Any] | None = None, *,
                   cost: Callable[[], int] | int = 1) -> Any:
    """Authenticate the request by its API token (401 when missing, unknown or revoked); the token is in
    ``g.api_token``. Each call costs ``cost`` look-ups against the token's limit and daily quota. The view is
    marked public for the session-based route guard: it never reads a sign-in."""
    if view is None:
        return functools.partial(token_required, cost=cost)

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        bearer = _bearer()
        challenge = {"WWW-Authenticate": 'Bearer realm="api"'}
        if bearer is None:
            raise ApiError(401, "missing_token", "Send your organisation's API token as 'Authorization: Bearer "
                                                 "<token>'", challenge)
        token = find_token(bearer)
        if token is None:
            raise ApiError(401, "invalid_token", "The API token is not recognised",
                           {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'})
        if not token.is_active:
            raise ApiError(401, "revoked_token", "This API token has been revoked: ask your organisation's "
                                                 "employer admin for a new one",
                           {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'})
        now = utcnow()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION:
            token.last_used_at = now
            try:
                session().commit()
            except OperationalError:  # another request holds the write lock ("database is locked" on SQLite):
                session().rollback()  # a missed note of use is harmless; a failed look-up is not
                current_app.logger.warning("api token %s: last_used_at not written (database busy)", token.id)
                token = session().get(ApiToken, token.id)
        g.api_token = token
        return view(*args, **kwargs)

    limited = limiter.shared_limit(api_daily_quota, scope=DAILY_SCOPE, key_func=rate_limit_key, cost=cost)(wrapper)
    return public(limiter.shared_limit(api_rate_limit, scope="api", key_func=rate_limit_key, cost=cost)(limited))


def _verify_url(code: str) -> str:
    return external_url("certificates.verify_code", code=code)


# ----------------------------------------------------------------------------------------------- routes
@api_bp.route("/openapi.json")
@public
def openapi() -> Any:
    """The OpenAPI 3.1 description of this API (no token needed)."""
    response = jsonify(openapi_document(external_url("api.openapi").rsplit("/", 1)[0]))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@api_bp.route("/certificates/<code>")
@token_required
def certificate(code: str) -> Any:
    try:
        status = status_by_code(code)
    except InvalidCodeError as error:  # an address that cannot name a certificate: not found, saying why
        raise ApiError(404, "invalid_code", f"Not a certificate code: {error}") from None
    if status is None:
        raise ApiError(404, "not_found", "No certificate has this code")
    return jsonify(status.to_json(_verify_url(status.code)))


@api_bp.route("/practitioners/<swe_number>/accreditation")
@token_required
def accreditation(swe_number: str) -> Any:
    number = checks.valid_number(swe_number)
    if number is None:
        raise ApiError(404, "invalid_swe_number", "Not a Social Work England registration number: it is SW and up "
                                                  "to 8 digits, like SW123456")
    found = accreditation_for([number]).get(number)
    if found is None:
        raise ApiError(404, "no_certificates", "No certificates have been issued for this registration number")
    return jsonify(found.to_json(_verify_url))


def _numbers_from_body() -> list[str]:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # "[[[[..." nested deeper than the parser goes: not a body anyone meant to send
        body = None
    if not isinstance(body, dict) or set(body) != {"swe_numbers"}:
        raise ApiError(422, "invalid_body", 'Send a JSON object with one member, "swe_numbers": a list of '
                                            "registration numbers")
    numbers = body["swe_numbers"]
    if not isinstance(numbers, list) or not numbers:
        raise ApiError(422, "invalid_body", '"swe_numbers" must be a list of at least one registration number')
    if len(numbers) > checks.MAX_ROWS:
        raise ApiError(422, "too_many", f"{len(numbers):,} numbers sent: check up to {checks.MAX_ROWS:,} at a time")
    if not all(isinstance(n, str) and len(n) <= 100 for n in numbers):
        raise ApiError(422, "invalid_body", 'Every item of "swe_numbers" must be text of up to 100 characters')
    return numbers


@api_bp.route("/accreditation-checks", methods=["POST"])
@token_required(cost=bulk_check_cost)
def accreditation_checks() -> Any:
    """Up to 1,000 numbers at once: one result per item, in order (duplicates and bad numbers reported)."""
    numbers = _numbers_from_body()
    results = [row.to_dict(_verify_url) for row in checks.check_numbers(list(enumerate(numbers, start=1)))]
    return jsonify(count=len(results), summary=checks.counts(results), results=results)


@api_bp.route("/organisations/<org_code>/certificates")
@token_required
def organisation_certificates(org_code: str) -> Any:
    """Certificates of the practitioners the token's organisation employs now (newest first, by pages)."""
    token: ApiToken = g.api_token
    if org_code.upper() != token.organisation.code:
        raise ApiError(403, "wrong_organisation", "This token belongs to another organisation: it can only list "
                                                  "its own organisation's certificates")
    try:
        limit = int(request.args.get("limit", "50"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        raise ApiError(422, "invalid_limit", "limit must be a whole number from 1 to 100")
    employed = select(Enrolment.id).where(Enrolment.organisation_id == token.organisation_id)
    query = select(Certificate).options(joinedload(Certificate.superseded_by)).where(
        Certificate.enrolment_id.in_(employed))
    page = keyset_page(query, [Certificate.id], after=request.args.get("after"), size=limit, descending=True)
    items = [{**public_status(c).to_json(_verify_url(c.code)), "swe_number": c.swe_number,
              "stage_code": c.stage_code} for c in page.items]
    return jsonify(certificates=items, next=page.next_cursor)


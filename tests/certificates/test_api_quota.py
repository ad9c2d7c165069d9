"""What a token may spend: each registration number looked up counts against the per-token limit (a bulk check of
1,000 numbers is 1,000 look-ups, not one request), a daily quota per token (429 saying when it resets, with
RateLimit-* and Retry-After headers), a cap on an organisation's active tokens, and last_used_at written at most
once a minute (not on every call: that write locked SQLite under load)."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from portal import clock
from portal.certificates.models import ApiToken
from portal.db import session
from portal.extensions import limiter

from ..conftest import parse
from .test_api import _error, _get

CHECKS = "/api/v1/accreditation-checks"
ONE = "/api/v1/practitioners/SW1/accreditation"


@pytest.fixture
def limits(app):
    """``limits(API_RATE_LIMIT=..., API_DAILY_QUOTA=...)`` for one test, with clean counters."""
    saved = {k: app.config[k] for k in ("API_RATE_LIMIT", "API_DAILY_QUOTA", "API_MAX_TOKENS_PER_ORGANISATION")}

    def set_(**values):
        app.config.update(values)
        limiter.reset()

    limiter.reset()
    yield set_
    app.config.update(saved)
    limiter.reset()


def _check(client, secret, count):
    numbers = [f"SW{500000 + n}" for n in range(count)]
    return client.post(CHECKS, json={"swe_numbers": numbers}, headers={"Authorization": f"Bearer {secret}"})


def test_each_number_in_a_bulk_check_counts_against_the_token_limit(client, token_for, limits):
    limits(API_RATE_LIMIT="10 per minute")
    secret, other = token_for("north", "one"), token_for("north", "two")
    refused = _check(client, secret, 11)  # 11 look-ups do not fit in 10 a minute, whatever the request count
    assert refused.status_code == 429 and _error(refused)["code"] == "rate_limited"
    assert _check(client, other, 10).status_code == 200
    assert _get(client, ONE, other).status_code == 429  # the 10 numbers used the minute's budget
    assert int(_get(client, ONE, other).headers["Retry-After"]) > 0


def test_the_daily_quota_refuses_with_when_it_resets(client, token_for, limits):
    limits(API_DAILY_QUOTA=5)
    secret, other = token_for("north", "one"), token_for("north", "two")
    assert _check(client, secret, 4).status_code == 200
    assert _get(client, ONE, secret).status_code == 404  # the fifth look-up of the day
    refused = _get(client, ONE, secret)
    assert refused.status_code == 429
    error = _error(refused)
    assert error["code"] == "daily_quota_exceeded"
    resets_at = dt.datetime.fromisoformat(error["resets_at"])
    assert dt.timedelta(hours=23) < resets_at - clock.now() <= dt.timedelta(days=1, seconds=2)
    assert "5 look-ups a day" in error["message"] and resets_at.strftime("%H:%M") in error["message"]
    assert refused.headers["RateLimit-Limit"] == "5" and refused.headers["RateLimit-Remaining"] == "0"
    assert 23 * 3600 < int(refused.headers["RateLimit-Reset"]) <= 86402
    assert 23 * 3600 < int(refused.headers["Retry-After"]) <= 86402
    assert _get(client, ONE, other).status_code == 404  # another token has its own quota
    with time_machine.travel(clock.now() + dt.timedelta(days=1, minutes=1), tick=False):
        assert _get(client, ONE, secret).status_code == 404  # a new day


def test_successful_calls_carry_ratelimit_headers(client, token_for, limits):
    limits(API_RATE_LIMIT="100 per minute")
    secret = token_for("north")
    response = _check(client, secret, 30)
    assert response.status_code == 200
    assert response.headers["RateLimit-Limit"] == "100" and response.headers["RateLimit-Remaining"] == "70"
    assert 0 < int(response.headers["RateLimit-Reset"]) <= 62


def test_an_organisation_has_at_most_its_cap_of_active_tokens(client, sign_in_as, people, token_for, limits):
    limits(API_MAX_TOKENS_PER_ORGANISATION=2)
    token_for("north", "one"), token_for("north", "two")
    sign_in_as(people["north_admin"])
    url = f"/admin/organisations/{people['north'].id}/api-tokens"
    soup = parse(client.post(url, data={"name": "Three"}))
    assert soup.title.get_text().startswith("Error: ")
    assert ("Your organisation already has 2 active API tokens: revoke one before creating another"
            in soup.select_one(".govuk-error-summary").get_text())
    assert session().execute(select(ApiToken).where(ApiToken.name == "Three")).first() is None
    first = session().execute(select(ApiToken).where(ApiToken.name == "one")).scalar_one()
    assert client.post(f"/admin/api-tokens/{first.id}/revoke").status_code == 302
    assert parse(client.post(url, data={"name": "Three"})).select_one("#secret")  # a revoked one makes room


def test_last_used_is_written_at_most_once_a_minute(client, token_for, limits):
    secret = token_for("north")
    start = clock.now()
    with time_machine.travel(start, tick=False):
        _get(client, ONE, secret)
    first = session().execute(select(ApiToken.last_used_at)).scalar_one()
    with time_machine.travel(start + dt.timedelta(seconds=50), tick=False):
        _get(client, ONE, secret)
    assert session().execute(select(ApiToken.last_used_at)).scalar_one() == first  # no write
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        _get(client, ONE, secret)
    later = session().execute(select(ApiToken.last_used_at)).scalar_one()
    assert later.replace(tzinfo=dt.UTC) - first.replace(tzinfo=dt.UTC) == dt.timedelta(seconds=61)


def test_a_busy_database_does_not_fail_the_look_up(client, token_for, monkeypatch):
    """SQLite under load answers "database is locked" to the write of last_used_at: the look-up still answers."""
    from sqlalchemy.exc import OperationalError

    secret = token_for("north")
    real_commit = type(session()).commit
    calls = []

    def locked_once(self):
        if not calls:
            calls.append(1)
            raise OperationalError("UPDATE api_tokens SET last_used_at", {}, Exception("database is locked"))
        return real_commit(self)

    monkeypatch.setattr(type(session()), "commit", locked_once)
    response = _get(client, ONE, secret)
    assert calls and response.status_code == 404 and _error(response)["code"] == "no_certificates"

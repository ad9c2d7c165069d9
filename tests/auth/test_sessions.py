"""Sessions kept on the server: sign-out ends a copied cookie, idle and absolute timeouts, "Your sessions",
re-confirming a password counts towards the lockout, and a locked account looks like an unknown one."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from portal.users.models import Role

from ..conftest import parse, reload
from .test_sign_in import sign_in

COOKIE = "portal_session"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/18.1 Mobile/15E148 Safari/604.1")
START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _cookie(client):
    return client.get_cookie(COOKIE).value


def _copy_of(app, client):
    thief = app.test_client()
    thief.set_cookie(COOKIE, _cookie(client))
    return thief


def test_a_copied_cookie_stops_working_after_sign_out(app, client, make_user):
    user = make_user(Role.PRACTITIONER)
    assert sign_in(client, user.email).status_code == 302
    thief = _copy_of(app, client)
    assert thief.get("/account").status_code == 200  # a copy works while the session is live
    assert client.post("/sign-out").status_code == 302
    response = thief.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_a_copied_cookie_stops_working_after_sign_out_everywhere(app, client, make_user):
    user = make_user(Role.PRACTITIONER)
    sign_in(client, user.email)
    thief = _copy_of(app, client)
    client.post("/account/sign-out-everywhere")
    assert thief.get("/account").status_code == 302


def test_a_copied_cookie_stops_working_after_a_password_reset(app, client, make_user):
    from .test_links import last_link

    user = make_user(Role.PRACTITIONER)
    sign_in(client, user.email)
    thief = _copy_of(app, client)
    fresh = app.test_client()
    fresh.post("/forgot-password", data={"email": user.email})
    assert fresh.post(last_link(user.email), data={"password": "purple giraffe kettle",
                                                   "confirm": "purple giraffe kettle"}).status_code == 302
    assert thief.get("/account").status_code == 302


def test_the_cookie_holds_only_a_session_id(client, make_user):
    user = make_user(Role.PRACTITIONER)
    sign_in(client, user.email)
    with client.session_transaction() as sess:
        assert "_user_id" not in sess
        assert set(sess) <= {"sid", "_permanent", "_fresh", "_flashes", "csrf_token", "next_after_sign_in"}


def test_an_idle_session_ends(app, make_user):
    user = make_user(Role.PRACTITIONER)
    client = app.test_client()
    idle = app.config.get("SESSION_IDLE_MINUTES", 30)
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, user.email)
        traveller.shift(dt.timedelta(minutes=idle - 1))
        assert client.get("/account").status_code == 200  # still in use
        traveller.shift(dt.timedelta(minutes=idle - 1))
        assert client.get("/account").status_code == 200  # each use restarts the idle clock
        traveller.shift(dt.timedelta(minutes=idle + 1))
        response = client.get("/account")
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
        soup = parse(client.get(response.headers["Location"]))
        assert f"{idle} minutes" in soup.get_text(" ")


def test_a_session_ends_after_its_absolute_lifetime_however_busy(app, make_user):
    user = make_user(Role.PRACTITIONER)
    client = app.test_client()
    hours = app.config["PERMANENT_SESSION_LIFETIME"] // 3600
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, user.email)
        for _ in range(hours * 3 - 1):
            traveller.shift(dt.timedelta(minutes=20))
            assert client.get("/account").status_code == 200
        traveller.shift(dt.timedelta(minutes=21))
        assert client.get("/account").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(app, make_user, count_statements):
    from sqlalchemy import select

    from portal.auth.models import UserSession
    from portal.db import session

    user = make_user(Role.PRACTITIONER)
    client = app.test_client()
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, user.email)
        traveller.shift(dt.timedelta(seconds=30))
        with count_statements() as counter:
            client.get("/account")
        assert not [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE USER_SESSIONS")]
        traveller.shift(dt.timedelta(seconds=31))
        client.get("/account")
    row = session().execute(select(UserSession).where(UserSession.user_id == user.id)).scalar_one()
    assert row.last_seen_at.replace(tzinfo=dt.UTC) == START + dt.timedelta(seconds=61)


def test_your_sessions_lists_each_device_and_signs_one_out(app, make_user):
    user = make_user(Role.PRACTITIONER)
    laptop = app.test_client()
    phone = app.test_client()
    sign_in(laptop, user.email, headers={"User-Agent": FIREFOX})
    sign_in(phone, user.email, headers={"User-Agent": SAFARI_IPHONE})
    soup = parse(laptop.get("/account/sessions", headers={"User-Agent": FIREFOX}))
    rows = soup.select("table tbody tr")
    assert len(rows) == 2
    texts = [r.get_text(" ", strip=True) for r in rows]
    assert any("Firefox on Windows" in t and "This device" in t for t in texts)
    assert any("Safari on iOS" in t and "This device" not in t for t in texts)
    phone_row = next(r for r in rows if "Safari on iOS" in r.get_text())
    action = phone_row.select_one("form")["action"]
    assert laptop.post(action).status_code == 302
    assert phone.get("/account").status_code == 302
    assert laptop.get("/account").status_code == 200
    assert len(parse(laptop.get("/account/sessions")).select("table tbody tr")) == 1


def test_the_account_page_links_to_your_sessions(client, make_user, sign_in_as):
    sign_in_as(make_user(Role.PRACTITIONER))
    soup = parse(client.get("/account"))
    assert soup.select_one("a[href='/account/sessions']")


def test_nobody_can_sign_out_someone_elses_session(app, make_user):
    from sqlalchemy import select

    from portal.auth.models import UserSession
    from portal.db import session

    victim, attacker = make_user(Role.PRACTITIONER), make_user(Role.PRACTITIONER)
    victim_client, attacker_client = app.test_client(), app.test_client()
    sign_in(victim_client, victim.email)
    sign_in(attacker_client, attacker.email)
    victim_session = session().execute(select(UserSession.id).where(UserSession.user_id == victim.id)).scalar_one()
    response = attacker_client.post(f"/account/sessions/{victim_session}/sign-out")
    assert response.status_code in {403, 404}
    assert victim_client.get("/account").status_code == 200


def test_signing_out_a_session_needs_a_csrf_token(csrf_app, make_user):
    from sqlalchemy import select

    from portal.auth.models import UserSession
    from portal.db import session

    from ..conftest import start_session

    client = csrf_app.test_client()
    user = make_user(Role.PRACTITIONER)
    start_session(client, user)
    own = session().execute(select(UserSession.id).where(UserSession.user_id == user.id)).scalar_one()
    assert client.post(f"/account/sessions/{own}/sign-out").status_code == 400
    assert client.get("/account").status_code == 200


def test_sign_in_as_makes_a_real_server_session(client, make_user, sign_in_as):
    from sqlalchemy import func, select

    from portal.auth.models import UserSession
    from portal.db import session

    user = make_user(Role.PRACTITIONER)
    sign_in_as(user)
    assert client.get("/account").status_code == 200
    assert session().execute(select(func.count()).select_from(UserSession)
                             .where(UserSession.user_id == user.id)).scalar_one() == 1
    client.post("/sign-out")
    assert client.get("/account").status_code == 302


# ------------------------------------------------------------------------------ re-confirming the password
RECONFIRM = [
    ("/account/recovery-codes", Role.MODERATOR, lambda pw: {"password": pw}),
    ("/account/password", Role.PRACTITIONER,
     lambda pw: {"current_password": pw, "password": "purple giraffe kettle", "confirm": "purple giraffe kettle"}),
    ("/account/two-factor/turn-off", Role.PRACTITIONER, lambda pw: {"password": pw}),
]


@pytest.mark.parametrize(("url", "role", "form"), RECONFIRM, ids=["recovery-codes", "password", "two-factor-off"])
def test_wrong_passwords_when_reconfirming_lock_the_account_and_sign_out(app, make_user, url, role, form):
    user = make_user(role, totp=True)
    client = app.test_client()
    sign_in_with_any_factor(client, user)
    other_device = app.test_client()
    sign_in_with_any_factor(other_device, user)
    threshold = app.config["LOCKOUT_THRESHOLD"]
    for _ in range(threshold - 1):
        response = client.post(url, data=form("not my password"))
        assert response.status_code == 200 and "incorrect" in response.get_data(as_text=True)
    response = client.post(url, data=form("not my password"))
    assert response.status_code == 302
    page = parse(client.get(response.headers["Location"]))
    assert "locked" in page.get_text(" ") and "signed you out" in page.get_text(" ")
    assert client.get("/account").status_code == 302
    assert other_device.get("/account").status_code == 302
    assert reload(user).locked_until is not None
    # the right password no longer gets anything while the lock lasts
    assert sign_in(app.test_client(), user.email).status_code == 200


def sign_in_with_any_factor(client, user):
    from portal.auth.services import regenerate_recovery_codes
    from portal.db import session

    response = sign_in(client, user.email)
    if response.headers.get("Location") == "/sign-in/security-code":
        codes = regenerate_recovery_codes(reload(user))
        session().commit()
        response = client.post("/sign-in/security-code", data={"code": codes[0]})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_reconfirming_is_rate_limited(app, client, make_user, sign_in_as):
    from portal.extensions import limiter

    sign_in_as(make_user(Role.MODERATOR))
    saved = app.config["SIGN_IN_RATE_LIMIT"], app.config["LOCKOUT_THRESHOLD"]
    app.config["SIGN_IN_RATE_LIMIT"], app.config["LOCKOUT_THRESHOLD"] = "3 per minute", 100
    limiter.reset()
    try:
        statuses = [client.post("/account/recovery-codes", data={"password": "nope"}).status_code for _ in range(4)]
    finally:
        app.config["SIGN_IN_RATE_LIMIT"], app.config["LOCKOUT_THRESHOLD"] = saved
        limiter.reset()
    assert statuses == [200, 200, 200, 429]


# ------------------------------------------------------------------------------ a locked account is not told apart
def test_a_locked_account_and_an_unknown_email_get_the_same_answer(app, client, make_user):
    user = make_user(Role.PRACTITIONER)
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        sign_in(client, user.email, "wrong password")
    assert reload(user).locked_until is not None
    locked = sign_in(client, user.email, "wrong password")
    locked_right = sign_in(client, user.email)
    unknown = sign_in(client, "nobody@example.org", "wrong password")
    assert locked.status_code == locked_right.status_code == unknown.status_code == 200

    def summary(response):
        return parse(response).select_one(".govuk-error-summary").get_text(" ", strip=True)

    assert summary(locked) == summary(locked_right) == summary(unknown)
    assert "Your account is locked" not in summary(unknown)


def test_a_locked_account_still_costs_a_password_check(app, client, make_user, monkeypatch):
    from portal.auth import passwords

    user = make_user(Role.PRACTITIONER)
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        sign_in(client, user.email, "wrong password")
    calls = []
    original = passwords._hasher
    monkeypatch.setattr(passwords, "_hasher", lambda: calls.append(1) or original())
    sign_in(client, user.email)
    assert calls


@pytest.mark.parametrize(("agent", "expected"), [
    (FIREFOX, "Firefox on Windows"),
    (SAFARI_IPHONE, "Safari on iOS"),
    (("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36"), "Chrome on macOS"),
    (("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36 Edg/131.0.0.0"), "Edge on Windows"),
    (("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile "
     "Safari/537.36"), "Chrome on Android"),
    (None, "Unknown browser on unknown system"),
])
def test_devices_are_described_in_a_few_words(agent, expected):
    from portal.auth.sessions import describe_device

    assert describe_device(agent) == expected


def test_session_events_are_audited_and_kept_with_their_reason(app, client, make_user):
    from sqlalchemy import select

    from portal.auth.models import UserSession
    from portal.db import session

    user = make_user(Role.PRACTITIONER)
    sign_in(client, user.email, headers={"User-Agent": FIREFOX})
    client.post("/sign-out")
    row = session().execute(select(UserSession).where(UserSession.user_id == user.id)).scalar_one()
    assert row.revoked_reason == "signed_out" and row.revoked_at is not None
    assert row.device == "Firefox on Windows" and row.token_hash and len(row.token_hash) == 64


def test_the_owner_of_a_locked_account_is_told_by_email(app, client, make_user):
    from sqlalchemy import select

    from portal.db import session
    from portal.mail import OutboxMessage

    user = make_user(Role.PRACTITIONER)
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        sign_in(client, user.email, "wrong password")
    messages = session().execute(select(OutboxMessage).where(OutboxMessage.to_address == user.email)).scalars().all()
    assert [m.subject for m in messages] == ["Your account has been locked"]
    assert f"locked it for {app.config['LOCKOUT_MINUTES']} minutes" in messages[0].body_text
    assert "https://portal.test/forgot-password" in messages[0].body_text

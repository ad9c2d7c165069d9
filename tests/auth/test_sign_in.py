"""Signing in and out: each role, bad credentials, lockout, disabled accounts, sessions ending everywhere."""
from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from portal.db import utcnow
from portal.users.models import Role, UserStatus

from ..conftest import DEFAULT_PASSWORD, parse, reload

ALL_ROLES = list(Role)


def sign_in(client, email, password=DEFAULT_PASSWORD, **kwargs):
    return client.post("/sign-in", data={"email": email, "password": password}, **kwargs)


def nav_texts(soup):
    nav = soup.select_one(".govuk-service-navigation")
    return [a.get_text(strip=True) for a in nav.select("a")] if nav else []


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SUPERVISOR])
def test_password_roles_sign_in_and_see_their_navigation(client, make_user, role):
    user = make_user(role)
    response = sign_in(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    soup = parse(client.get("/"))
    assert user.name in soup.h1.get_text()
    items = nav_texts(soup)
    assert "Your account" in items
    assert "People" not in items
    assert soup.select_one("form[action='/sign-out'] button").get_text(strip=True) == "Sign out"


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.MODERATOR, Role.PROGRAMME_ADMIN, Role.EMPLOYER_ADMIN])
def test_two_factor_roles_sign_in_with_a_code(client, make_user, role):
    user = make_user(role)
    response = sign_in(client, user.email)
    assert response.headers["Location"] == "/sign-in/security-code"
    assert client.get("/account").status_code == 302  # not signed in yet
    code = pyotp.TOTP(user.totp_secret).now()
    response = client.post("/sign-in/security-code", data={"code": code})
    assert response.status_code == 302
    soup = parse(client.get("/"))
    assert user.name in soup.h1.get_text()
    assert ("People" in nav_texts(soup)) == (role in {Role.PROGRAMME_ADMIN, Role.EMPLOYER_ADMIN})


def test_email_is_case_insensitive(client, make_user):
    make_user(Role.PRACTITIONER, email="sam.jones@example.org")
    assert sign_in(client, "  Sam.Jones@EXAMPLE.org ").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_message(client, make_user):
    user = make_user(Role.PRACTITIONER)
    wrong = parse(sign_in(client, user.email, "not the password"))
    unknown = parse(sign_in(client, "nobody@example.org", "not the password"))
    for soup in (wrong, unknown):
        assert soup.title.get_text().startswith("Error: ")
        assert soup.select_one(".govuk-error-summary").get_text(" ", strip=True).count(
            "Enter a correct email address and password") == 1
    assert reload(user).failed_sign_ins == 1


def test_unknown_email_costs_a_password_check(app, client, monkeypatch):
    """Same timing: an unknown address still runs argon2 against a dummy hash."""
    from portal.auth import passwords

    calls = []
    original = passwords._hasher

    def counting():
        hasher = original()
        calls.append(1)
        return hasher

    monkeypatch.setattr(passwords, "_hasher", counting)
    sign_in(client, "nobody@example.org", "whatever password")
    assert calls


def test_empty_and_malformed_input_shows_errors(client):
    soup = parse(client.post("/sign-in", data={"email": "", "password": ""}))
    summary = soup.select_one(".govuk-error-summary").get_text(" ", strip=True)
    assert "Enter your email address" in summary and "Enter your password" in summary
    soup = parse(client.post("/sign-in", data={"email": "not-an-email", "password": "x"}))
    assert "correct format" in soup.select_one(".govuk-error-summary").get_text()
    soup = parse(client.post("/sign-in", data={"email": "a@example.org", "password": "x" * 300}))
    assert "256 characters or fewer" in soup.select_one(".govuk-error-summary").get_text()


def test_lockout_after_repeated_failures(app, client, make_user):
    user = make_user(Role.PRACTITIONER)
    threshold = app.config["LOCKOUT_THRESHOLD"]
    for _ in range(threshold - 1):
        assert "Enter a correct email" in sign_in(client, user.email, "wrong password").get_data(as_text=True)
    soup = parse(sign_in(client, user.email, "wrong password"))
    # the same answer as for an unknown address (see test_sessions.py); the page explains locking to everyone
    assert "Enter a correct email" in soup.select_one(".govuk-error-summary").get_text()
    assert "we lock the account for" in soup.select_one(".govuk-inset-text").get_text()
    # even the right password is refused while locked
    response = sign_in(client, user.email)
    assert response.status_code == 200 and "Enter a correct email" in response.get_data(as_text=True)
    assert reload(user).locked_until > utcnow()


def test_lock_expires(client, make_user):
    from portal.db import session

    user = make_user(Role.PRACTITIONER)
    user = reload(user)
    user.locked_until = utcnow() - dt.timedelta(minutes=1)
    session().commit()
    assert sign_in(client, user.email).status_code == 302


def test_disabled_account_cannot_sign_in(client, make_user):
    user = make_user(Role.PRACTITIONER, status=UserStatus.DISABLED)
    soup = parse(sign_in(client, user.email))
    assert "disabled" in soup.select_one(".govuk-error-summary").get_text()
    assert client.get("/account").status_code == 302


def test_disabling_ends_an_existing_session(client, make_user, sign_in_as):
    from portal.db import session
    from portal.users.services import set_user_status

    user = make_user(Role.PRACTITIONER)
    admin = make_user(Role.PROGRAMME_ADMIN)
    sign_in_as(user)
    assert client.get("/account").status_code == 200
    set_user_status(reload(user), UserStatus.DISABLED, by=reload(admin))
    session().commit()
    assert client.get("/account").status_code == 302


def test_sign_out_is_post_only_and_ends_the_session(client, make_user, sign_in_as):
    sign_in_as(make_user(Role.PRACTITIONER))
    assert client.get("/sign-out").status_code == 405
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_sign_out_everywhere_ends_other_sessions(app, make_user):
    user = make_user(Role.PRACTITIONER)
    laptop, phone = app.test_client(), app.test_client()
    for c in (laptop, phone):
        assert sign_in(c, user.email).status_code == 302
    assert phone.post("/account/sign-out-everywhere").status_code == 302
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, make_user):
    user = make_user(Role.PRACTITIONER)
    laptop, phone = app.test_client(), app.test_client()
    for c in (laptop, phone):
        sign_in(c, user.email)
    response = phone.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": "purple giraffe kettle", "confirm": "purple giraffe kettle"})
    assert response.status_code == 302
    assert phone.get("/account").status_code == 200
    assert laptop.get("/account").status_code == 302
    assert sign_in(app.test_client(), user.email, "purple giraffe kettle").status_code == 302


def test_password_change_rules(client, make_user, sign_in_as):
    user = make_user(Role.PRACTITIONER)
    sign_in_as(user)
    soup = parse(client.post("/account/password", data={
        "current_password": "wrong", "password": "purple giraffe kettle", "confirm": "purple giraffe kettle"}))
    assert "current password is incorrect" in soup.select_one(".govuk-error-summary").get_text()
    soup = parse(client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": "short", "confirm": "short"}))
    assert "12 characters or more" in soup.select_one(".govuk-error-summary").get_text()
    soup = parse(client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": "purple giraffe kettle", "confirm": "different"}))
    assert "Passwords must match" in soup.select_one(".govuk-error-summary").get_text()
    assert sign_in(client, user.email, DEFAULT_PASSWORD)  # unchanged


def test_next_parameter_is_kept_but_only_for_local_paths(client, make_user):
    user = make_user(Role.SUPERVISOR)
    client.get("/sign-in?next=/account")
    assert sign_in(client, user.email).headers["Location"] == "/account"
    client.post("/sign-out")
    client.get("/sign-in?next=https://evil.example/")
    assert sign_in(client, user.email).headers["Location"] == "/"


def test_sign_in_is_rate_limited(app, make_user):
    from portal.extensions import limiter

    user = make_user(Role.PRACTITIONER)
    client = app.test_client()
    saved = app.config["SIGN_IN_RATE_LIMIT"]
    app.config["SIGN_IN_RATE_LIMIT"] = "10 per minute"
    limiter.reset()
    try:
        statuses = [sign_in(client, user.email, "wrong").status_code for _ in range(11)]
        refused = client.post("/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    finally:
        app.config["SIGN_IN_RATE_LIMIT"] = saved
        limiter.reset()
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert refused.status_code == 429
    assert "Too many" in parse(refused).h1.get_text()


def test_sign_ins_are_audited(client, make_user):
    from sqlalchemy import select

    from portal.audit import AuditEvent
    from portal.db import session

    user = make_user(Role.PRACTITIONER)
    sign_in(client, user.email, "wrong")
    sign_in(client, user.email)
    actions = session().execute(select(AuditEvent.action).where(AuditEvent.subject_id == str(user.id))
                                .order_by(AuditEvent.id)).scalars().all()
    assert actions == ["auth.sign_in_failed", "auth.signed_in"]

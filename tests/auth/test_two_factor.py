"""Two-factor authentication: forced set-up for the roles that need it, codes used once, recovery codes."""
from __future__ import annotations

import re

import pyotp

from portal.users.models import Role

from ..conftest import DEFAULT_PASSWORD, parse, reload
from .test_sign_in import sign_in


def test_role_needing_two_factor_is_sent_to_set_it_up(client, make_user):
    user = make_user(Role.ASSESSOR, totp=False)
    assert sign_in(client, user.email).status_code == 302
    response = client.get("/admin/people")
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor"
    assert client.get("/").headers["Location"] == "/account/two-factor"

    soup = parse(client.get("/account/two-factor"))
    assert soup.select_one("svg")  # the QR code
    key = re.sub(r"\s", "", soup.select_one("code").get_text())
    wrong = parse(client.post("/account/two-factor", data={"code": "000000"}))
    assert wrong.title.get_text().startswith("Error: ")
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(key).now()})
    assert response.status_code == 200
    codes = [li.get_text(strip=True) for li in parse(response).select("ul li") if re.fullmatch(
        r"[a-z0-9]{5}-[a-z0-9]{5}", li.get_text(strip=True))]
    assert len(codes) == 10
    assert client.get("/").status_code == 200
    assert reload(user).has_two_factor


def test_employer_admin_must_set_up_two_factor_before_managing_people_or_tokens(client, make_user):
    """Employer admins invite and remove people and create API tokens: a password alone is not enough."""
    user = make_user(Role.EMPLOYER_ADMIN, totp=False)
    assert sign_in(client, user.email).status_code == 302
    org_id = user.grants[0].organisation_id
    for page in ("/admin/people", f"/admin/organisations/{org_id}/api-tokens", "/"):
        response = client.get(page)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor", page


def test_practitioner_may_turn_two_factor_on_and_off(client, make_user, sign_in_as):
    user = make_user(Role.PRACTITIONER)
    sign_in_as(user)
    assert client.get("/").status_code == 200  # not forced
    key = re.sub(r"\s", "", parse(client.get("/account/two-factor")).select_one("code").get_text())
    client.post("/account/two-factor", data={"code": pyotp.TOTP(key).now()})
    assert reload(user).has_two_factor
    response = client.post("/account/two-factor/turn-off", data={"password": "wrong"})
    assert "incorrect" in response.get_data(as_text=True)
    assert client.post("/account/two-factor/turn-off", data={"password": DEFAULT_PASSWORD}).status_code == 302
    assert not reload(user).has_two_factor


def test_role_needing_two_factor_cannot_turn_it_off(client, make_user, sign_in_as):
    user = make_user(Role.MODERATOR)
    sign_in_as(user)
    response = client.post("/account/two-factor/turn-off", data={"password": DEFAULT_PASSWORD})
    assert "cannot turn it off" in response.get_data(as_text=True)
    assert reload(user).has_two_factor


def test_a_code_cannot_be_replayed(app, make_user):
    user = make_user(Role.ASSESSOR)
    code = pyotp.TOTP(user.totp_secret).now()
    first, second = app.test_client(), app.test_client()
    sign_in(first, user.email)
    assert first.post("/sign-in/security-code", data={"code": code}).status_code == 302
    sign_in(second, user.email)
    response = second.post("/sign-in/security-code", data={"code": code})
    assert response.status_code == 200
    assert "already been used" in response.get_data(as_text=True)
    assert second.get("/account").status_code == 302


def test_wrong_codes_count_towards_lockout(app, client, make_user):
    user = make_user(Role.ASSESSOR)
    sign_in(client, user.email)
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        client.post("/sign-in/security-code", data={"code": "123456"})
    response = client.post("/sign-in/security-code", data={"code": pyotp.TOTP(user.totp_secret).now()})
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_recovery_code_works_once(app, make_user):
    from portal.auth.services import regenerate_recovery_codes
    from portal.db import session

    user = make_user(Role.PROGRAMME_ADMIN)
    codes = regenerate_recovery_codes(reload(user))
    session().commit()
    first = app.test_client()
    sign_in(first, user.email)
    assert first.post("/sign-in/security-code", data={"code": codes[0].upper()}).status_code == 302
    second = app.test_client()
    sign_in(second, user.email)
    assert second.post("/sign-in/security-code", data={"code": codes[0]}).status_code == 200
    assert second.post("/sign-in/security-code", data={"code": codes[1]}).status_code == 302


def test_pending_second_factor_expires(client, make_user, monkeypatch):
    import time

    user = make_user(Role.ASSESSOR)
    sign_in(client, user.email)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3600)
    response = client.post("/sign-in/security-code", data={"code": pyotp.TOTP(user.totp_secret).now()})
    assert response.headers["Location"] == "/sign-in"


def test_security_code_page_without_a_password_step_goes_back(client):
    assert client.get("/sign-in/security-code").headers["Location"] == "/sign-in"


def test_recovery_codes_can_be_regenerated_with_the_password(client, make_user, sign_in_as):
    user = make_user(Role.MODERATOR)
    sign_in_as(user)
    assert "incorrect" in client.post("/account/recovery-codes", data={"password": "nope"}).get_data(as_text=True)
    soup = parse(client.post("/account/recovery-codes", data={"password": DEFAULT_PASSWORD}))
    codes = [li.get_text(strip=True) for li in soup.select("ul li")
             if re.fullmatch(r"[a-z0-9]{5}-[a-z0-9]{5}", li.get_text(strip=True))]
    assert len(codes) == 10

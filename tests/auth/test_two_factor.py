"""Two-factor authentication: forced set-up for the roles that need it, codes used once, recovery codes."""
from __future__ import annotations

import re

import pyotp

from portal.users.models import Role

from ..conftest import DEFAULT_PASSWORD, parse, reload, start_session
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


def test_pending_second_factor_expires(client, make_user):
    import datetime as dt

    import time_machine

    user = make_user(Role.ASSESSOR)
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        sign_in(client, user.email)
        traveller.shift(dt.timedelta(minutes=6))
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


# ---------------------------------------------------------------------------- the key on the set-up page stays put
def _key_on_page(client) -> str:
    """The key the set-up page shows (as a person would type it into their app)."""
    response = client.get("/account/two-factor")
    assert response.status_code == 200, response.headers.get("Location")
    return re.sub(r"\s", "", parse(response).select_one("code.app-secret-key").get_text())


def _code(key: str) -> str:
    from portal import clock

    return pyotp.TOTP(key).at(clock.now())


def test_the_key_shown_stays_the_same_across_reloads_other_requests_and_tabs(app, client, make_user):
    user = make_user(Role.ASSESSOR, totp=False)
    sign_in(client, user.email)
    key = _key_on_page(client)
    assert _key_on_page(client) == key  # a reload
    # what a browser asks for on its own while the page is open: none of it may change the key
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon.mimetype == "image/vnd.microsoft.icon"
    assert favicon.get_data().startswith(b"\x00\x00\x01\x00")  # an icon file
    assert "max-age" in favicon.headers["Cache-Control"]
    assert client.get("/static/govuk/govuk-frontend.min.css").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/apple-touch-icon.png").status_code == 404  # not sent to the set-up page
    second_tab = app.test_client()
    with client.session_transaction() as mine, second_tab.session_transaction() as theirs:
        theirs.update(mine)
    assert _key_on_page(second_tab) == key
    assert _key_on_page(client) == key

    response = client.post("/account/two-factor", data={"code": _code(key)})
    assert response.status_code == 200 and "recovery codes" in response.get_data(as_text=True).lower()
    assert reload(user).has_two_factor and reload(user).totp_secret == key


def test_a_favicon_request_between_the_page_and_the_code_does_not_change_the_key(client, make_user):
    """The bug: the browser's /favicon.ico was redirected to the set-up page, which made a new key, so the code for
    the key on screen was never accepted."""
    user = make_user(Role.PROGRAMME_ADMIN, totp=False)
    sign_in(client, user.email)
    key = _key_on_page(client)
    response = client.get("/favicon.ico", follow_redirects=True)
    assert response.status_code == 200 and response.request.path == "/favicon.ico"
    response = client.post("/account/two-factor", data={"code": _code(key)})
    assert "not correct" not in response.get_data(as_text=True)
    assert reload(user).has_two_factor


def test_get_a_new_key_replaces_the_key_and_the_old_one_stops_working(client, make_user):
    user = make_user(Role.MODERATOR, totp=False)
    sign_in(client, user.email)
    old = _key_on_page(client)
    page = parse(client.get("/account/two-factor"))
    assert page.find("button", string=re.compile("Get a new key")).find_parent("form")["method"] == "post"
    response = client.post("/account/two-factor/new-key", follow_redirects=True)
    assert response.request.path == "/account/two-factor" and "You have a new key" in response.get_data(as_text=True)
    new = re.sub(r"\s", "", parse(response).select_one("code.app-secret-key").get_text())
    assert new != old
    assert _key_on_page(client) == new
    wrong = client.post("/account/two-factor", data={"code": _code(old)})
    assert "The code is not correct" in wrong.get_data(as_text=True) and not reload(user).has_two_factor
    client.post("/account/two-factor", data={"code": _code(new)})
    assert reload(user).has_two_factor and reload(user).totp_secret == new


def test_get_a_new_key_needs_the_csrf_token(csrf_app, make_user):
    user = make_user(Role.ASSESSOR, totp=False)
    client = start_session(csrf_app.test_client(), user)
    old = _key_on_page(client)
    client.post("/account/two-factor/new-key")
    assert _key_on_page(client) == old


def test_the_code_used_to_turn_two_factor_on_cannot_be_replayed_to_sign_in(app, client, make_user):
    user = make_user(Role.ASSESSOR, totp=False)
    sign_in(client, user.email)
    key = _key_on_page(client)
    code = _code(key)
    client.post("/account/two-factor", data={"code": code})
    assert reload(user).has_two_factor
    other = app.test_client()
    sign_in(other, user.email)
    response = other.post("/sign-in/security-code", data={"code": code})
    assert response.status_code == 200 and "already been used" in response.get_data(as_text=True)
    assert other.get("/account").status_code == 302

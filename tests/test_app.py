"""The app as a whole: configuration, security headers and cookies, error pages, health, and route guards."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.users.models import Organisation, Role

from .conftest import parse, reload


def test_production_refuses_to_start_without_a_real_secret(monkeypatch):
    from portal.config import ProductionConfig

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig()
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(RuntimeError):
        ProductionConfig()
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    assert ProductionConfig().SECRET_KEY == "x" * 48


def test_development_secret_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    from portal.config import DevelopmentConfig

    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = DevelopmentConfig().SECRET_KEY
    second = DevelopmentConfig().SECRET_KEY
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_unknown_environment_name_is_refused(monkeypatch):
    from portal.config import config_from_env

    monkeypatch.setenv("PORTAL_ENV", "staging-typo")
    with pytest.raises(RuntimeError, match="PORTAL_ENV"):
        config_from_env()


def test_security_headers_on_pages(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in s for s in scripts), scripts
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    # a fresh nonce on every request
    assert client.get("/").headers["Content-Security-Policy"] != csp


def test_signed_in_pages_are_not_stored(client, make_user, sign_in_as):
    sign_in_as(make_user(Role.PRACTITIONER))
    assert client.get("/account").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(client, make_user):
    from .conftest import DEFAULT_PASSWORD

    user = make_user(Role.PRACTITIONER)
    response = client.post("/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("portal_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_not_found_page(page):
    soup = page("/no-such-page", status=404)
    assert soup.h1.get_text(strip=True) == "Page not found"


def test_forbidden_page(client, make_user, sign_in_as, page):
    sign_in_as(make_user(Role.PRACTITIONER))
    soup = page("/admin/people", status=403)
    assert "permission" in soup.h1.get_text().lower()


def test_server_error_page_and_rollback(app, client):
    """A failure mid-request shows the GOV.UK error page and keeps none of the request's writes."""
    from portal.db import session

    app.config["PROPAGATE_EXCEPTIONS_IN_TESTS"] = False
    try:
        response = client.get("/__test/explode")
    finally:
        app.config["PROPAGATE_EXCEPTIONS_IN_TESTS"] = True
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in parse(response).h1.get_text()
    assert session().execute(select(func.count()).where(Organisation.code == "HALF")).scalar() == 0


def test_csrf_token_missing_is_refused_and_changes_nothing(csrf_app, make_user):
    client = csrf_app.test_client()
    user = make_user(Role.PRACTITIONER)
    response = client.post("/sign-in", data={"email": user.email, "password": "whatever"})
    assert response.status_code == 400
    assert "form" in parse(response).h1.get_text().lower()
    assert reload(user).failed_sign_ins == 0


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"database": "ok", "migrations": "ok", "signing_key": "ok"}


def test_readyz_says_unavailable_without_a_signing_key_in_production(app, client, tmp_path, monkeypatch):
    from portal.certificates.signing import reset_keyring

    monkeypatch.setitem(app.config, "CREDENTIAL_KEY_DIR", str(tmp_path / "no-keys"))
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    reset_keyring(app)
    try:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json["checks"]["signing_key"] == "unavailable: SigningKeysMissing"
        assert ready.json["checks"]["database"] == "ok"
    finally:
        reset_keyring(app)


def test_every_route_is_guarded_or_public(app):
    """A new view without @requires(...) or @public fails here."""
    unguarded = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "_access", None):
            unguarded.append(rule.rule)
    assert unguarded == []


def test_guarded_routes_send_anonymous_users_to_sign_in(app, client):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, "_access", "public") == "public" or rule.endpoint == "static":
            continue
        url = rule.rule.replace("<int:", "<").replace("<user_id>", "1").replace("<org_id>", "1")
        url = re.sub(r"<[^>]+>", "1", url)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], (url, response.status_code)

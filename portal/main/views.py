"""The start page or dashboard, the content pages and the health checks."""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, render_template, send_from_directory
from flask_login import current_user
from sqlalchemy import text

from portal.db import session
from portal.main import bp
from portal.permissions import public


@bp.route("/")
@public
def index() -> Any:
    """The start page; signed in, the home page (a practitioner with an enrolment sees their dashboard)."""
    context: dict[str, Any] = {}
    if current_user.is_authenticated:
        from portal.cpd.queries import year_checks
        from portal.enrolments.services import london_today
        from portal.enrolments.views import dashboard_context
        from portal.users.models import Role

        context.update(dashboard_context(current_user))
        if current_user.has_role(Role.PRACTITIONER):
            context["cpd_checks"] = year_checks(current_user.id, london_today())
    return render_template("main/index.html", **context)


@bp.route("/accessibility")
@public
def accessibility() -> Any:
    return render_template("main/accessibility.html")


@bp.route("/privacy")
@public
def privacy() -> Any:
    return render_template("main/privacy.html")


@bp.route("/cookies")
@public
def cookies() -> Any:
    return render_template("main/cookies.html")


@bp.route("/favicon.ico")
@public
def favicon() -> Any:
    """The service's own icon (GOV.UK's carries the crown). Browsers ask for it on their own, whatever the page."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 24 * 3600)


@bp.route("/healthz")
@public
def healthz() -> Any:
    """The process is up (no dependencies checked)."""
    return jsonify(status="ok")


@bp.route("/readyz")
@public
def readyz() -> Any:
    """Ready for traffic: the database answers, its schema is at the latest migration and the credential signing
    key loads."""
    from portal.migrations_util import current_revision, head_revision

    checks: dict[str, str] = {}
    ok = True
    try:
        session().execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks["database"] = f"unreachable: {type(exc).__name__}"
        ok = False
    if ok:
        current, head = current_revision(), head_revision()
        checks["migrations"] = "ok" if current == head else f"at {current}, head is {head}"
        ok = current == head
    try:  # certificates are signed at sign-off: without the key, issuing would fail
        from portal.certificates.signing import keyring

        keyring()
        checks["signing_key"] = "ok"
    except Exception as exc:  # noqa: BLE001 - a missing or unreadable key means not ready
        checks["signing_key"] = f"unavailable: {type(exc).__name__}"
        ok = False
    return jsonify(status="ok" if ok else "unavailable", checks=checks), 200 if ok else 503

"""Security headers on every response, with a per-request CSP nonce for the one inline script."""
from __future__ import annotations

import secrets

from flask import Flask, Response, abort, g, request
from flask_login import current_user

PUBLIC_CACHEABLE = {"static", "main.favicon"}


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    app.add_template_global(csp_nonce)

    if app.config.get("TRUST_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUST_PROXY"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    @app.before_request
    def refuse_nul_bytes() -> None:
        """NUL bytes in a URL or query are never meaningful (and PostgreSQL cannot store them): 400, not 500."""
        if "\x00" in request.path or any("\x00" in v for v in request.args.values()):
            abort(400)

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        if "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = (
                "default-src 'self'; "
                f"script-src 'self' 'nonce-{csp_nonce()}'; "
                "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        if request.endpoint not in PUBLIC_CACHEABLE and (current_user.is_authenticated or
                                                         request.method != "GET" or
                                                         "Cache-Control" not in headers):
            # Private pages must not be stored by browsers or proxies.
            headers["Cache-Control"] = "no-store"
        if app.config.get("TRUST_PROXY") and request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

"""GOV.UK error pages; a failed request never leaves half its writes behind."""
from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.db import db

log = logging.getLogger(__name__)

PAGES = {400: "errors/400.html", 403: "errors/403.html", 404: "errors/404.html", 405: "errors/404.html",
         413: "errors/400.html", 429: "errors/429.html"}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        db.session.rollback()
        code = error.code or 500
        template = PAGES.get(code)
        if template is None:
            return error
        return render_template(template, error=error), code

    @app.errorhandler(Exception)
    def server_error(error: Exception):  # type: ignore[no-untyped-def]
        db.session.rollback()  # nothing of a failed request is committed
        log.exception("unhandled error")
        if app.config.get("PROPAGATE_EXCEPTIONS_IN_TESTS"):
            raise error
        return render_template("errors/500.html"), 500

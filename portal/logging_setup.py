"""Logs: readable text in development, JSON with a request id in production."""
from __future__ import annotations

import logging
import sys
import uuid

from flask import Flask, g, request


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.request_id = g.get("request_id", "-")
        except RuntimeError:
            record.request_id = "-"
        return True


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if app.config.get("LOG_FORMAT") == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger("portal")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response):  # type: ignore[no-untyped-def]
        response.headers["X-Request-Id"] = g.get("request_id", "")
        return response

"""Absolute links for e-mails, QR codes and credentials: built from EXTERNAL_URL, with or without a request."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app


def external_url(endpoint: str, **values: Any) -> str:
    """``https://portal.example/path`` for an endpoint, whatever host the current request (if any) came in on."""
    base = urlsplit(current_app.config["EXTERNAL_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def init_app(app: Flask) -> None:
    app.add_template_global(external_url)

"""Absolute links for e-mails, QR codes and credentials: built from EXTERNAL_URL, with or without a request."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.routing import IntegerConverter

#: the largest id an ``integer`` column holds on PostgreSQL (SQLite's are larger)
MAX_ID = 2**31 - 1


def parse_id(text: object) -> int | None:
    """A row id typed or posted as text: ASCII digits for a number from 1 to ``MAX_ID``, else None. (``str.isdigit``
    also accepts "²" and 5,000-digit strings, which ``int`` refuses or the database cannot hold.)"""
    if not isinstance(text, str) or not (0 < len(text) <= 10) or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a whole number the database can hold. A larger one (a tampered address)
    matches no route, so it is "not found" rather than a database error."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def external_url(endpoint: str, **values: Any) -> str:
    """``https://portal.example/path`` for an endpoint, whatever host the current request (if any) came in on."""
    base = urlsplit(current_app.config["EXTERNAL_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.add_template_global(external_url)

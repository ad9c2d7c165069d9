"""Jinja filters that show times and dates the way people in England read them (Europe/London, GOV.UK style)."""
from __future__ import annotations

import datetime as dt

from flask import Flask

from portal.clock import LONDON  # re-exported: the filters and older imports use it here


def london(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(LONDON) if value is not None else None


def govuk_date(value: dt.date | dt.datetime | None) -> str:
    """'4 June 2026' (a timestamp is shown in UK time)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(LONDON)
    return f"{value.day} {value:%B %Y}"


def govuk_datetime(value: dt.datetime | None) -> str:
    """'4 June 2026 at 2:05pm' in UK time (GOV.UK style: 12-hour clock, am/pm, no leading zero)."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def init_app(app: Flask) -> None:
    app.add_template_filter(govuk_date, "govuk_date")
    app.add_template_filter(govuk_datetime, "govuk_datetime")

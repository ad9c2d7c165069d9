"""Timestamps as credentials write them: UTC, whole seconds, ``YYYY-MM-DDTHH:MM:SSZ`` and JWT NumericDate."""
from __future__ import annotations

import datetime as dt

UTC = dt.UTC
DEFAULT_LEEWAY = dt.timedelta(seconds=60)


def utc(value: dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return value.astimezone(UTC).replace(microsecond=0)


def iso_utc(value: dt.datetime) -> str:
    return utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso_utc(text: str) -> dt.datetime:
    """Parse an XML Schema dateTimeStamp (``Z`` or an offset); raise ValueError/TypeError otherwise."""
    if not isinstance(text, str):
        raise TypeError("not a timestamp")
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("timestamp without a time zone")
    return value.astimezone(UTC)


def numeric_date(value: dt.datetime) -> int:
    return int(utc(value).timestamp())


def from_numeric_date(value: object) -> dt.datetime:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("not a NumericDate")
    try:
        return dt.datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError) as exc:
        raise ValueError("NumericDate out of range") from exc


def window_problem(now: dt.datetime, not_before: dt.datetime | None, expires: dt.datetime | None,
                   leeway: dt.timedelta = DEFAULT_LEEWAY) -> str | None:
    """``"not_yet_valid"``, ``"expired"`` or None for ``now`` against a validity window (with clock leeway)."""
    now = utc(now)
    if not_before is not None and now + leeway < not_before:
        return "not_yet_valid"
    if expires is not None and now - leeway >= expires:
        return "expired"
    return None

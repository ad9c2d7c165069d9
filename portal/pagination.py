"""Keyset pagination: pages are found by the last row's sort key, never by OFFSET, so page 500 costs what page 1
does. Cursors are opaque, URL-safe strings; a tampered cursor just starts again at the first page."""
from __future__ import annotations

import base64
import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeDecorator

from portal.db import session

T = TypeVar("T")


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, width: int) -> list[Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != width:
        return None
    if not all(isinstance(v, (str, int, float)) or v is None for v in values):
        return None
    return values


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    prev_cursor: str | None
    is_first: bool


_BIGINT = range(-(2**63), 2**63)


def _fits(column: Any, value: Any, dialect: Any) -> bool:
    """Whether a cursor value can be compared with its sort column. A tampered cursor can hold anything JSON can:
    nothing, a string for an id, a number too large for the database, a date that is not one."""
    if value is None or isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        return False
    column_type = column.type
    if isinstance(column_type, TypeDecorator):  # a decorated type says ``object``: ask the type it decorates
        column_type = column_type.impl_instance
    try:
        expected = column_type.python_type
    except (AttributeError, NotImplementedError):
        expected = None
    if expected is int and not (isinstance(value, int) and value in _BIGINT):
        return False
    if expected is str and not (isinstance(value, str) and "\x00" not in value):
        return False
    if expected in (dt.date, dt.datetime) and not isinstance(value, str):  # cursors carry them as ISO strings
        return False
    try:  # what the column's type does to a bound value (the cursor types parse ISO strings)
        processor = column.type.bind_processor(dialect)
        if processor is not None:
            processor(value)
    except (TypeError, ValueError, AttributeError, OverflowError):
        return False
    return True


def _cursor_values(cursor: str | None, columns: Sequence[Any]) -> list[Any] | None:
    """The cursor's values, or None (the first page) when it does not decode or does not fit the columns."""
    values = decode_cursor(cursor, len(columns))
    if values is None:
        return None
    dialect = session().get_bind().dialect
    if not all(_fits(c, v, dialect) for c, v in zip(columns, values, strict=True)):
        return None
    return values


def _after(columns: Sequence[InstrumentedAttribute[Any]], values: Sequence[Any], descending: bool) -> Any:
    """Row comparison ``(a, b) > (x, y)`` spelled out so it works on SQLite and PostgreSQL alike."""
    clauses = []
    for i, column in enumerate(columns):
        equal = [columns[j] == values[j] for j in range(i)]
        step = column < values[i] if descending else column > values[i]
        clauses.append(and_(*equal, step))
    return or_(*clauses)


def keyset_page(
    query: Select[Any],
    columns: Sequence[InstrumentedAttribute[Any]],
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = 25,
    descending: bool = False,
    key: Any = None,
) -> Page[Any]:
    """One page of ``query`` ordered by ``columns`` (the last must be unique, e.g. the id).

    ``after`` continues forwards from a cursor; ``before`` goes back one page. ``key(row)`` gives a row's sort
    values (default: the same attributes read off the row).
    """
    key = key or (lambda row: [getattr(row, c.key) for c in columns])
    after_values = _cursor_values(after, columns)
    before_values = _cursor_values(before, columns)
    backwards = before_values is not None and after_values is None
    if backwards:
        query = query.where(_after(columns, before_values, not descending))
    elif after_values is not None:
        query = query.where(_after(columns, after_values, descending))
    reverse = descending != backwards
    order = [c.desc() if reverse else c.asc() for c in columns]
    rows = list(session().execute(query.order_by(*order).limit(size + 1)).scalars().all())
    has_more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    first_page = (after_values is None and before_values is None) or (backwards and not has_more)
    next_cursor = encode_cursor(key(rows[-1])) if rows and (has_more or backwards) else None
    prev_cursor = encode_cursor(key(rows[0])) if rows and not first_page else None
    return Page(rows, next_cursor, prev_cursor, first_page)

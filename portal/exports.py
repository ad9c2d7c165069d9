"""Spreadsheet exports shared by every feature: formula-injection neutralising, and CSV and XLSX downloads that
stream, so a list of many thousand rows is never built in memory as one document.

``rows`` is any iterable of row sequences (a generator that reads the database in batches is fine: the responses
keep the request context while they stream). Cells may be ``str``, ``int``, ``float``, ``Decimal``, ``date``,
``datetime`` or ``None``; only text is neutralised, so numbers stay numbers in a spreadsheet. An empty ``rows``
gives a valid file holding just the header row.

A CSV body is read after the view has returned, so each piece is read in an app context of its own, pushed and
popped around that piece (``stream_with_context`` instead keeps the request's context pushed until the body is
finished, which breaks when a client reads part of a body, or none, and goes on to something else).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from flask import Flask, Response, current_app, send_file

#: what a spreadsheet may read as the start of a formula (OWASP CSV injection): = + - @, tab, carriage return
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ROWS_PER_CHUNK = 200


def neutralise(cell: str) -> str:
    """Stop a spreadsheet reading a cell as a formula (= + - @, tab, carriage return): prefix an apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _cell(value: Any) -> Any:
    """A value as a spreadsheet cell: text neutralised; numbers and dates kept; None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float, Decimal, dt.date)):
        return value
    return neutralise(str(value))


def _csv_text(value: Any) -> str:
    cell = _cell(value)
    if isinstance(cell, dt.datetime):
        return cell.isoformat(timespec="seconds")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def csv_chunks(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV document in pieces of a few hundred rows (a UTF-8 byte order mark first, for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_text(h) for h in headers])
    yield "\ufeff" + out.getvalue()
    out.seek(0)
    out.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(value) for value in row])
        if count % _ROWS_PER_CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    if out.tell():
        yield out.getvalue()


def safe_filename(name: str) -> str:
    """A download name made of letters, digits, dots, hyphens and underscores."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "export"


def _disposition(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{safe_filename(filename)}"'}


def _in_app_context(app: Flask, chunks: Iterable[str]) -> Iterator[bytes]:
    """Read each piece in an app context of its own (the rows may query the database), popped before the piece is
    handed over, so no context is left pushed between reads, whenever and wherever the server reads."""
    pieces = iter(chunks)
    while True:
        with app.app_context():
            piece = next(pieces, None)
        if piece is None:
            return
        yield piece.encode("utf-8")


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A streamed CSV download (a generator response: rows are read and encoded as the client reads)."""
    body = _in_app_context(current_app._get_current_object(), csv_chunks(headers, rows))  # type: ignore[attr-defined]
    return Response(body, mimetype=CSV_MIMETYPE, headers=_disposition(filename))


def write_xlsx(target: Any, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Export") -> int:
    """Write an XLSX workbook with openpyxl's write-only mode (rows go to disk as they come): a bold header row,
    then ``rows``. Returns the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=safe_filename(title)[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=neutralise(str(header)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
        count += 1
    workbook.save(target)
    return count


def _xlsx_value(value: Any) -> Any:
    cell = _cell(value)
    if isinstance(cell, dt.datetime) and cell.tzinfo is not None:
        return cell.astimezone(dt.UTC).replace(tzinfo=None)  # Excel has no time zones: UTC, stated in the header
    return cell


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
                  title: str = "Export") -> Response:
    """An XLSX download built in an anonymous temporary file (deleted when the response closes it), then
    streamed from that file: memory stays flat however many rows there are."""
    spool = tempfile.TemporaryFile(prefix="portal-export-", suffix=".xlsx")  # noqa: SIM115 (closed by the response)
    try:
        write_xlsx(spool, headers, rows, title=title)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return send_file(spool, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=safe_filename(filename),
                     max_age=0)


def export_response(fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
                    title: str = "Export") -> Response:
    """``fmt`` 'csv' or 'xlsx' (anything else is a programming error: routes only accept those two)."""
    if fmt == "csv":
        return csv_response(f"{filename}.csv", headers, rows)
    if fmt == "xlsx":
        return xlsx_response(f"{filename}.xlsx", headers, rows, title=title)
    raise ValueError(f"unknown export format {fmt!r}")

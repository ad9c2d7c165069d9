"""Employers' accreditation checks by Social Work England registration number: one number, or up to 1,000 at a
time (an uploaded CSV or the API's JSON list), with every row accounted for.

Each row gets exactly one result: ``found`` (with the accreditation), ``no_certificates``, ``invalid`` (not a SWE
registration number) or ``duplicate`` (the same number as an earlier row, which carries the result). Nothing is
silently dropped, and a list of more than ``MAX_ROWS`` numbers is refused whole. The results CSV is written by
``portal.exports``, which neutralises every text cell so a spreadsheet never reads one as a formula.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import filetype

from portal.exceptions import DomainError
from portal.users.services import SWE_NUMBER, normalise_swe_number

from .queries import Accreditation, accreditation_for

MAX_ROWS = 1000
MAX_BYTES = 256 * 1024
_HEADER_WORDS = ("swe", "registration", "number", "social work")

RESULT_LABELS = {
    "found": "Certificates found",
    "no_certificates": "No certificates for this number",
    "invalid": "Not a valid Social Work England registration number",
    "duplicate": "Duplicate",
}

CSV_COLUMNS = ("row", "swe_number_as_given", "swe_number", "result", "holder_name", "accreditation",
               "expert_award", "certificates")


@dataclasses.dataclass(frozen=True)
class CheckRow:
    """The result for one row of a check (``row`` is the line of the file, or the position in the API list)."""

    row: int
    given: str
    swe_number: str | None
    result: str
    duplicate_of: int | None = None
    accreditation: Accreditation | None = None

    @property
    def message(self) -> str:
        if self.result == "duplicate":
            return f"Duplicate of row {self.duplicate_of}"
        return RESULT_LABELS[self.result]

    def to_dict(self, verify_url: Callable[[str], str]) -> dict[str, Any]:
        return {"row": self.row, "given": self.given, "swe_number": self.swe_number, "result": self.result,
                "message": self.message, "duplicate_of": self.duplicate_of,
                "accreditation": self.accreditation.to_json(verify_url) if self.accreditation else None}


def valid_number(text: str) -> str | None:
    """The normalised number ("sw 123456" -> "SW123456"), or None when it is not a SWE registration number."""
    number = normalise_swe_number(str(text)[:100])
    return number if number and SWE_NUMBER.fullmatch(number) else None


def check_numbers(values: Sequence[tuple[int, str]]) -> list[CheckRow]:
    """One result per ``(row, text)``, in order (one query for all the numbers). Raises DomainError above
    ``MAX_ROWS`` rows."""
    if len(values) > MAX_ROWS:
        raise DomainError(f"There are {len(values):,} numbers. Check up to {MAX_ROWS:,} numbers at a time.")
    normalised = [(row, text, valid_number(text)) for row, text in values]
    found = accreditation_for(number for _row, _text, number in normalised if number)
    first_row: dict[str, int] = {}
    out = []
    for row, text, number in normalised:
        if number is None:
            out.append(CheckRow(row, text, None, "invalid"))
        elif number in first_row:
            out.append(CheckRow(row, text, number, "duplicate", duplicate_of=first_row[number]))
        else:
            first_row[number] = row
            accreditation = found.get(number)
            out.append(CheckRow(row, text, number, "found" if accreditation else "no_certificates",
                                accreditation=accreditation))
    return out


def _is_header(cell: str) -> bool:
    return valid_number(cell) is None and any(word in cell.lower() for word in _HEADER_WORDS)


#: a page or drawing saved as .csv (HTML, SVG, XML): registration numbers never hold angle brackets and tags
_MARKUP = re.compile(r"<\s*(?:[!?]|/?(?:html|head|body|script|svg|iframe|object|embed|img|a|div|style|meta)\b)",
                     re.IGNORECASE)


def read_numbers_csv(data: bytes) -> list[tuple[int, str]]:
    """The numbers in an uploaded CSV: the first column of each non-blank row (a header row is skipped), with
    their line numbers. DomainError (field ``file``) for a file that cannot be used, or more than ``MAX_ROWS``."""
    if not data:
        raise DomainError("The selected file is empty", "file")
    if len(data) > MAX_BYTES:
        raise DomainError(f"The selected file must be smaller than {MAX_BYTES // 1024} KB", "file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("The selected file must be a CSV file saved as UTF-8", "file") from None
    if "\x00" in text or filetype.guess(data) is not None or _MARKUP.search(text):
        raise DomainError("The selected file must be a CSV file", "file")
    values: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    seen_first = False
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            first = cells[0].strip()
            if not seen_first:
                seen_first = True
                if _is_header(first):
                    continue
            values.append((reader.line_num, first))
    except csv.Error:
        raise DomainError("The selected file could not be read as a CSV file", "file") from None
    if not values:
        raise DomainError("The selected file has no registration numbers in it", "file")
    if len(values) > MAX_ROWS:
        raise DomainError(f"The selected file has {len(values):,} numbers. Upload up to {MAX_ROWS:,} numbers at a "
                          "time: split the file and upload each part.", "file")
    return values


def _certificates_cell(accreditation: dict[str, Any] | None) -> str:
    if not accreditation:
        return ""
    return "; ".join(f"{c['code']} {c['award']} ({c['status']}"
                     + (f" {c['status_date']}" if c.get("status_date") else "")
                     + f", issued {c['issued_on']})" for c in accreditation["certificates"])


def result_rows(results: Sequence[dict[str, Any]]) -> Iterator[list[Any]]:
    """The results (``CheckRow.to_dict`` form) as CSV rows under ``CSV_COLUMNS`` (``portal.exports`` writes them,
    neutralising every text cell against formula injection)."""
    for result in results:
        accreditation = result.get("accreditation")
        summary = (accreditation or {}).get("accreditation") or {}
        yield [result["row"], result["given"], result.get("swe_number") or "", result["message"],
               (accreditation or {}).get("holder_name", ""), summary.get("stage") or "",
               ("yes" if summary.get("expert") else "no") if accreditation else "",
               _certificates_cell(accreditation)]


def counts(results: Sequence[dict[str, Any]]) -> dict[str, int]:
    """How many rows had each result."""
    tally = dict.fromkeys(RESULT_LABELS, 0)
    for result in results:
        tally[result["result"]] += 1
    return tally

"""Importing CPD from a training provider's attendance list (CSV): check the whole file, report each row, and
import only the rows without problems.

A file is refused whole (nothing stored) when it is empty, not a UTF-8 CSV, too big, has more than
``MAX_ROWS`` rows, or its header row is wrong. Otherwise every row is checked with the same rules as the CPD
form and reported as 'will import' or with its problems; confirming imports the good rows. An employer admin
imports drafts for practitioners in the organisations they manage (the practitioner adds their reflection and
finishes the record); a practitioner imports their own CPD, complete when a row has every answer.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.cpd.models import CpdImport, CpdRecord, CpdType
from portal.cpd.services import CpdAnswers, check_answers, create_record, today_in_england
from portal.db import session, utcnow
from portal.evidence.uploads import sanitise_filename
from portal.exceptions import DomainError
from portal.permissions import can_act_for
from portal.users.models import Role, User, normalise_email
from portal.users.services import normalise_swe_number

MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024

#: (column, required, what it holds) - shown on the import page, so the documentation is the code
COLUMNS: tuple[tuple[str, bool, str], ...] = (
    ("swe_number", False, ("The practitioner's Social Work England registration number, like SW123456 "
                           "(give this or email, or both)")),
    ("email", False, "The practitioner's email address on this service"),
    ("title", True, "Title of the course or activity"),
    ("type", True, "One of: " + ", ".join(t.value for t in CpdType)),
    ("start_date", True, "Like 27/03/2026 or 2026-03-27"),
    ("end_date", True, "Like 28/03/2026 or 2026-03-28; the same as the start date for one day"),
    ("hours", True, "Up to 1,000, like 6 or 1.5"),
    ("participatory_hours", False, "Hours spent learning with others; no more than hours"),
    ("provider", False, "Who ran the training"),
    ("description", False, "What the activity was and why it is relevant"),
    ("learning", False, "What the practitioner learnt"),
    ("impact_practice", False, "The impact on their practice"),
    ("impact_people", False, "The impact on the people they work with"),
)
KNOWN = {name for name, _required, _what in COLUMNS}
REQUIRED = [name for name, required, _what in COLUMNS if required]
_ROW_REQUIRED = {"type": "type of CPD", "start_date": "start date", "end_date": "end date", "hours": "hours"}
_REFLECTION = ("description", "learning", "impact_practice", "impact_people")
_NUMBER = re.compile(r"^-?\d+(\.\d{1,2})?$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass
class RowResult:
    """One data row: its line in the file, who it is for, the answers, and its problems (none: importable)."""

    line: int
    person: str
    answers: CpdAnswers
    practitioner: User | None = None
    complete: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class CheckedFile:
    rows: list[RowResult]

    @property
    def good(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok]

    @property
    def bad(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]


def _normalise_header(name: str) -> str:
    return "_".join(name.strip().lstrip("\ufeff").lower().replace("-", " ").split())


def read_csv(data: bytes, filename: str | None) -> tuple[str, list[dict[str, str]]]:
    """Decode and parse an uploaded file; refuse it whole (DomainError on field ``file``) when it cannot be
    imported. Returns the text (kept for the import step) and the rows keyed by normalised column name."""
    name = sanitise_filename(filename)
    if not filename:
        raise DomainError("Select a CSV file", "file")
    if not name.lower().endswith(".csv"):
        raise DomainError("The selected file must be a CSV", "file")
    if not data:
        raise DomainError("The selected file is empty", "file")
    if len(data) > MAX_BYTES:
        raise DomainError("The selected file must be smaller than 2 MB", "file")
    if b"\x00" in data:
        raise DomainError("The selected file must be a CSV", "file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("The selected file must be a CSV saved as UTF-8 (in Excel, choose 'CSV UTF-8')",
                          "file") from None
    return text, parse_csv(text)


def parse_csv(text: str) -> list[dict[str, str]]:
    """Parse CSV text with a header row into rows keyed by normalised column name (checks the header and size)."""
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise DomainError("The selected file is empty", "file")
        columns = [_normalise_header(cell) for cell in header]
        unknown = [header[i].strip() for i, c in enumerate(columns) if c not in KNOWN]
        if unknown:
            raise DomainError(f"The file has a column this service does not recognise: '{unknown[0][:40]}'. "
                              "Use the column names listed on this page", "file")
        duplicated = sorted({c for c in columns if columns.count(c) > 1})
        if duplicated:
            raise DomainError(f"The file has the column '{duplicated[0]}' more than once", "file")
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise DomainError(f"The file must have a column called '{missing[0]}'", "file")
        if "swe_number" not in columns and "email" not in columns:
            raise DomainError("The file must have a column called 'swe_number' or 'email'", "file")
        rows: list[dict[str, str]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise DomainError(f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files "
                                  "and import each one", "file")
            padded = cells + [""] * (len(columns) - len(cells))
            row = {c: padded[i].strip() for i, c in enumerate(columns)}
            row["__line__"] = str(reader.line_num)
            row["__extra__"] = "1" if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]) \
                else ""
            rows.append(row)
    except csv.Error:
        raise DomainError("The selected file must be a CSV", "file") from None
    if not rows:
        raise DomainError("The file has a header row but no rows of CPD under it", "file")
    return rows


def _date(value: str, label: str, errors: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        match = _UK_DATE.match(value)
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(f"{label} must be a real date, like 27/03/2026")
        return None


def _hours(value: str, label: str, errors: list[str]) -> Decimal | None:
    value = value.replace(",", "")
    if not value:
        return None
    if not _NUMBER.match(value):
        errors.append(f"{label} must be a number with up to 2 decimal places, like 6 or 1.5")
        return None
    return Decimal(value)


def _answers(row: dict[str, str], errors: list[str]) -> CpdAnswers:
    kind = CpdType.parse(row["type"]) if row.get("type") else None
    if row.get("type") and kind is None:
        errors.append("Type must be one of: " + ", ".join(t.value for t in CpdType))
    return CpdAnswers(
        title=row.get("title", ""), activity_type=kind,
        start_date=_date(row.get("start_date", ""), "Start date", errors),
        end_date=_date(row.get("end_date", ""), "End date", errors),
        hours=_hours(row.get("hours", ""), "Hours", errors),
        participatory_hours=_hours(row.get("participatory_hours", ""), "Participatory hours", errors),
        provider=row.get("provider", ""), description=row.get("description", ""),
        learning=row.get("learning", ""), impact_practice=row.get("impact_practice", ""),
        impact_people=row.get("impact_people", ""),
    )


def _people(rows: list[dict[str, str]]) -> tuple[dict[str, User], dict[str, User]]:
    """Everyone the file names, by SWE number and by email (one query, with their roles)."""
    numbers = {n for r in rows if (n := normalise_swe_number(r.get("swe_number")))}
    emails = {normalise_email(r["email"]) for r in rows if r.get("email")}
    if not numbers and not emails:
        return {}, {}
    users = session().execute(select(User).options(selectinload(User.grants))
                              .where(or_(User.swe_number.in_(numbers or {""}), User.email.in_(emails or {""}))))
    by_number, by_email = {}, {}
    for user in users.scalars():
        if user.swe_number:
            by_number[user.swe_number] = user
        by_email[user.email] = user
    return by_number, by_email


def _may_import_for(importer: User, practitioner: User) -> bool:
    """Your own CPD, or a practitioner of an organisation you administer whom you may act for (all their roles in
    your organisations: ``can_act_for``)."""
    if practitioner.id == importer.id:
        return practitioner.has_role(Role.PRACTITIONER)
    managed = importer.organisation_ids(Role.EMPLOYER_ADMIN)
    return bool(managed & practitioner.organisation_ids(Role.PRACTITIONER)) and can_act_for(importer, practitioner)


def _not_yours(importer: User) -> str:
    """The one message for a row naming nobody the importer may import for (it depends on the importer only)."""
    if not importer.organisation_ids(Role.EMPLOYER_ADMIN):
        return "You can only import your own CPD"
    return "There is no practitioner you manage with this SWE number or email address"


def _existing(keys: set[tuple[int, str, dt.date, dt.date]]) -> set[tuple[int, str, dt.date, dt.date]]:
    """Which (practitioner, title, start, end) are already recorded (one query), so a list is not imported twice."""
    if not keys:
        return set()
    ids = {k[0] for k in keys}
    rows = session().execute(
        select(CpdRecord.practitioner_id, func.lower(CpdRecord.title), CpdRecord.start_date, CpdRecord.end_date)
        .where(CpdRecord.practitioner_id.in_(ids), CpdRecord.start_date.in_({k[2] for k in keys})))
    return {(pid, title, start, end) for pid, title, start, end in rows}


def check_rows(rows: list[dict[str, str]], *, importer: User, today: dt.date | None = None) -> CheckedFile:
    """Check every row against the CPD rules and the importer's reach (a constant number of queries)."""
    today = today or today_in_england()
    by_number, by_email = _people(rows)
    results: list[RowResult] = []
    for row in rows:
        errors: list[str] = []
        number = normalise_swe_number(row.get("swe_number"))
        email = normalise_email(row.get("email") or "")
        person = number or email
        if row.get("__extra__"):
            errors.append("The row has more cells than the header row has columns")
        # Reach first, before any other message about the person: a row naming someone the importer may not act
        # for reads the same whether or not that SWE number or e-mail address is registered.
        named = [p for p in ((by_number.get(number) if number else None), (by_email.get(email) if email else None))
                 if p is not None]
        practitioner = named[0] if named else None
        if not number and not email:
            errors.append("Enter the practitioner's SWE number or email address")
        elif not named or not all(_may_import_for(importer, p) for p in named):
            errors.append(_not_yours(importer))
            practitioner = None
        elif len({p.id for p in named}) > 1:
            errors.append("The SWE number and the email address belong to different people")
            practitioner = None
        answers = _answers(row, errors)
        errors += [f"Enter the {what}" for name, what in _ROW_REQUIRED.items() if not row.get(name)]
        complete = bool(practitioner and practitioner.id == importer.id and all(row.get(c) for c in _REFLECTION))
        errors += list(check_answers(answers.cleaned(), complete=complete, today=today).values())
        results.append(RowResult(int(row["__line__"]), practitioner.name if practitioner else person, answers.cleaned(),
                                 practitioner, complete, errors))
    keys = {(r.practitioner.id, r.answers.title.lower(), r.answers.start_date, r.answers.end_date)
            for r in results if r.ok}
    already = _existing(keys)
    seen: set[tuple[Any, ...]] = set()
    for r in results:
        if not r.ok:
            continue
        key = (r.practitioner.id, r.answers.title.lower(), r.answers.start_date, r.answers.end_date)
        if key in already:
            r.errors.append("This CPD is already recorded for this person")
        elif key in seen:
            r.errors.append("This row repeats an earlier row")
        seen.add(key)
    return CheckedFile(results)


def upload_list(data: bytes, filename: str | None, *, by: User) -> CpdImport:
    """Keep an uploaded attendance list for its preview (refused whole when it cannot be imported)."""
    text, rows = read_csv(data, filename)
    upload = CpdImport(uploaded_by_id=by.id, filename=sanitise_filename(filename), content=text, row_count=len(rows))
    session().add(upload)
    session().flush()
    audit.record(by, "cpd.import_uploaded", upload, rows=len(rows), filename=upload.filename)
    return upload


def preview(upload: CpdImport, *, by: User) -> CheckedFile:
    """Each row of an uploaded list checked again now (people and records may have changed since the upload)."""
    return check_rows(parse_csv(upload.content), importer=by)


def import_rows(upload: CpdImport, *, by: User) -> list[CpdRecord]:
    """Import the good rows of an uploaded list, once; the list's text is then discarded."""
    if upload.imported_at is not None:
        raise DomainError("This file has already been imported")
    checked = preview(upload, by=by)
    records = [create_record(row.practitioner, row.answers, complete=row.complete, by=by, import_id=upload.id)
               for row in checked.good if row.practitioner is not None]
    upload.imported_at = utcnow()
    upload.imported_count = len(records)
    upload.content = ""
    session().flush()
    audit.record(by, "cpd.imported", upload, imported=len(records), refused=len(checked.bad))
    return records

"""Recording CPD: creating, editing, finishing and deleting records, with their standards and evidence files.

Every service takes the actor (``by=``), checks the domain rules (``check_answers``: the same rules for the form
and for imported rows), audits the change and flushes; the caller commits once. Drafts may be incomplete;
finishing a record (or saving a complete one) needs every answer Social Work England asks for.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any

from portal import audit
from portal.cpd import FILE_OWNER
from portal.cpd.models import (
    MAX_HOURS,
    SHORT_MAX,
    STATUS_TRANSITIONS,
    TEXT_MAX,
    CpdRecord,
    CpdRecordStandard,
    CpdStatus,
    CpdType,
)
from portal.cpd.wording import MISSING
from portal.cpd.years import registration_year
from portal.db import session, utcnow
from portal.enrolments.models import Enrolment
from portal.evidence import services as evidence
from portal.evidence.models import EvidenceFile
from portal.exceptions import DomainError
from portal.text import control_character_problem
from portal.users.models import User

EARLIEST = dt.date(1990, 1, 1)
_TEXT_FIELDS = ("description", "learning", "impact_practice", "impact_people", "peer_learning")
_SHORT_FIELDS = ("title", "provider", "peer_name", "peer_role")
_REQUIRED_TO_FINISH = ("activity_type", "title", "start_date", "end_date", "hours", "description", "learning",
                       "impact_practice", "impact_people")
_PEER_FIELDS = ("peer_name", "peer_role", "peer_discussed_on", "peer_learning")


def today_in_england() -> dt.date:
    from portal.enrolments.services import london_today

    return london_today()


@dataclass
class CpdAnswers:
    """What a practitioner (or an imported row) says about one piece of CPD; anything may be empty in a draft."""

    title: str = ""
    activity_type: CpdType | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    hours: Decimal | None = None
    participatory_hours: Decimal | None = None
    provider: str = ""
    description: str = ""
    learning: str = ""
    impact_practice: str = ""
    impact_people: str = ""
    peer_name: str = ""
    peer_role: str = ""
    peer_discussed_on: dt.date | None = None
    peer_learning: str = ""
    standards: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, record: CpdRecord) -> CpdAnswers:
        values = {f.name: getattr(record, f.name) for f in fields(cls) if f.name != "standards"}
        return cls(**values, standards=record.statement_codes)

    def cleaned(self) -> CpdAnswers:
        strip = {name: (getattr(self, name) or "").strip() for name in (*_TEXT_FIELDS, *_SHORT_FIELDS)}
        return replace(self, **strip, standards=sorted(set(self.standards)))


class CpdAnswersInvalid(DomainError):
    """Every problem with a record's answers at once: ``errors`` maps each field to its GOV.UK message."""

    def __init__(self, errors: dict[str, str]):
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, first_field)
        self.errors = errors


def check_answers(answers: CpdAnswers, *, complete: bool, today: dt.date,
                  allowed_standards: Iterable[str] | None = None) -> dict[str, str]:
    """The domain rules of a CPD record; returns {field: message} (empty when the answers are acceptable).

    Always: a title; text within its length and free of control characters; real dates from 1990, the end on or
    after the start; hours more than 0 and at most 1,000; participatory hours from 0 up to the hours; a peer
    discussion not before the activity started and not in the future; standards from the practitioner's sets.
    To finish (``complete``): every answer Social Work England asks for, the activity ended by today, and a
    peer reflection either whole (name, role, date, what was learnt) or not given at all.
    """
    errors: dict[str, str] = {}
    for name in _SHORT_FIELDS + _TEXT_FIELDS:
        value = getattr(answers, name)
        limit, multiline = (TEXT_MAX, True) if name in _TEXT_FIELDS else (SHORT_MAX, False)
        if len(value) > limit:
            errors[name] = f"{_noun(name)} must be {limit:,} characters or fewer"
        elif problem := control_character_problem(value, multiline=multiline):
            errors[name] = f"{_noun(name)} must not contain {problem}"
    if not answers.title and "title" not in errors:
        errors["title"] = MISSING["title"]
    for name in ("start_date", "end_date", "peer_discussed_on"):
        day = getattr(answers, name)
        if day is not None and day < EARLIEST:
            errors[name] = f"{_noun(name)} must be after 1 January 1990"
    start, end = answers.start_date, answers.end_date
    if start and end and end < start and "end_date" not in errors:
        errors["end_date"] = "The end date must be the same as or after the start date"
    hours, participatory = answers.hours, answers.participatory_hours
    if hours is not None:
        if hours <= 0:
            errors["hours"] = "Hours must be more than 0"
        elif hours > MAX_HOURS:
            errors["hours"] = "Hours must be 1,000 or fewer"
    if participatory is not None:
        if participatory < 0:
            errors["participatory_hours"] = "Participatory hours must be 0 or more"
        elif hours is not None and participatory > hours:
            errors["participatory_hours"] = "Participatory hours must be the same as or fewer than the hours"
        elif participatory > MAX_HOURS:
            errors["participatory_hours"] = "Participatory hours must be 1,000 or fewer"
    peer_on = answers.peer_discussed_on
    if peer_on is not None and "peer_discussed_on" not in errors:
        if peer_on > today:
            errors["peer_discussed_on"] = "The date of the discussion must be today or in the past"
        elif start and peer_on < start:
            errors["peer_discussed_on"] = "The date of the discussion must be the same as or after the start date"
    if allowed_standards is not None:
        unknown = sorted(set(answers.standards) - set(allowed_standards))
        if unknown:
            errors["standards"] = f"Select standards from your programme ({', '.join(unknown)} is not one of them)"
    if complete:
        for name in _REQUIRED_TO_FINISH:
            if name not in errors and getattr(answers, name) in (None, ""):
                errors[name] = MISSING[name]
        if end and end > today and "end_date" not in errors:
            errors["end_date"] = "The end date must be today or in the past to mark the record as complete"
        if any(getattr(answers, name) not in (None, "") for name in _PEER_FIELDS):
            for name in _PEER_FIELDS:
                if name not in errors and getattr(answers, name) in (None, ""):
                    errors[name] = MISSING[name]
    order = [f.name for f in fields(CpdAnswers)]
    return {name: errors[name] for name in sorted(errors, key=order.index)}


def _noun(name: str) -> str:
    return {
        "title": "Title", "provider": "Provider", "peer_name": "Peer's name", "peer_role": "Peer's role",
        "description": "Description", "learning": "What you have learnt", "impact_practice": "Impact on practice",
        "impact_people": "Impact on people", "peer_learning": "What you learnt from the discussion",
        "start_date": "Start date", "end_date": "End date", "peer_discussed_on": "Date of the discussion",
    }[name]


def current_enrolment(practitioner_id: int) -> Enrolment | None:
    """The practitioner's newest active enrolment (None when not enrolled): new records are logged against it."""
    from portal.enrolments.queries import enrolments_of

    active = enrolments_of(practitioner_id, active_only=True)
    return active[0] if active else None


def _apply(record: CpdRecord, answers: CpdAnswers, today: dt.date) -> None:
    for f in fields(CpdAnswers):
        if f.name != "standards":
            setattr(record, f.name, getattr(answers, f.name))
    record.registration_year = registration_year(answers.end_date) if answers.end_date else None
    record.activity_on = answers.end_date or answers.start_date or record.activity_on or today
    wanted = set(answers.standards)
    record.standards = [s for s in record.standards if s.statement_code in wanted] + [
        CpdRecordStandard(statement_code=code) for code in sorted(wanted - set(record.statement_codes))]


def _move(record: CpdRecord, status: CpdStatus) -> None:
    if status not in STATUS_TRANSITIONS[record.status]:
        raise DomainError(f"A {record.status.label.lower()} record cannot become {status.label.lower()}")
    if status == CpdStatus.COMPLETE and record.completed_at is None:
        record.completed_at = utcnow()
    record.status = status


def _checked(answers: CpdAnswers, *, complete: bool, today: dt.date,
             allowed_standards: Iterable[str] | None) -> CpdAnswers:
    answers = answers.cleaned()
    errors = check_answers(answers, complete=complete, today=today, allowed_standards=allowed_standards)
    if errors:
        raise CpdAnswersInvalid(errors)
    return answers


def _attach(record: CpdRecord, uploads: Iterable[Any], by: Any) -> list[EvidenceFile]:
    try:
        return evidence.attach_uploads(uploads, attached_type=FILE_OWNER, attached_id=record.id, by=by)
    except DomainError as error:
        raise DomainError(error.message, "files") from None


def create_record(practitioner: User, answers: CpdAnswers, *, complete: bool, by: Any, uploads: Iterable[Any] = (),
                  allowed_standards: Iterable[str] | None = None, today: dt.date | None = None,
                  import_id: int | None = None) -> CpdRecord:
    """Record a piece of CPD for ``practitioner`` as a draft or, when ``complete``, finished.

    The record is tied to the practitioner's current enrolment (if any) and placed in stages by its dates.
    Uploaded files are checked and stored all or nothing (a bad file refuses the whole record, field ``files``).
    """
    today = today or today_in_england()
    answers = _checked(answers, complete=complete, today=today, allowed_standards=allowed_standards)
    enrolment = current_enrolment(practitioner.id)
    record = CpdRecord(practitioner_id=practitioner.id, enrolment_id=enrolment.id if enrolment else None,
                       status=CpdStatus.DRAFT, created_by_id=getattr(by, "id", None), import_id=import_id)
    _apply(record, answers, today)
    if complete:
        _move(record, CpdStatus.COMPLETE)
    session().add(record)
    session().flush()
    files = _attach(record, uploads, by)
    audit.record(by, "cpd.record_created", record, practitioner_id=practitioner.id, status=record.status.value,
                 files=len(files) or None, import_id=import_id)
    return record


def update_record(record: CpdRecord, answers: CpdAnswers, *, complete: bool, by: Any, uploads: Iterable[Any] = (),
                  allowed_standards: Iterable[str] | None = None, today: dt.date | None = None) -> CpdRecord:
    """Change a record's answers and add files. A complete record stays complete, so its answers are checked as
    complete whatever ``complete`` says; a draft becomes complete when ``complete`` is true."""
    today = today or today_in_england()
    complete = complete or record.is_complete
    answers = _checked(answers, complete=complete, today=today, allowed_standards=allowed_standards)
    before = CpdAnswers.of(record)
    _apply(record, answers, today)
    was = record.status
    _move(record, CpdStatus.COMPLETE if complete else CpdStatus.DRAFT)
    session().flush()
    files = _attach(record, uploads, by)
    changed = sorted(f.name for f in fields(CpdAnswers) if getattr(before, f.name) != getattr(answers, f.name))
    audit.record(by, "cpd.record_updated", record, practitioner_id=record.practitioner_id, changed=changed or None,
                 status=[was.value, record.status.value] if was != record.status else None, files=len(files) or None)
    return record


def finish_record(record: CpdRecord, *, by: Any, today: dt.date | None = None,
                  allowed_standards: Iterable[str] | None = None) -> CpdRecord:
    """Mark a draft complete as it stands (raises CpdAnswersInvalid listing every missing answer)."""
    if record.is_complete:
        raise DomainError("This record is already complete")
    return update_record(record, CpdAnswers.of(record), complete=True, by=by, today=today,
                         allowed_standards=allowed_standards)


def delete_record(record: CpdRecord, *, by: Any) -> None:
    """Delete a record, its standards and its evidence files (their bytes go once the deletion commits)."""
    evidence.delete_files_for(FILE_OWNER, record.id, by=by)
    audit.record(by, "cpd.record_deleted", record, practitioner_id=record.practitioner_id, title=record.title,
                 status=record.status.value)
    session().delete(record)
    session().flush()


def remove_file(record: CpdRecord, file: EvidenceFile, *, by: Any) -> None:
    """Remove one evidence file from a record."""
    if file.attached_type != FILE_OWNER or file.attached_id != record.id:
        raise DomainError("This file is not attached to this record")
    evidence.delete_file(file, by=by)


def record_viewed(record: CpdRecord, *, by: Any, ip_address: str | None = None) -> None:
    """Audit a view of a record by anyone other than its practitioner (supervisor, assessor, programme admin)."""
    if getattr(by, "id", None) != record.practitioner_id:
        audit.record(by, "cpd.record_viewed", record, practitioner_id=record.practitioner_id, ip_address=ip_address)


def records_listed(practitioner: User, *, by: Any, ip_address: str | None = None) -> None:
    """Audit someone other than the practitioner opening the list of their CPD."""
    if getattr(by, "id", None) != practitioner.id:
        audit.record(by, "cpd.records_listed", practitioner, ip_address=ip_address)

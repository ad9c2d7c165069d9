"""What each kind of casework evidence holds, who writes each part, and the checks on its shared fields
(pseudonymous case reference, date). Forms, services, the anonymisation guard and the manifest seal all read
these declarations, so a field is declared once."""
from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from portal.casework.anonymisation import FindingKind, scan
from portal.casework.models import OTHER_ACTIVITY, CaseworkKind, activity_label
from portal.enrolments.services import london_today
from portal.exceptions import DomainError
from portal.framework import vocabulary


class Writer(enum.StrEnum):
    """Who writes a part of an item."""

    PRACTITIONER = "practitioner"
    OBSERVER = "observer"
    RESPONDENT = "respondent"  # the person without an account (or the practitioner recording what they said)
    SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class TextField:
    name: str
    label: str
    writer: Writer
    hint: str = ""
    #: must be filled before the item can be sent for verification
    required: bool = True
    max_length: int = 20000
    #: blank is refused on saving too (False: a part added later, like the practitioner's reflection on an
    #: observation someone else recorded)
    required_on_save: bool = True


_REFLECTION_HINT = "What you learnt, how it affects your practice and what you will do next"
_REFLECTION = TextField("reflection", "Your reflection", Writer.PRACTITIONER, _REFLECTION_HINT)
_LATER_REFLECTION = TextField("reflection", "Your reflection", Writer.PRACTITIONER, _REFLECTION_HINT,
                              required_on_save=False)

FIELDS: dict[CaseworkKind, tuple[TextField, ...]] = {
    CaseworkKind.CASE_REFLECTION: (
        TextField("account", "What happened", Writer.PRACTITIONER,
                  "An anonymised account of the work. Use 'Child A', 'Parent B' instead of names"),
        TextField("analysis", "Your analysis", Writer.PRACTITIONER,
                  "What you made of it: risks, strengths, the decisions taken and why"),
        _REFLECTION,
    ),
    CaseworkKind.DIRECT_OBSERVATION: (
        TextField("observed", "What was observed", Writer.OBSERVER,
                  "The setting and the practice you observed, anonymised"),
        TextField("strengths", "Strengths", Writer.OBSERVER),
        TextField("development", "Development points", Writer.OBSERVER),
        _LATER_REFLECTION,
    ),
    CaseworkKind.CHILD_FAMILY_FEEDBACK: (
        TextField("respondent", "Who gave the feedback", Writer.RESPONDENT, max_length=100),
        TextField("went_well", "What went well", Writer.RESPONDENT),
        TextField("even_better", "What could have been better", Writer.RESPONDENT, required=False),
        _LATER_REFLECTION,
    ),
    CaseworkKind.PROFESSIONAL_FEEDBACK: (
        TextField("respondent", "Their role", Writer.RESPONDENT, max_length=100),
        TextField("went_well", "What went well", Writer.RESPONDENT),
        TextField("even_better", "What could have been better", Writer.RESPONDENT, required=False),
        _LATER_REFLECTION,
    ),
    CaseworkKind.SUPERVISION_RECORD: (
        TextField("agenda", "Agenda", Writer.SUPERVISOR),
        TextField("discussion", "Discussion", Writer.SUPERVISOR),
        TextField("actions", "Actions agreed", Writer.SUPERVISOR, required=False),
    ),
}

#: Kinds that need at least one standards statement before verification
NEEDS_STATEMENTS = frozenset(k for k in CaseworkKind if k != CaseworkKind.SUPERVISION_RECORD)

RESPONDENT_CHOICES = [
    ("The child or young person", "The child or young person"),
    ("A parent or carer", "A parent or carer"),
    ("Another family member", "Another family member"),
]


def fields_for(kind: CaseworkKind, writer: Writer | None = None) -> tuple[TextField, ...]:
    return tuple(f for f in FIELDS[kind] if writer is None or f.writer == writer)


def text_fields(item: object) -> dict[str, str]:
    """Every text field of an item (name -> text), the input of the anonymisation guard and the seal."""
    content = getattr(item, "content", None) or {}
    return {f.name: str(content.get(f.name) or "") for f in FIELDS[item.kind]}  # type: ignore[attr-defined]


def field_label(kind: CaseworkKind, name: str) -> str:
    return next((f.label for f in FIELDS[kind] if f.name == name), name)


# ------------------------------------------------------------------------------------------------ choices
CATEGORY_CHOICES = [(code, label[:1].upper() + label[1:]) for code, label in vocabulary.CASEWORK_CATEGORIES.items()]
ROLE_CHOICES = [("observer", "Observer"), ("co_worker", "Co-worker"), ("lead", "Lead")]
assert {c for c, _ in ROLE_CHOICES} == set(vocabulary.CASEWORK_ROLES)
ACTIVITY_CHOICES = [(code, activity_label(code)) for code in vocabulary.CASEWORK_ACTIVITIES] + [
    (OTHER_ACTIVITY, "Other")]


def role_label(code: str | None) -> str:
    return dict(ROLE_CHOICES).get(code or "", "")


def category_label(code: str | None) -> str:
    return dict(CATEGORY_CHOICES).get(code or "", "")


# ------------------------------------------------------------------------------------------- shared fields
_PSEUDONYM = re.compile(r"^(?:Case|Family|Child|Young person)\s+(?=[A-Za-z0-9-]*[A-Za-z0-9])[A-Za-z0-9-]{1,6}$",
                        re.IGNORECASE)
CASE_REFERENCE_HINT = "A reference you made up, like Case 14 or Case A. Never the case management system's reference"


def check_case_reference(value: str | None) -> str:
    """A pseudonymous case reference: 'Case', 'Family', 'Child' or 'Young person' then up to 6 letters, digits or
    hyphens ("Case 14", "Case A"). Anything the anonymisation guard takes for an identifier (a real system
    reference, a name, a date, a number with a check digit) is refused."""
    reference = " ".join((value or "").split())
    if not reference:
        raise DomainError("Enter a case reference, like Case 14 or Case A", "case_reference")
    findings = scan(reference)
    if any(f.kind == FindingKind.CASE_REFERENCE for f in findings) or sum(c.isdigit() for c in reference) > 4:
        raise DomainError("This looks like a real case reference. Use a reference you made up, like Case 14",
                          "case_reference")
    if findings or not _PSEUDONYM.match(reference):
        raise DomainError("Enter a case reference like Case 14 or Case A. Do not use names or real references",
                          "case_reference")
    return reference[0].upper() + reference[1:]


def check_occurred_on(value: dt.date | None, *, what: str = "The date", field: str = "occurred_on") -> dt.date:
    """A date that is not in the future (UK time) and not absurdly old."""
    if value is None:
        raise DomainError(f"Enter {what.lower()}", field)
    if value > london_today():
        raise DomainError(f"{what} must be today or in the past", field)
    if value.year < 2000:
        raise DomainError(f"{what} must be after 1999", field)
    return value


def check_texts(kind: CaseworkKind, values: dict[str, str], writer: Writer) -> dict[str, str]:
    """Tidy the text fields ``writer`` owns and refuse blank required ones (the domain rule behind "empty
    account"). Returns name -> text for those fields only."""
    cleaned: dict[str, str] = {}
    for spec in fields_for(kind, writer):
        text = (values.get(spec.name) or "").strip()
        if len(text) > spec.max_length:
            raise DomainError(f"{spec.label} must be {spec.max_length} characters or fewer", spec.name)
        if spec.required and spec.required_on_save and not text:
            raise DomainError(f"Enter {_lower_first(spec.label)}", spec.name)
        cleaned[spec.name] = text
    return cleaned


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def missing_for_request(item: object) -> list[str]:
    """What stops an item being sent for verification, in words (empty when complete)."""
    kind: CaseworkKind = item.kind  # type: ignore[attr-defined]
    content = getattr(item, "content", None) or {}
    missing = [f"Add {_lower_first(f.label)}" for f in FIELDS[kind]
               if f.required and not str(content.get(f.name) or "").strip()]
    if kind in NEEDS_STATEMENTS and not getattr(item, "statements", None):
        missing.append("Choose the standards this evidences")
    return missing

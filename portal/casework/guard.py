"""The anonymisation guard wired into casework: scan an item's text, let the practitioner redact each finding or
confirm it is not identifying, and refuse verification (or, later, submission) while any finding is unresolved.

The scanner itself (``portal.casework.anonymisation``) is pure and local; this module adds what is stored: the
confirmations, by fingerprint, per item, each one audited.

For the assessment feature::

    from portal.casework.guard import guard_passes, unresolved_findings
    blocked = [item for item in items if not guard_passes(item)]
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from portal import audit
from portal.casework.anonymisation import Finding, redact, scan_fields
from portal.casework.kinds import field_label, text_fields
from portal.casework.models import CaseworkEvent, CaseworkItem, ConfirmedFinding, EventAction
from portal.db import session, utcnow
from portal.exceptions import DomainError


@dataclass(frozen=True)
class FieldFinding:
    """A finding in one text field of an item, with what the page shows about it."""

    field: str
    field_label: str
    finding: Finding
    context: str

    @property
    def fingerprint(self) -> str:
        return self.finding.fingerprint

    @property
    def key(self) -> str:
        """Identifies this finding on a page: the field and where it starts (ids must be unique per page)."""
        return f"{self.field}-{self.finding.start}"


def confirmed_fingerprints(item_ids: Iterable[int]) -> dict[int, set[str]]:
    """Confirmed fingerprints of many items in one query."""
    ids = list(item_ids)
    result: dict[int, set[str]] = {i: set() for i in ids}
    if ids:
        for item_id, fingerprint in session().execute(
                select(ConfirmedFinding.item_id, ConfirmedFinding.fingerprint)
                .where(ConfirmedFinding.item_id.in_(ids))):
            result[item_id].add(fingerprint)
    return result


def _scan(item: CaseworkItem, allowed: set[str]) -> list[FieldFinding]:
    texts = text_fields(item)
    found = scan_fields(texts, allowed=allowed)
    return [FieldFinding(name, field_label(item.kind, name), finding, finding.context(texts[name]))
            for name in texts for finding in found.get(name, [])]


def unresolved_findings(item: CaseworkItem) -> list[FieldFinding]:
    """Every suspected identifier in the item's text that has been neither redacted nor confirmed as not
    identifying, in field order then by position."""
    return _scan(item, confirmed_fingerprints([item.id])[item.id])


def guard_passes(item: CaseworkItem) -> bool:
    """True when nothing in the item's text still needs the practitioner's attention."""
    return not unresolved_findings(item)


def unresolved_counts(items: Iterable[CaseworkItem]) -> dict[int, int]:
    """Unresolved findings per item for many items (one query for the confirmations; the scans are local)."""
    items = list(items)
    allowed = confirmed_fingerprints(i.id for i in items)
    return {item.id: len(_scan(item, allowed[item.id])) for item in items}


def _locate(item: CaseworkItem, field: str, fingerprint: str) -> list[FieldFinding]:
    matches = [f for f in unresolved_findings(item) if f.field == field and f.fingerprint == fingerprint]
    if not matches:
        raise DomainError("That suggestion no longer applies: the text has changed. Check the list again")
    return matches


def confirm_finding(item: CaseworkItem, fingerprint: str, *, by: Any) -> ConfirmedFinding:
    """Record that a finding is not identifying (e.g. a professional's name or the practitioner's own team).
    Kept by fingerprint, so the same text is not flagged again anywhere in this item; audited."""
    matches = [f for f in unresolved_findings(item) if f.fingerprint == fingerprint]
    if not matches:
        raise DomainError("That suggestion no longer applies: the text has changed. Check the list again")
    found = matches[0].finding
    row = ConfirmedFinding(item_id=item.id, fingerprint=fingerprint, kind=found.kind.value, confirmed_by_id=by.id,
                           confirmed_at=utcnow())
    session().add(row)
    session().add(CaseworkEvent(item_id=item.id, action=EventAction.FINDING_CONFIRMED, actor_id=by.id,
                                details={"kind": found.kind.value, "fingerprint": fingerprint}))
    session().flush()
    # the identifier itself is not written to the audit log: its fingerprint is enough to trace it
    audit.record(by, "casework.finding_confirmed", item, kind=found.kind.value, fingerprint=fingerprint,
                 field=matches[0].field)
    return row


def redacted_text(item: CaseworkItem, field: str, fingerprint: str) -> str:
    """The field's text with every occurrence of that finding replaced by its suggestion."""
    matches = _locate(item, field, fingerprint)
    return redact(text_fields(item)[field], [m.finding for m in matches])


def anonymised_content(item: CaseworkItem) -> dict[str, str]:
    """Every text field with every finding replaced (confirmed ones included): the hook for the moderators'
    anonymised view."""
    texts = text_fields(item)
    found = scan_fields(texts)
    return {name: redact(text, found.get(name, [])) for name, text in texts.items()}

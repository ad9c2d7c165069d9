"""Recording, changing and verifying casework evidence. Services take the actor (``by=``), check the domain rules
(raising DomainError with GOV.UK wording and the field it concerns), record the item's history and the audit log,
and flush; the caller commits once. Access (who may call which service on which item) is checked by the views with
the predicates in ``portal.permissions``; services repeat the checks that decide *what* a person may change.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from portal import audit
from portal.casework import verification
from portal.casework.guard import redacted_text, unresolved_findings
from portal.casework.kinds import (
    ACTIVITY_CHOICES,
    CATEGORY_CHOICES,
    ROLE_CHOICES,
    Writer,
    check_case_reference,
    check_occurred_on,
    check_texts,
    fields_for,
    missing_for_request,
)
from portal.casework.models import (
    CaseworkEvent,
    CaseworkItem,
    CaseworkKind,
    CaseworkStatement,
    EventAction,
    SupervisionDiscussion,
    VerificationStatus,
)
from portal.casework.verification import Action
from portal.db import session, utcnow
from portal.enrolments.models import Enrolment
from portal.enrolments.services import register_migration_listener, template_of
from portal.evidence import services as evidence
from portal.evidence.models import EvidenceFile
from portal.exceptions import DomainError
from portal.framework.clock import format_date
from portal.framework.definitions import ProgrammeTemplate
from portal.framework.services import carry_mappings
from portal.notifications.services import notify, path_for
from portal.permissions import is_casework_locked
from portal.users.models import Role, User

FILE_OWNER = "CaseworkItem"

#: who sets an item's shared details (date, case reference, classification, standards)
PRIMARY_WRITER = {
    CaseworkKind.CASE_REFLECTION: Writer.PRACTITIONER,
    CaseworkKind.DIRECT_OBSERVATION: Writer.OBSERVER,
    CaseworkKind.CHILD_FAMILY_FEEDBACK: Writer.PRACTITIONER,
    CaseworkKind.PROFESSIONAL_FEEDBACK: Writer.PRACTITIONER,
    CaseworkKind.SUPERVISION_RECORD: Writer.SUPERVISOR,
}


# ---------------------------------------------------------------------------------------------------- helpers
def statement_choices(enrolment: Enrolment) -> list[tuple[str, str]]:
    """(code, "KSS-CF.5 Abuse and neglect of children") for every statement of the enrolment's programme."""
    return [(s.code, f"{s.code} {s.title}") for standards in template_of(enrolment).standards
            for s in standards.statements]


def _check_statements(enrolment: Enrolment, codes: Iterable[str]) -> list[str]:
    known = {code for code, _ in statement_choices(enrolment)}
    chosen = sorted(set(codes))
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise DomainError(f"{unknown[0]} is not a standard of this programme", "statements")
    return chosen


def _check_choice(value: str | None, choices: list[tuple[str, str]], field: str, message: str) -> str:
    if value not in {code for code, _ in choices}:
        raise DomainError(message, field)
    return value  # type: ignore[return-value]


def writers_for(user: Any, item: CaseworkItem) -> set[Writer]:
    """The parts of ``item`` that ``user`` writes (empty for a supervisor on a practitioner's evidence: they
    comment, never edit)."""
    writers: set[Writer] = set()
    enrolment = item.enrolment
    if item.kind == CaseworkKind.SUPERVISION_RECORD:
        if enrolment.supervisor_id == user.id and item.practitioner_id != user.id:
            writers.add(Writer.SUPERVISOR)
        return writers
    if item.practitioner_id == user.id:
        writers.add(Writer.PRACTITIONER)
        if item.kind.is_feedback and (item.content or {}).get("source") == "practitioner":
            writers.add(Writer.RESPONDENT)
    elif item.kind == CaseworkKind.DIRECT_OBSERVATION and item.observer_id == user.id:
        writers.add(Writer.OBSERVER)
    return writers


def _event(item: CaseworkItem, action: EventAction, by: Any, note: str = "", **details: Any) -> None:
    session().add(CaseworkEvent(item_id=item.id, action=action, actor_id=getattr(by, "id", None), note=note,
                                details=details, occurred_at=utcnow()))


def _new_item(enrolment: Enrolment, kind: CaseworkKind, *, by: Any, occurred_on: dt.date,
              case_reference: str | None, content: dict[str, str], statements: Iterable[str] = (),
              **columns: Any) -> CaseworkItem:
    item = CaseworkItem(enrolment=enrolment, enrolment_id=enrolment.id, practitioner_id=enrolment.practitioner_id,
                        kind=kind, status=VerificationStatus.DRAFT, occurred_on=occurred_on,
                        case_reference=case_reference, content=content, author_id=getattr(by, "id", None),
                        **columns)
    item.statements = [CaseworkStatement(statement_code=c) for c in _check_statements(enrolment, statements)]
    session().add(item)
    session().flush()
    _event(item, EventAction.CREATED, by)
    audit.record(by, "casework.created", item, kind=kind.value, enrolment_id=enrolment.id)
    return item


def _require_active(enrolment: Enrolment) -> None:
    if getattr(enrolment.status, "value", enrolment.status) != "active":
        raise DomainError("This enrolment has ended, so its evidence can no longer change")


def _require_unlocked(item: CaseworkItem) -> None:
    _require_active(item.enrolment)
    if is_casework_locked(item):
        raise DomainError("This item is part of a submission, so it cannot change until the assessment ends")


# --------------------------------------------------------------------------------------------------- creating
def create_case_reflection(enrolment: Enrolment, *, by: Any, occurred_on: dt.date | None, case_reference: str,
                           category: str, activity: str, role: str, texts: Mapping[str, str],
                           statements: Iterable[str] = (), uploads: Iterable[Any] = ()) -> CaseworkItem:
    """The practitioner's reflection on a piece of casework: when, which (pseudonymous) case, the category,
    the activity and their role in it, an anonymised account, analysis and reflection, standards and files."""
    _require_active(enrolment)
    kind = CaseworkKind.CASE_REFLECTION
    occurred_on = check_occurred_on(occurred_on, what="The date of the activity")
    reference = check_case_reference(case_reference)
    category = _check_choice(category, CATEGORY_CHOICES, "category", "Select the category of the case")
    activity = _check_choice(activity, ACTIVITY_CHOICES, "activity", "Select the activity")
    role = _check_choice(role, ROLE_CHOICES, "practitioner_role", "Select your role")
    content = check_texts(kind, dict(texts), Writer.PRACTITIONER)
    item = _new_item(enrolment, kind, by=by, occurred_on=occurred_on, case_reference=reference, content=content,
                     statements=statements, category=category, activity=activity, practitioner_role=role)
    evidence.attach_uploads(uploads, attached_type=FILE_OWNER, attached_id=item.id, by=by)
    return item


def check_observer(observer: User, enrolment: Enrolment) -> None:
    """An observer is a registered social worker: a Social Work England number on their account and a supervisor
    or practitioner role. They cannot observe themselves."""
    if observer.id == enrolment.practitioner_id:
        raise DomainError("You cannot record an observation of your own practice")
    if not observer.swe_number:
        raise DomainError("Only a registered social worker can record a direct observation. Ask your employer admin "
                          "to add your Social Work England registration number to your account")
    if not (observer.has_role(Role.SUPERVISOR) or observer.has_role(Role.PRACTITIONER)):
        raise DomainError("Only a practice supervisor or a registered social worker can record a direct observation")


def record_observation(enrolment: Enrolment, *, by: User, occurred_on: dt.date | None, case_reference: str,
                       activity: str | None, texts: Mapping[str, str], statements: Iterable[str] = ()
                       ) -> CaseworkItem:
    """The observer's structured record of a direct observation of the practitioner, against chosen standards,
    with strengths and development points. The practitioner is told, and adds their reflection."""
    _require_active(enrolment)
    check_observer(by, enrolment)
    kind = CaseworkKind.DIRECT_OBSERVATION
    occurred_on = check_occurred_on(occurred_on, what="The date of the observation")
    reference = check_case_reference(case_reference)
    if activity:
        activity = _check_choice(activity, ACTIVITY_CHOICES, "activity", "Select the activity observed")
    if not list(statements):
        raise DomainError("Select the standards you observed against", "statements")
    content = check_texts(kind, dict(texts), Writer.OBSERVER)
    content["reflection"] = ""
    item = _new_item(enrolment, kind, by=by, occurred_on=occurred_on, case_reference=reference, content=content,
                     statements=statements, activity=activity or None, observer_id=by.id)
    # notifications (issue 8): in the practitioner's list, and e-mailed unless they turned that kind off
    notify(enrolment.practitioner, "observation_recorded",
           f"{by.name} recorded a direct observation of your practice on {format_date(item.occurred_on)}",
           path_for("casework.item", item_id=item.id), email_subject="A direct observation of your practice has been "
           "recorded", email_template="casework_observation_recorded", item=item, observer=by)
    return item


def record_family_feedback(enrolment: Enrolment, *, by: Any, occurred_on: dt.date | None, case_reference: str,
                           texts: Mapping[str, str], statements: Iterable[str] = ()) -> CaseworkItem:
    """Feedback a child or family member gave the practitioner in person, recorded by the practitioner."""
    _require_active(enrolment)
    kind = CaseworkKind.CHILD_FAMILY_FEEDBACK
    occurred_on = check_occurred_on(occurred_on, what="The date of the feedback")
    reference = check_case_reference(case_reference)
    content = {**check_texts(kind, dict(texts), Writer.RESPONDENT),
               "reflection": str(texts.get("reflection") or "").strip(), "source": "practitioner"}
    return _new_item(enrolment, kind, by=by, occurred_on=occurred_on, case_reference=reference, content=content,
                     statements=statements)


def create_supervision_record(enrolment: Enrolment, *, by: Any, occurred_on: dt.date | None,
                              texts: Mapping[str, str], statements: Iterable[str] = (),
                              discussed: Iterable[int] = ()) -> CaseworkItem:
    """The supervisor's record of a supervision session: agenda, discussion, actions and the evidence items
    discussed. Once co-signed, each item discussed shows "Discussed in supervision on <date>"."""
    _require_active(enrolment)
    kind = CaseworkKind.SUPERVISION_RECORD
    occurred_on = check_occurred_on(occurred_on, what="The date of the supervision")
    content = check_texts(kind, dict(texts), Writer.SUPERVISOR)
    item = _new_item(enrolment, kind, by=by, occurred_on=occurred_on, case_reference=None, content=content,
                     statements=statements)
    _set_discussed(item, discussed)
    return item


def _set_discussed(record: CaseworkItem, item_ids: Iterable[int]) -> bool:
    ids = sorted({int(i) for i in item_ids})
    valid = set(session().execute(select(CaseworkItem.id).where(
        CaseworkItem.id.in_(ids or [-1]), CaseworkItem.enrolment_id == record.enrolment_id,
        CaseworkItem.kind != CaseworkKind.SUPERVISION_RECORD)).scalars())
    if set(ids) - valid:
        raise DomainError("Select evidence items of this practitioner", "discussed")
    current = set(session().execute(select(SupervisionDiscussion.item_id).where(
        SupervisionDiscussion.supervision_id == record.id)).scalars())
    if current == set(ids):
        return False
    session().execute(delete(SupervisionDiscussion).where(SupervisionDiscussion.supervision_id == record.id))
    session().add_all([SupervisionDiscussion(supervision_id=record.id, item_id=i) for i in ids])
    session().flush()
    return True


def discussed_ids(record: CaseworkItem) -> list[int]:
    return list(session().execute(select(SupervisionDiscussion.item_id).where(
        SupervisionDiscussion.supervision_id == record.id).order_by(SupervisionDiscussion.item_id)).scalars())


# ---------------------------------------------------------------------------------------------------- editing
@dataclass(frozen=True)
class Change:
    """What an edit did: whether anything changed, and the status the item had before (so the page can say
    "your verification was voided" or "your request was withdrawn")."""

    changed: bool
    status_before: VerificationStatus

    @property
    def voided(self) -> bool:
        return self.changed and self.status_before == VerificationStatus.VERIFIED

    @property
    def withdrew(self) -> bool:
        return self.changed and self.status_before == VerificationStatus.REQUESTED

    def message(self, saved: str = "Your changes have been saved") -> str:
        if self.voided:
            return f"{saved}. The item's verification is no longer valid because it changed: ask for it again"
        if self.withdrew:
            return f"{saved}. Your request for verification was withdrawn because the item changed"
        return saved if self.changed else "Nothing was changed"


def _content_changed(item: CaseworkItem, by: Any, fields: list[str], event: EventAction = EventAction.EDITED,
                     **details: Any) -> Change:
    before = item.status
    item.content_changed_at = utcnow()
    verification.move(item, Action.EDIT, by=by)
    _event(item, event, by, fields=fields, **details)
    audit.record(by, f"casework.{event.value}", item, fields=fields, **details)
    session().flush()
    return Change(True, before)


def update_item(item: CaseworkItem, *, by: Any, values: Mapping[str, Any], uploads: Iterable[Any] = ()) -> Change:
    """Change the parts of ``item`` that ``by`` writes (see ``writers_for``); other keys in ``values`` are
    ignored. Any change to the evidence moves the item back to draft: a verification is voided (and says so), a
    pending request is withdrawn. A supervisor on a practitioner's evidence writes nothing: refused."""
    _require_unlocked(item)
    writers = writers_for(by, item)
    if not writers:
        raise DomainError("You can comment on this item but not change it")
    changed: list[str] = []
    content = dict(item.content or {})
    for writer in writers:
        names = [f.name for f in fields_for(item.kind, writer)]
        if not any(name in values for name in names):
            continue
        merged = {name: str(values[name] if name in values else content.get(name) or "") for name in names}
        for name, text in check_texts(item.kind, merged, writer).items():
            if content.get(name, "") != text:
                content[name] = text
                changed.append(name)
    if PRIMARY_WRITER[item.kind] in writers:
        changed += _update_details(item, values)
    if (item.kind == CaseworkKind.SUPERVISION_RECORD and "discussed" in values and Writer.SUPERVISOR in writers
            and _set_discussed(item, values["discussed"])):
        changed.append("discussed")
    files = evidence.attach_uploads(uploads, attached_type=FILE_OWNER, attached_id=item.id, by=by)
    if files:
        changed.append("files")
    if not changed:
        return Change(False, item.status)
    item.content = content
    return _content_changed(item, by, changed)


def _update_details(item: CaseworkItem, values: Mapping[str, Any]) -> list[str]:
    changed = []
    if "occurred_on" in values:
        occurred_on = check_occurred_on(values["occurred_on"])
        if occurred_on != item.occurred_on:
            item.occurred_on, changed = occurred_on, [*changed, "occurred_on"]
    if "case_reference" in values and item.kind != CaseworkKind.SUPERVISION_RECORD:
        reference = check_case_reference(values["case_reference"])
        if reference != item.case_reference:
            item.case_reference, changed = reference, [*changed, "case_reference"]
    if item.kind == CaseworkKind.CASE_REFLECTION:
        for name, choices, message in (("category", CATEGORY_CHOICES, "Select the category of the case"),
                                       ("activity", ACTIVITY_CHOICES, "Select the activity"),
                                       ("practitioner_role", ROLE_CHOICES, "Select your role")):
            if name in values:
                value = _check_choice(values[name], choices, name, message)
                if value != getattr(item, name):
                    setattr(item, name, value)
                    changed.append(name)
    elif item.kind == CaseworkKind.DIRECT_OBSERVATION and "activity" in values:
        value = values["activity"] or None
        if value:
            _check_choice(value, ACTIVITY_CHOICES, "activity", "Select the activity observed")
        if value != item.activity:
            item.activity, changed = value, [*changed, "activity"]
    if "statements" in values:
        codes = _check_statements(item.enrolment, values["statements"])
        if item.kind == CaseworkKind.DIRECT_OBSERVATION and not codes:
            raise DomainError("Select the standards you observed against", "statements")
        if codes != item.statement_codes:
            item.statements = [CaseworkStatement(statement_code=c) for c in codes]
            changed.append("statements")
    return changed


def delete_file(item: CaseworkItem, file: EvidenceFile, *, by: Any) -> Change:
    """Remove a file from an item (a change to the evidence, like any edit)."""
    if file.attached_type != FILE_OWNER or file.attached_id != item.id:
        raise DomainError("That file is not part of this item")
    _require_unlocked(item)
    if not writers_for(by, item):
        raise DomainError("You can comment on this item but not change it")
    evidence.delete_file(file, by=by)
    return _content_changed(item, by, ["files"])


def delete_item(item: CaseworkItem, *, by: Any) -> None:
    """Delete a draft or declined item with its files (a verified or pending one cannot be deleted)."""
    _require_unlocked(item)
    if item.status not in (VerificationStatus.DRAFT, VerificationStatus.DECLINED):
        raise DomainError("Only a draft or declined item can be deleted")
    evidence.delete_files_for(FILE_OWNER, item.id, by=by)
    audit.record(by, "casework.deleted", item, kind=item.kind.value, enrolment_id=item.enrolment_id)
    session().delete(item)
    session().flush()


# ----------------------------------------------------------------------------------------------- anonymisation
def redact_finding(item: CaseworkItem, *, field: str, fingerprint: str, by: Any) -> Change:
    """Apply the guard's suggested replacement to every occurrence of one finding in one field (the requester
    may redact any part of the item, including an observer's or respondent's words; audited)."""
    _require_unlocked(item)
    text = redacted_text(item, field, fingerprint)
    item.content = {**(item.content or {}), field: text}
    return _content_changed(item, by, [field], EventAction.FINDING_REDACTED, fingerprint=fingerprint)


# ----------------------------------------------------------------------------------------------- verification
def verifier_of(item: CaseworkItem) -> User | None:
    """Who verifies: the current supervisor (a supervision record: the practitioner, who co-signs)."""
    if item.kind == CaseworkKind.SUPERVISION_RECORD:
        return item.practitioner
    return item.enrolment.supervisor


def request_verification(item: CaseworkItem, *, by: Any) -> None:
    """Send the item to its verifier. Refused while anything is missing (text, standards) or the anonymisation
    guard has an unresolved finding; refused when the practitioner has no supervisor."""
    _require_active(item.enrolment)
    verifier = verifier_of(item)
    if verifier is None:
        raise DomainError("You do not have a practice supervisor yet. Ask your employer admin to allocate one")
    if not verification.allowed(item.status, Action.REQUEST):
        raise verification.InvalidTransition(item.status, Action.REQUEST)
    missing = missing_for_request(item)
    if missing:
        raise DomainError(f"Before asking for verification: {'; '.join(missing)}")
    unresolved = unresolved_findings(item)
    if unresolved:
        raise DomainError(f"Check the {len(unresolved)} possible identifying detail"
                          f"{'s' if len(unresolved) != 1 else ''} before asking for verification")
    verification.move(item, Action.REQUEST, by=by)
    subject = ("A supervision record is ready for you to co-sign" if item.kind == CaseworkKind.SUPERVISION_RECORD
               else "Casework evidence is waiting for you to verify")
    # notifications (issue 8): in the verifier's list, and e-mailed unless they turned that kind off
    asked = "co-sign the supervision record" if item.kind == CaseworkKind.SUPERVISION_RECORD else "verify a " + (
        item.kind.label.lower())
    notify(verifier, "verification_requested", f"{by.name} asked you to {asked} of {format_date(item.occurred_on)}",
           path_for("casework.item", item_id=item.id), email_subject=subject,
           email_template="casework_verification_requested", item=item, requester=by)


def withdraw_request(item: CaseworkItem, *, by: Any) -> None:
    """Take a request back (the item returns to draft)."""
    verification.move(item, Action.WITHDRAW, by=by)


#: What the supervisor confirms when verifying (domain: the activity happened, the role, anonymisation checked)
CONFIRMATIONS = {
    "took_place": "The activity took place as described",
    "role": "The practitioner's role is recorded correctly",
    "anonymised": "I have checked that it does not identify a child or family",
}
_CONFIRMATION_WORDING = {
    CaseworkKind.DIRECT_OBSERVATION: {"took_place": "The observation took place as described",
                                      "role": "The observer and the standards observed are recorded correctly"},
    CaseworkKind.CHILD_FAMILY_FEEDBACK: {"took_place": "The feedback is genuine and relates to the practitioner's work",
                                         "role": "Who gave it is described correctly"},
    CaseworkKind.PROFESSIONAL_FEEDBACK: {"took_place": "The feedback is genuine and relates to the practitioner's work",
                                         "role": "Who gave it is described correctly"},
}


def confirmations_for(kind: CaseworkKind) -> list[tuple[str, str]]:
    """The statements a verifier confirms for this kind of item (same keys, wording to suit)."""
    wording = {**CONFIRMATIONS, **_CONFIRMATION_WORDING.get(kind, {})}
    return list(wording.items())


def verify_item(item: CaseworkItem, *, by: Any, confirmed: Iterable[str], comment: str = "") -> None:
    """Verify a requested item: the supervisor confirms every statement in CONFIRMATIONS (the practitioner
    co-signing a supervision record confirms it is accurate)."""
    confirmed = set(confirmed)
    if item.kind != CaseworkKind.SUPERVISION_RECORD and not set(CONFIRMATIONS) <= confirmed:
        raise DomainError("Confirm each statement to verify this item, or decline it with a reason", "confirmed")
    verification.move(item, Action.VERIFY, by=by, note=comment.strip(), confirmed=sorted(confirmed))
    requester = item.enrolment.supervisor if item.kind == CaseworkKind.SUPERVISION_RECORD else item.practitioner
    # notifications (issue 8): in the requester's list, and e-mailed unless they turned that kind off
    notify(requester, "verification_decided", f"{by.name} "
           f"{'co-signed' if item.kind == CaseworkKind.SUPERVISION_RECORD else 'verified'} "
           f"your {item.kind.label.lower()} of {format_date(item.occurred_on)}", path_for("casework.item", item_id=item.id),
           email_subject="Casework evidence has been verified" if item.kind != CaseworkKind.SUPERVISION_RECORD
           else "A supervision record has been co-signed", email_template="casework_decided", item=item,
           decided_by=by, verified=True)


def decline_item(item: CaseworkItem, *, by: Any, reason: str) -> None:
    """Decline a requested item, saying why (the requester can change it and ask again)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter the reason you are declining this item", "reason")
    verification.move(item, Action.DECLINE, by=by, note=reason)
    requester = item.enrolment.supervisor if item.kind == CaseworkKind.SUPERVISION_RECORD else item.practitioner
    # notifications (issue 8): in the requester's list, and e-mailed unless they turned that kind off
    notify(requester, "verification_decided", f"{by.name} did not "
           f"{'co-sign' if item.kind == CaseworkKind.SUPERVISION_RECORD else 'verify'} your {item.kind.label.lower()} of "
           f"{format_date(item.occurred_on)}: read why", path_for("casework.item", item_id=item.id),
           email_subject="Casework evidence was not verified", email_template="casework_decided", item=item,
           decided_by=by, verified=False)


def add_comment(item: CaseworkItem, *, by: Any, text: str) -> CaseworkEvent:
    """A comment in the item's history (the supervisor's way to ask for changes without editing)."""
    text = (text or "").strip()
    if not text:
        raise DomainError("Enter a comment", "comment")
    if len(text) > 5000:
        raise DomainError("Comment must be 5000 characters or fewer", "comment")
    event = CaseworkEvent(item_id=item.id, action=EventAction.COMMENTED, actor_id=by.id, note=text,
                          occurred_at=utcnow())
    session().add(event)
    session().flush()
    audit.record(by, "casework.commented", item)
    return event


# ------------------------------------------------------------------------------------------ version migration
@register_migration_listener
def carry_statements(enrolment: Enrolment, old_template: ProgrammeTemplate, new_template: ProgrammeTemplate,
                     by: Any) -> int:
    """When an enrolment moves to a new programme version, re-map its casework to the new version's standards:
    statements of a set the new version no longer uses are replaced by what a crosswalk maps them to (e.g.
    KSS-CF 2018 -> SWE-PS 2019). Sets both versions use are left alone; a statement nothing maps is kept (and
    shown by its code). Not an edit of the evidence: verifications stand. Returns the mappings rewritten."""
    kept_refs = {s.ref for s in new_template.standards}
    mapping: dict[str, set[str]] = {}
    for old_set in old_template.standards:
        if old_set.ref in kept_refs:
            continue
        for new_set in new_template.standards:
            for code, targets in (carry_mappings(old_set, new_set) or {}).items():
                mapping.setdefault(code, set()).update(targets)
    if not mapping:
        return 0
    rows = session().execute(select(CaseworkStatement).join(CaseworkItem, CaseworkItem.id == CaseworkStatement.item_id)
                             .where(CaseworkItem.enrolment_id == enrolment.id,
                                    CaseworkStatement.statement_code.in_(sorted(mapping)))).scalars().all()
    if not rows:
        return 0
    existing = {(item_id, code) for item_id, code in session().execute(
        select(CaseworkStatement.item_id, CaseworkStatement.statement_code).join(
            CaseworkItem, CaseworkItem.id == CaseworkStatement.item_id).where(
            CaseworkItem.enrolment_id == enrolment.id))}
    added = set()
    for row in rows:
        for target in sorted(mapping[row.statement_code]):
            if (row.item_id, target) not in existing and (row.item_id, target) not in added:
                session().add(CaseworkStatement(item_id=row.item_id, statement_code=target))
                added.add((row.item_id, target))
        session().delete(row)
    session().flush()
    audit.record(by, "casework.statements_carried", enrolment, replaced=len(rows), added=len(added),
                 sets=sorted({str(s.ref) for s in old_template.standards if s.ref not in kept_refs}))
    return len(rows)


"""What the sealed-portfolio pages show, made from a sealed version only (never from the live items): each item's
content, the items behind each requirement of the stage and behind each standards statement, the statement, the
employer's agreement and the stage's progress when it was sealed.

``anonymised=True`` is the moderators' view: every suspected identifier in the text replaced (casework's
``anonymised_content``, the same scanner for CPD text and the statement), no names of the practitioner, the
employer, observers, verifiers or peers, and no file names.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from portal.assessments.models import Submission, SubmissionVersion
from portal.assessments.sealing import (
    AGREEMENT_KIND,
    CASEWORK_KINDS,
    CPD_KIND,
    PROGRESS_KIND,
    STATEMENT_KIND,
    verify_version,
)
from portal.casework.anonymisation import redact, scan
from portal.casework.guard import anonymised_content
from portal.casework.kinds import category_label, fields_for, role_label
from portal.casework.models import KIND_LABELS, CaseworkKind, activity_label
from portal.cpd.models import CpdType
from portal.cpd.wording import QUESTIONS
from portal.db import session
from portal.formatting import govuk_date
from portal.framework.services import template_for
from portal.users.models import User

CPD_TEXTS = ("description", "learning", "impact_practice", "impact_people", "peer_learning")
STATUS_TEXT = {"met": "Met", "in_progress": "In progress", "not_started": "Not started", "overdue": "Overdue"}


@dataclass
class SealedItem:
    kind: str
    key: str
    title: str
    on: dt.date | None
    statements: list[str]
    details: list[tuple[str, str]]
    sections: list[tuple[str, str]]
    files: list[dict[str, Any]]
    sha256: str
    live_id: int | None
    source: str  # "casework" or "cpd_record"

    @property
    def anchor(self) -> str:
        return f"item-{self.kind}-{self.key}"


@dataclass
class RequirementView:
    code: str
    title: str
    kind: str
    status: str
    done: int
    required: int
    missing: list[str]
    items: list[SealedItem] = field(default_factory=list)


@dataclass
class PortfolioView:
    submission: Submission
    version: SubmissionVersion
    intact: bool
    statement: str
    agreement: dict[str, Any] | None
    agreement_by: str
    progress_as_of: dt.date | None
    items: list[SealedItem]
    requirements: list[RequirementView]
    standards: list[tuple[str, str, list[tuple[str, str, list[SealedItem]]]]]
    anonymised: bool


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _redacted(text: str) -> str:
    return redact(text, scan(text)) if text else text


def _names(ids: set[int]) -> dict[int, str]:
    ids.discard(None)  # type: ignore[arg-type]
    if not ids:
        return {}
    return dict(session().execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def _casework(content: dict[str, Any], sha256: str, names: dict[int, str], anonymised: bool) -> SealedItem:
    kind = CaseworkKind(content["kind"])
    texts = {k: str(v or "") for k, v in (content.get("text") or {}).items()}
    if anonymised:
        texts = anonymised_content(SimpleNamespace(kind=kind, content=texts))
    details = [("Case reference", content.get("case_reference") or "")]
    if content.get("category"):
        details.append(("Category", category_label(content["category"])))
    if content.get("activity"):
        details.append(("Activity", activity_label(content["activity"])))
    if content.get("practitioner_role"):
        details.append(("Role", role_label(content["practitioner_role"])))
    verification = content.get("verification") or {}
    if content.get("observer_id") and not anonymised:
        details.append(("Observer", names.get(content["observer_id"], "")))
    status = "Verified" if verification.get("status") == "verified" else str(verification.get("status", "")).capitalize()
    if verification.get("verified_by_id") and not anonymised:
        status += f" by {names.get(verification['verified_by_id'], '')}"
    details.append(("Verification", status))
    title = KIND_LABELS[kind] + (" – " + activity_label(content["activity"]) if content.get("activity") else "")
    if content.get("case_reference"):
        title += (", " if content.get("activity") else " – ") + content["case_reference"]
    sections = [(spec.label, texts.get(spec.name, "")) for spec in fields_for(kind) if texts.get(spec.name)]
    return SealedItem(kind.value, str(content["id"]), title, _day(content.get("occurred_on")),
                      list(content.get("statements") or []), details, sections,
                      [] if anonymised else list(content.get("files") or []), sha256, int(content["id"]), "casework")


def _cpd(content: dict[str, Any], sha256: str, anonymised: bool) -> SealedItem:
    texts = {k: str(v or "") for k, v in (content.get("text") or {}).items()}
    if anonymised:
        texts = {k: _redacted(v) for k, v in texts.items()}
    activity = content.get("activity_type")
    details = [("Type", CpdType(activity).label if activity in {t.value for t in CpdType} else "")]
    days = [govuk_date(_day(d)) for d in (content.get("start_date"), content.get("end_date")) if d]
    details.append(("Dates", " to ".join(dict.fromkeys(days))))
    details.append(("Hours", content.get("hours") or ""))
    peer = content.get("peer") or {}
    if peer.get("role"):
        details.append(("Peer", peer["role"] if anonymised else f"{peer.get('name', '')} ({peer['role']})"))
    sections = [(QUESTIONS[name], texts.get(name, "")) for name in CPD_TEXTS if texts.get(name)]
    title = _redacted(content.get("title") or "") if anonymised else content.get("title") or ""
    return SealedItem(CPD_KIND, str(content["id"]), f"CPD: {title}", _day(content.get("end_date")),
                      list(content.get("statements") or []), details, sections,
                      [] if anonymised else list(content.get("files") or []), sha256, int(content["id"]), CPD_KIND)


def _matches(requirement: Any, item: SealedItem, content: dict[str, Any]) -> bool:
    if requirement.kind == "cpd_records":
        return item.kind == CPD_KIND
    if requirement.kind != "casework" or item.kind != getattr(requirement, "evidence", None):
        return False
    for attribute, key in (("categories", "category"), ("roles", "practitioner_role"), ("activities", "activity")):
        allowed = getattr(requirement, attribute, ())
        if allowed and content.get(key) not in allowed:
            return False
    return True


def _by_date(entry: tuple[tuple[str, str], tuple[dict[str, Any], str]]) -> tuple[str, tuple[str, str]]:
    content = entry[1][0]
    return (str(content.get("occurred_on") or content.get("end_date") or ""), entry[0])


def build(submission: Submission, version: SubmissionVersion, *, anonymised: bool = False) -> PortfolioView:
    """The portfolio of one sealed version, requirement by requirement and standard by standard (one query for the
    names of observers and verifiers; none in the anonymised view)."""
    template = template_for(submission.enrolment.programme_version)
    stage = template.stage(submission.stage_code)
    contents = {(i.kind, i.item_key): (i.content, i.sha256) for i in version.items}
    ids = {c.get("observer_id") for c, _ in contents.values()} | {
        (c.get("verification") or {}).get("verified_by_id") for c, _ in contents.values()}
    agreement = next((c for (k, _), (c, _) in contents.items() if k == AGREEMENT_KIND), None)
    if agreement:
        ids.add(agreement.get("by_id"))
    names = {} if anonymised else _names(set(ids))
    items: list[tuple[SealedItem, dict[str, Any]]] = []
    for (kind, _key), (content, sha256) in sorted(contents.items(), key=_by_date):
        if kind in CASEWORK_KINDS:
            items.append((_casework(content, sha256, names, anonymised), content))
        elif kind == CPD_KIND:
            items.append((_cpd(content, sha256, anonymised), content))
    progress = next((c for (k, _), (c, _) in contents.items() if k == PROGRESS_KIND), {})
    sealed_status = {r["code"]: r for r in progress.get("requirements", [])}
    requirements = []
    for requirement in stage.requirements:
        row = sealed_status.get(requirement.code, {})
        requirements.append(RequirementView(
            requirement.code, requirement.title, requirement.kind, STATUS_TEXT.get(row.get("status", ""), "Unknown"),
            row.get("done", 0), row.get("required", 0), list(row.get("missing", [])),
            [item for item, content in items if _matches(requirement, item, content)]))
    standards = []
    for standards_set in template.standards:
        rows = [(s.code, s.title, [item for item, _ in items if s.code in item.statements])
                for s in standards_set.statements]
        standards.append((standards_set.code, standards_set.name, rows))
    statement = next((c.get("text", "") for (k, _), (c, _) in contents.items() if k == STATEMENT_KIND), "")
    return PortfolioView(
        submission=submission, version=version, intact=verify_version(version),
        statement=_redacted(statement) if anonymised else statement,
        agreement=None if anonymised else agreement,
        agreement_by=names.get((agreement or {}).get("by_id"), "") if agreement else "",
        progress_as_of=_day(progress.get("as_of")), items=[item for item, _ in items], requirements=requirements,
        standards=standards, anonymised=anonymised)

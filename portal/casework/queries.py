"""Read queries on casework evidence shared by pages and other features: lists, the supervisors' queue with its
counts, the employer's counts, supervision stamps, the progress engine's evidence source and the manifest seal.
Each runs a fixed number of queries, however many items there are."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Select, func, select, type_coerce
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.types import TypeDecorator

from portal.assessments.manifest import canonical_json  # noqa: F401
from portal.assessments.manifest import item_digest as manifest_item_digest
from portal.casework.kinds import text_fields
from portal.casework.models import (
    CaseworkEvent,
    CaseworkItem,
    CaseworkKind,
    CaseworkStatement,
    FeedbackRequest,
    SupervisionDiscussion,
    VerificationStatus,
)
from portal.casework.services import FILE_OWNER
from portal.db import UTCDateTime, session
from portal.enrolments.models import Enrolment
from portal.enrolments.queries import EvidenceParts, register_evidence_source
from portal.evidence.services import files_for
from portal.formatting import LONDON
from portal.framework.evidence import CaseworkTally, CoverageTally
from portal.pagination import Page, keyset_page
from portal.users.models import Role, User


# ------------------------------------------------------------------------------------------------------ lists
class _CursorDate(TypeDecorator[dt.date]):
    """Keyset cursors carry dates as ISO strings: turn them back into dates (PostgreSQL will not compare a
    date with a string)."""

    impl = Date
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value


class _CursorTimestamp(UTCDateTime):
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        return super().process_bind_param(value, dialect)


def items_query(*, enrolment_id: int | None = None, practitioner_id: int | None = None,
                kind: CaseworkKind | None = None, status: VerificationStatus | None = None) -> Select[Any]:
    query = select(CaseworkItem).options(selectinload(CaseworkItem.statements))
    if enrolment_id is not None:
        query = query.where(CaseworkItem.enrolment_id == enrolment_id)
    if practitioner_id is not None:
        query = query.where(CaseworkItem.practitioner_id == practitioner_id)
    if kind is not None:
        query = query.where(CaseworkItem.kind == kind)
    if status is not None:
        query = query.where(CaseworkItem.status == status)
    return query


def list_items(enrolment: Enrolment, *, kind: CaseworkKind | None = None, status: VerificationStatus | None = None,
               after: str | None = None, before: str | None = None, size: int = 25) -> Page[CaseworkItem]:
    """One page of an enrolment's items, newest activity first (keyset on date then id)."""
    query = items_query(enrolment_id=enrolment.id, kind=kind, status=status)
    columns = [type_coerce(CaseworkItem.occurred_on, _CursorDate()), CaseworkItem.id]
    return keyset_page(query, columns, after=after, before=before, size=size,
                       descending=True, key=lambda i: [i.occurred_on.isoformat(), i.id])


def items_of_practitioner(practitioner: User | int, *, enrolment_id: int | None = None,
                          statuses: Iterable[VerificationStatus] | None = None) -> list[CaseworkItem]:
    """Every item of a practitioner (optionally one enrolment, some statuses), oldest first, with statements
    loaded (2 queries): what the assessment feature offers for a submission."""
    practitioner_id = practitioner if isinstance(practitioner, int) else practitioner.id
    query = items_query(practitioner_id=practitioner_id, enrolment_id=enrolment_id)
    if statuses is not None:
        query = query.where(CaseworkItem.status.in_(list(statuses)))
    return list(session().execute(query.order_by(CaseworkItem.occurred_on, CaseworkItem.id)).scalars())


def status_counts(enrolment_ids: Sequence[int]) -> dict[int, Counter[tuple[str, str]]]:
    """(kind, status) -> count per enrolment, in one query (what an employer admin sees: never the text)."""
    result: dict[int, Counter[tuple[str, str]]] = {i: Counter() for i in enrolment_ids}
    if enrolment_ids:
        for enrolment_id, kind, status, count in session().execute(
                select(CaseworkItem.enrolment_id, CaseworkItem.kind, CaseworkItem.status, func.count())
                .where(CaseworkItem.enrolment_id.in_(list(enrolment_ids)))
                .group_by(CaseworkItem.enrolment_id, CaseworkItem.kind, CaseworkItem.status)):
            result[enrolment_id][(kind.value, status.value)] += count
    return result


def recent_items(enrolment_ids: Sequence[int], *, limit: int = 5) -> list[CaseworkItem]:
    """The latest items across a practitioner's enrolments (for the dashboard and timeline; one query)."""
    if not enrolment_ids:
        return []
    return list(session().execute(
        select(CaseworkItem).where(CaseworkItem.enrolment_id.in_(list(enrolment_ids)))
        .order_by(CaseworkItem.content_changed_at.desc(), CaseworkItem.id.desc()).limit(limit)).scalars())


def feedback_links(enrolment: Enrolment) -> list[FeedbackRequest]:
    """The enrolment's feedback links not yet answered, newest first."""
    return list(session().execute(
        select(FeedbackRequest).where(FeedbackRequest.enrolment_id == enrolment.id,
                                      FeedbackRequest.used_at.is_(None))
        .order_by(FeedbackRequest.created_at.desc(), FeedbackRequest.id.desc()).limit(50)).scalars())


def history(item: CaseworkItem) -> list[CaseworkEvent]:
    return list(session().execute(select(CaseworkEvent).where(CaseworkEvent.item_id == item.id)
                                  .options(joinedload(CaseworkEvent.actor)).order_by(CaseworkEvent.id)).scalars())


# ---------------------------------------------------------------------------------------- supervisors' queue
def _queue_query(supervisor: User) -> Select[Any]:
    return (select(CaseworkItem).join(Enrolment, Enrolment.id == CaseworkItem.enrolment_id)
            .where(CaseworkItem.status == VerificationStatus.REQUESTED, Enrolment.supervisor_id == supervisor.id,
                   # only where they hold the supervisor role now (see permissions.is_current_supervisor_of)
                   Enrolment.organisation_id.in_(supervisor.organisation_ids(Role.SUPERVISOR) or {-1}),
                   CaseworkItem.kind != CaseworkKind.SUPERVISION_RECORD,
                   CaseworkItem.practitioner_id != supervisor.id))


def verification_queue(supervisor: User, *, after: str | None = None, before: str | None = None,
                       size: int = 25) -> Page[CaseworkItem]:
    """Items waiting for ``supervisor`` (the current supervisor of their enrolments), oldest request first,
    keyset-paginated; practitioners loaded in the same query."""
    query = _queue_query(supervisor).options(joinedload(CaseworkItem.practitioner))
    columns = [type_coerce(CaseworkItem.requested_at, _CursorTimestamp()), CaseworkItem.id]
    return keyset_page(query, columns, after=after, before=before, size=size,
                       key=lambda i: [i.requested_at.isoformat(), i.id])


@dataclass(frozen=True)
class QueueCounts:
    total: int
    by_kind: dict[CaseworkKind, int]
    oldest_requested_at: dt.datetime | None


def queue_counts(supervisor: User) -> QueueCounts:
    """How many items wait for ``supervisor``, per kind, and since when (one query)."""
    inner = _queue_query(supervisor).with_only_columns(CaseworkItem.kind, CaseworkItem.requested_at).subquery()
    rows = session().execute(select(inner.c.kind, func.count(), func.min(inner.c.requested_at))
                             .group_by(inner.c.kind)).all()
    by_kind = {CaseworkKind(kind): count for kind, count, _ in rows}
    oldest = [when for _, _, when in rows if when is not None]
    oldest_at = min(oldest) if oldest else None
    if isinstance(oldest_at, str):  # SQLite's MIN() bypasses the column type
        oldest_at = dt.datetime.fromisoformat(oldest_at)
    if oldest_at is not None and oldest_at.tzinfo is None:
        oldest_at = oldest_at.replace(tzinfo=dt.UTC)
    return QueueCounts(sum(by_kind.values()), by_kind, oldest_at)


def cosign_queue(practitioner: User) -> list[CaseworkItem]:
    """Supervision records waiting for the practitioner's co-signature."""
    return list(session().execute(
        select(CaseworkItem).where(CaseworkItem.practitioner_id == practitioner.id,
                                   CaseworkItem.kind == CaseworkKind.SUPERVISION_RECORD,
                                   CaseworkItem.status == VerificationStatus.REQUESTED)
        .order_by(CaseworkItem.requested_at, CaseworkItem.id).limit(50)).scalars())


# ---------------------------------------------------------------------------------------- supervision stamps
@dataclass(frozen=True)
class Stamp:
    """"Discussed in supervision on <on>", and whether the item was added or changed after that day."""

    supervision_id: int
    on: dt.date
    added_after: bool
    edited_after: bool


def _london_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LONDON).date()


def stamps_for(items: Sequence[CaseworkItem]) -> dict[int, list[Stamp]]:
    """The co-signed supervision records that discussed each item (one query), oldest first."""
    result: dict[int, list[Stamp]] = {item.id: [] for item in items}
    if not items:
        return result
    by_id = {item.id: item for item in items}
    rows = session().execute(
        select(SupervisionDiscussion.item_id, CaseworkItem.id, CaseworkItem.occurred_on)
        .join(CaseworkItem, CaseworkItem.id == SupervisionDiscussion.supervision_id)
        .where(SupervisionDiscussion.item_id.in_(list(by_id)), CaseworkItem.status == VerificationStatus.VERIFIED)
        .order_by(CaseworkItem.occurred_on, CaseworkItem.id))
    for item_id, supervision_id, on in rows:
        item = by_id[item_id]
        added_after = _london_day(item.created_at) > on
        edited_after = not added_after and _london_day(item.content_changed_at) > on
        result[item_id].append(Stamp(supervision_id, on, added_after, edited_after))
    return result


# ------------------------------------------------------------------------------------------ progress engine
@register_evidence_source
def casework_evidence(enrolment_ids: list[int]) -> dict[int, EvidenceParts]:
    """Casework tallies for the progress engine (2 queries): items by kind, date, category, activity, role,
    verified and stage; and standards coverage by statement, date, verified and stage."""
    parts: dict[int, EvidenceParts] = defaultdict(EvidenceParts)
    verified = CaseworkItem.status == VerificationStatus.VERIFIED
    columns = (CaseworkItem.enrolment_id, CaseworkItem.kind, CaseworkItem.occurred_on, CaseworkItem.category,
               CaseworkItem.activity, CaseworkItem.practitioner_role, verified, CaseworkItem.stage_code)
    for enrolment_id, kind, on, category, activity, role, is_verified, stage_code, count in session().execute(
            select(*columns, func.count()).where(CaseworkItem.enrolment_id.in_(enrolment_ids)).group_by(*columns)):
        parts[enrolment_id].casework.append(CaseworkTally(
            kind=kind.value, on=on, count=count, category=category, activity=activity, role=role,
            verified=bool(is_verified), stage_code=stage_code))
    coverage = (CaseworkItem.enrolment_id, CaseworkStatement.statement_code, CaseworkItem.occurred_on, verified,
                CaseworkItem.stage_code)
    for enrolment_id, statement, on, is_verified, stage_code, count in session().execute(
            select(*coverage, func.count()).join(CaseworkItem, CaseworkItem.id == CaseworkStatement.item_id)
            .where(CaseworkItem.enrolment_id.in_(enrolment_ids)).group_by(*coverage)):
        parts[enrolment_id].coverage.append(CoverageTally(statement=statement, count=count, on=on,
                                                          verified=bool(is_verified), stage_code=stage_code))
    return parts


# ----------------------------------------------------------------------------------------------- the seal
SEAL_VERSION = 1


def seal_item(item: CaseworkItem) -> dict[str, Any]:
    """The canonical content of an item for a submission manifest: every field that is evidence (kind, date,
    pseudonymous case reference, classification, text, standards, the files' SHA-256, the supervision items
    discussed) and its verification. Plain JSON types, keys sorted by ``item_digest``; the same content always
    gives the same dict (3 queries: files, discussed items, nothing else)."""
    files = files_for(FILE_OWNER, [item.id])[item.id]
    discussed = sorted(session().execute(select(SupervisionDiscussion.item_id).where(
        SupervisionDiscussion.supervision_id == item.id)).scalars())
    return {
        "seal_version": SEAL_VERSION,
        "id": item.id,
        "kind": item.kind.value,
        "enrolment_id": item.enrolment_id,
        "practitioner_id": item.practitioner_id,
        "occurred_on": item.occurred_on.isoformat(),
        "case_reference": item.case_reference,
        "category": item.category,
        "activity": item.activity,
        "practitioner_role": item.practitioner_role,
        "stage_code": item.stage_code,
        "observer_id": item.observer_id,
        "text": text_fields(item),
        "statements": sorted(item.statement_codes),
        "files": [{"id": f.id, "name": f.original_name, "sha256": f.sha256, "size": f.size_bytes,
                   "content_type": f.content_type} for f in sorted(files, key=lambda f: f.id)],
        "discussed_item_ids": discussed,
        "verification": {
            "status": item.status.value,
            "verified_by_id": item.verified_by_id,
            "verified_at": item.verified_at.astimezone(dt.UTC).isoformat() if item.verified_at else None,
        },
        "content_changed_at": item.content_changed_at.astimezone(dt.UTC).isoformat(),
    }


def item_digest(item: CaseworkItem) -> str:
    """SHA-256 (hex) of the item's sealed content: the same hash the submission manifest keeps for it."""
    return manifest_item_digest(seal_item(item))

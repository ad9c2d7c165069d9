"""Read queries over CPD records: the list and its filters, the totals and registration-year checks, the rows of
an export, and the tallies the pathway's progress engine counts. Each is a constant number of queries."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select

from portal.cpd import FILE_OWNER
from portal.cpd.models import CpdRecord, CpdRecordStandard, CpdStatus, CpdType
from portal.cpd.years import YearCheck, registration_year
from portal.db import session
from portal.enrolments.models import Enrolment, EnrolmentStatus
from portal.enrolments.queries import EvidenceParts, register_evidence_source
from portal.evidence.services import files_for
from portal.framework.evidence import CoverageTally, CpdTally

STATEMENT_CODE_MAX = 40


@dataclass(frozen=True)
class CpdFilters:
    """The list's filters, already checked (None: not filtering on it)."""

    year: int | None = None
    activity_type: CpdType | None = None
    standard: str | None = None
    search: str = ""

    @property
    def any(self) -> bool:
        return bool(self.year or self.activity_type or self.standard or self.search)

    def as_args(self) -> dict[str, Any]:
        return {"year": self.year, "type": self.activity_type.value if self.activity_type else None,
                "standard": self.standard, "q": self.search or None}


def list_query(practitioner_id: int, filters: CpdFilters) -> Select[Any]:
    """A practitioner's records matching the filters; paginate it on (activity_on, id) descending, which the index
    ix_cpd_records_practitioner_activity serves."""
    query = select(CpdRecord).where(CpdRecord.practitioner_id == practitioner_id)
    if filters.year is not None:
        query = query.where(CpdRecord.registration_year == filters.year)
    if filters.activity_type is not None:
        query = query.where(CpdRecord.activity_type == filters.activity_type)
    if filters.standard:
        query = query.where(exists().where(CpdRecordStandard.record_id == CpdRecord.id,
                                           CpdRecordStandard.statement_code == filters.standard))
    term = filters.search.strip().lower()
    if term:
        like = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(func.lower(CpdRecord.title).like(like, escape="\\"),
                                func.lower(CpdRecord.description).like(like, escape="\\")))
    return query


def _year_rows(practitioner_ids: Iterable[int], year: int | None = None) -> list[Any]:
    complete = CpdRecord.status == CpdStatus.COMPLETE
    peer = and_(complete, CpdRecord.has_peer_reflection)
    query = (
        select(CpdRecord.practitioner_id, CpdRecord.registration_year,
               func.count(CpdRecord.id).label("all_records"),
               func.sum(case((complete, 1), else_=0)).label("records"),
               func.sum(case((peer, 1), else_=0)).label("peer"),
               func.coalesce(func.sum(case((complete, CpdRecord.hours), else_=0)), 0).label("hours"),
               func.coalesce(func.sum(case((complete, CpdRecord.participatory_hours), else_=0)), 0)
               .label("participatory"))
        .where(CpdRecord.practitioner_id.in_(list(practitioner_ids)), CpdRecord.registration_year.is_not(None))
        .group_by(CpdRecord.practitioner_id, CpdRecord.registration_year)
    )
    if year is not None:
        query = query.where(CpdRecord.registration_year == year)
    return list(session().execute(query))


def _check(row: Any | None, year: int, today: dt.date) -> YearCheck:
    if row is None:
        return YearCheck(year, 0, 0, 0.0, 0.0, today)
    return YearCheck(year, int(row.records or 0), int(row.peer or 0), float(row.hours or 0),
                     float(row.participatory or 0), today)


def year_checks(practitioner_id: int, today: dt.date) -> list[YearCheck]:
    """The registration-year check for the current year and every past year since the practitioner's first
    record, newest first, with the totals of hours and participatory hours of complete records (one query)."""
    current = registration_year(today)
    rows = {row.registration_year: row for row in _year_rows([practitioner_id])}
    first = min([current, *rows])
    return [_check(rows.get(year), year, today) for year in range(current, first - 1, -1)]


def current_year_checks(practitioner_ids: Iterable[int], today: dt.date) -> dict[int, YearCheck]:
    """This registration year's check for many practitioners at once (one query)."""
    ids = list(practitioner_ids)
    year = registration_year(today)
    rows = {row.practitioner_id: row for row in _year_rows(ids, year)} if ids else {}
    return {pid: _check(rows.get(pid), year, today) for pid in ids}


def records_for_export(practitioner_id: int, year: int) -> tuple[list[CpdRecord], dict[int, list[Any]]]:
    """A year's complete records in date order with their standards and files (three queries)."""
    from sqlalchemy.orm import selectinload

    records = list(session().execute(
        select(CpdRecord).options(selectinload(CpdRecord.standards))
        .where(CpdRecord.practitioner_id == practitioner_id, CpdRecord.registration_year == year,
               CpdRecord.status == CpdStatus.COMPLETE)
        .order_by(CpdRecord.start_date, CpdRecord.end_date, CpdRecord.id)).scalars())
    return records, files_for(FILE_OWNER, [r.id for r in records])


def current_supervisees(supervisor: Any) -> list[Any]:
    """People the user currently supervises (active enrolments in organisations where they hold the supervisor
    role), by name (one query)."""
    from portal.users.models import Role, User

    return list(session().execute(
        select(User).join(Enrolment, Enrolment.practitioner_id == User.id)
        .where(Enrolment.supervisor_id == supervisor.id, Enrolment.status == EnrolmentStatus.ACTIVE,
               Enrolment.organisation_id.in_(supervisor.organisation_ids(Role.SUPERVISOR) or {-1}))
        .distinct().order_by(User.name, User.id)).scalars())


# ------------------------------------------------------------------------------------------ the progress engine
def _counts_for(enrolment_ids: list[int]) -> Any:
    """Which complete records count for which enrolment: those logged against it, and the practitioner's
    records not tied to any enrolment (e.g. imported, or logged before enrolling)."""
    return (
        Enrolment.id.in_(enrolment_ids),
        CpdRecord.practitioner_id == Enrolment.practitioner_id,
        or_(CpdRecord.enrolment_id == Enrolment.id, CpdRecord.enrolment_id.is_(None)),
        CpdRecord.status == CpdStatus.COMPLETE,
        CpdRecord.end_date.is_not(None),
    )


@register_evidence_source
def cpd_evidence(enrolment_ids: list[int]) -> dict[int, EvidenceParts]:
    """The pathway's CPD evidence source (registered with ``portal.enrolments.queries``).

    One CpdTally per (end date, peer reflection, stage) group of complete records and one CoverageTally per
    (statement, end date, stage) group of their standards mappings: two GROUP BY queries whatever the number
    of enrolments or records. A record's stage code counts only on the enrolment it was logged against.
    """
    ids = list(enrolment_ids)
    parts: dict[int, EvidenceParts] = {i: EvidenceParts() for i in ids}
    if not ids:
        return parts
    sess = session()
    stage = case((CpdRecord.enrolment_id == Enrolment.id, CpdRecord.stage_code), else_=None)
    peer = case((CpdRecord.has_peer_reflection, 1), else_=0)
    rows = sess.execute(
        select(Enrolment.id, CpdRecord.end_date, peer.label("peer"), stage.label("stage"),
               func.count(CpdRecord.id))
        .select_from(Enrolment).join(CpdRecord, and_(*_counts_for(ids)))
        .group_by(Enrolment.id, CpdRecord.end_date, peer, stage))
    for enrolment_id, on, has_peer, stage_code, count in rows:
        parts[enrolment_id].cpd.append(
            CpdTally(on=on, count=count, peer_reflection=bool(has_peer), stage_code=stage_code))
    rows = sess.execute(
        select(Enrolment.id, CpdRecordStandard.statement_code, CpdRecord.end_date, stage.label("stage"),
               func.count(CpdRecord.id))
        .select_from(Enrolment).join(CpdRecord, and_(*_counts_for(ids)))
        .join(CpdRecordStandard, CpdRecordStandard.record_id == CpdRecord.id)
        .group_by(Enrolment.id, CpdRecordStandard.statement_code, CpdRecord.end_date, stage))
    for enrolment_id, code, on, stage_code, count in rows:
        parts[enrolment_id].coverage.append(CoverageTally(statement=code, count=count, on=on, stage_code=stage_code))
    for value in parts.values():
        value.cpd.sort(key=_tally_key)
        value.coverage.sort(key=_tally_key)
    return parts


def _tally_key(tally: Any) -> tuple[Any, ...]:
    return (tally.on or dt.date.min, getattr(tally, "statement", ""), tally.stage_code or "")

"""The dashboards' read queries: the cohort (every enrolment in scope with its stage, progress, flags and CPD
check), the verifications waiting, and the counts a dashboard shows, each a fixed number of SQL statements however
many enrolments and evidence rows there are (up to ``BATCH`` enrolments per round of queries).

Dashboards and lists are built from the same rows and the same ``matches`` test, so each number on a dashboard is
exactly the length of the list it links to.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from portal.casework.models import CaseworkItem, CaseworkKind, VerificationStatus
from portal.cpd.queries import current_year_checks
from portal.cpd.years import YearCheck, registration_year, year_end
from portal.db import UTCDateTime, session
from portal.enrolments.dashboard import headline
from portal.enrolments.models import Enrolment, EnrolmentStatus
from portal.enrolments.queries import standings, with_people
from portal.framework.progress import ProgressStatus
from portal.framework.services import latest_versions, template_for
from portal.oversight.atrisk import Flag, Rules, Standing, assess, standing_of
from portal.oversight.filters import NOT_STARTED, Choices, Filters, waiting_since
from portal.users.models import Organisation, User

#: enrolments whose progress is computed in one round of queries (each evidence source takes an IN list)
BATCH = 2000


def rules() -> Rules:
    """The at-risk thresholds from the configuration."""
    cfg = current_app.config
    return Rules(months_left=int(cfg["AT_RISK_MONTHS_LEFT"]), tolerance=float(cfg["AT_RISK_TOLERANCE"]),
                 due_soon_days=int(cfg["DUE_SOON_DAYS"]))


def batches(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ------------------------------------------------------------------------------------------------------ choices
def filter_choices(*, national: bool) -> Choices:
    """Programmes (latest published versions), their stages, and for the national scope the organisations
    (2 queries national, 1 otherwise)."""
    programmes, stages = {}, {}
    for version in latest_versions():
        programmes[version.code] = version.name
        stages[version.code] = {s.code: s.name for s in template_for(version).stages}
    organisations = {}
    if national:
        organisations = dict(session().execute(select(Organisation.id, Organisation.name)
                                               .order_by(Organisation.name, Organisation.id)).all())
    return Choices(programmes, stages, organisations)


# ------------------------------------------------------------------------------------------------------- cohort
@dataclass(frozen=True)
class CohortRow:
    """One enrolment as the dashboards see it (``standing`` and the stage only for active enrolments)."""

    enrolment: Enrolment
    stage_code: str | None = None
    stage_name: str = ""
    stage_status: ProgressStatus | None = None
    progress: str = ""
    flags: tuple[Flag, ...] = ()
    standing: Standing | None = None
    cpd: YearCheck | None = None

    @property
    def reasons(self) -> list[str]:
        return [f"{flag.level.label}: {flag.reason}" for flag in self.flags]


def _search(query: Select[Any], term: str) -> Select[Any]:
    like = "%" + term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    people = select(User.id).where(or_(func.lower(User.name).like(like, escape="\\"),
                                       func.lower(User.email).like(like, escape="\\"),
                                       func.lower(func.coalesce(User.swe_number, "")).like(like, escape="\\")))
    return query.where(Enrolment.practitioner_id.in_(people))


def scoped(query: Select[Any], organisation_ids: set[int] | None, filters: Filters) -> Select[Any]:
    """Restrict a query over Enrolment to the scope (None: every organisation) and the dashboard filters that
    SQL can apply (organisation, programme, search)."""
    if organisation_ids is not None:
        query = query.where(Enrolment.organisation_id.in_(organisation_ids or {-1}))
    if filters.organisation_id is not None:
        query = query.where(Enrolment.organisation_id == filters.organisation_id)
    if filters.programme:
        query = query.where(Enrolment.programme_code == filters.programme)
    if filters.search:
        query = _search(query, filters.search)
    return query


def load_cohort(organisation_ids: set[int] | None, filters: Filters, today: dt.date) -> list[CohortRow]:
    """Every enrolment in scope matching the dashboard filters, with the progress, flags and CPD check of the
    active ones, by practitioner name (per round of BATCH enrolments: 1 + the clock's 2 + the evidence
    sources' + 2 CPD queries)."""
    query = scoped(with_people(select(Enrolment)), organisation_ids, filters)
    enrolments = list(session().execute(query.order_by(Enrolment.id)).unique().scalars())
    limits = rules()
    previous_day = year_end(registration_year(today) - 1)
    rows: list[CohortRow] = []
    active = [e for e in enrolments if e.status == EnrolmentStatus.ACTIVE]
    rows.extend(CohortRow(e) for e in enrolments if e.status != EnrolmentStatus.ACTIVE)
    for batch in batches(active):
        standing_by_id = standings(batch, today)
        people = {e.practitioner_id for e in batch}
        current = current_year_checks(people, today)
        previous = current_year_checks(people, previous_day)
        for enrolment in batch:
            standing = standing_by_id[enrolment.id]
            stage = standing.current_stage
            flags = assess(standing.schedule, standing.progress, standing.evidence.reviews_held, today,
                           cpd_current=current[enrolment.practitioner_id],
                           cpd_previous=previous[enrolment.practitioner_id], rules=limits)
            rows.append(CohortRow(enrolment, stage.code if stage else None, stage.name if stage else "Not started",
                                  stage.status if stage else None, headline(stage), flags, standing_of(flags),
                                  current[enrolment.practitioner_id]))
    rows.sort(key=lambda r: (r.enrolment.practitioner.name.lower(), r.enrolment.id))
    return rows


def matches(row: CohortRow, filters: Filters) -> bool:
    """Whether a row belongs in the list the filters describe (the dashboard counts with the same test)."""
    if filters.status is not None and row.enrolment.status != filters.status:
        return False
    if filters.stage is not None and (row.stage_code or (NOT_STARTED if row.standing else None)) != filters.stage:
        return False
    if filters.standing is not None and row.standing != filters.standing:
        return False
    if filters.level is not None or filters.topic is not None:
        return any((filters.level is None or f.level == filters.level)
                   and (filters.topic is None or f.topic == filters.topic) for f in row.flags)
    return True


def select_rows(rows: Iterable[CohortRow], filters: Filters) -> list[CohortRow]:
    return [row for row in rows if matches(row, filters)]


# ------------------------------------------------------------------------------------------------------ figures
@dataclass
class CohortFigures:
    """The dashboard's counts, each keyed so the template can link it to its list."""

    total: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_standing: Counter[str] = field(default_factory=Counter)
    #: (programme code, stage code) -> standing -> count, for active enrolments
    by_stage: dict[tuple[str, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: level -> topic -> people with at least one such flag
    by_flag: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: organisation id -> standing -> count (active), and its name
    by_organisation: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    organisation_names: dict[int, str] = field(default_factory=dict)


def figures(rows: Iterable[CohortRow]) -> CohortFigures:
    """Count the rows the way ``matches`` selects them."""
    result = CohortFigures()
    for row in rows:
        enrolment = row.enrolment
        result.total += 1
        result.by_status[enrolment.status.value] += 1
        if row.standing is None:
            continue
        result.by_standing[row.standing.value] += 1
        result.by_stage[(enrolment.programme_code, row.stage_code or NOT_STARTED)][row.standing.value] += 1
        result.by_organisation[enrolment.organisation_id][row.standing.value] += 1
        result.organisation_names[enrolment.organisation_id] = enrolment.organisation.name
        for level, topic in {(f.level.value, f.topic.value) for f in row.flags}:
            result.by_flag[level][topic] += 1
    return result


# ------------------------------------------------------------------------------------------ waiting verifications
@dataclass(frozen=True)
class SupervisorQueue:
    supervisor_id: int | None
    name: str
    waiting: int
    over_a_week: int
    oldest: dt.datetime | None


class CursorTimestamp(UTCDateTime):
    """Keyset cursors carry timestamps as ISO strings: turn them back into datetimes when bound."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        return super().process_bind_param(value, dialect)


def _as_utc(value: Any) -> dt.datetime | None:
    if isinstance(value, str):  # SQLite's MIN() bypasses the column type
        value = dt.datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _week_ago(today: dt.date) -> dt.datetime:
    return dt.datetime.combine(waiting_since(today, 7), dt.time.min, tzinfo=dt.UTC)


def waiting_query(organisation_ids: set[int] | None, filters: Filters, today: dt.date) -> Select[Any]:
    """Casework items waiting for their supervisor's verification (supervision records, which the practitioner
    co-signs, excluded), in active enrolments in scope, with the supervisor and waiting filters applied."""
    query = scoped(select(CaseworkItem).join(Enrolment, Enrolment.id == CaseworkItem.enrolment_id),
                   organisation_ids, filters.without_list_filters()).where(
        CaseworkItem.status == VerificationStatus.REQUESTED, CaseworkItem.kind != CaseworkKind.SUPERVISION_RECORD,
        Enrolment.status == EnrolmentStatus.ACTIVE)
    if filters.no_supervisor:
        query = query.where(Enrolment.supervisor_id.is_(None))
    elif filters.supervisor_id is not None:
        query = query.where(Enrolment.supervisor_id == filters.supervisor_id)
    if filters.waiting_days is not None:
        query = query.where(CaseworkItem.requested_at < dt.datetime.combine(
            waiting_since(today, filters.waiting_days), dt.time.min, tzinfo=dt.UTC))
    return query


def waiting_by_supervisor(organisation_ids: set[int] | None, filters: Filters, today: dt.date
                          ) -> list[SupervisorQueue]:
    """Items waiting per current supervisor: how many, how many over a week, since when (1 query)."""
    inner = waiting_query(organisation_ids, filters, today).with_only_columns(
        Enrolment.supervisor_id.label("supervisor_id"), CaseworkItem.requested_at.label("requested_at")).subquery()
    supervisor = aliased(User)
    old = func.sum(case((inner.c.requested_at < _week_ago(today), 1), else_=0))
    rows = session().execute(
        select(inner.c.supervisor_id, supervisor.name, func.count(), old, func.min(inner.c.requested_at))
        .select_from(inner).outerjoin(supervisor, supervisor.id == inner.c.supervisor_id)
        .group_by(inner.c.supervisor_id, supervisor.name)).all()
    queues = [SupervisorQueue(sid, name or "No supervisor allocated", int(count), int(over or 0), _as_utc(oldest))
              for sid, name, count, over, oldest in rows]
    return sorted(queues, key=lambda q: (q.supervisor_id is None, q.name.lower(), q.supervisor_id or 0))


def waiting_items(organisation_ids: set[int] | None, filters: Filters, today: dt.date, *,
                  batch: int = 500) -> Iterator[CaseworkItem]:
    """Every waiting item, oldest request first, read in keyset batches (one query per batch) with practitioner,
    supervisor and employer loaded: what the exports stream."""
    base = waiting_query(organisation_ids, filters, today).options(*item_loads())
    last: tuple[dt.datetime, int] | None = None
    while True:
        query = base
        if last is not None:
            query = query.where(or_(CaseworkItem.requested_at > last[0],
                                    and_(CaseworkItem.requested_at == last[0], CaseworkItem.id > last[1])))
        chunk = list(session().execute(query.order_by(CaseworkItem.requested_at, CaseworkItem.id).limit(batch))
                     .unique().scalars())
        yield from chunk
        if len(chunk) < batch:
            return
        last = (chunk[-1].requested_at, chunk[-1].id)  # type: ignore[assignment]


def item_loads() -> list[Any]:
    return [joinedload(CaseworkItem.practitioner),
            joinedload(CaseworkItem.enrolment).joinedload(Enrolment.supervisor),
            joinedload(CaseworkItem.enrolment).joinedload(Enrolment.organisation)]

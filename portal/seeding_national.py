"""A national-scale demo data set: ``portal seed-demo --practitioners N``.

Pure planning functions decide who works where, when each enrolment started and what happened in each stage (from a
seeded ``random.Random``, so the same seed gives the same data); row builders turn one planned practitioner into
plain dicts for every table; the loader writes them with SQLAlchemy Core ``insert()`` executemany batches in a few
transactions (SQLite: WAL, ``synchronous=OFF`` while loading) and signs the certificates' credentials in a process
pool. Every row respects the models' NOT NULL, CHECK, foreign key and enum rules, so the real pages work on it.

National organisations have codes starting ``NAT-``; their presence is how a second run is refused. The small demo
(``seed_demo_data``) is made first; the demo organisations NSH-CC and RIV-TR count among the employers, and the
demo accounts get national work: supervisees for the demo supervisor, allocated submissions for the demo assessor
and a long CPD history (more than 500 list pages) for the demo practitioner, so the benchmark signs in and sees it.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import multiprocessing
import random
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import click
from flask import current_app
from sqlalchemy import JSON, Engine, Table, event, func, insert, select
from sqlalchemy.engine import Connection

from portal.exceptions import DomainError

NATIONAL_PREFIX = "NAT-"
BATCH_ROWS = 20_000
CHUNK_PRACTITIONERS = 2_000
#: the share of the status lists national certificates may take (the rest stays free for live issuing)
STATUS_LIST_SHARE = 0.75
#: how many CPD list pages the demo practitioner's history fills (the benchmark reads page 500)
DEMO_CPD_PAGES = 502


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words("Aisha Amir Ana Ben Bethan Carys Chen Chloe Dafydd Daniel Ebony Eilidh Emma Fatima Finn Grace Hamza "
               "Hannah Harriet Ibrahim Isla Jack Jade Kofi Laila Liam Lowri Mei Mohammed Nia Noah Olivia Omar "
               "Oskar Priya Rhys Rosa Ruth Sam Sara Seren Tariq Tom Uma Wiktoria Yusuf Zara Zoe")
LAST_NAMES = _words("Adeyemi Ahmed Ali Bailey Begum Brown Chowdhury Clarke Davies Edwards Evans Green Griffiths Hall "
              "Hughes Hussain Jackson James Jones Khan Kowalski Lewis Mensah Morgan Murphy Nguyen Novak O'Brien "
              "Owen Patel Phillips Price Roberts Robinson Shah Singh Smith Taylor Thomas Walker Ward Watson White "
              "Williams Wilson Wright Young")
PLACES = _words("Ashby Brockley Castlemere Dunholt Eastwick Fairhaven Glenmoor Harrowby Ivybridge Jesmond Kingsmead "
          "Larkfield Marlow Northgate Oakridge Pembrey Queensbury Ravensworth Stonebridge Thornbury Upminster "
          "Valebrook Westholme Yarrow")

CPD_TITLES = ("Trauma-informed practice", "Working with neglect", "Chronologies and analysis", "Court skills",
              "Domestic abuse: risk assessment", "Contextual safeguarding", "Child development refresher",
              "Reflective supervision", "Writing for court", "Parental mental health",
              "Parenting and substance misuse", "Direct work with young children", "Working with fathers", "Adolescent risk")
CPD_TYPES = ("course", "reading", "shadowing", "supervision", "research", "e_learning", "conference", "other")
ACTIVITIES = ("home_visit", "direct_work", "child_and_family_assessment", "strategy_discussion",
              "section_47_enquiry", "initial_child_protection_conference", "review_child_protection_conference",
              "core_group", "child_in_need_meeting", "looked_after_review", "court_work", "family_group_conference")
CP_ACTIVITIES = ACTIVITIES[3:8] + ("court_work",)
CATEGORIES = ("child_in_need", "child_protection", "looked_after", "court")
TEXT = ("Visited with the family's agreement; Child A was settled and engaged in play. Parent B described the "
        "week's routines and we agreed the next steps in the plan.")
ANALYSIS = "The plan is working; the risks identified at the last review have reduced, and I explained why."
HOURS = tuple(Decimal(h).quantize(Decimal("0.01")) for h in (1, 2, 3, 3, 6, 7, 14))
OLD_STATUSES = ("verified",) * 95 + ("declined",) + ("draft",) * 4
RECENT_STATUSES = ("requested",) * 45 + ("draft",) * 35 + ("verified",) * 20
#: each kind's text fields (see portal.casework.kinds); shared objects, so they are serialised once per batch
CONTENT: dict[str, dict[str, str]] = {
    "case_reflection": {"account": TEXT, "analysis": ANALYSIS, "reflection": ANALYSIS},
    "direct_observation": {"observed": TEXT, "strengths": "Warm, clear, child-focused.",
                           "development": "Summarise the plan at the end.", "reflection": ANALYSIS},
    "supervision_record": {"agenda": "Caseload, wellbeing, learning", "discussion": ANALYSIS,
                           "actions": "Book the next observation"},
    "child_family_feedback": {"respondent": "Parent B", "went_well": "Listened and explained what would happen "
                              "next.", "even_better": ""},
    "professional_feedback": {"respondent": "Health visitor", "went_well": "Clear, timely information sharing.",
                              "even_better": ""},
}


@dataclasses.dataclass(frozen=True)
class Employer:
    id: int
    code: str
    name: str
    weight: float
    supervisor_ids: tuple[int, ...] = ()
    assessor_ids: tuple[int, ...] = ()


@dataclasses.dataclass
class Plan:
    """One practitioner's national record, before it becomes rows."""

    number: int
    employer: int  # index into the employer list
    start: dt.date
    fte: Decimal
    withdrawn: bool
    supervisor_id: int = 0
    user_id: int = 0
    enrolment_id: int = 0


@dataclasses.dataclass
class Summary:
    practitioners: int
    employers: int
    rows: dict[str, int]
    certificates: int
    register_opened: dt.date | None
    seconds: float

    @property
    def evidence_rows(self) -> int:
        return sum(self.rows.get(t, 0) for t in EVIDENCE_TABLES)


EVIDENCE_TABLES = ("cpd_records", "cpd_record_standards", "casework_items", "casework_item_statements",
                   "review_meetings", "self_assessments", "enrolment_documents", "external_results")


class NationalDataExists(DomainError):
    pass


# ----------------------------------------------------------------------------------------------------- planning
def plan_practitioners(rng: random.Random, count: int, employers: int, today: dt.date,
                       weights: list[float]) -> list[Plan]:
    """Who works where and when they started: start dates over the last 62 months (slightly more recent cohorts
    are bigger, so every stage and a few completed awards are present), 85% full time, 3% withdrawn."""
    plans = []
    cumulative = list(_accumulate(weights))
    for number in range(count):
        months_ago = 62 * (rng.random() ** 1.15)
        start = today - dt.timedelta(days=int(months_ago * 30.44))
        fte = rng.choices((Decimal("1.00"), Decimal("0.80"), Decimal("0.60")), (85, 10, 5))[0]
        employer = rng.choices(range(employers), cum_weights=cumulative)[0]
        plans.append(Plan(number=number, employer=employer, start=start, fte=fte, withdrawn=rng.random() < 0.03))
    return plans


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def decision_lag(rng: random.Random) -> int:
    """Days from a stage's due date to its decision."""
    return rng.randint(25, 70)


# ------------------------------------------------------------------------------------------------ id allocation
class Ids:
    """Explicit primary keys, continuing after what the tables already hold."""

    def __init__(self, conn: Connection, tables: dict[str, Table]) -> None:
        self.next = {name: (conn.execute(select(func.max(t.c.id))).scalar() or 0) + 1
                     for name, t in tables.items() if "id" in t.c}

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


class Writer:
    """Rows per table, inserted with Core executemany whenever a table holds ``BATCH_ROWS``. Tables are flushed in
    foreign-key order so a child row never arrives before its parent."""

    ORDER = ("organisations", "users", "role_grants", "enrolments", "supervisor_allocations", "employment_periods",
             "review_meetings", "self_assessments", "enrolment_documents", "external_results", "cpd_records",
             "cpd_record_standards", "casework_items", "casework_item_statements", "submissions",
             "submission_versions", "submission_items", "submission_events", "markings", "stage_sign_offs",
             "certificates", "certificate_events")

    def __init__(self, tables: dict[str, Table]) -> None:
        self.tables = tables
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in self.ORDER}
        self.counts: dict[str, int] = dict.fromkeys(self.ORDER, 0)

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows[table].append(row)

    def pending(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    @property
    def conn(self) -> Connection:
        from portal.db import session

        return session().connection()

    def flush(self) -> None:
        conn = self.conn
        for name in self.ORDER:
            rows = self.rows[name]
            for start in range(0, len(rows), BATCH_ROWS):
                batch = rows[start:start + BATCH_ROWS]
                if conn.dialect.name == "sqlite":
                    _insert_positional(conn, self.tables[name], batch)
                elif conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
                    _copy_rows(conn, self.tables[name], batch)
                else:
                    conn.execute(insert(self.tables[name]), batch)
            self.counts[name] += len(rows)
            rows.clear()


def _insert_positional(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """``insert(table)`` executemany with SQLAlchemy's own bind processors applied here, column by column and
    memoised (the same dates, timestamps and enum values recur thousands of times), then handed to the driver as
    tuples: the same stored values as ``conn.execute(insert(table), rows)`` at a fraction of the per-row cost."""
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(rows[0]))
    names = list(compiled.positiontup or ())
    processors = compiled._bind_processors
    columns = []
    for name in names:
        values = [row[name] for row in rows]
        processor = processors.get(name)
        if processor is not None:
            memo: dict[Any, Any] = {None: None}
            if isinstance(table.c[name].type, JSON):  # dicts are not hashable: shared objects are memoised by id
                by_id: dict[int, Any] = {}
                values = [None if v is None else by_id[id(v)] if id(v) in by_id
                          else by_id.setdefault(id(v), processor(v)) for v in values]
            else:
                values = [memo[v] if v in memo else memo.setdefault(v, processor(v)) for v in values]
        columns.append(values)
    conn.exec_driver_sql(str(compiled), list(zip(*columns, strict=True)))


def _copy_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: ``COPY table FROM STDIN`` through psycopg, inside the session's transaction (JSON columns as
    their text; everything else adapted by psycopg as for an INSERT)."""
    names = list(rows[0])
    json_columns = {n for n in names if isinstance(table.c[n].type, JSON)}
    by_id: dict[int, str] = {}

    def as_json(value: Any) -> str | None:
        if value is None:
            return None
        found = by_id.get(id(value))
        if found is None:
            found = by_id[id(value)] = json.dumps(value, separators=(",", ":"))
        return found

    columns = ", ".join(f'"{n}"' for n in names)
    driver_connection = conn.connection.driver_connection
    with driver_connection.cursor() as cursor, \
            cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:  # type: ignore[union-attr]
        if json_columns:
            for row in rows:
                copy.write_row([as_json(row[n]) if n in json_columns else row[n] for n in names])
        else:
            for row in rows:
                copy.write_row([row[n] for n in names])


# ---------------------------------------------------------------------------------------------------- the loader
def national_data_exists() -> bool:
    from portal.db import session
    from portal.users.models import Organisation

    return session().execute(select(Organisation.id).where(Organisation.code.like(f"{NATIONAL_PREFIX}%"))
                             .limit(1)).scalar() is not None


def load_national(practitioners: int, *, employers: int = 150, seed: int = 2026, today: dt.date | None = None,
                  sign_processes: int | None = None, demo_cpd_pages: int = DEMO_CPD_PAGES) -> Summary:
    """Add ``practitioners`` practitioners across ``employers`` employers (the demo ones included) with their
    enrolments, evidence, submissions, sign-offs and certificates. Run after ``seed_demo_data`` (it needs the
    demo accounts and the shipped templates). Refuses to run twice. Commits as it goes."""
    import time

    from portal.db import session
    from portal.enrolments.services import london_today
    from portal.framework.services import published_versions, template_for
    from portal.models import metadata

    started = time.perf_counter()
    if practitioners < 1 or employers < 3:
        raise DomainError("Give at least 1 practitioner and 3 employers")
    if national_data_exists():
        raise NationalDataExists("This database already holds national demo data (organisations coded NAT-...): "
                                 "start from an empty database to load it again")
    today = today or london_today()
    sess = session()
    version = published_versions("ECF-5Y")[0]
    template = template_for(version)
    demo = _demo_context(sess)
    sess.commit()
    rng = random.Random(seed)
    tables = {name: metadata.tables[name] for name in Writer.ORDER}
    engine = sess.get_bind()
    # every connection checked out while loading skips fsync (a test's bound connection is already checked out)
    fast = engine.dialect.name == "sqlite" and isinstance(engine, Engine)
    if fast:
        event.listen(engine, "checkout", _fast_sqlite)
    try:
        ids = Ids(sess.connection(), tables)
        out = Writer(tables)
        builder = Builder(rng, template, version, today, ids, out, demo)
        builder.add_organisations(employers)
        weights = [e.weight for e in builder.employers]
        plans = plan_practitioners(rng, practitioners, len(builder.employers), today, weights)
        builder.add_staff(plans)
        out.flush()
        capacity = _certificate_capacity(sess.connection(), tables["certificates"])
        sess.commit()
        builder.choose_register(plans, capacity)
        with _bar(len(plans), "Practitioners and evidence") as bar:
            for start in range(0, len(plans), CHUNK_PRACTITIONERS):
                chunk = plans[start:start + CHUNK_PRACTITIONERS]
                for plan in chunk:
                    builder.add_practitioner(plan)
                out.flush()
                sess.commit()
                bar.update(len(chunk))
        builder.add_demo_cpd(demo_cpd_pages)
        out.flush()
        sess.commit()
        builder.sign_and_store_certificates(sign_processes)
        sess.commit()
        conn = sess.connection()
        if engine.dialect.name == "postgresql":
            for name, table in tables.items():
                if "id" in table.c:
                    conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                         f"(SELECT COALESCE(MAX(id), 1) FROM {name}))")
        conn.exec_driver_sql("ANALYZE")
    finally:
        if fast:
            event.remove(engine, "checkout", _fast_sqlite)
    from portal.audit import record
    from portal.certificates.publishing import rebuild_status_lists

    rebuild_status_lists()
    record(None, "national_demo.seeded", None, practitioners=practitioners, employers=employers, seed=seed,
           via="seed-demo")
    sess.commit()
    return Summary(practitioners=practitioners, employers=len(builder.employers), rows=dict(out.counts),
                   certificates=out.counts["certificates"], register_opened=builder.register_opened,
                   seconds=time.perf_counter() - started)


def _bar(length: int, label: str) -> Any:
    return click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True)


def _fast_sqlite(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """While loading: no fsync (a crash mid-load means loading again into a fresh database), a bigger cache."""
    for pragma in ("synchronous=OFF", "cache_size=-262144", "temp_store=MEMORY"):
        dbapi_connection.execute(f"PRAGMA {pragma}")


def _certificate_capacity(conn: Connection, certificates: Table) -> int:
    length = int(current_app.config["STATUS_LIST_LENGTH"])
    used = conn.execute(select(func.count()).select_from(certificates)).scalar() or 0
    return max(0, int(length * STATUS_LIST_SHARE) - used)


@dataclasses.dataclass(frozen=True)
class DemoContext:
    organisations: dict[str, tuple[int, str]]  # code -> (id, name)
    practitioner_id: int | None
    practitioner_enrolment_id: int | None
    supervisor_id: int | None
    assessor_id: int | None
    admin_id: int | None


def _demo_context(sess: Any) -> DemoContext:
    from portal.enrolments.models import Enrolment
    from portal.users.models import Organisation, User

    orgs = {o.code: (o.id, o.name) for o in sess.execute(select(Organisation)).scalars()}
    users = {u.email: u.id for u in sess.execute(select(User).where(User.email.like("%.example"))).scalars()}
    practitioner = users.get("practitioner@northshire.example")
    enrolment = sess.execute(select(Enrolment.id).where(Enrolment.practitioner_id == practitioner)
                             .order_by(Enrolment.id)).scalar() if practitioner else None
    if "NSH-CC" not in orgs or "RIV-TR" not in orgs:
        raise DomainError("Load the small demo first (seed_demo_data)")
    return DemoContext(organisations=orgs, practitioner_id=practitioner, practitioner_enrolment_id=enrolment,
                       supervisor_id=users.get("supervisor@northshire.example"),
                       assessor_id=users.get("assessor@riverside.example"),
                       admin_id=users.get("employer.admin@northshire.example"))


# -------------------------------------------------------------------------------------------------- row builders
class Builder:
    """Turns plans into rows (see the module docstring). Holds the shared, precomputed values."""

    def __init__(self, rng: random.Random, template: Any, version: Any, today: dt.date, ids: Ids, out: Writer,
                 demo: DemoContext) -> None:
        from portal.auth.passwords import hash_password
        from portal.users.seeding import DEMO_PASSWORD

        self.rng, self.template, self.version, self.today, self.ids, self.out, self.demo = (
            rng, template, version, today, ids, out, demo)
        self.now = dt.datetime.combine(today, dt.time(9), tzinfo=dt.UTC)
        self.password_hash = hash_password(DEMO_PASSWORD)  # one hash for every national account
        self.kss = list(template.standards_set("KSS-CF").statement_codes)
        self.codes = [c for s in template.standards for c in s.statement_codes]
        # precomputed random mappings (drawing a sample per row is the loader's hottest spot)
        self.cpd_combos = [tuple(rng.sample(self.codes, k)) for k in (1, 1, 2, 2, 3) for _ in range(200)]
        self.kss_combos = [tuple(rng.sample(self.kss, k)) for k in (0, 1, 1, 2, 3) for _ in range(200)]
        self.employers: list[Employer] = []
        self.register_opened: dt.date | None = None
        self.certificates: list[dict[str, Any]] = []
        self._schedules: dict[tuple[dt.date, Decimal], Any] = {}
        self._swe = 300_000
        self.demo_supervisees = 0
        self.demo_assessor_load = 0

    # ---- organisations and staff
    def add_organisations(self, count: int) -> None:
        rng, demo = self.rng, self.demo
        for code in ("NSH-CC", "RIV-TR"):
            org_id, name = demo.organisations[code]
            self.employers.append(Employer(org_id, code, name, rng.uniform(0.6, 1.4)))
        kinds = ["local_authority"] * 8 + ["childrens_trust", "voluntary"]
        for n in range(1, count - 1):
            kind = kinds[n % len(kinds)]
            place = f"{PLACES[n % len(PLACES)]}{'' if n <= len(PLACES) else f' {n // len(PLACES) + 1}'}"
            name = {"local_authority": f"{place} Council", "childrens_trust": f"{place} Children's Services Trust",
                    "voluntary": f"{place} Family Action"}[kind]
            org_id = self.ids.take("organisations")
            code = f"{NATIONAL_PREFIX}{n:03d}"
            self.out.add("organisations", {"id": org_id, "name": name, "kind": kind, "code": code,
                                           "created_at": self.now})
            self.employers.append(Employer(org_id, code, name, rng.lognormvariate(0, 0.45)))

    def _user(self, email: str, name: str, role: str, org_id: int, *, swe: bool, totp: bool = False) -> int:
        user_id = self.ids.take("users")
        swe_number = None
        if swe:
            self._swe += 1
            swe_number = f"SW{self._swe}"
        self.out.add("users", {
            "id": user_id, "email": email, "name": name, "swe_number": swe_number, "status": "active",
            "password_hash": self.password_hash, "session_version": 1, "failed_sign_ins": 0, "locked_until": None,
            "last_sign_in_at": None, "totp_secret": _totp_secret(email) if totp else None,
            "totp_enabled_at": self.now if totp else None, "totp_last_timestep": None,
            "created_at": self.now, "updated_at": self.now})
        self.out.add("role_grants", {"id": self.ids.take("role_grants"), "user_id": user_id, "role": role,
                                     "organisation_id": org_id, "granted_by_id": None, "created_at": self.now})
        return user_id

    def _name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def add_staff(self, plans: list[Plan]) -> None:
        """Supervisors (one per eight practitioners), assessors (one per sixty), two moderators and two employer
        admins per employer; then each practitioner's supervisor."""
        sizes = [0] * len(self.employers)
        for plan in plans:
            sizes[plan.employer] += 1
        for index, employer in enumerate(self.employers):
            slug = employer.code.lower()
            supervisors = tuple(self._user(f"supervisor{n}@{slug}.national.example", self._name(), "supervisor",
                                           employer.id, swe=True) for n in range(max(2, sizes[index] // 8)))
            assessors = tuple(self._user(f"assessor{n}@{slug}.national.example", self._name(), "assessor",
                                         employer.id, swe=True, totp=True) for n in range(max(1, sizes[index] // 60)))
            for n in range(2):
                self._user(f"moderator{n}@{slug}.national.example", self._name(), "moderator", employer.id,
                           swe=True, totp=True)
                self._user(f"admin{n}@{slug}.national.example", self._name(), "employer_admin", employer.id, swe=False,
                           totp=True)
            self.employers[index] = dataclasses.replace(employer, supervisor_ids=supervisors, assessor_ids=assessors)
        for plan in plans:
            employer = self.employers[plan.employer]
            if employer.code == "NSH-CC" and self.demo.supervisor_id and self.demo_supervisees < 12:
                plan.supervisor_id = self.demo.supervisor_id  # the demo supervisor's caseload
                self.demo_supervisees += 1
            else:
                plan.supervisor_id = self.rng.choice(employer.supervisor_ids)

    # ---- timelines
    def schedule(self, plan: Plan) -> Any:
        from portal.framework import clock

        key = (plan.start, plan.fte)
        found = self._schedules.get(key)
        if found is None:
            found = clock.compute_schedule(self.template, start=plan.start, today=self.today, fte=plan.fte)
            self._schedules[key] = found
        return found

    def decisions(self, plan: Plan) -> list[tuple[Any, dt.date]]:
        """(stage schedule, decision day) for every assessed stage whose due date has passed (decision day may
        still be in the future: then the submission is open)."""
        rng = random.Random(plan.number * 7919 + 17)
        out = []
        for stage in self.schedule(plan).stages:
            if stage.code == "AWARD" or stage.end > self.today:
                continue
            out.append((stage, stage.end + dt.timedelta(days=decision_lag(rng))))
        return out

    def choose_register(self, plans: list[Plan], capacity: int) -> None:
        """Certificates go to sign-offs decided on or after the day the register "opened", chosen so they fit the
        status lists (older sign-offs stay signed off with their certificate pending: ``issue-pending``)."""
        days = sorted((day for plan in plans if not plan.withdrawn for _, day in self.decisions(plan)
                       if day <= self.today), reverse=True)
        awards = sum(1 for plan in plans if not plan.withdrawn and any(
            s.code == "Y5" and d <= self.today for s, d in self.decisions(plan)))
        capacity -= awards
        if capacity <= 0:
            self.register_opened = self.today + dt.timedelta(days=1)
        elif len(days) <= capacity:
            self.register_opened = days[-1] if days else self.today
        else:
            self.register_opened = days[capacity - 1] + dt.timedelta(days=1)

    # ---- one practitioner
    def add_practitioner(self, plan: Plan) -> None:
        employer = self.employers[plan.employer]
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        plan.user_id = self._user(f"{first.lower()}.{last.lower().replace(chr(39), '')}.{plan.number}@"
                                  f"{employer.code.lower()}.national.example", f"{first} {last}", "practitioner",
                                  employer.id, swe=True)
        schedule = self.schedule(plan)
        decisions = self.decisions(plan)
        completed = any(s.code == "Y5" and d <= self.today for s, d in decisions) and not plan.withdrawn
        withdrawn_on = None
        if plan.withdrawn:
            withdrawn_on = plan.start + dt.timedelta(days=int((self.today - plan.start).days * self.rng.random()))
        plan.enrolment_id = self.ids.take("enrolments")
        created = _at(plan.start, 8)
        self.out.add("enrolments", {
            "id": plan.enrolment_id, "practitioner_id": plan.user_id, "organisation_id": employer.id,
            "programme_version_id": self.version.id, "programme_code": self.version.code, "start_date": plan.start,
            "fte": plan.fte, "supervisor_id": plan.supervisor_id,
            "status": "completed" if completed else "withdrawn" if plan.withdrawn else "active",
            "created_at": created, "created_by_id": None})
        self.out.add("supervisor_allocations", {
            "id": self.ids.take("supervisor_allocations"), "enrolment_id": plan.enrolment_id,
            "supervisor_id": plan.supervisor_id, "started_on": plan.start, "ended_on": withdrawn_on,
            "created_at": created})
        self.out.add("employment_periods", {
            "id": self.ids.take("employment_periods"), "enrolment_id": plan.enrolment_id,
            "organisation_id": employer.id, "started_on": plan.start, "ended_on": withdrawn_on, "created_at": created})
        until = min(self.today, withdrawn_on or self.today)
        for stage in schedule.stages:
            if stage.code == "AWARD" or stage.start > until:
                continue
            end = min(stage.end, until)
            self._pathway_records(plan, stage, end)
            self._cpd(plan, stage, stage.start, end)
            self._casework(plan, stage, stage.start, end)
        if not plan.withdrawn:
            for stage, decided_on in decisions:
                self._assessment(plan, employer, stage, decided_on)

    def _pathway_records(self, plan: Plan, stage: Any, until: dt.date) -> None:
        rng, out, enrolment = self.rng, self.out, plan.enrolment_id
        for review in stage.reviews:
            if review.due > until or (review.optional and rng.random() < 0.6):
                continue
            held = review.due - dt.timedelta(days=rng.randint(0, 10))
            review_id = self.ids.take("review_meetings")
            out.add("review_meetings", {
                "id": review_id, "enrolment_id": enrolment, "review_code": review.code, "held_on": held,
                "attendees": "Practitioner, practice supervisor", "notes": "Good progress; caseload reviewed.",
                "development_plan": "Lead a child and family assessment\nRecord a direct observation",
                "recorded_at": _at(held, 15), "recorded_by_id": plan.supervisor_id})
            if review.kss_self_assessment:
                self._self_assessment(plan, stage.code, "middle" if review.due < stage.end else "end", held,
                                      review_id)
        if stage.code == "Y1":
            self._document(plan, "learning_agreement", "Learning agreement, year 1", stage.start + dt.timedelta(14),
                           "Y1", until)
            self._self_assessment(plan, "Y1", "start", stage.start + dt.timedelta(20), None, until)
            self._document(plan, "critical_reflection_log", "Critical reflection log", stage.end - dt.timedelta(20),
                           "Y1", until)
        elif stage.code == "Y2":
            self._document(plan, "year_2_reflection", "Year 2 reflection", stage.end - dt.timedelta(30), "Y2", until)
        elif stage.code == "Y5":
            self._document(plan, "full_portfolio", "Full portfolio", stage.end - dt.timedelta(30), "Y5", until)
            for n, kind in enumerate(("knowledge_assessment", "employer_endorsement", "observed_practice")):
                day = stage.start + dt.timedelta(days=120 + 60 * n)
                if day <= until:
                    out.add("external_results", {
                        "id": self.ids.take("external_results"), "enrolment_id": plan.enrolment_id, "kind": kind,
                        "passed": rng.random() < 0.95, "recorded_on": day, "stage_code": "Y5", "notes": "",
                        "recorded_at": _at(day, 12), "recorded_by_id": plan.supervisor_id})

    def _document(self, plan: Plan, kind: str, title: str, day: dt.date, stage: str, until: dt.date) -> None:
        if day <= until:
            self.out.add("enrolment_documents", {
                "id": self.ids.take("enrolment_documents"), "enrolment_id": plan.enrolment_id, "kind": kind,
                "title": title, "summary": "Agreed with the practice supervisor.", "completed_on": day,
                "stage_code": stage, "recorded_at": _at(day, 11), "recorded_by_id": plan.user_id})

    def _self_assessment(self, plan: Plan, stage: str, point: str, day: dt.date, review_id: int | None,
                         until: dt.date | None = None) -> None:
        if until is not None and day > until:
            return
        level = {"start": 2, "middle": 2, "end": 3}[point]
        ratings = {code: min(4, level + (self.rng.random() < 0.3)) for code in self.kss}
        self.out.add("self_assessments", {
            "id": self.ids.take("self_assessments"), "enrolment_id": plan.enrolment_id,
            "review_meeting_id": review_id, "stage_code": stage, "point": point, "set_code": "KSS-CF",
            "ratings": ratings, "completed_on": day, "recorded_at": _at(day, 16), "recorded_by_id": plan.user_id})

    def _cpd(self, plan: Plan, stage: Any, start: dt.date, end: dt.date, per_year: float = 5.0,
             enrolment: bool = True, count: int | None = None) -> None:
        from portal.cpd.years import registration_year

        rng, out, rand = self.rng, self.out, self.rng.random
        span = (end - start).days
        if count is None:
            count = _poisson(rng, per_year * span / 365.25)
        for _ in range(count):
            finished = start + dt.timedelta(days=rng.randint(0, max(span, 0)))
            began = finished - dt.timedelta(days=_pick(rand, (0, 0, 0, 1, 2, 7)))
            draft = (self.today - finished).days < 45 and rng.random() < 0.4
            hours = _pick(rand, HOURS)
            peer = rng.random() < 0.55
            record_id = self.ids.take("cpd_records")
            created = _at(finished, 19)
            out.add("cpd_records", {
                "id": record_id, "practitioner_id": plan.user_id,
                "enrolment_id": plan.enrolment_id if enrolment else None,
                "stage_code": stage.code if enrolment else None, "status": "draft" if draft else "complete",
                "activity_type": _pick(rand, CPD_TYPES), "title": _pick(rand, CPD_TITLES),
                "start_date": began, "end_date": finished, "hours": hours,
                "participatory_hours": hours if rng.random() < 0.6 else Decimal("0.00"),
                "provider": "Regional teaching partnership", "description": "A day on the topic with case studies.",
                "learning": "How to weigh the evidence and explain it plainly.",
                "impact_practice": "My assessments now set out the analysis before the plan.",
                "impact_people": "Families understand why decisions are made.",
                "peer_name": "A colleague" if peer else "", "peer_role": "Senior practitioner" if peer else "",
                "peer_discussed_on": finished + dt.timedelta(days=7) if peer else None,
                "peer_learning": "We compared how we record risk." if peer else "",
                "registration_year": registration_year(finished), "activity_on": finished, "import_id": None,
                "created_by_id": plan.user_id, "created_at": created, "updated_at": created,
                "completed_at": None if draft else created})
            for code in _pick(rand, self.cpd_combos):
                out.add("cpd_record_standards", {"record_id": record_id, "statement_code": code})

    def _casework(self, plan: Plan, stage: Any, start: dt.date, end: dt.date) -> None:
        rng, out, rand = self.rng, self.out, self.rng.random
        span = (end - start).days
        years = span / 365.25
        year_one = stage.code == "Y1"
        rates = {"supervision_record": 4.0, "case_reflection": 4.0 if stage.code != "Y3-4" else 5.0,
                 "direct_observation": 3.5 if year_one else 2.2,
                 "child_family_feedback": 2.2 if year_one else 1.0, "professional_feedback": 2.2 if year_one else 1.0}
        cases = [f"Case {rng.randint(1, 400)}" for _ in range(6)]
        for kind, rate in rates.items():
            for _ in range(_poisson(rng, rate * years)):
                day = start + dt.timedelta(days=rng.randint(0, max(span, 0)))
                age = (self.today - day).days
                if age > 50:
                    status = _pick(rand, OLD_STATUSES)
                else:
                    status = _pick(rand, RECENT_STATUSES)
                item_id = self.ids.take("casework_items")
                made = _at(day, 17)
                requested = _at(day + dt.timedelta(days=min(age, 3)), 10) if status != "draft" else None
                verified = _at(day + dt.timedelta(days=min(age, 12)), 14) if status == "verified" else None
                row = {"id": item_id, "enrolment_id": plan.enrolment_id, "practitioner_id": plan.user_id,
                       "kind": kind, "status": status, "occurred_on": day, "case_reference": _pick(rand, cases),
                       "category": None, "activity": None, "practitioner_role": None, "stage_code": stage.code,
                       "content": None, "author_id": plan.user_id, "observer_id": None, "requested_at": requested,
                       "verified_at": verified, "verified_by_id": plan.supervisor_id if verified else None,
                       "voided_at": None, "content_changed_at": made, "created_at": made}
                if kind == "case_reflection":
                    cp = stage.code == "Y3-4"
                    row.update(category="child_protection" if cp else _pick(rand, CATEGORIES),
                               activity=_pick(rand, CP_ACTIVITIES if cp else ACTIVITIES),
                               practitioner_role=_role_for(stage, day, rng), content=CONTENT[kind])
                elif kind == "direct_observation":
                    row.update(observer_id=plan.supervisor_id, author_id=plan.supervisor_id,
                               activity=_pick(rand, ACTIVITIES), content=CONTENT[kind])
                elif kind == "supervision_record":
                    row.update(case_reference=None, author_id=plan.supervisor_id, content=CONTENT[kind])
                else:
                    row.update(author_id=None, content=CONTENT[kind])
                out.add("casework_items", row)
                for code in _pick(rand, self.kss_combos) if kind != "supervision_record" else ():
                    out.add("casework_item_statements", {"item_id": item_id, "statement_code": code})

    # ---- assessment, sign-off and certificates
    def _assessment(self, plan: Plan, employer: Employer, stage: Any, decided_on: dt.date) -> None:
        from portal.assessments.manifest import build_manifest
        from portal.assessments.sealing import seal_statement

        rng, out = self.rng, self.out
        submitted_on = stage.end - dt.timedelta(days=rng.randint(3, 20))
        if submitted_on > self.today:
            return
        independent = stage.code == "Y5"
        assessor = self._assessor(employer, independent)
        decided = decided_on <= self.today
        outcome = rng.choices(("PASS", "PASS_DEV"), (92, 8))[0] if decided else None
        if decided:
            certified = decided_on >= (self.register_opened or self.today)
            state = "certificate_issued" if certified else "signed_off"
        else:
            state = rng.choices(("submitted", "under_assessment", "recommended", "moderation", "referred"),
                                (10, 55, 15, 15, 5))[0]
            if state == "submitted":
                assessor = None
            elif state in ("under_assessment", "referred") and self.demo.assessor_id and employer.code != "RIV-TR" \
                    and self.demo_assessor_load < 60:
                assessor = self.demo.assessor_id  # the demo assessor's queue
                self.demo_assessor_load += 1
            if state in ("recommended", "moderation"):
                outcome = rng.choices(("PASS", "PASS_DEV"), (92, 8))[0]
        submission_id = self.ids.take("submissions")
        statement = f"My portfolio for {stage.name}: the evidence shows how my practice developed."
        manifest = build_manifest([seal_statement(statement),
                                   {"kind": "enrolment", "id": plan.enrolment_id, "stage": stage.code}])
        sealed = _at(submitted_on, 12)
        allocated = sealed + dt.timedelta(days=2) if assessor else None
        out.add("submissions", {
            "id": submission_id, "enrolment_id": plan.enrolment_id, "practitioner_id": plan.user_id,
            "stage_code": stage.code, "independent": independent, "state": state, "paused_from": None,
            "version": 1, "statement": statement, "chosen_items": [], "agreement_by_id": None, "agreement_at": None,
            "agreement_reason": None, "agreement_unmet": [], "assessor_id": assessor, "allocated_at": allocated,
            "allocated_by_id": None, "assessor_due_on": submitted_on + dt.timedelta(days=28) if assessor else None,
            "outcome": outcome, "incomplete_deadline": None, "extended_to": None,
            "decided_on": decided_on if decided else None, "sample_draw_id": None, "sample_reasons": None,
            "second_marker_id": None, "created_at": sealed - dt.timedelta(days=30), "first_submitted_at": sealed,
            "submitted_at": sealed, "updated_at": _at(min(decided_on, self.today), 13)})
        version_id = self.ids.take("submission_versions")
        out.add("submission_versions", {
            "id": version_id, "submission_id": submission_id, "number": 1, "statement": statement,
            "manifest": {"manifest_version": manifest.version, "items": [e.index() for e in manifest.entries]},
            "digest": manifest.digest, "sealed_at": sealed, "sealed_by_id": plan.user_id})
        for entry in manifest.entries:
            out.add("submission_items", {"id": self.ids.take("submission_items"), "version_id": version_id,
                                         "kind": entry.kind, "item_key": str(entry.id), "sha256": entry.sha256,
                                         "content": dict(entry.content)})
        out.add("submission_events", {
            "id": self.ids.take("submission_events"), "submission_id": submission_id, "action": "submit",
            "from_state": "draft", "to_state": "submitted", "actor_id": plan.user_id, "role": "practitioner",
            "reason": "", "outcome": None, "version": 1, "details": {}, "occurred_at": sealed})
        if assessor and (decided or state in ("recommended", "moderation")):
            out.add("markings", {
                "id": self.ids.take("markings"), "submission_id": submission_id, "version": 1, "role": "first",
                "marker_id": assessor, "levels": {}, "outcome": outcome,
                "feedback": "The portfolio meets every requirement of the stage.", "development_points": "",
                "missing_evidence": "", "incomplete_deadline": None, "extend_to": None,
                "saved_at": sealed + dt.timedelta(days=20), "saved_by_id": assessor,
                "finished_at": sealed + dt.timedelta(days=20), "lock_version": 1})
        if not decided:
            return
        roles = ["Independent assessor" if independent else "Assessor", "Moderator", "Employer admin"]
        sign_offs = [(stage.code, False)] + ([("AWARD", True)] if stage.code == "Y5" else [])
        for stage_code, is_award in sign_offs:
            sign_off_id = self.ids.take("stage_sign_offs")
            out.add("stage_sign_offs", {
                "id": sign_off_id, "enrolment_id": plan.enrolment_id, "stage_code": stage_code,
                "submission_id": submission_id, "outcome": outcome, "decided_on": decided_on,
                "signed_off_at": _at(decided_on, 15), "signed_off_by_id": None, "manifest_digest": manifest.digest,
                "signatory_roles": roles, "is_award": is_award, "reversed_at": None, "reversed_by_id": None,
                "reversed_reason": None})
            if state == "certificate_issued":
                self.certificates.append({
                    "practitioner_id": plan.user_id, "enrolment_id": plan.enrolment_id, "sign_off_id": sign_off_id,
                    "stage_code": stage_code, "kind": "award" if is_award else "stage", "decided_on": decided_on,
                    "stage_start": plan.start if is_award else stage.start,
                    "stage_end": decided_on if is_award else max(stage.start, min(stage.end, decided_on)),
                    "decision": outcome, "roles": roles, "digest": manifest.digest, "employer": employer.name,
                    "number": plan.number})

    def _assessor(self, employer: Employer, independent: bool) -> int:
        """An assessor from another organisation (never the practitioner's own: no conflict of interest)."""
        while True:
            other = self.employers[self.rng.randrange(len(self.employers))]
            if other.id != employer.id and other.assessor_ids:
                return self.rng.choice(other.assessor_ids)

    def add_demo_cpd(self, pages: int) -> None:
        """The demo practitioner's long CPD history: enough for ``pages`` list pages."""
        demo = self.demo
        if demo.practitioner_id is None:
            return
        size = int(current_app.config["PAGE_SIZE"]) * pages
        plan = Plan(number=-1, employer=0, start=self.today, fte=Decimal(1), withdrawn=False,
                    supervisor_id=demo.supervisor_id or 0, user_id=demo.practitioner_id,
                    enrolment_id=demo.practitioner_enrolment_id or 0)
        stage = dataclasses.make_dataclass("S", ["code"])(code=None)
        self._cpd(plan, stage, self.today - dt.timedelta(days=int(15 * 365.25)), self.today - dt.timedelta(1),
                  enrolment=False, count=size)

    def sign_and_store_certificates(self, processes: int | None) -> None:
        from portal.certificates.codes import generate_code
        from portal.certificates.issuing import describe_award
        from portal.certificates.models import CertificateKind
        from portal.certificates.signing import issuer_profile, keyring, status_list_url
        from portal.certificates.snapshot import CertificateSnapshot
        from portal.urls import external_url

        specs = self.certificates
        if not specs:
            return
        rng, conn = self.rng, self.out.conn
        certificates = self.out.tables["certificates"]
        taken_codes = set(conn.execute(select(certificates.c.code)).scalars())
        length = int(current_app.config["STATUS_LIST_LENGTH"])
        indexes = {}
        for column in ("revocation_index", "suspension_index"):
            used = set(conn.execute(select(certificates.c[column])).scalars())
            free = [i for i in range(length) if i not in used]
            indexes[column] = rng.sample(free, len(specs))
        people = {row.id: row for row in conn.execute(
            select(self.out.tables["users"].c.id, self.out.tables["users"].c.name,
                   self.out.tables["users"].c.swe_number)
            .where(self.out.tables["users"].c.id.in_({s["practitioner_id"] for s in specs})))} \
            if len(specs) < 30_000 else {row.id: row for row in conn.execute(
                select(self.out.tables["users"].c.id, self.out.tables["users"].c.name,
                       self.out.tables["users"].c.swe_number))}
        wordings = {(code, kind): describe_award(self.template, code if kind == "stage" else "Y5",
                                                 CertificateKind(kind))
                    for code, kind in {(s["stage_code"], s["kind"]) for s in specs}}
        revocation_url, suspension_url = status_list_url("revocation"), status_list_url("suspension")
        verify_base = external_url("certificates.verify_code", code="EPP-XXXX-XXXX-XX").rsplit("/", 1)[0]
        subjects: dict[int, str] = {}
        snapshots, rows = [], []
        for n, spec in enumerate(specs):
            code = generate_code(rng.randrange)
            while code in taken_codes:
                code = generate_code(rng.randrange)
            taken_codes.add(code)
            person = people[spec["practitioner_id"]]
            wording = wordings[(spec["stage_code"], spec["kind"])]
            subject = subjects.setdefault(spec["practitioner_id"], f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}")
            issued = _at(spec["decided_on"], 16)
            snapshot = CertificateSnapshot(
                certificate_code=code, holder_name=person.name, swe_number=person.swe_number,
                award_title=wording.title, award_description=wording.description,
                criteria_narrative=wording.criteria, achievement_type=wording.achievement_type,
                template_code=self.template.code, template_name=self.template.name,
                template_version=str(self.template.version), employer_name=spec["employer"],
                stage_start=spec["stage_start"], stage_end=max(spec["stage_start"], spec["stage_end"]),
                decision_date=spec["decided_on"], decision=spec["decision"], signatory_roles=tuple(spec["roles"]),
                verify_url=f"{verify_base}/{code}", submission_sha256=spec["digest"], issued_at=issued,
                subject_id=subject, identity_salt=f"{rng.getrandbits(128):032x}",
                revocation_list_url=revocation_url, revocation_index=indexes["revocation_index"][n],
                suspension_list_url=suspension_url, suspension_index=indexes["suspension_index"][n],
                stage_key=wording.stage_key)
            snapshots.append(snapshot)
            rows.append({
                "id": self.ids.take("certificates"), "code": code, "kind": spec["kind"],
                "enrolment_id": spec["enrolment_id"], "practitioner_id": spec["practitioner_id"],
                "sign_off_id": spec["sign_off_id"], "stage_code": wording.stage_code,
                "stage_position": wording.stage_position, "template_code": self.template.code,
                "holder_name": person.name, "swe_number": person.swe_number, "award_title": wording.title,
                "decision_date": spec["decided_on"], "subject_id": subject, "snapshot_json": snapshot.to_json(),
                "credential_jws": "", "status": "valid", "status_reason": "", "status_changed_at": None,
                "status_changed_by_id": None, "superseded_by_id": None,
                "revocation_index": snapshot.revocation_index, "suspension_index": snapshot.suspension_index,
                "issued_at": issued, "issued_by_id": None})
        ring, issuer = keyring(), issuer_profile()
        for row, token in zip(rows, _sign_all(snapshots, ring, issuer, processes), strict=True):
            row["credential_jws"] = token
        for row in rows:  # a few live concerns, so the register and the status lists are not all "valid"
            draw = rng.random()
            if draw < 0.002:
                row.update(status="suspended", status_reason="A concern is being looked into",
                           status_changed_at=self.now)
            elif draw < 0.003:
                row.update(status="revoked", status_reason="Issued in error", status_changed_at=self.now)
        for row in rows:
            self.out.add("certificates", row)
            self.out.add("certificate_events", {
                "id": self.ids.take("certificate_events"), "certificate_id": row["id"], "action": "issued",
                "from_status": None, "to_status": "valid", "reason": "", "related_certificate_id": None,
                "actor_id": None, "occurred_at": row["issued_at"]})
            if row["status"] != "valid":
                self.out.add("certificate_events", {
                    "id": self.ids.take("certificate_events"), "certificate_id": row["id"],
                    "action": row["status"], "from_status": "valid", "to_status": row["status"],
                    "reason": row["status_reason"], "related_certificate_id": None, "actor_id": None,
                    "occurred_at": self.now})
        self.out.flush()


# ---------------------------------------------------------------------------------------------------- signing
_SIGNER: tuple[Any, Any] | None = None


def _sign_chunk(snapshots: list[Any]) -> list[str]:
    from portal.certificates.credentials import issue_credential

    ring, issuer = _SIGNER  # type: ignore[misc]
    return [issue_credential(s, issuer, ring) for s in snapshots]


def _sign_all(snapshots: list[Any], ring: Any, issuer: Any, processes: int | None) -> list[str]:
    """Every snapshot's signed credential, in order: in a fork pool of ``processes`` (default: one per CPU) when
    there are many, with a progress bar."""
    global _SIGNER
    _SIGNER = (ring, issuer)
    chunks = [snapshots[i:i + 500] for i in range(0, len(snapshots), 500)]
    processes = processes or multiprocessing.cpu_count()
    out: list[str] = []
    with _bar(len(snapshots), "Signing certificate credentials") as bar:
        if processes > 1 and len(snapshots) > 2_000 and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                for signed in pool.imap(_sign_chunk, chunks):
                    out.extend(signed)
                    bar.update(len(signed))
        else:
            for chunk in chunks:
                out.extend(_sign_chunk(chunk))
                bar.update(len(chunk))
    return out


# ---------------------------------------------------------------------------------------------------- helpers
_AT: dict[tuple[dt.date, int], dt.datetime] = {}


def _at(day: dt.date, hour: int) -> dt.datetime:
    found = _AT.get((day, hour))
    if found is None:
        found = _AT[(day, hour)] = dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)
    return found


def _pick(rand: Any, values: Any) -> Any:
    """``random.choice`` without its overhead (``rand`` is the generator's ``random`` method)."""
    return values[int(rand() * len(values))]


def _poisson(rng: random.Random, mean: float) -> int:
    """A small Poisson-like count (rounded normal for speed, never negative)."""
    if mean <= 0:
        return 0
    return max(0, round(rng.gauss(mean, mean ** 0.5)))


def _role_for(stage: Any, day: dt.date, rng: random.Random) -> str:
    """Years 3-4 move from observer to co-worker to lead; earlier stages are mostly co-working."""
    if stage.code != "Y3-4":
        return rng.choices(("observer", "co_worker", "lead"), (30, 55, 15))[0]
    third = (day - stage.start).days / max(1, (stage.end - stage.start).days)
    return ("observer", "co_worker", "lead")[min(2, int(third * 3))]


def _totp_secret(email: str) -> str:
    from portal.users.seeding import demo_totp_secret

    return demo_totp_secret(email)


def national_sign_in_sample(limit: int = 5) -> list[str]:
    """A few national practitioners' e-mail addresses (for the benchmark and the command's summary)."""
    from portal.db import session
    from portal.users.models import RoleGrant, User

    return list(session().execute(
        select(User.email).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == "practitioner", User.email.like("%.national.example"))
        .order_by(User.id).limit(limit)).scalars())


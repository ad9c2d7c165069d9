"""Database plumbing: the declarative base, UTC timestamps and the per-app-context session.

Plain SQLAlchemy 2 (no Flask-SQLAlchemy): one engine per app, one scoped session removed at the end of every
app context. Views and CLI commands commit once; services only ``flush()``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

from portal import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC (the only kind of time the database holds): the service's clock."""
    return clock.now()


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use portal.db.utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime()}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy own transaction boundaries (pysqlite's own handling breaks SAVEPOINT).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode")
    if cursor.fetchone()[0] not in {"memory", "wal"}:
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get(_BEGIN_IMMEDIATE)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_BEGIN_IMMEDIATE = "portal_sqlite_begin_immediate"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_engine(engine: Engine) -> Engine:
    """The engine the ORM session binds to. On SQLite its transactions begin IMMEDIATE (they take the write lock
    at the start and wait for it up to busy_timeout): with a deferred BEGIN in WAL mode, a request that has read
    and then writes after another request committed fails with "database is locked" (a stale snapshot cannot be
    upgraded), so two people saving the same marking or submitting the same draft got a 500 instead of the
    service's refusal. Page requests (GET) begin deferred instead (``Database.begin_request``). Raw connections
    (migrations, the readiness check, backups) keep the deferred BEGIN."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{_BEGIN_IMMEDIATE: True})
    return engine


def build_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the settings this service relies on (foreign keys on SQLite, pool pre-ping)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 10}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class Database:
    """Holds the engine and the scoped session for one Flask app."""

    def __init__(self) -> None:
        self.session_factory = sessionmaker(expire_on_commit=False)
        self.session = scoped_session(self.session_factory)
        self.engine: Engine | None = None

    def init_app(self, app: Flask) -> None:
        self.engine = build_engine(app.config["DATABASE_URL"])
        self.session_factory.configure(bind=session_engine(self.engine))
        app.extensions["portal_db"] = self
        app.before_request(self.begin_request)

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self.session.remove()

    def _sqlite_read_request(self) -> bool:
        """A page request (GET/HEAD) on SQLite with the session on the app's engine (tests bind a connection)."""
        return (self.engine is not None and self.engine.dialect.name == "sqlite" and has_request_context()
                and request.method in READ_METHODS and isinstance(self.session_factory.kw.get("bind"), Engine))

    def begin_request(self) -> None:
        """SQLite: a page request begins a deferred transaction, so pages are read side by side (WAL) instead of
        queueing for the write lock behind a slow one; form posts keep BEGIN IMMEDIATE (``session_engine``)."""
        if self._sqlite_read_request():
            self.session().connection(execution_options={_BEGIN_IMMEDIATE: False})

    def retry_read_as_writer(self, error: BaseException) -> bool:
        """SQLite: a page that read and then writes (the audit entry of a view) after another request committed
        cannot upgrade its read snapshot ("database is locked"). Roll back and begin again IMMEDIATE; True tells
        the caller to run the view once more (``portal.permissions.requires`` does)."""
        if not (self._sqlite_read_request() and "database is locked" in str(error)):
            return False
        self.session().rollback()
        self.session().connection(execution_options={_BEGIN_IMMEDIATE: True})
        return True

    @contextmanager
    def bound_to(self, connection: Any) -> Iterator[None]:
        """Bind the session to an existing connection (tests: join an external transaction)."""
        self.session.remove()
        self.session_factory.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            self.session.remove()
            self.session_factory.configure(bind=session_engine(self.engine),
                                           join_transaction_mode="conditional_savepoint")


db = Database()


def session() -> Session:
    """The current session (a shortcut used by services and views)."""
    return db.session()


def dialect_name() -> str:
    return db.session.get_bind().dialect.name if current_app else ""

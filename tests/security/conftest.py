"""The security tests share one world (tests/security/world.py), built once for the package inside an outer
transaction; each test, and each request a test wants undone, runs in a savepoint over it that is rolled back.

This replaces the suite's per-test transaction (the ``_transaction`` fixture of the same name): building the world
through the services takes seconds, and the matrix makes about two thousand requests.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select, text

from portal.db import db

from .world import World, build_world


class Shared:
    def __init__(self, connection: Any, world: World, files: dict[str, bytes]):
        self.connection = connection
        self.world = world
        self.files = files  # storage key -> bytes of the world's evidence files

    def restore_files(self) -> None:
        """A test that deletes a file (a commit, as far as the app knows) removes its bytes from storage, though
        the row comes back with the rollback: put the world's files back."""
        from portal.evidence.storage import get_storage

        storage = get_storage()
        for key, data in self.files.items():
            if not storage.exists(key):
                storage.save(key, io.BytesIO(data))

    @contextmanager
    def undone(self) -> Iterator[None]:
        """Whatever happens inside (requests, commits) is rolled back at the end."""
        db.session.remove()
        savepoint = self.connection.begin_nested()
        try:
            yield
        finally:
            db.session.remove()
            if savepoint.is_active:
                savepoint.rollback()
            self.restore_files()


@pytest.fixture(scope="package")
def shared(app: Any) -> Iterator[Shared]:
    connection = db.engine.connect()
    outer = connection.begin()
    try:
        with db.bound_to(connection):
            with app.app_context():
                world = build_world()
                files = _stored_files()
            yield Shared(connection, world, files)
    finally:
        outer.rollback()
        connection.close()


def _stored_files() -> dict[str, bytes]:
    from portal.db import session
    from portal.evidence.models import EvidenceFile
    from portal.evidence.storage import get_storage

    storage = get_storage()
    files = {}
    for key in session().execute(select(EvidenceFile.storage_key)).scalars():
        with storage.open(key) as handle:
            files[key] = handle.read()
    session().close()
    return files


@pytest.fixture
def world(shared: Shared) -> World:
    return shared.world


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test in a savepoint over the shared world (replaces the suite's own per-test transaction)."""
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    shared_state: Shared = request.getfixturevalue("shared")
    with application.app_context(), shared_state.undone():
        yield
    from portal.mail import memory_outbox

    memory_outbox.clear()


@pytest.fixture
def undone(shared: Shared) -> Any:
    """``with undone(): ...``: a block whose database changes are rolled back (one request of many)."""
    return shared.undone


_COUNTS_SQL: dict[str, Any] = {}


def table_counts() -> dict[str, int]:
    """Rows per table, in one (cached) statement."""
    from portal.db import Base, session

    if "sql" not in _COUNTS_SQL:
        names = [t.name for t in Base.metadata.sorted_tables]
        _COUNTS_SQL["names"] = names
        _COUNTS_SQL["sql"] = text("SELECT " + ", ".join(f'(SELECT count(*) FROM "{n}")' for n in names))
    row = session().execute(_COUNTS_SQL["sql"]).one()
    return dict(zip(_COUNTS_SQL["names"], row, strict=True))


def table_snapshot() -> dict[str, Any]:
    """Every row of every table (the world is small, so this is quick): to prove a refused request changed
    nothing at all, not even a column. On PostgreSQL one checksum per table, computed by the server in one
    statement; on SQLite the rows themselves."""
    from portal.db import session

    if "names" not in _COUNTS_SQL:
        table_counts()
    connection = session().connection()
    names = _COUNTS_SQL["names"]
    if connection.dialect.name == "postgresql":
        if "checksums" not in _COUNTS_SQL:
            _COUNTS_SQL["checksums"] = " UNION ALL ".join(
                f"SELECT '{n}', md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \"{n}\" t"
                for n in names)
        return dict(connection.exec_driver_sql(_COUNTS_SQL["checksums"]).all())
    return {name: sorted(repr(tuple(row)) for row in connection.exec_driver_sql(f'SELECT * FROM "{name}"'))
            for name in names}


__all__ = ["Shared", "table_counts", "table_snapshot"]

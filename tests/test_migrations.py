"""Migrations: they build exactly the schema the models describe, and go up and down cleanly, on both databases."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from portal.db import build_engine
from portal.migrations_util import alembic_config, downgrade, upgrade
from portal.models import metadata

from .conftest import IS_POSTGRES, TEST_DATABASE_URL

SCHEMA = "migration_check"


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """An empty database separate from the one the other tests use."""
    if IS_POSTGRES:
        admin = build_engine(TEST_DATABASE_URL)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        sep = "&" if "?" in TEST_DATABASE_URL else "?"
        yield f"{TEST_DATABASE_URL}{sep}options=-csearch_path%3D{SCHEMA}"
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"


def _diff(url: str) -> list:
    engine = build_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    return diff


def _tables(url: str) -> set[str]:
    engine = build_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def test_models_and_migrations_agree(empty_database):
    upgrade(empty_database)
    assert _diff(empty_database) == []


def test_upgrade_to_head_and_downgrade_to_base(empty_database):
    upgrade(empty_database)
    assert {"users", "organisations", "role_grants", "audit_events", "outbox_messages"} <= _tables(empty_database)
    downgrade(empty_database, "base")
    assert _tables(empty_database) <= {"alembic_version"}
    upgrade(empty_database)  # and back up again
    assert _diff(empty_database) == []


def test_revisions_are_sequential_and_single_headed():
    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(script.walk_revisions())
    assert len(script.get_heads()) == 1
    ids = sorted(r.revision for r in revisions)
    assert ids == [f"{i:04d}" for i in range(1, len(ids) + 1)]
    for path in Path(script.versions).glob("*.py"):
        assert "import portal" not in path.read_text() and "from portal" not in path.read_text(), path.name

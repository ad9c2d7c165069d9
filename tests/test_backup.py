"""Backup and restore round trip through the `portal` command, on the same kind of database as the suite."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from portal.db import build_engine

from .conftest import IS_POSTGRES, TEST_DATABASE_URL

PORTAL = str(Path(sys.executable).parent / "portal")

ADD_FILES = """
import io, sys
from werkzeug.datastructures import FileStorage
from portal import create_app
from portal.db import session
from portal.evidence import services
app = create_app()
with app.app_context():
    for i in range(3):
        data = (f"Reflection {i} on supervision of Case {i}.\\n" * 50).encode()
        services.attach_uploads([FileStorage(io.BytesIO(data), filename=f"note{i}.txt")],
                                attached_type="BackupTest", attached_id=i, by=None)
    session().commit()
"""


def _database(name: str, tmp: Path) -> str:
    if not IS_POSTGRES:
        return f"sqlite:///{tmp / (name + '.sqlite3')}"
    server = build_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    server.dispose()
    return make_url(TEST_DATABASE_URL).set(database=name, query={}).render_as_string(hide_password=False)


def _env(url: str, instance: Path) -> dict[str, str]:
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": url, "PORTAL_INSTANCE_PATH": str(instance),
           "SECRET_KEY": "backup-test-" + "x" * 40, "EVIDENCE_STORAGE_URL": f"file://{instance / 'evidence'}"}
    env.pop("TEST_DATABASE_URL", None)
    return env


def _run(args: list[str], env: dict[str, str], ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, check=False, env=env, capture_output=True, text=True)
    if ok:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def _files(instance: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in (instance / "evidence").glob("*/*") if p.is_file()}


@pytest.fixture
def source(tmp_path: Path) -> tuple[dict[str, str], Path]:
    instance = tmp_path / "source"
    env = _env(_database("portal_backup_src", tmp_path), instance)
    _run([PORTAL, "db", "upgrade"], env)
    _run([PORTAL, "seed-demo"], env)
    _run([sys.executable, "-c", ADD_FILES], env)
    _run([PORTAL, "certificates", "init-keys"], env)
    return env, instance


def _keys(instance: Path) -> dict[str, str]:
    folder = instance / "credential-keys"
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def test_round_trip_loses_nothing(source, tmp_path: Path):
    env, instance = source
    _run([PORTAL, "backup", str(tmp_path / "backups")], env)
    [folder] = list((tmp_path / "backups").iterdir())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert len(manifest["files"]) == 3 and manifest["row_counts"]["users"] >= 7

    target_instance = tmp_path / "target"
    target = _env(_database("portal_backup_dst", tmp_path), target_instance)
    result = _run([PORTAL, "restore", str(folder)], target)
    assert "Restored" in result.stdout
    assert _files(target_instance) == _files(instance)
    assert _keys(target_instance) == _keys(instance) and _keys(instance)  # credentials stay verifiable
    assert set(manifest["keys"]) == set(_keys(instance))
    from portal.backup import row_counts

    src_engine, dst_engine = build_engine(env["DATABASE_URL"]), build_engine(target["DATABASE_URL"])
    try:
        assert row_counts(dst_engine) == row_counts(src_engine) == manifest["row_counts"]
    finally:
        src_engine.dispose()
        dst_engine.dispose()
    # the restored instance works: it is at the latest migration and its audit chain is intact
    assert "Audit chain intact" in _run([PORTAL, "audit", "verify"], target).stdout


def test_restore_refuses_a_database_that_holds_data(source, tmp_path: Path):
    env, _instance = source
    _run([PORTAL, "backup", str(tmp_path / "backups")], env)
    [folder] = list((tmp_path / "backups").iterdir())
    result = _run([PORTAL, "restore", str(folder)], env, ok=False)
    assert result.returncode != 0 and "empty" in result.stderr


def test_a_damaged_backup_is_refused(source, tmp_path: Path):
    env, _instance = source
    _run([PORTAL, "backup", str(tmp_path / "backups")], env)
    [folder] = list((tmp_path / "backups").iterdir())
    victim = next((folder / "files").iterdir())
    victim.write_bytes(b"changed")
    target = _env(_database("portal_backup_dst", tmp_path), tmp_path / "target")
    result = _run([PORTAL, "restore", str(folder)], target, ok=False)
    assert result.returncode != 0 and "damaged" in result.stderr and victim.name in result.stderr


def test_restore_refuses_an_instance_that_signs_with_other_keys(source, tmp_path: Path):
    env, _instance = source
    _run([PORTAL, "backup", str(tmp_path / "backups")], env)
    [folder] = list((tmp_path / "backups").iterdir())
    target = _env(_database("portal_backup_dst", tmp_path), tmp_path / "target")
    make_keys = ("import sys, pathlib; from portal.certificates.signing import init_keys; "
                 "init_keys(pathlib.Path(sys.argv[1]))")
    _run([sys.executable, "-c", make_keys, str(tmp_path / "target" / "credential-keys")], target)
    result = _run([PORTAL, "restore", str(folder)], target, ok=False)
    assert result.returncode != 0 and "another signing key" in result.stderr
    engine = build_engine(target["DATABASE_URL"])  # refused before anything was written
    try:
        from portal.backup import row_counts

        assert row_counts(engine) == {}
    finally:
        engine.dispose()

"""Backup and restore: a consistent copy of the database and the evidence files, with a manifest of checksums.

A backup folder holds ``database.sqlite3`` (SQLite's online backup API: consistent while the service runs) or
``database.dump`` (``pg_dump -Fc``), ``files/<key>`` for every evidence file the copied database refers to, and
``keys/`` (the credential signing keys, current and retired: without them no credential issued so far could be
checked against the published keys, nor new ones signed with the same key) and ``manifest.json`` (row counts per
table, the migration revision, and the SHA-256 and size of every file). Restore checks every checksum first, refuses
a database that is not empty (or a key folder holding other keys), and checks the row counts and files after.
The backup folder holds private keys and personal data: keep it where the live instance's secrets are kept.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, func, inspect, select, text
from sqlalchemy.engine import make_url

from portal import clock
from portal.db import build_engine
from portal.evidence.storage import Storage

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq_url(url: str) -> str:
    """pg_dump/pg_restore take a libpq URL, without SQLAlchemy's driver suffix."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the database (alembic's own table included)."""
    names = sorted(inspect(engine).get_table_names())
    meta = MetaData()
    meta.reflect(engine, only=names)
    with engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(meta.tables[name])).scalar_one()
                for name in names}


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if "alembic_version" not in inspect(conn).get_table_names():
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _evidence_keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        if "evidence_files" not in inspect(conn).get_table_names():
            return []
        return list(conn.execute(text("SELECT storage_key FROM evidence_files ORDER BY id")).scalars())


def _key_files(key_dir: Path | None) -> list[Path]:
    if key_dir is None or not key_dir.is_dir():
        return []
    return sorted(p for p in key_dir.rglob("*") if p.is_file())


def backup(database_url: str, storage: Storage, destination: Path,
           progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda items: items, *,
           key_dir: Path | None = None) -> Path:
    """Write a backup folder under ``destination`` and return its path (with the signing keys of ``key_dir``)."""
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    folder = destination / f"portal-backup-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        target = folder / "database.sqlite3"
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # a consistent snapshot, even while the service writes
        finally:
            copy.close()
            source.close()
        snapshot_engine = build_engine(f"sqlite:///{target}")
        kind = "sqlite"
    elif url.get_backend_name() == "postgresql":
        target = folder / "database.dump"
        result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                                 f"--file={target}", _libpq_url(database_url)], check=False, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        snapshot_engine = build_engine(database_url)
        kind = "postgresql"
    else:  # pragma: no cover
        raise BackupError(f"cannot back up a {url.get_backend_name()} database")
    try:
        counts = row_counts(snapshot_engine)
        revision = _revision(snapshot_engine)
        keys = _evidence_keys(snapshot_engine)
    finally:
        snapshot_engine.dispose()
    files: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    (folder / "files").mkdir()
    for key in progress(keys):
        try:
            with storage.open(key) as data, (folder / "files" / key).open("wb") as out:
                shutil.copyfileobj(data, out)
        except FileNotFoundError:
            missing.append(key)  # deleted after the snapshot was taken
            continue
        path = folder / "files" / key
        files[key] = {"sha256": _sha256(path), "size": path.stat().st_size}
    signing_keys: dict[str, dict[str, Any]] = {}
    for path in _key_files(key_dir):
        name = path.relative_to(key_dir).as_posix()  # type: ignore[arg-type]
        copy_to = folder / "keys" / name
        copy_to.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy_to)
        copy_to.chmod(0o600)
        signing_keys[name] = {"sha256": _sha256(copy_to), "size": copy_to.stat().st_size}
    manifest = {"format": FORMAT_VERSION, "created_at": clock.now().isoformat(), "database": kind,
                "database_file": target.name, "database_sha256": _sha256(target), "revision": revision,
                "row_counts": counts, "files": files, "files_missing_at_backup": missing, "keys": signing_keys}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return folder


def verify_backup(folder: Path) -> dict[str, Any]:
    """Check a backup folder against its manifest; return the manifest or raise BackupError listing problems."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} has no readable {MANIFEST}: {exc}") from None
    problems = []
    database = folder / manifest["database_file"]
    if not database.is_file() or _sha256(database) != manifest["database_sha256"]:
        problems.append(f"{manifest['database_file']} is missing or changed")
    for key, info in manifest["files"].items():
        path = folder / "files" / key
        if not path.is_file() or _sha256(path) != info["sha256"]:
            problems.append(f"files/{key} is missing or changed")
    for name, info in manifest.get("keys", {}).items():
        path = folder / "keys" / name
        if not path.is_file() or _sha256(path) != info["sha256"]:
            problems.append(f"keys/{name} is missing or changed")
    if problems:
        raise BackupError("the backup is damaged: " + "; ".join(problems))
    return manifest


def _database_is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return not [t for t in inspect(conn).get_table_names()]


def _check_keys_fit(folder: Path, manifest: dict[str, Any], key_dir: Path | None) -> None:
    """Refuse before anything is written when the target already signs with other keys."""
    if key_dir is None or not manifest.get("keys"):
        return
    for name in manifest["keys"]:
        there = key_dir / name
        if there.exists() and _sha256(there) != manifest["keys"][name]["sha256"]:
            raise BackupError(f"{there} holds another signing key; restore into an instance without signing keys "
                              "(move them away first)")


def restore(folder: Path, database_url: str, storage: Storage,
            progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda items: items, *,
            key_dir: Path | None = None) -> dict[str, Any]:
    """Restore a verified backup into an empty database and storage (and its signing keys into ``key_dir``); check
    row counts and files afterwards."""
    manifest = verify_backup(folder)
    _check_keys_fit(folder, manifest, key_dir)
    url = make_url(database_url)
    if url.get_backend_name() != manifest["database"]:
        raise BackupError(f"this backup is of a {manifest['database']} database; the target is "
                          f"{url.get_backend_name()}")
    if url.get_backend_name() == "sqlite":
        target = Path(url.database)
        if target.exists() and target.stat().st_size > 0:
            engine = build_engine(database_url)
            empty = _database_is_empty(engine)
            engine.dispose()
            if not empty:
                raise BackupError(f"{target} already holds data; restore only into an empty database")
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(folder / manifest["database_file"])
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        engine = build_engine(database_url)
        empty = _database_is_empty(engine)
        engine.dispose()
        if not empty:
            raise BackupError("the target database already holds tables; restore only into an empty database")
        result = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                                 f"--dbname={_libpq_url(database_url)}", str(folder / manifest["database_file"])],
                                check=False, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    existing = set(storage.list_keys())
    for key in progress(list(manifest["files"])):
        if key in existing:
            raise BackupError(f"the evidence storage already holds {key}; restore into empty storage")
        with (folder / "files" / key).open("rb") as data:
            storage.save(key, data)
    if key_dir is not None:
        for name in manifest.get("keys", {}):
            there = key_dir / name
            there.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            shutil.copyfile(folder / "keys" / name, there)
            there.chmod(0o600)
    engine = build_engine(database_url)
    try:
        counts = row_counts(engine)
    finally:
        engine.dispose()
    if counts != manifest["row_counts"]:
        diff = {t: (manifest["row_counts"].get(t), counts.get(t)) for t in set(counts) | set(manifest["row_counts"])
                if counts.get(t) != manifest["row_counts"].get(t)}
        raise BackupError(f"row counts differ after restore (table: expected, found): {diff}")
    return manifest

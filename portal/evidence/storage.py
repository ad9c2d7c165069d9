"""Where evidence bytes live. Callers use ``get_storage()`` and the four methods of ``Storage``; a filesystem
backend ships, and an S3-compatible one can be added (another ``Storage`` subclass chosen by the URL scheme)
without touching callers."""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from flask import current_app


class Storage:
    """The storage interface: opaque keys, whole-file writes, streaming reads."""

    def save(self, key: str, data: BinaryIO) -> None:
        raise NotImplementedError

    def open(self, key: str) -> BinaryIO:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    def list_keys(self) -> list[str]:
        raise NotImplementedError


def new_key() -> str:
    """A random, unguessable key that reveals nothing about the file."""
    return secrets.token_urlsafe(32)


class FilesystemStorage(Storage):
    """Files under a root folder (outside any static folder), two levels of fan-out, written atomically."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise ValueError("invalid storage key")
        return self.root / key[:2] / key

    def save(self, key: str, data: BinaryIO) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := data.read(1024 * 1024):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list_keys(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.glob("*/*") if p.is_file() and not p.name.startswith("."))


def storage_from_url(url: str) -> Storage:
    parts = urlsplit(url)
    if parts.scheme in {"", "file"}:
        return FilesystemStorage(parts.path if parts.scheme else url)
    raise RuntimeError(f"EVIDENCE_STORAGE_URL scheme {parts.scheme!r} is not supported (use file:///path)")


def get_storage() -> Storage:
    key = "portal_evidence_storage"
    if key not in current_app.extensions:
        current_app.extensions[key] = storage_from_url(current_app.config["EVIDENCE_STORAGE_URL"])
    return current_app.extensions[key]

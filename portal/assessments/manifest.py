"""The seal on a submission: a manifest of every included item with its SHA-256, and one digest over it all.

Pure: no database, no Flask. The domain contract:

* **Items.** Each item is a canonical dict made by the feature that owns it (``casework.queries.seal_item`` for
  casework, the same idea for CPD records, the summary statement, the employer's agreement): at least ``kind``
  (a non-empty string) and ``id`` (int or string), then every field that is evidence, a version or
  ``updated_at``, and ``files`` as a list of dicts each with its ``sha256`` (64 lowercase hex digits) in a stable
  order (e.g. by file id). ``(kind, id)`` is unique within a manifest.
* **Canonical JSON.** Keys sorted, no insignificant whitespace (``","`` and ``":"``), UTF-8 without escaping,
  NaN and infinity refused; the bytes are the same as ``json.dumps(sort_keys=True, separators=(",", ":"),
  ensure_ascii=False).encode()`` for plain JSON values, so an item's hash here equals
  ``casework.queries.item_digest``. Other values are turned into JSON first: a date to ``YYYY-MM-DD``, an aware
  datetime to UTC ISO 8601 (a naive one is refused), an enum to its value, a Decimal to its string, a tuple to a
  list, a set to a sorted list. Give each value in one stable form (the same Decimal places every time).
* **Hashes.** Each item's SHA-256 is over its canonical JSON. The manifest digest is the SHA-256 of the canonical
  JSON of ``{"manifest_version": 1, "items": [{"id", "kind", "sha256"}, ...]}`` with the items in (kind, id)
  order, so the order items were chosen in does not matter, while any change to any item's content, or to a
  file's hash, changes its hash and so the digest. The certificate names the digest.
* **Storage.** :meth:`Manifest.to_dict` keeps each item's content with its hash (the sealed snapshot the
  assessor sees); :func:`verify_manifest` recomputes everything from that content. It does not re-read files:
  the service re-hashes stored file bytes against the ``sha256`` recorded here.
"""
from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MANIFEST_VERSION = 1
_SHA256 = re.compile(r"[0-9a-f]{64}")

ItemKey = tuple[str, "int | str"]


class ManifestError(ValueError):
    """An item cannot be sealed as given (missing kind or id, a bad file hash, a value JSON cannot hold)."""


def canonicalise(value: Any) -> Any:
    """``value`` as plain JSON types (see the module docstring for the conversions)."""
    if value is None or isinstance(value, (bool, str)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        return canonicalise(value.value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ManifestError(f"{value} cannot be sealed: only finite numbers can")
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ManifestError(f"{value} cannot be sealed: only finite numbers can")
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ManifestError(f"The time {value.isoformat()} has no time zone, so it cannot be sealed")
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ManifestError(f"Keys must be strings, not {key!r}")
            out[str(key)] = canonicalise(item)
        return out
    if isinstance(value, (list, tuple)):
        return [canonicalise(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((canonicalise(item) for item in value), key=_dumps)
    raise ManifestError(f"A {type(value).__name__} cannot be sealed; give its content as JSON values")


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(value: Any) -> bytes:
    """The canonical JSON bytes of ``value``."""
    return _dumps(canonicalise(value)).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def item_digest(item: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of one item's canonical JSON, after checking its shape."""
    return sha256_hex(canonical_json(_checked(item)))


def _checked(item: Mapping[str, Any]) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise ManifestError(f"An item must be a dict, not {type(item).__name__}")
    kind, item_id = item.get("kind"), item.get("id")
    kind = kind.value if isinstance(kind, enum.Enum) else kind
    if not isinstance(kind, str) or not kind:
        raise ManifestError("Every item needs a kind")
    if isinstance(item_id, bool) or not isinstance(item_id, (int, str)) or item_id == "":
        raise ManifestError(f"The {kind} item needs an id (a number or a string)")
    files = item.get("files", [])
    if not isinstance(files, (list, tuple)):
        raise ManifestError(f"The files of {kind} {item_id} must be a list")
    for file in files:
        digest = file.get("sha256") if isinstance(file, Mapping) else None
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise ManifestError(f"A file of {kind} {item_id} has no valid SHA-256 (64 lowercase hex digits)")
    return item


def _key(kind: str, item_id: int | str) -> tuple[str, int, int | str]:
    # Numbers before strings, each in their own order, so mixed id types still sort the same way every time.
    return (kind, 0, item_id) if isinstance(item_id, int) else (kind, 1, item_id)


@dataclass(frozen=True)
class ManifestEntry:
    kind: str
    id: int | str
    sha256: str
    content: Mapping[str, Any]  # the canonical content that was hashed

    @property
    def key(self) -> ItemKey:
        return (self.kind, self.id)

    def index(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "sha256": self.sha256}


@dataclass(frozen=True)
class Manifest:
    """A sealed set of items: the entries in (kind, id) order and the digest over their index."""

    entries: tuple[ManifestEntry, ...]
    digest: str
    version: int = MANIFEST_VERSION

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, kind: str, item_id: int | str) -> ManifestEntry:
        """The entry for one item (KeyError if it was not sealed)."""
        for entry in self.entries:
            if entry.key == (kind, item_id):
                return entry
        raise KeyError((kind, item_id))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form to store (e.g. in a JSON column) and to read back with :meth:`from_dict`."""
        return {"manifest_version": self.version, "digest": self.digest,
                "items": [{**entry.index(), "content": entry.content} for entry in self.entries]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Manifest:
        """Read back :meth:`to_dict` as it was stored; nothing is recomputed (use :func:`verify_manifest`)."""
        try:
            entries = tuple(ManifestEntry(item["kind"], item["id"], item["sha256"], item["content"])
                            for item in data["items"])
            return cls(entries=entries, digest=data["digest"], version=data["manifest_version"])
        except (KeyError, TypeError) as error:
            raise ManifestError(f"Not a stored manifest: {error}") from error


def _digest(entries: Iterable[ManifestEntry], version: int) -> str:
    document = {"manifest_version": version, "items": [entry.index() for entry in entries]}
    return sha256_hex(canonical_json(document))


def build_manifest(items: Iterable[Mapping[str, Any]]) -> Manifest:
    """Seal ``items``: hash each one's canonical JSON and the whole index. Raises :class:`ManifestError` for an
    item without kind or id, a bad file hash, a value JSON cannot hold, or the same (kind, id) twice."""
    entries: dict[tuple[str, int, int | str], ManifestEntry] = {}
    for item in items:
        content = canonicalise(_checked(item))
        entry = ManifestEntry(content["kind"], content["id"], sha256_hex(canonical_json(content)), content)
        key = _key(entry.kind, entry.id)
        if key in entries:
            raise ManifestError(f"The {entry.kind} item {entry.id} is included twice")
        entries[key] = entry
    ordered = tuple(entries[key] for key in sorted(entries))
    return Manifest(entries=ordered, digest=_digest(ordered, MANIFEST_VERSION))


def verify_manifest(manifest: Manifest | Mapping[str, Any]) -> bool:
    """Whether a (stored) manifest is intact: every item's hash matches its content, each entry's kind and id
    match its content, the order is canonical, and the digest matches the index. False for anything malformed."""
    try:
        if not isinstance(manifest, Manifest):
            manifest = Manifest.from_dict(manifest)
        if manifest.version != MANIFEST_VERSION:
            return False
        keys = []
        for entry in manifest.entries:
            content = canonicalise(_checked(entry.content))
            if (content["kind"], content["id"]) != entry.key or canonicalise(entry.content) != entry.content:
                return False
            if sha256_hex(canonical_json(content)) != entry.sha256:
                return False
            keys.append(_key(entry.kind, entry.id))
        if keys != sorted(set(keys)) or len(keys) != len(set(keys)):
            return False
        return _digest(manifest.entries, manifest.version) == manifest.digest
    except (ManifestError, TypeError, ValueError, AttributeError):
        return False


@dataclass(frozen=True)
class ManifestDiff:
    """What changed from one sealed version to the next, by (kind, id)."""

    added: tuple[ItemKey, ...]
    removed: tuple[ItemKey, ...]
    changed: tuple[ItemKey, ...]
    unchanged: tuple[ItemKey, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def compare_manifests(old: Manifest, new: Manifest) -> ManifestDiff:
    """Compare two sealed versions of a submission (e.g. before and after a resubmission)."""
    before = {entry.key: entry.sha256 for entry in old.entries}
    after = {entry.key: entry.sha256 for entry in new.entries}

    def ordered(keys: Iterable[ItemKey]) -> tuple[ItemKey, ...]:
        return tuple(sorted(keys, key=lambda k: _key(*k)))

    return ManifestDiff(
        added=ordered(after.keys() - before.keys()),
        removed=ordered(before.keys() - after.keys()),
        changed=ordered(k for k in before.keys() & after.keys() if before[k] != after[k]),
        unchanged=ordered(k for k in before.keys() & after.keys() if before[k] == after[k]),
    )

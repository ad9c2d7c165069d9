"""Who may download a file is decided by the item it is attached to. Each evidence feature registers, for its
item type, how to load the item and the named predicate that guards it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.evidence.models import EvidenceFile


@dataclass(frozen=True)
class FileOwner:
    load: Callable[[int], Any]
    can_view: Callable[[Any, Any], bool]


_OWNERS: dict[str, FileOwner] = {}


def register_file_owner(attached_type: str, *, load: Callable[[int], Any], can_view: Callable[[Any, Any], bool]) -> None:
    """Declare that files attached to ``attached_type`` are visible to whoever ``can_view(user, item)`` allows."""
    _OWNERS[attached_type] = FileOwner(load, can_view)


def owner_item(file: EvidenceFile) -> Any | None:
    owner = _OWNERS.get(file.attached_type)
    return owner.load(file.attached_id) if owner else None


def can_download_file(user: Any, file: EvidenceFile) -> bool:
    """A file may be downloaded by whoever may view the item it is attached to (nobody, for an unknown owner)."""
    owner = _OWNERS.get(file.attached_type)
    if owner is None or not getattr(user, "is_authenticated", False):
        return False
    item = owner.load(file.attached_id)
    return item is not None and bool(owner.can_view(user, item))

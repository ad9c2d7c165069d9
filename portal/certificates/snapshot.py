"""The certificate snapshot: everything a certificate shows, frozen at issue time.

Contract
--------
The issuer builds a :class:`CertificateSnapshot` once, when a stage is signed off, stores ``snapshot.to_json()``
with the certificate row, and from then on renders the PDF and builds the credential from
``CertificateSnapshot.from_json(stored)`` only (architecture rule 10: rendering is pure). Nothing is looked up
while drawing, so the same stored JSON always gives the same PDF bytes.

``to_json()`` is canonical: keys sorted, no insignificant whitespace, UTF-8 characters kept as they are, dates as
``YYYY-MM-DD``, timestamps in UTC as ``YYYY-MM-DDTHH:MM:SSZ`` (whole seconds). ``from_json(to_json(s)) == s``, and
``from_json`` refuses unknown or missing keys and an unknown ``schema_version`` rather than guess.

A name change or any correction means a new snapshot under a new certificate (reissue, superseding the old one):
a stored snapshot is never edited.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any

from .codes import InvalidCodeError, normalise_code

__all__ = ["DECISION_LABELS", "SNAPSHOT_VERSION", "CertificateSnapshot", "SnapshotError"]

SNAPSHOT_VERSION = 1

#: Outcomes that give a certificate, and how the certificate words them.
DECISION_LABELS = {
    "PASS": "Pass",
    "PASS_DEV": "Pass with targeted development",
}

_HEX64 = re.compile(r"[0-9a-f]{64}")
_SALT = re.compile(r"[0-9a-f]{16,128}")


class SnapshotError(ValueError):
    """A snapshot field is missing or not acceptable (the message names the field)."""


def _utc_seconds(value: dt.datetime, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise SnapshotError(f"{field} must be a timezone-aware datetime")
    return value.astimezone(dt.UTC).replace(microsecond=0)


def _iso_utc(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_utc(text: str, field: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except (TypeError, ValueError) as exc:
        raise SnapshotError(f"{field} must look like 2026-06-04T13:05:00Z") from exc


@dataclasses.dataclass(frozen=True)
class CertificateSnapshot:
    """Every field a certificate (PDF and credential) shows.

    Text fields are shown exactly as given (names keep their accents: "Siân Llŷr"). ``signatory_roles`` holds role
    titles such as "Assessor" or "Moderation panel chair" (personal names only if the issuer chooses to put them
    there). The status-list fields say where the certificate's revocation and suspension bits live.
    """

    certificate_code: str
    holder_name: str
    swe_number: str
    award_title: str
    template_code: str
    template_name: str
    template_version: str
    employer_name: str
    stage_start: dt.date
    stage_end: dt.date
    decision_date: dt.date
    decision: str
    signatory_roles: tuple[str, ...]
    verify_url: str
    submission_sha256: str
    issued_at: dt.datetime
    #: stable URI for the holder in credentials (``sub`` claim), e.g. ``urn:uuid:…`` kept on the user record
    subject_id: str
    #: random hex salt for the hashed SWE number in the credential (kept so the hash can be recomputed)
    identity_salt: str
    revocation_list_url: str
    revocation_index: int
    suspension_list_url: str
    suspension_index: int
    #: a stage key within the template ("year-1", "expert-award"): part of the achievement's id
    stage_key: str
    award_description: str = ""
    criteria_narrative: str = ""
    #: Open Badges AchievementType: "Certificate" for a stage, "Award" for the expert award
    achievement_type: str = "Certificate"
    valid_until: dt.datetime | None = None
    schema_version: int = SNAPSHOT_VERSION

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("holder_name", "swe_number", "award_title", "template_code", "template_name",
                     "template_version", "employer_name", "verify_url", "subject_id", "stage_key",
                     "revocation_list_url", "suspension_list_url", "achievement_type"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise SnapshotError(f"{name} is required")
            set_(self, name, value.strip())
        for name in ("award_description", "criteria_narrative"):
            if not isinstance(getattr(self, name), str):
                raise SnapshotError(f"{name} must be text")
        try:
            code = normalise_code(self.certificate_code)
        except InvalidCodeError as exc:
            raise SnapshotError(f"certificate_code: {exc}") from exc
        if code != self.certificate_code:
            raise SnapshotError("certificate_code must be in canonical form (use normalise_code)")
        if self.decision not in DECISION_LABELS:
            raise SnapshotError(f"decision must be one of {', '.join(DECISION_LABELS)}")
        for name in ("stage_start", "stage_end", "decision_date"):
            value = getattr(self, name)
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise SnapshotError(f"{name} must be a date")
        if self.stage_end < self.stage_start:
            raise SnapshotError("stage_end is before stage_start")
        roles = tuple(self.signatory_roles)
        if not roles or any(not isinstance(r, str) or not r.strip() for r in roles):
            raise SnapshotError("signatory_roles needs at least one role title, none blank")
        set_(self, "signatory_roles", tuple(r.strip() for r in roles))
        if not self.verify_url.startswith(("https://", "http://")):
            raise SnapshotError("verify_url must be an absolute http(s) URL")
        if not isinstance(self.submission_sha256, str) or not _HEX64.fullmatch(self.submission_sha256):
            raise SnapshotError("submission_sha256 must be 64 lowercase hexadecimal characters")
        if not isinstance(self.identity_salt, str) or not _SALT.fullmatch(self.identity_salt):
            raise SnapshotError("identity_salt must be 16 to 128 lowercase hexadecimal characters")
        set_(self, "issued_at", _utc_seconds(self.issued_at, "issued_at"))
        if self.valid_until is not None:
            set_(self, "valid_until", _utc_seconds(self.valid_until, "valid_until"))
            if self.valid_until <= self.issued_at:
                raise SnapshotError("valid_until must be after issued_at")
        for name in ("revocation_index", "suspension_index"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise SnapshotError(f"{name} must be a non-negative integer")
        if self.schema_version != SNAPSHOT_VERSION:
            raise SnapshotError(f"unknown snapshot schema_version {self.schema_version!r}")

    @property
    def decision_label(self) -> str:
        """The decision as the certificate words it ("Pass", "Pass with targeted development")."""
        return DECISION_LABELS[self.decision]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (dates and timestamps as ISO text, roles as a list)."""
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, dt.datetime):
                value = _iso_utc(value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            out[field.name] = value
        return out

    def to_json(self) -> str:
        """Canonical JSON text: the same snapshot always gives the same string."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CertificateSnapshot:
        if not isinstance(data, dict):
            raise SnapshotError("a snapshot is a JSON object")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise SnapshotError(f"unknown snapshot fields: {', '.join(unknown)}")
        if data.get("schema_version", SNAPSHOT_VERSION) != SNAPSHOT_VERSION:
            raise SnapshotError(f"unknown snapshot schema_version {data.get('schema_version')!r}")
        values = dict(data)
        try:
            for name in ("stage_start", "stage_end", "decision_date"):
                if name in values:
                    values[name] = dt.date.fromisoformat(values[name])
        except (TypeError, ValueError) as exc:
            raise SnapshotError(f"{name} must be a date like 2026-06-04") from exc
        if "issued_at" in values:
            values["issued_at"] = _parse_utc(values["issued_at"], "issued_at")
        if values.get("valid_until") is not None:
            values["valid_until"] = _parse_utc(values["valid_until"], "valid_until")
        if "signatory_roles" in values:
            if not isinstance(values["signatory_roles"], list):
                raise SnapshotError("signatory_roles must be a list")
            values["signatory_roles"] = tuple(values["signatory_roles"])
        try:
            return cls(**values)
        except TypeError as exc:  # a required field is missing
            raise SnapshotError(f"incomplete snapshot: {exc}") from exc

    @classmethod
    def from_json(cls, text: str | bytes) -> CertificateSnapshot:
        """Parse stored JSON back into the identical snapshot; :class:`SnapshotError` if it is not one."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise SnapshotError("snapshot is not valid JSON") from exc
        return cls.from_dict(data)

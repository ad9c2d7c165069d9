"""The certificate register, its status history, the signed status lists, employers' API tokens and their bulk
accreditation checks.

A certificate row keeps the snapshot (``snapshot_json``, canonical JSON of a ``CertificateSnapshot``) and the signed
credential made from it at issue time; the PDF is rendered from the snapshot on every download. A few snapshot
fields are copied into columns (code, holder's name, SWE number, award, stage position) so the register can be
searched; they are never changed after issue (a correction is a reissue: a new row, the old one superseded).

The database repeats the rules: codes unique; one live (not superseded) certificate of each kind per sign-off; each
revocation and suspension index used once; a revoked or suspended
one has a reason and a date.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow
from portal.enrolments.models import Enrolment
from portal.users.models import Organisation, User
from portal.users.models import _enum as enum_column


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {"valid": "Valid", "suspended": "Suspended", "revoked": "Revoked",
                "superseded": "Superseded"}[self.value]


#: The allowed status changes (enforced by ``portal.certificates.services``). A valid certificate can be suspended
#: while a concern is looked into, revoked, or superseded by a reissue; a suspended one is reinstated (valid) or
#: revoked; revoked and superseded are final.
STATUS_TRANSITIONS: dict[CertificateStatus, frozenset[CertificateStatus]] = {
    CertificateStatus.VALID: frozenset({CertificateStatus.SUSPENDED, CertificateStatus.REVOKED,
                                        CertificateStatus.SUPERSEDED}),
    CertificateStatus.SUSPENDED: frozenset({CertificateStatus.VALID, CertificateStatus.REVOKED}),
    CertificateStatus.REVOKED: frozenset(),
    CertificateStatus.SUPERSEDED: frozenset(),
}


class CertificateKind(enum.StrEnum):
    STAGE = "stage"
    AWARD = "award"

    @property
    def label(self) -> str:
        return {"stage": "Stage certificate", "award": "Expert award"}[self.value]


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("revocation_index >= 0 AND suspension_index >= 0", name="indexes_not_negative"),
        CheckConstraint("status NOT IN ('revoked', 'suspended') OR (status_changed_at IS NOT NULL "
                        "AND status_reason <> '')", name="status_change_has_reason"),
        # idempotent issuing: one live certificate of each kind per sign-off
        Index("uq_certificates_live_per_sign_off", "sign_off_id", "kind", unique=True,
              sqlite_where=text("status <> 'superseded'"), postgresql_where=text("status <> 'superseded'")),
        Index("ix_certificates_practitioner_id_id", "practitioner_id", "id"),
        Index("ix_certificates_swe_number_id", "swe_number", "id"),
        Index("ix_certificates_enrolment_id_id", "enrolment_id", "id"),
        Index("ix_certificates_template_status", "template_code", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[CertificateKind] = mapped_column(enum_column(CertificateKind, "certificate_kind"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="RESTRICT"))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: the assessment feature's StageSignOff id (no foreign key yet: the lead may add it)
    sign_off_id: Mapped[int] = mapped_column(index=True)
    stage_code: Mapped[str] = mapped_column(String(40))
    #: the stage's position in its programme (the award after every stage): "highest stage reached" sorts on it
    stage_position: Mapped[int]
    template_code: Mapped[str] = mapped_column(String(40))
    # copied from the snapshot for searching and lists (never edited)
    holder_name: Mapped[str] = mapped_column(String(200))
    swe_number: Mapped[str] = mapped_column(String(20))
    award_title: Mapped[str] = mapped_column(String(200))
    decision_date: Mapped[dt.date] = mapped_column(Date)
    #: the holder's stable URI in credentials (``sub``), the same on all their certificates
    subject_id: Mapped[str] = mapped_column(String(80))
    snapshot_json: Mapped[str] = mapped_column(Text)
    credential_jws: Mapped[str] = mapped_column(Text)
    status: Mapped[CertificateStatus] = mapped_column(enum_column(CertificateStatus, "certificate_status"),
                                                      default=CertificateStatus.VALID)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[dt.datetime | None]
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="RESTRICT"))
    revocation_index: Mapped[int] = mapped_column(unique=True)
    suspension_index: Mapped[int] = mapped_column(unique=True)
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    practitioner: Mapped[User] = relationship(foreign_keys=[practitioner_id])
    enrolment: Mapped[Enrolment] = relationship()
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id], foreign_keys=[superseded_by_id])

    @property
    def is_award(self) -> bool:
        return self.kind == CertificateKind.AWARD

    def __repr__(self) -> str:
        return f"<Certificate {self.code} {self.status.value}>"


class CertificateEventAction(enum.StrEnum):
    ISSUED = "issued"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class CertificateEvent(Base):
    """One change of a certificate's status (with who, when and why): the history shown to admins."""

    __tablename__ = "certificate_events"
    __table_args__ = (Index("ix_certificate_events_certificate_id_id", "certificate_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"))
    action: Mapped[CertificateEventAction] = mapped_column(enum_column(CertificateEventAction,
                                                                       "certificate_event_action"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    #: for a reissue: the other certificate (the successor, or the one replaced)
    related_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()


class StatusListCredential(Base):
    """The signed status list credential currently published for one purpose ("revocation" or "suspension").

    Rebuilt from the certificates' statuses and re-signed in the same transaction as every status change, so every
    web worker serves the same list the moment the change commits."""

    __tablename__ = "credential_status_lists"

    purpose: Mapped[str] = mapped_column(String(16), primary_key=True)
    token: Mapped[str] = mapped_column(Text)
    kid: Mapped[str] = mapped_column(String(64))
    length: Mapped[int]
    set_count: Mapped[int]
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """An employer's token for the JSON API: only the SHA-256 of the secret is kept (it is shown once)."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_organisation_id_id", "organisation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the first characters of the token, to recognise it in a list ("epp_Ab12…")
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CheckBatch(Base):
    """A bulk accreditation check (an uploaded CSV of SWE numbers) and its results, kept for the employer to
    download and as a record of who checked whom."""

    __tablename__ = "accreditation_check_batches"
    __table_args__ = (Index("ix_accreditation_check_batches_created_by_id_id", "created_by_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    row_count: Mapped[int]
    #: one dict per uploaded row (see ``portal.certificates.checks.CheckRow.to_dict``)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

"""Casework evidence: case reflections, direct observations, feedback from people without accounts and supervision
records, their verification history, standards mappings and anonymisation confirmations.

One table holds every kind (``CaseworkItem``): they share the case reference, the date, the verification state,
the standards mapping and the files, and the supervisor's queue, the progress tallies and the assessment manifest
treat them alike. What differs per kind is the text, kept in ``content`` (a JSON object whose fields are declared
in ``portal.casework.kinds``) and who writes which part.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow
from portal.enrolments.models import Enrolment
from portal.framework import vocabulary
from portal.users.models import User
from portal.users.models import _enum as enum_column


class CaseworkKind(enum.StrEnum):
    CASE_REFLECTION = "case_reflection"
    DIRECT_OBSERVATION = "direct_observation"
    CHILD_FAMILY_FEEDBACK = "child_family_feedback"
    PROFESSIONAL_FEEDBACK = "professional_feedback"
    SUPERVISION_RECORD = "supervision_record"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def is_feedback(self) -> bool:
        return self in (CaseworkKind.CHILD_FAMILY_FEEDBACK, CaseworkKind.PROFESSIONAL_FEEDBACK)


KIND_LABELS = {
    CaseworkKind.CASE_REFLECTION: "Case reflection",
    CaseworkKind.DIRECT_OBSERVATION: "Direct observation",
    CaseworkKind.CHILD_FAMILY_FEEDBACK: "Feedback from a child or family",
    CaseworkKind.PROFESSIONAL_FEEDBACK: "Feedback from a professional",
    CaseworkKind.SUPERVISION_RECORD: "Supervision record",
}
# The progress engine's vocabulary is the source of truth: the enum must name exactly its kinds.
assert {k.value for k in CaseworkKind} == set(vocabulary.CASEWORK_KINDS), "casework kinds out of step"


class VerificationStatus(enum.StrEnum):
    """Where an item stands with its verifier (see ``portal.casework.verification.TRANSITIONS``)."""

    DRAFT = "draft"
    REQUESTED = "requested"
    VERIFIED = "verified"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {"draft": "Draft", "requested": "Waiting for verification", "verified": "Verified",
                "declined": "Declined"}[self.value]

    @property
    def tag_class(self) -> str:
        return {"draft": "govuk-tag--grey", "requested": "govuk-tag--blue", "verified": "govuk-tag--green",
                "declined": "govuk-tag--red"}[self.value]


class CaseworkItem(Base):
    """One piece of casework evidence on a practitioner's enrolment."""

    __tablename__ = "casework_items"
    __table_args__ = (
        CheckConstraint("kind = 'supervision_record' OR case_reference IS NOT NULL", name="case_reference_given"),
        CheckConstraint("kind <> 'case_reflection' OR (category IS NOT NULL AND activity IS NOT NULL AND "
                        "practitioner_role IS NOT NULL)", name="reflection_classified"),
        CheckConstraint("kind <> 'direct_observation' OR observer_id IS NOT NULL", name="observation_has_observer"),
        CheckConstraint("status <> 'requested' OR requested_at IS NOT NULL", name="requested_has_time"),
        CheckConstraint("status <> 'verified' OR (verified_at IS NOT NULL AND verified_by_id IS NOT NULL)",
                        name="verified_has_verifier"),
        # the practitioner's list (newest first) and the progress tallies
        Index("ix_casework_items_enrolment_occurred", "enrolment_id", "occurred_on", "id"),
        Index("ix_casework_items_practitioner_id", "practitioner_id"),
        Index("ix_casework_items_observer_id", "observer_id"),
        # the supervisors' verification queues: only pending items, oldest request first
        Index("ix_casework_items_pending", "requested_at", "id",
              sqlite_where=text("status = 'requested'"), postgresql_where=text("status = 'requested'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    #: the enrolment's practitioner, repeated so access checks and lists need no join
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    kind: Mapped[CaseworkKind] = mapped_column(enum_column(CaseworkKind, "casework_kind"))
    status: Mapped[VerificationStatus] = mapped_column(enum_column(VerificationStatus, "verification_status"),
                                                      default=VerificationStatus.DRAFT)
    #: the day of the activity, observation, feedback or supervision session
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    #: pseudonymous ("Case 14"); never the case management system's reference
    case_reference: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(32))
    activity: Mapped[str | None] = mapped_column(String(48))
    practitioner_role: Mapped[str | None] = mapped_column(String(16))
    #: the stage the item counts for; None lets its date decide
    stage_code: Mapped[str | None] = mapped_column(String(40))
    #: the text fields of this kind (see kinds.py), all strings
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    observer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    requested_at: Mapped[dt.datetime | None]
    verified_at: Mapped[dt.datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the last time an edit voided a verification
    voided_at: Mapped[dt.datetime | None]
    #: when the evidence itself (text, date, reference, standards, files) last changed
    content_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    practitioner: Mapped[User] = relationship(foreign_keys=[practitioner_id])
    observer: Mapped[User | None] = relationship(foreign_keys=[observer_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    statements: Mapped[list[CaseworkStatement]] = relationship(
        cascade="all, delete-orphan", order_by="CaseworkStatement.statement_code", back_populates="item")

    @property
    def statement_codes(self) -> list[str]:
        return [s.statement_code for s in self.statements]

    @property
    def title(self) -> str:
        """A short, non-identifying name for lists: kind, then activity and case reference."""
        details = [activity_label(self.activity)] if self.activity else []
        if self.case_reference:
            details.append(self.case_reference)
        return self.kind.label + (" – " + ", ".join(details) if details else "")

    def __repr__(self) -> str:
        return f"<CaseworkItem {self.id} {self.kind.value} {self.status.value}>"


OTHER_ACTIVITY = "other"


def activity_label(code: str) -> str:
    if code == OTHER_ACTIVITY:
        return "Other"
    label = vocabulary.CASEWORK_ACTIVITIES.get(code, code)
    return label[:1].upper() + label[1:]


class CaseworkStatement(Base):
    """A standards statement (e.g. 'KSS-CF.5') that an item evidences."""

    __tablename__ = "casework_item_statements"

    item_id: Mapped[int] = mapped_column(ForeignKey("casework_items.id", ondelete="CASCADE"), primary_key=True)
    statement_code: Mapped[str] = mapped_column(String(40), primary_key=True)

    item: Mapped[CaseworkItem] = relationship(back_populates="statements")


class EventAction(enum.StrEnum):
    CREATED = "created"
    EDITED = "edited"
    REQUESTED = "requested"
    WITHDRAWN = "withdrawn"
    VERIFIED = "verified"
    DECLINED = "declined"
    VOIDED = "voided"
    COMMENTED = "commented"
    FINDING_REDACTED = "finding_redacted"
    FINDING_CONFIRMED = "finding_confirmed"
    FEEDBACK_RECEIVED = "feedback_received"


class CaseworkEvent(Base):
    """The item's history as its people see it: requests, decisions with reasons, voiding, comments."""

    __tablename__ = "casework_events"
    __table_args__ = (Index("ix_casework_events_item_id_id", "item_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("casework_items.id", ondelete="CASCADE"))
    action: Mapped[EventAction] = mapped_column(enum_column(EventAction, "casework_event_action"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()


class ConfirmedFinding(Base):
    """A suspected identifier the practitioner confirmed is not identifying, kept by fingerprint for this item
    (the same text in a later scan of the item is not flagged again)."""

    __tablename__ = "casework_confirmed_findings"
    __table_args__ = (UniqueConstraint("item_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("casework_items.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FeedbackRequest(Base):
    """A single-use link sent to someone without an account. Only the nonce's SHA-256 is kept, and never the
    e-mail address it went to (that stays in the outbox), so the portfolio cannot show it."""

    __tablename__ = "casework_feedback_requests"
    __table_args__ = (
        CheckConstraint("kind IN ('child_family_feedback', 'professional_feedback')", name="feedback_kind"),
        Index("ix_casework_feedback_requests_enrolment_created", "enrolment_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    kind: Mapped[CaseworkKind] = mapped_column(enum_column(CaseworkKind, "casework_kind"))
    case_reference: Mapped[str] = mapped_column(String(40))
    #: how the practitioner refers to the respondent in their list, e.g. "Parent B" or "Health visitor"
    respondent_description: Mapped[str] = mapped_column(String(100))
    nonce_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    item_id: Mapped[int | None] = mapped_column(ForeignKey("casework_items.id", ondelete="SET NULL"), unique=True)

    practitioner: Mapped[User] = relationship()


class SupervisionDiscussion(Base):
    """An evidence item discussed in a supervision session (the stamp shows once the record is co-signed)."""

    __tablename__ = "casework_supervision_items"
    __table_args__ = (Index("ix_casework_supervision_items_item_id", "item_id"),)

    supervision_id: Mapped[int] = mapped_column(ForeignKey("casework_items.id", ondelete="CASCADE"),
                                                primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("casework_items.id", ondelete="CASCADE"), primary_key=True)

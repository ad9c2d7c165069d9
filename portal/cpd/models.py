"""CPD records with Social Work England's fields, the standards each maps to, and uploaded attendance lists.

A record is a draft (saved incomplete, finished later) or complete; only complete records count for the
registration-year check and the pathway's progress. ``registration_year`` (from the end date) and
``activity_on`` (the list's sort key) are derived by the services and stored so lists and checks use indexes.
The database repeats the rules: hours in (0, 1000], participatory hours in [0, hours], dates in order, and a
complete record has every answer Social Work England asks for.
"""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from portal.db import Base, utcnow
from portal.users.models import User
from portal.users.models import _enum as enum_column

MAX_HOURS = Decimal(1000)
TEXT_MAX = 5000
SHORT_MAX = 200


class CpdType(enum.StrEnum):
    COURSE = "course"
    READING = "reading"
    SHADOWING = "shadowing"
    SUPERVISION = "supervision"
    RESEARCH = "research"
    E_LEARNING = "e_learning"
    CONFERENCE = "conference"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CPD_TYPE_LABELS[self]

    @classmethod
    def parse(cls, value: str) -> CpdType | None:
        """A type from its value or label, forgiving case, spaces and hyphens ('E-learning' -> e_learning)."""
        key = "_".join(value.strip().lower().replace("-", " ").split())
        for member in cls:
            if key in {member.value, "_".join(member.label.lower().replace("-", " ").split())}:
                return member
        return None


CPD_TYPE_LABELS = {
    CpdType.COURSE: "Course or training",
    CpdType.READING: "Reading",
    CpdType.SHADOWING: "Shadowing",
    CpdType.SUPERVISION: "Supervision",
    CpdType.RESEARCH: "Research",
    CpdType.E_LEARNING: "E-learning",
    CpdType.CONFERENCE: "Conference or seminar",
    CpdType.OTHER: "Other",
}


class CpdStatus(enum.StrEnum):
    DRAFT = "draft"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return {"draft": "Draft", "complete": "Complete"}[self.value]


#: The allowed status changes (enforced by ``portal.cpd.services``): a draft is finished once; a complete
#: record stays complete (editing it checks every answer again).
STATUS_TRANSITIONS: dict[CpdStatus, frozenset[CpdStatus]] = {
    CpdStatus.DRAFT: frozenset({CpdStatus.DRAFT, CpdStatus.COMPLETE}),
    CpdStatus.COMPLETE: frozenset({CpdStatus.COMPLETE}),
}


class CursorDate(TypeDecorator[dt.date]):
    """A DATE that also accepts an ISO string as a bound value: keyset cursors carry dates as JSON strings."""

    impl = Date
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> dt.date | None:
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
        return value


_COMPLETE_HAS_ANSWERS = (
    "status <> 'complete' OR (activity_type IS NOT NULL AND start_date IS NOT NULL AND end_date IS NOT NULL "
    "AND hours IS NOT NULL AND registration_year IS NOT NULL AND description <> '' AND learning <> '' "
    "AND impact_practice <> '' AND impact_people <> '')"
)
_COMPLETE_PEER = (
    "status <> 'complete' OR peer_learning = '' OR "
    "(peer_name <> '' AND peer_role <> '' AND peer_discussed_on IS NOT NULL)"
)


class CpdRecord(Base):
    __tablename__ = "cpd_records"
    __table_args__ = (
        CheckConstraint("hours IS NULL OR (hours > 0 AND hours <= 1000)", name="hours_in_range"),
        CheckConstraint("participatory_hours IS NULL OR (participatory_hours >= 0 AND "
                        "(hours IS NULL OR participatory_hours <= hours))", name="participatory_in_range"),
        CheckConstraint("start_date IS NULL OR end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
        CheckConstraint(_COMPLETE_HAS_ANSWERS, name="complete_has_answers"),
        CheckConstraint(_COMPLETE_PEER, name="complete_peer_reflection"),
        # the list: a practitioner's records, newest first (keyset on activity_on, id)
        Index("ix_cpd_records_practitioner_activity", "practitioner_id", "activity_on", "id"),
        # the year check and the totals per year
        Index("ix_cpd_records_practitioner_year", "practitioner_id", "registration_year", "status"),
        Index("ix_cpd_records_enrolment_id", "enrolment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id", ondelete="SET NULL"))
    stage_code: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[CpdStatus] = mapped_column(enum_column(CpdStatus, "cpd_status"), default=CpdStatus.DRAFT)
    activity_type: Mapped[CpdType | None] = mapped_column(enum_column(CpdType, "cpd_type"))
    title: Mapped[str] = mapped_column(String(SHORT_MAX))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    participatory_hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    provider: Mapped[str] = mapped_column(String(SHORT_MAX), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    learning: Mapped[str] = mapped_column(Text, default="")
    impact_practice: Mapped[str] = mapped_column(Text, default="")
    impact_people: Mapped[str] = mapped_column(Text, default="")
    peer_name: Mapped[str] = mapped_column(String(SHORT_MAX), default="")
    peer_role: Mapped[str] = mapped_column(String(SHORT_MAX), default="")
    peer_discussed_on: Mapped[dt.date | None] = mapped_column(Date)
    peer_learning: Mapped[str] = mapped_column(Text, default="")
    #: the registration year of the end date (see portal.cpd.years); None while a draft has no end date
    registration_year: Mapped[int | None]
    #: the list's sort key: the end date, else the start date, else the day the record was made
    activity_on: Mapped[dt.date] = mapped_column(CursorDate)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("cpd_imports.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[dt.datetime | None]

    practitioner: Mapped[User] = relationship(foreign_keys=[practitioner_id])
    standards: Mapped[list[CpdRecordStandard]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="CpdRecordStandard.statement_code")

    @hybrid_property
    def has_peer_reflection(self) -> bool:
        """Social Work England counts a record as having a peer reflection when the peer question is answered."""
        return bool(self.peer_learning)

    @has_peer_reflection.inplace.expression
    @classmethod
    def _has_peer_reflection_expression(cls) -> Any:
        return and_(cls.peer_learning.is_not(None), cls.peer_learning != "")

    @property
    def is_complete(self) -> bool:
        return self.status == CpdStatus.COMPLETE

    @property
    def statement_codes(self) -> list[str]:
        return [s.statement_code for s in self.standards]

    def __repr__(self) -> str:
        return f"<CpdRecord {self.id} {self.status.value}>"


class CpdRecordStandard(Base):
    """A standards statement a record relates to, e.g. 'KSS-CF.5', 'PCF.3', 'SWE-PS.4'."""

    __tablename__ = "cpd_record_standards"
    __table_args__ = (Index("ix_cpd_record_standards_statement_code", "statement_code", "record_id"),)

    record_id: Mapped[int] = mapped_column(ForeignKey("cpd_records.id", ondelete="CASCADE"), primary_key=True)
    statement_code: Mapped[str] = mapped_column(String(40), primary_key=True)

    record: Mapped[CpdRecord] = relationship(back_populates="standards")


class CpdImport(Base):
    """An uploaded attendance list between its preview and its import. The CSV text is kept only until it is
    imported (then emptied); ``imported_at`` stops a second import of the same upload."""

    __tablename__ = "cpd_imports"
    __table_args__ = (Index("ix_cpd_imports_uploaded_by_id", "uploaded_by_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(SHORT_MAX))
    content: Mapped[str] = mapped_column(Text)
    row_count: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    imported_at: Mapped[dt.datetime | None]
    imported_count: Mapped[int | None]

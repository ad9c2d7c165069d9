"""Enrolments on a programme version, their clock (pauses, extensions), who supervises and employs the
practitioner over time, and the pathway records kept on the enrolment (reviews, self-assessments, documents,
external results).

Calendar dates (start, pause, held-on dates) are plain ``datetime.date``; ``*_at`` columns are UTC timestamps.
The database repeats the rules: one active enrolment per practitioner and programme, 0 < FTE <= 1, pauses end
on or after they start, extensions add time, one open supervisor allocation and one open employment period per
enrolment, one record per review meeting.
"""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow
from portal.framework import vocabulary
from portal.framework.models import ProgrammeVersion
from portal.users.models import Organisation, User
from portal.users.models import _enum as enum_column  # the house style for enum columns (VARCHAR, no native type)


class EnrolmentStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"active": "Active", "completed": "Completed", "withdrawn": "Withdrawn"}[self.value]


#: The allowed status changes (enforced by ``portal.enrolments.services.change_status``): an enrolment is
#: active until it is completed (the award) or withdrawn; completed and withdrawn are final.
STATUS_TRANSITIONS: dict[EnrolmentStatus, frozenset[EnrolmentStatus]] = {
    EnrolmentStatus.ACTIVE: frozenset({EnrolmentStatus.COMPLETED, EnrolmentStatus.WITHDRAWN}),
    EnrolmentStatus.COMPLETED: frozenset(),
    EnrolmentStatus.WITHDRAWN: frozenset(),
}


class PauseReason(enum.StrEnum):
    PARENTAL_LEAVE = "parental_leave"
    SICKNESS = "sickness"
    CAREER_BREAK = "career_break"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"parental_leave": "Parental leave", "sickness": "Sickness", "career_break": "Career break",
                "other": "Other"}[self.value]


#: Self-assessment ratings, per statement
RATING_LEVELS: dict[int, str] = {
    1: "Not yet evident",
    2: "Developing",
    3: "Established",
    4: "Strong",
}


class Enrolment(Base):
    """A practitioner on one version of a programme, employed by ``organisation`` (their current employer)."""

    __tablename__ = "enrolments"
    __table_args__ = (
        CheckConstraint("fte > 0 AND fte <= 1", name="fte_in_range"),
        Index("uq_enrolments_one_active_per_programme", "practitioner_id", "programme_code", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
        # the lists, newest enrolment first: an employer's, a supervisor's, a practitioner's own
        Index("ix_enrolments_organisation_id_id", "organisation_id", "id"),
        Index("ix_enrolments_supervisor_id_id", "supervisor_id", "id"),
        Index("ix_enrolments_practitioner_id_id", "practitioner_id", "id"),
        Index("ix_enrolments_programme_version_id", "programme_version_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    programme_version_id: Mapped[int] = mapped_column(ForeignKey("programme_versions.id", ondelete="RESTRICT"))
    #: copied from the programme version, so the database can keep one active enrolment per programme
    programme_code: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[dt.date] = mapped_column(Date)
    fte: Mapped[Decimal] = mapped_column(Numeric(3, 2))
    #: the current practice supervisor (history in SupervisorAllocation)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[EnrolmentStatus] = mapped_column(enum_column(EnrolmentStatus, "enrolment_status"),
                                                    default=EnrolmentStatus.ACTIVE)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    practitioner: Mapped[User] = relationship(foreign_keys=[practitioner_id])
    organisation: Mapped[Organisation] = relationship()
    programme_version: Mapped[ProgrammeVersion] = relationship()
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])

    @property
    def fte_label(self) -> str:
        """'0.6', '1' (no trailing zeros)."""
        return format(Decimal(self.fte).normalize(), "f")

    def __repr__(self) -> str:
        return f"<Enrolment {self.id} {self.programme_code}>"


class EnrolmentStageDates(Base):
    """When each stage of an enrolment is the current one, kept by the services that change its clock (enrol,
    pause, extension, migration): ``starts_on``..``ends_on`` inclusive, the last stage open-ended. Lets the
    database filter "current stage" lists, which otherwise need every enrolment's clock computed in Python."""

    __tablename__ = "enrolment_stage_dates"
    __table_args__ = (
        Index("ix_enrolment_stage_dates_stage", "stage_code", "starts_on", "ends_on"),
    )

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True)
    stage_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)


class EnrolmentPause(Base):
    """A break in the enrolment (inclusive dates): every later due date moves by its length."""

    __tablename__ = "enrolment_pauses"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        Index("ix_enrolment_pauses_enrolment_start", "enrolment_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[PauseReason] = mapped_column(enum_column(PauseReason, "pause_reason"))
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class EnrolmentExtension(Base):
    """Extra calendar time granted to one stage (moves its end and everything after)."""

    __tablename__ = "enrolment_extensions"
    __table_args__ = (
        CheckConstraint("months >= 0 AND days >= 0 AND months + days > 0", name="adds_time"),
        Index("ix_enrolment_extensions_enrolment_id", "enrolment_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    stage_code: Mapped[str] = mapped_column(String(40))
    months: Mapped[int] = mapped_column(default=0)
    days: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SupervisorAllocation(Base):
    """Who supervised the enrolment and when (kept for good: an assessor must never be someone who supervises or
    has supervised the practitioner). ``ended_on`` is None while current."""

    __tablename__ = "supervisor_allocations"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        Index("uq_supervisor_allocations_one_open", "enrolment_id", unique=True,
              sqlite_where=text("ended_on IS NULL"), postgresql_where=text("ended_on IS NULL")),
        Index("ix_supervisor_allocations_enrolment_started", "enrolment_id", "started_on", "id"),
        Index("ix_supervisor_allocations_supervisor_enrolment", "supervisor_id", "enrolment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    supervisor: Mapped[User] = relationship()


class EmploymentPeriod(Base):
    """Which organisation employed the practitioner during the enrolment (transfers close one, open another)."""

    __tablename__ = "employment_periods"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        Index("uq_employment_periods_one_open", "enrolment_id", unique=True,
              sqlite_where=text("ended_on IS NULL"), postgresql_where=text("ended_on IS NULL")),
        Index("ix_employment_periods_enrolment_started", "enrolment_id", "started_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class ReviewMeetingRecord(Base):
    """A review meeting that was held (one record per review of the template): who came, what was discussed and
    the development plan agreed (one item per line)."""

    __tablename__ = "review_meetings"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "review_code"),
        Index("ix_review_meetings_enrolment_held", "enrolment_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    review_code: Mapped[str] = mapped_column(String(40))
    held_on: Mapped[dt.date] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    development_plan: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    recorded_by: Mapped[User | None] = relationship()

    @property
    def development_plan_items(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.development_plan.splitlines() if line.strip(" -•\t")]


class SelfAssessment(Base):
    """The practitioner's self-assessment against a standards set at a point of a stage:
    ``ratings`` = {statement code: level 1-4 (RATING_LEVELS)} for every statement of the set."""

    __tablename__ = "self_assessments"
    __table_args__ = (
        CheckConstraint("point IN ('start', 'middle', 'end')", name="known_point"),
        Index("ix_self_assessments_enrolment_completed", "enrolment_id", "completed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    review_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("review_meetings.id", ondelete="SET NULL"))
    stage_code: Mapped[str | None] = mapped_column(String(40))
    point: Mapped[str] = mapped_column(String(10))
    set_code: Mapped[str] = mapped_column(String(40))
    ratings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    completed_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def point_label(self) -> str:
        return vocabulary.SELF_ASSESSMENT_POINTS.get(self.point, self.point)


class EnrolmentDocument(Base):
    """A pathway document (learning agreement, critical reflection log, year 2 reflection, full portfolio ...)
    recorded on the enrolment: ``kind`` is a key of ``vocabulary.DOCUMENT_KINDS``.

    Extension point for files: the evidence storage attaches files to a document by its id (the storage's own
    attachment table refers to ``enrolment_documents.id``); nothing here stores file content. A document recorded
    by someone other than the practitioner (their supervisor or employer) counts as verified.
    """

    __tablename__ = "enrolment_documents"
    __table_args__ = (
        Index("ix_enrolment_documents_enrolment_completed", "enrolment_id", "completed_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    completed_on: Mapped[dt.date] = mapped_column(Date)
    stage_code: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def kind_label(self) -> str:
        nouns = vocabulary.DOCUMENT_KINDS.get(self.kind)
        return nouns[0].capitalize() if nouns else self.kind


class ExternalResult(Base):
    """A result from outside the portal (knowledge assessment, employer endorsement, observed or simulated
    practice): ``kind`` is a key of ``vocabulary.EXTERNAL_RESULTS``; only passed results count."""

    __tablename__ = "external_results"
    __table_args__ = (
        Index("ix_external_results_enrolment_recorded", "enrolment_id", "recorded_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    passed: Mapped[bool]
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    stage_code: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def kind_label(self) -> str:
        label = vocabulary.EXTERNAL_RESULTS.get(self.kind, self.kind)
        return label[:1].upper() + label[1:]

"""Stage submissions and their assessment: sealed versions with a copy of every item, the state history, the
markings (first and blind second), the second-marking sample draws, the appeals and the stage sign-offs.

The database repeats the rules of ``portal.assessments.states``: a state is one of the enum's values; one submission
per enrolment and stage that is not withdrawn (so one final outcome per stage); a paused submission remembers the
state it was paused in; an employer's agreement is whole (who, when, why) or absent; one sealed version per number;
one sign-off that stands per enrolment and stage; one appeal per decision and one open appeal per submission.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.assessments.states import AppealState, Outcome, SubmissionState
from portal.db import Base, utcnow
from portal.enrolments.models import Enrolment
from portal.users.models import User
from portal.users.models import _enum as enum_column


def _values(enum_class: Any) -> str:
    return ", ".join(f"'{member.value}'" for member in enum_class)


class MarkingRole:
    """Whose marking: the allocated assessor's (first) or the blind second marker's."""

    FIRST = "first"
    SECOND = "second"


#: States in which the items sealed in the current version are locked: the portfolio is with the assessor or the
#: moderators. While the practitioner is putting it right (referred, incomplete, extended) the live items can
#: change again (the sealed copy never does); once the stage is decided the sealed copy is the record.
LOCKING_STATES = frozenset({SubmissionState.SUBMITTED, SubmissionState.UNDER_ASSESSMENT, SubmissionState.RESUBMITTED,
                            SubmissionState.RECOMMENDED, SubmissionState.MODERATION, SubmissionState.RETURNED,
                            SubmissionState.PAUSED})
#: States in which the practitioner edits the working copy (choice of items, statement) before (re)submitting.
WORKING_STATES = frozenset({SubmissionState.DRAFT, SubmissionState.REFERRED, SubmissionState.INCOMPLETE_EVIDENCE,
                            SubmissionState.EXTENDED})
#: States the assessor's queue lists.
ASSESSOR_STATES = frozenset({SubmissionState.UNDER_ASSESSMENT, SubmissionState.RESUBMITTED, SubmissionState.RETURNED,
                             SubmissionState.INCOMPLETE_EVIDENCE, SubmissionState.EXTENDED})
#: States in which the allocated assessor (and second marker) may open the sealed items.
ASSESSING_STATES = frozenset(SubmissionState) - {SubmissionState.DRAFT, SubmissionState.WITHDRAWN,
                                                 SubmissionState.CONFIRMED, SubmissionState.SIGNED_OFF,
                                                 SubmissionState.CERTIFICATE_ISSUED}
#: States the moderators work on.
MODERATION_STATES = frozenset({SubmissionState.RECOMMENDED, SubmissionState.MODERATION})


class Submission(Base):
    """One stage portfolio of an enrolment, from the draft to the decision. ``version`` is the number of the latest
    sealed version (0 until first submitted); ``statement`` and ``chosen_items`` are the practitioner's working
    copy, sealed into a new version at each (re)submission."""

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint(f"state IN ({_values(SubmissionState)})", name="known_state"),
        CheckConstraint(f"outcome IS NULL OR outcome IN ({_values(Outcome)})", name="known_outcome"),
        CheckConstraint("(state = 'paused' AND paused_from IS NOT NULL) OR (state <> 'paused' AND paused_from IS NULL)",
                        name="paused_remembers_state"),
        CheckConstraint("(agreement_by_id IS NULL AND agreement_at IS NULL AND agreement_reason IS NULL) OR "
                        "(agreement_at IS NOT NULL AND agreement_reason IS NOT NULL)", name="agreement_whole"),
        CheckConstraint("version >= 0", name="version_not_negative"),
        CheckConstraint("state = 'draft' OR state = 'withdrawn' OR version >= 1", name="sealed_after_draft"),
        Index("uq_submissions_one_per_stage", "enrolment_id", "stage_code", unique=True,
              sqlite_where=text("state <> 'withdrawn'"), postgresql_where=text("state <> 'withdrawn'")),
        # the assessor's queue, by due date or by age
        Index("ix_submissions_assessor_due", "assessor_id", "assessor_due_on", "id"),
        Index("ix_submissions_assessor_submitted", "assessor_id", "submitted_at", "id"),
        Index("ix_submissions_second_marker_id", "second_marker_id"),
        Index("ix_submissions_state_id", "state", "id"),
        Index("ix_submissions_practitioner_id", "practitioner_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="RESTRICT"))
    #: the enrolment's practitioner, repeated so access checks and lists need no join
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    stage_code: Mapped[str] = mapped_column(String(40))
    #: the stage is decided by independent assessment (year 5): another organisation assesses, the programme
    #: admin allocates, any moderator moderates
    independent: Mapped[bool] = mapped_column(default=False)
    state: Mapped[SubmissionState] = mapped_column(enum_column(SubmissionState, "submission_state"),
                                                  default=SubmissionState.DRAFT)
    paused_from: Mapped[SubmissionState | None] = mapped_column(enum_column(SubmissionState, "submission_state"))
    version: Mapped[int] = mapped_column(default=0)
    statement: Mapped[str] = mapped_column(Text, default="")
    #: the working choice of items: [["casework", 12], ["cpd_record", 7], ...]
    chosen_items: Mapped[list[Any]] = mapped_column(JSON, default=list)
    agreement_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    agreement_at: Mapped[dt.datetime | None]
    agreement_reason: Mapped[str | None] = mapped_column(Text)
    #: the requirements that were not met when the employer agreed (codes)
    agreement_unmet: Mapped[list[Any]] = mapped_column(JSON, default=list)
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    allocated_at: Mapped[dt.datetime | None]
    allocated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assessor_due_on: Mapped[dt.date | None] = mapped_column(Date)
    #: the assessor's recommendation, then the decision
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome, "outcome"))
    incomplete_deadline: Mapped[dt.date | None] = mapped_column(Date)
    extended_to: Mapped[dt.date | None] = mapped_column(Date)
    #: the day of the decision an appeal counts from (a confirmed fail; a signed-off pass)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    sample_draw_id: Mapped[int | None] = mapped_column(ForeignKey("sample_draws.id", ondelete="RESTRICT"))
    #: why it was picked for blind second marking ([] when drawn but not picked)
    sample_reasons: Mapped[list[Any] | None] = mapped_column(JSON)
    second_marker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    first_submitted_at: Mapped[dt.datetime | None]
    #: when the latest version was sealed (the queue's age)
    submitted_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    practitioner: Mapped[User] = relationship(foreign_keys=[practitioner_id])
    assessor: Mapped[User | None] = relationship(foreign_keys=[assessor_id])
    second_marker: Mapped[User | None] = relationship(foreign_keys=[second_marker_id])
    agreement_by: Mapped[User | None] = relationship(foreign_keys=[agreement_by_id])
    versions: Mapped[list[SubmissionVersion]] = relationship(back_populates="submission",
                                                             order_by="SubmissionVersion.number")

    @property
    def sampled(self) -> bool:
        return bool(self.sample_reasons)

    @property
    def has_agreement(self) -> bool:
        return self.agreement_at is not None

    @property
    def reference(self) -> str:
        """How pages name it without naming the practitioner (moderators' anonymised view)."""
        return f"Submission {self.id}"

    def __repr__(self) -> str:
        return f"<Submission {self.id} {self.stage_code} {self.state}>"


class SubmissionVersion(Base):
    """One sealed version: the statement, the manifest's index (kind, id, SHA-256 of each item) and its digest.
    Each item's content is kept in ``SubmissionItem`` (together they are the stored manifest)."""

    __tablename__ = "submission_versions"
    __table_args__ = (UniqueConstraint("submission_id", "number"), CheckConstraint("number >= 1", name="numbered"))

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    number: Mapped[int]
    statement: Mapped[str] = mapped_column(Text)
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    submission: Mapped[Submission] = relationship(back_populates="versions")
    items: Mapped[list[SubmissionItem]] = relationship(back_populates="version", order_by="SubmissionItem.id",
                                                       cascade="all, delete-orphan")


class SubmissionItem(Base):
    """The sealed copy of one item of a version (casework item, CPD record, the statement, the employer's
    agreement, the stage's progress when sealed): what the assessor sees, whatever happens to the live item."""

    __tablename__ = "submission_items"
    __table_args__ = (
        UniqueConstraint("version_id", "kind", "item_key"),
        Index("ix_submission_items_kind_item_key", "kind", "item_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_versions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    #: the live item's id as a string (the statement and the progress snapshot have made-up ids)
    item_key: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)

    version: Mapped[SubmissionVersion] = relationship(back_populates="items")


class SubmissionEvent(Base):
    """The submission's history: every move (from, to, action), who made it in which role, why, and allocations,
    agreements and second-marking events that are not moves."""

    __tablename__ = "submission_events"
    __table_args__ = (Index("ix_submission_events_submission_id_id", "submission_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    role: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(default=0)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()


class Marking(Base):
    """One marker's marking of one sealed version: per requirement a rubric level and feedback, the overall
    outcome with its extra fields, and the feedback to the practitioner. Saved as a draft until finished.
    ``lock_version`` is SQLAlchemy's version counter: a save from a stale copy updates nothing and is refused."""

    __tablename__ = "markings"
    __table_args__ = (
        UniqueConstraint("submission_id", "version", "role", "marker_id"),
        CheckConstraint("role IN ('first', 'second')", name="known_role"),
        CheckConstraint(f"outcome IS NULL OR outcome IN ({_values(Outcome)})", name="known_outcome"),
        CheckConstraint("finished_at IS NULL OR (outcome IS NOT NULL AND feedback <> '')", name="finished_whole"),
        Index("ix_markings_marker_id", "marker_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    version: Mapped[int]
    role: Mapped[str] = mapped_column(String(8), default=MarkingRole.FIRST)
    marker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: {requirement code: {"level": RubricLevel value, "feedback": text}}
    levels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome, "outcome"))
    feedback: Mapped[str] = mapped_column(Text, default="")
    development_points: Mapped[str] = mapped_column(Text, default="")
    missing_evidence: Mapped[str] = mapped_column(Text, default="")
    incomplete_deadline: Mapped[dt.date | None] = mapped_column(Date)
    extend_to: Mapped[dt.date | None] = mapped_column(Date)
    saved_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    finished_at: Mapped[dt.datetime | None]
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}

    marker: Mapped[User] = relationship(foreign_keys=[marker_id])
    saved_by: Mapped[User | None] = relationship(foreign_keys=[saved_by_id])

    def level(self, code: str) -> str | None:
        return (self.levels.get(code) or {}).get("level")

    def level_feedback(self, code: str) -> str:
        return (self.levels.get(code) or {}).get("feedback") or ""


class SampleDraw(Base):
    """One draw of the blind second-marking sample over the recommendations waiting for a moderation panel (an
    organisation's, or the national panel for independent assessments when ``panel_organisation_id`` is None).
    The seed is kept, so the draw can be repeated and checked."""

    __tablename__ = "sample_draws"
    __table_args__ = (Index("ix_sample_draws_panel_drawn", "panel_organisation_id", "drawn_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    seed: Mapped[str] = mapped_column(String(64))
    random_percentage: Mapped[int]
    first_n: Mapped[int]
    recommendations: Mapped[int]
    sampled: Mapped[int]
    drawn_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Appeal(Base):
    """An appeal against a decision (a confirmed fail, a signed-off pass with development), its independent
    reviewer and its outcome."""

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint(f"state IN ({_values(AppealState)})", name="known_state"),
        CheckConstraint(f"replacement_outcome IS NULL OR replacement_outcome IN ({_values(Outcome)})",
                        name="known_outcome"),
        CheckConstraint("state = 'lodged' OR (decided_at IS NOT NULL AND reasons <> '')", name="decided_whole"),
        UniqueConstraint("submission_id", "decision_on"),
        Index("uq_appeals_one_open", "submission_id", unique=True,
              sqlite_where=text("state = 'lodged'"), postgresql_where=text("state = 'lodged'")),
        Index("ix_appeals_state_id", "state", "id"),
        Index("ix_appeals_reviewer_id", "reviewer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="RESTRICT"))
    state: Mapped[AppealState] = mapped_column(enum_column(AppealState, "appeal_state"), default=AppealState.LODGED)
    grounds: Mapped[str] = mapped_column(Text)
    original_outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "outcome"))
    decision_on: Mapped[dt.date] = mapped_column(Date)
    lodged_on: Mapped[dt.date] = mapped_column(Date)
    lodged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lodged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reviewer_assigned_at: Mapped[dt.datetime | None]
    reviewer_assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reasons: Mapped[str] = mapped_column(Text, default="")
    #: an upheld appeal: the outcome that replaced the decision (None: a fresh assessment was ordered)
    replacement_outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome, "outcome"))
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    submission: Mapped[Submission] = relationship()
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])


class StageSignOff(Base):
    """A stage signed off on a passing decision: what the certificate is made from. One stands per enrolment and
    stage; an upheld appeal that replaces the decision marks it reversed (the certificates feature revokes what it
    issued) and, for a new pass, a new one is made. ``is_award``: the sign-off of the award stage, made with the
    sign-off of the stage that confers it (the independent assessment)."""

    __tablename__ = "stage_sign_offs"
    __table_args__ = (
        CheckConstraint("outcome IN ('PASS', 'PASS_DEV')", name="passing_outcome"),
        CheckConstraint("(reversed_at IS NULL AND reversed_reason IS NULL) OR "
                        "(reversed_at IS NOT NULL AND reversed_reason IS NOT NULL)", name="reversal_whole"),
        Index("uq_stage_sign_offs_one_standing", "enrolment_id", "stage_code", unique=True,
              sqlite_where=text("reversed_at IS NULL"), postgresql_where=text("reversed_at IS NULL")),
        Index("ix_stage_sign_offs_submission_id", "submission_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="RESTRICT"))
    stage_code: Mapped[str] = mapped_column(String(40))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="RESTRICT"))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "outcome"))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    signed_off_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the SHA-256 digest of the sealed version that was decided (the certificate names it)
    manifest_digest: Mapped[str] = mapped_column(String(64))
    #: the roles that signed, in order: ["Assessor", "Moderator", "Employer admin"]
    signatory_roles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    is_award: Mapped[bool] = mapped_column(default=False)
    reversed_at: Mapped[dt.datetime | None]
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reversed_reason: Mapped[str | None] = mapped_column(Text)

    enrolment: Mapped[Enrolment] = relationship()
    submission: Mapped[Submission] = relationship()
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])

    @property
    def stands(self) -> bool:
        return self.reversed_at is None

"""People, organisations and scoped roles."""
from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow


class Role(enum.StrEnum):
    PRACTITIONER = "practitioner"
    SUPERVISOR = "supervisor"
    ASSESSOR = "assessor"
    MODERATOR = "moderator"
    EMPLOYER_ADMIN = "employer_admin"
    PROGRAMME_ADMIN = "programme_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.PRACTITIONER: "Practitioner",
    Role.SUPERVISOR: "Practice supervisor",
    Role.ASSESSOR: "Assessor",
    Role.MODERATOR: "Moderator",
    Role.EMPLOYER_ADMIN: "Employer admin",
    Role.PROGRAMME_ADMIN: "Programme admin",
}

#: Roles whose holders must use two-factor authentication (employer admins manage people and API tokens).
ROLES_REQUIRING_2FA = frozenset({Role.ASSESSOR, Role.MODERATOR, Role.EMPLOYER_ADMIN, Role.PROGRAMME_ADMIN})


class UserStatus(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DISABLED = "disabled"


class OrganisationKind(enum.StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    CHILDRENS_TRUST = "childrens_trust"
    VOLUNTARY = "voluntary"
    INDEPENDENT = "independent"

    @property
    def label(self) -> str:
        return {
            "local_authority": "Local authority",
            "childrens_trust": "Children's services trust",
            "voluntary": "Voluntary or charitable organisation",
            "independent": "Independent assessment provider",
        }[self.value]


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=32, validate_strings=True,
                values_callable=lambda e: [m.value for m in e])


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (Index("ix_organisations_name_id", "name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, "organisation_kind"))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Organisation {self.code}>"


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_name_id", "name", "id"),
        CheckConstraint("failed_sign_ins >= 0", name="failed_sign_ins_not_negative"),
        CheckConstraint("session_version >= 1", name="session_version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-cased: e-mail addresses are unique case-insensitively
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    swe_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[UserStatus] = mapped_column(_enum(UserStatus, "user_status"), default=UserStatus.INVITED)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    session_version: Mapped[int] = mapped_column(default=1)
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    last_sign_in_at: Mapped[dt.datetime | None]
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[dt.datetime | None]
    totp_last_timestep: Mapped[int | None]
    #: the key offered on the set-up page, kept until it is confirmed or the person asks for a new one
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", foreign_keys="RoleGrant.user_id", cascade="all, delete-orphan",
        order_by="RoleGrant.id",
    )

    # Flask-Login: the id carries the session version, so bumping it ends every other session.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.status == UserStatus.ACTIVE

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def roles(self) -> set[Role]:
        return {g.role for g in self.grants}

    def has_role(self, role: Role, organisation_id: int | None = None) -> bool:
        return any(g.role == role and (organisation_id is None or g.organisation_id == organisation_id)
                   for g in self.grants)

    def organisation_ids(self, role: Role | None = None) -> set[int]:
        return {g.organisation_id for g in self.grants
                if g.organisation_id is not None and (role is None or g.role == role)}

    @property
    def needs_two_factor(self) -> bool:
        return any(g.role in ROLES_REQUIRING_2FA for g in self.grants)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class RoleGrant(Base):
    """A role held by a user, scoped to an organisation (programme admins are national: no organisation)."""

    __tablename__ = "role_grants"
    __table_args__ = (
        CheckConstraint(
            "(role = 'programme_admin' AND organisation_id IS NULL) OR "
            "(role <> 'programme_admin' AND organisation_id IS NOT NULL)",
            name="scope_matches_role",
        ),
        Index("uq_role_grants_user_role_org", "user_id", "role", "organisation_id", unique=True,
              sqlite_where=text("organisation_id IS NOT NULL"), postgresql_where=text("organisation_id IS NOT NULL")),
        Index("uq_role_grants_user_role_national", "user_id", "role", unique=True,
              sqlite_where=text("organisation_id IS NULL"), postgresql_where=text("organisation_id IS NULL")),
        Index("ix_role_grants_organisation_role", "organisation_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    organisation: Mapped[Organisation | None] = relationship()


class Team(Base):
    """A team inside an organisation (the employer admin keeps them). Used by the assessment conflict rule: an
    assessor never marks someone in a team they share now."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
    memberships: Mapped[list[TeamMembership]] = relationship(back_populates="team", cascade="all, delete-orphan")


class TeamMembership(Base):
    """Someone working in a team now (leaving the team deletes the row; the audit log keeps the history)."""

    __tablename__ = "team_memberships"
    __table_args__ = (Index("ix_team_memberships_user_id", "user_id"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


def normalise_email(email: str) -> str:
    return email.strip().lower()


email_lower = func.lower

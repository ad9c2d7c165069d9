"""Published programme templates and the standards sets they use, stored as the YAML they were loaded from.

A row is immutable once written: enrolments are pinned to a (code, version), so a version's content never
changes (a changed file must carry a new version). The parsed form is rebuilt from ``source_yaml`` by the
loader and cached in-process by ``content_hash`` (see ``portal.framework.services.template_for``).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow


class StandardsSetVersion(Base):
    """One version of a standards set (KSS-CF 2018, PCF 2018, SWE-PS 2019, ...)."""

    __tablename__ = "standards_set_versions"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    source_yaml: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<StandardsSetVersion {self.code} {self.version}>"


class ProgrammeVersion(Base):
    """A published version of a programme template (ECF-5Y version 1, ASYE-CF version 1, ...)."""

    __tablename__ = "programme_versions"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        # the programmes list: newest first
        Index("ix_programme_versions_published_at_id", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    source_yaml: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(255), default="")
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: None when loaded from the command line
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def label(self) -> str:
        return f"{self.name} (version {self.version})"

    @property
    def version_key(self) -> tuple[int, ...]:
        """Sortable form of the version ('2' -> (2,), '1.10.0' -> (1, 10, 0))."""
        return tuple(int(part) for part in self.version.split(".") if part.isdigit())

    def __repr__(self) -> str:
        return f"<ProgrammeVersion {self.code} {self.version}>"

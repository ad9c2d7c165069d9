"""Publishing programme templates and standards sets, and reading them back.

A template is published from YAML text: the loader validates it (every problem with its line), the standards
sets it names must be shipped with the portal or already loaded, and a (code, version) is written once: the same
content again is a no-op, different content under a published version is refused. Nothing is written when
anything is wrong. Services flush; the caller commits.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.db import session
from portal.exceptions import DomainError
from portal.framework.definitions import Crosswalk, ProgrammeTemplate, StandardsRef, StandardsSet
from portal.framework.loader import (
    PACKAGE_DIR,
    TemplateError,
    builtin_crosswalks,
    builtin_standards,
    load_standards_set,
    load_template,
)
from portal.framework.models import ProgrammeVersion, StandardsSetVersion

# Parsed forms by content hash: a published (code, version) never changes, so neither does its parse.
_TEMPLATES: dict[str, ProgrammeTemplate] = {}
_STANDARDS: dict[str, StandardsSet] = {}


@dataclass(frozen=True)
class Published:
    """The outcome of loading one file: the stored row and whether it was new (False: identical, no change)."""

    kind: str  # "programme" | "standards set"
    code: str
    version: str
    created: bool
    row: ProgrammeVersion | StandardsSetVersion

    def describe(self) -> str:
        what = "Programme" if self.kind == "programme" else "Standards set"
        if self.created:
            return f"{what} {self.code} version {self.version} loaded"
        return f"{what} {self.code} version {self.version} is already loaded with the same content: no change"


class LoadFailed(Exception):
    """One or more files could not be loaded; ``problems`` are 'file:line:col: message' lines."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# ------------------------------------------------------------------------------------------------- reading back
@cache
def _builtin_standards_sources() -> dict[tuple[str, str], str]:
    """The YAML text of each shipped standards set, keyed by (code, version)."""
    sources = {}
    for path in sorted((PACKAGE_DIR / "standards").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        parsed = load_standards_set(text, filename=path.name)
        sources[(parsed.code, parsed.version)] = text
    return sources


def _parse_stored_standards(row: StandardsSetVersion) -> StandardsSet:
    parsed = _STANDARDS.get(row.content_hash)
    if parsed is None:
        parsed = load_standards_set(row.source_yaml, filename=f"{row.code}-{row.version}.yaml")
        _STANDARDS[row.content_hash] = parsed
    return parsed


def standards_library() -> dict[tuple[str, str], StandardsSet]:
    """Every standards set a template may use: those shipped with the portal and those loaded into the database
    (keyed by (code, version))."""
    library = dict(builtin_standards())
    rows = session().execute(select(StandardsSetVersion)).scalars().all()
    for row in rows:
        library[(row.code, row.version)] = _parse_stored_standards(row)
    return library


def template_for(version: ProgrammeVersion) -> ProgrammeTemplate:
    """The parsed template of a published version (parsed once per process, by content hash)."""
    template = _TEMPLATES.get(version.content_hash)
    if template is None:
        template = load_template(version.source_yaml, filename=version.source_name or f"{version.code}.yaml",
                                 standards=standards_library())
        _TEMPLATES[version.content_hash] = template
    return template


def crosswalks() -> tuple[Crosswalk, ...]:
    """The crosswalks evidence counts through (shipped with the portal)."""
    return builtin_crosswalks()


def carry_mappings(old_set: StandardsRef | StandardsSet, new_set: StandardsRef | StandardsSet,
                   ) -> dict[str, tuple[str, ...]] | None:
    """How evidence mapped to statements of ``old_set`` maps to statements of ``new_set``.

    Returns {old statement code: (new statement codes, ...)}: the identity when both are the same set version,
    the crosswalk's mappings when one exists from the old to the new set, else None (mappings cannot be carried).
    Features that store evidence-to-statement mappings call this when an enrolment migrates to a new version.
    """
    old_ref = old_set.ref if isinstance(old_set, StandardsSet) else old_set
    new_ref = new_set.ref if isinstance(new_set, StandardsSet) else new_set
    if old_ref == new_ref:
        library = standards_library()
        found = library.get((old_ref.code, old_ref.version))
        return {code: (code,) for code in found.statement_codes} if found else {}
    for crosswalk in crosswalks():
        if crosswalk.from_set == old_ref and crosswalk.to_set == new_ref:
            return dict(crosswalk.mappings)
    return None


def published_versions(code: str | None = None) -> list[ProgrammeVersion]:
    """Published programme versions, by programme code then newest version first."""
    query = select(ProgrammeVersion)
    if code is not None:
        query = query.where(ProgrammeVersion.code == code)
    rows = session().execute(query).scalars().all()
    return sorted(rows, key=lambda v: (v.code, tuple(-p for p in v.version_key)))


def latest_versions() -> list[ProgrammeVersion]:
    """The newest published version of each programme, by name."""
    latest: dict[str, ProgrammeVersion] = {}
    for version in published_versions():
        latest.setdefault(version.code, version)
    return sorted(latest.values(), key=lambda v: (v.name, v.code))


def newer_versions(version: ProgrammeVersion) -> list[ProgrammeVersion]:
    """Published versions of the same programme newer than ``version`` (newest first)."""
    return [v for v in published_versions(version.code) if v.version_key > version.version_key]


# ------------------------------------------------------------------------------------------------- publishing
def _version_conflict(kind: str, code: str, version: str) -> DomainError:
    return DomainError(f"{kind} {code} version {version} is already loaded with different content. "
                       "Give the changed file a new version number", "template")


def check_standards_set(text: str, *, filename: str) -> tuple[StandardsSet, StandardsSetVersion | None]:
    """Validate a standards set file: (parsed set, the identical stored row or None). Raises TemplateError or,
    when its (code, version) is stored with different content, DomainError."""
    parsed = load_standards_set(text, filename=filename)
    existing = session().execute(select(StandardsSetVersion).where(
        StandardsSetVersion.code == parsed.code, StandardsSetVersion.version == parsed.version)).scalar_one_or_none()
    builtin = builtin_standards().get((parsed.code, parsed.version))
    stored_hash = existing.content_hash if existing else (builtin.content_hash if builtin else None)
    if stored_hash is not None and stored_hash != parsed.content_hash:
        raise _version_conflict("Standards set", parsed.code, parsed.version)
    return parsed, existing


def check_programme(text: str, *, filename: str,
                    extra_standards: Iterable[StandardsSet] = ()) -> tuple[ProgrammeTemplate, ProgrammeVersion | None]:
    """Validate a programme template: (parsed template, the identical published version or None).

    Raises TemplateError listing every problem (with its line), or DomainError when the (code, version) is
    already published with different content. ``extra_standards`` are sets being loaded alongside it.
    """
    library = standards_library()
    library.update({(s.code, s.version): s for s in extra_standards})
    template = load_template(text, filename=filename, standards=library)
    existing = session().execute(select(ProgrammeVersion).where(
        ProgrammeVersion.code == template.code, ProgrammeVersion.version == template.version)).scalar_one_or_none()
    if existing is not None and existing.content_hash != template.content_hash:
        raise _version_conflict("Programme", template.code, template.version)
    return template, existing


def _store_standards_set(parsed: StandardsSet, text: str, by: object | None) -> StandardsSetVersion:
    row = StandardsSetVersion(code=parsed.code, version=parsed.version, name=parsed.name,
                              content_hash=parsed.content_hash, source_yaml=text,
                              loaded_by_id=getattr(by, "id", None))
    sess = session()
    sess.add(row)
    try:
        with sess.begin_nested():
            sess.flush()
    except IntegrityError:
        raise _version_conflict("Standards set", parsed.code, parsed.version) from None
    _STANDARDS[parsed.content_hash] = parsed
    audit.record(by, "standards_set.loaded", row, code=parsed.code, version=parsed.version,
                 content_hash=parsed.content_hash, via=None if by else "cli")
    return row


def load_standards_set_text(text: str, *, filename: str, by: object | None) -> Published:
    """Load a standards set from YAML text (identical again: no change)."""
    parsed, existing = check_standards_set(text, filename=filename)
    if existing is not None:
        return Published("standards set", parsed.code, parsed.version, False, existing)
    return Published("standards set", parsed.code, parsed.version, True, _store_standards_set(parsed, text, by))


def _ensure_standards_stored(template: ProgrammeTemplate, by: object | None) -> None:
    """Store the shipped standards sets the template uses that are not in the database yet."""
    stored = {(code, version) for code, version in session().execute(
        select(StandardsSetVersion.code, StandardsSetVersion.version)).all()}
    sources = _builtin_standards_sources()
    for standards_set in template.standards:
        key = (standards_set.code, standards_set.version)
        if key not in stored and key in sources:
            _store_standards_set(standards_set, sources[key], by)


def publish_programme(text: str, *, filename: str, by: object | None) -> Published:
    """Publish a programme template as a new version (identical content again: no change, nothing written).

    The standards sets it uses are stored alongside it when they are the shipped ones. Raises TemplateError
    (every problem, with lines) or DomainError (a changed file reusing a published version).
    """
    template, existing = check_programme(text, filename=filename)
    if existing is not None:
        return Published("programme", template.code, template.version, False, existing)
    _ensure_standards_stored(template, by)
    row = ProgrammeVersion(code=template.code, version=template.version, name=template.name,
                           content_hash=template.content_hash, source_yaml=text, source_name=filename[:255],
                           published_by_id=getattr(by, "id", None))
    sess = session()
    sess.add(row)
    try:
        with sess.begin_nested():
            sess.flush()
    except IntegrityError:
        raise _version_conflict("Programme", template.code, template.version) from None
    _TEMPLATES[template.content_hash] = template
    audit.record(by, "programme.published", row, code=template.code, version=template.version,
                 content_hash=template.content_hash, source_name=filename, via=None if by else "cli")
    return Published("programme", template.code, template.version, True, row)


def _file_kind(text: str) -> str:
    """'standards set', 'crosswalk' or 'programme' (anything unreadable is checked as a programme)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return "programme"
    if isinstance(data, dict) and "statements" in data:
        return "standards set"
    if isinstance(data, dict) and "mappings" in data:
        return "crosswalk"
    return "programme"


def load_files(files: Sequence[tuple[str, str]], *, by: object | None) -> list[Published]:
    """Load standards sets and programme templates given as (file name, text), all or nothing.

    Standards sets are loaded first so a programme in the same batch may use them. Every problem in every file
    is collected first (raised as LoadFailed, nothing written); otherwise each file is loaded in turn.
    """
    problems: list[str] = []
    standards: list[tuple[str, str, StandardsSet]] = []
    programmes: list[tuple[str, str]] = []
    for name, text in files:
        kind = _file_kind(text)
        if kind == "crosswalk":
            problems.append(f"{name}: crosswalks ship with the portal (portal/framework/crosswalks/) and cannot "
                            "be loaded from a file yet")
        elif kind == "standards set":
            try:
                parsed, _ = check_standards_set(text, filename=name)
            except TemplateError as error:
                problems.extend(str(p) for p in error.problems)
            except DomainError as error:
                problems.append(f"{name}: {error.message}")
            else:
                standards.append((name, text, parsed))
        else:
            programmes.append((name, text))
    for name, text in programmes:
        try:
            check_programme(text, filename=name, extra_standards=[s for _, _, s in standards])
        except TemplateError as error:
            problems.extend(str(p) for p in error.problems)
        except DomainError as error:
            problems.append(f"{name}: {error.message}")
    if problems:
        raise LoadFailed(problems)
    results = [load_standards_set_text(text, filename=name, by=by) for name, text, _ in standards]
    results += [publish_programme(text, filename=name, by=by) for name, text in programmes]
    return results


def builtin_files() -> list[tuple[str, str]]:
    """The shipped standards sets and programme templates as (file name, text)."""
    paths = sorted((PACKAGE_DIR / "standards").glob("*.yaml")) + sorted((PACKAGE_DIR / "programmes").glob("*.yaml"))
    return [(f"{path.parent.name}/{path.name}", path.read_text(encoding="utf-8")) for path in paths]


def load_builtin(*, by: object | None = None) -> list[Published]:
    """Load the shipped standards sets and programme templates (idempotent: what is loaded stays as it is)."""
    return load_files(builtin_files(), by=by)


def read_path(path: Path) -> tuple[str, str]:
    return str(path), path.read_text(encoding="utf-8")

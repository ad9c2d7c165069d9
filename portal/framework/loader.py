"""Loading and validating standards sets, crosswalks and programme templates from YAML.

Every loader reads the whole file and raises one `TemplateError` listing *every* problem found, each with
the file, line and column to fix. Pass a `pathlib.Path` to read a file, or a `str` of YAML text.
See README.md in this folder for the file formats.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from portal.framework import vocabulary as v
from portal.framework.definitions import (
    Crosswalk,
    ProgrammeTemplate,
    Requirement,
    ReviewMeeting,
    Stage,
    StandardsRef,
    StandardsSet,
    Statement,
    requirement_kinds,
)
from portal.framework.requirements import ParseContext
from portal.framework.yamlsource import (
    FieldReader,
    Mark,
    MarkedDict,
    Problem,
    Reporter,
    TemplateError,
    content_hash,
    describe,
    is_whole_number,
    parse_yaml,
)

__all__ = [
    "Problem",
    "StandardsLibrary",
    "TemplateCatalogue",
    "TemplateError",
    "TemplateVersionConflict",
    "builtin_crosswalks",
    "builtin_standards",
    "builtin_templates",
    "check_template_version",
    "load_crosswalk",
    "load_standards_set",
    "load_template",
]

PACKAGE_DIR = Path(__file__).resolve().parent
SEMVER = re.compile(r"^[0-9]{1,9}\.[0-9]{1,9}\.[0-9]{1,9}$")
#: a version as a whole number: ASCII digits ("²" and "٣" are digits to str.isdigit()), short enough to sort by
WHOLE_VERSION = re.compile(r"^[0-9]{1,9}$")

StandardsLibrary = Mapping[tuple[str, str], StandardsSet]

PROGRAMME_KEYS = {"code", "name", "version", "description", "standards", "stages"}
STAGE_KEYS = {"code", "name", "months", "focus", "decision", "description", "reviews", "requirements"}
REVIEW_KEYS = {"code", "name", "due_month", "optional", "kss_self_assessment", "description"}
REQUIREMENT_KEYS = {"code", "title", "kind", "count", "due_month", "standards", "description"}
STANDARDS_SET_KEYS = {"code", "name", "version", "source", "statements"}
STATEMENT_KEYS = {"code", "title", "text"}
CROSSWALK_KEYS = {"code", "name", "source", "from", "to", "mappings"}


def _read(path_or_text: Path | str, filename: str | None) -> tuple[str, str]:
    if isinstance(path_or_text, Path):
        return path_or_text.read_text(encoding="utf-8"), filename or path_or_text.name
    return path_or_text, filename or "<text>"


def _start(path_or_text: Path | str, filename: str | None) -> tuple[Reporter, MarkedDict | None]:
    text, name = _read(path_or_text, filename)
    reporter = Reporter(name)
    return reporter, parse_yaml(text, reporter)


def _version(fields: FieldReader, *, semver: bool) -> str | None:
    """A version: a whole number >= 1, or (when `semver`) a quoted semantic version like "1.2.0"."""
    if not fields.has("version"):
        return None
    raw = fields.raw("version")
    if is_whole_number(raw) and 1 <= raw < 10**9:
        return str(raw)
    if isinstance(raw, str) and (WHOLE_VERSION.match(raw.strip()) or (semver and SEMVER.match(raw.strip()))):
        return raw.strip()
    if not semver and isinstance(raw, str) and raw.strip():
        return raw.strip()
    if isinstance(raw, float):
        fields.problem(
            "version",
            f"has version {raw}, which YAML reads as a decimal number; write a whole number (2) or quote "
            'a semantic version ("1.2.0")',
        )
    else:
        fields.problem(
            "version", f'has version {describe(raw)}; it must be a whole number of 1 or more or a version like "1.2.0"'
        )
    return None


def load_standards_set(path_or_text: Path | str, *, filename: str | None = None) -> StandardsSet:
    """Parse and validate a standards set file; raises TemplateError listing every problem.

    Statement codes must be unique and start with the set's code and a dot (KSS-CF.1), so a statement code
    names its set wherever evidence is mapped to it.
    """
    reporter, data = _start(path_or_text, filename)
    if data is None:
        reporter.raise_if_any()
    fields = FieldReader(
        reporter, data, "The standards set", allowed=STANDARDS_SET_KEYS, required=STANDARDS_SET_KEYS - {"source"}
    )
    code = fields.code()
    label = f"Standards set '{code}'" if code else "The standards set"
    statements: list[Statement] = []
    seen: dict[str, Mark] = {}
    items = fields.mapping_list("statements")
    if fields.has("statements") and not items:
        fields.problem("statements", "lists no statements")
    for index, (item, where) in enumerate(items, start=1):
        item_fields = FieldReader(
            reporter, item, f"{label}: statement {index}", allowed=STATEMENT_KEYS, required=STATEMENT_KEYS, where=where
        )
        statement_code = item_fields.code()
        if statement_code is not None:
            if code and not statement_code.startswith(f"{code}."):
                item_fields.problem("code", f"has code '{statement_code}'; it must start with '{code}.'")
            if statement_code in seen:
                item_fields.problem(
                    "code", f"has code '{statement_code}', already used on line {seen[statement_code].line}"
                )
            seen.setdefault(statement_code, item_fields.data.value_mark("code"))
        statements.append(
            Statement(statement_code or "", item_fields.text("title") or "", item_fields.text("text") or "")
        )
    standards_set = StandardsSet(
        code=code or "",
        name=fields.text("name") or "",
        version=_version(fields, semver=False) or "",
        source=fields.text("source", default="") or "",
        statements=tuple(statements),
        content_hash=content_hash(data),
    )
    reporter.raise_if_any()
    return standards_set


def _standards_ref(fields: FieldReader, key: str, library: StandardsLibrary) -> StandardsSet | None:
    """Resolve a {code, version} mapping under `key` against the library, reporting what is wrong."""
    if key not in fields.data:
        return None
    ref_fields = FieldReader(
        fields.reporter,
        fields.data[key],
        f"{fields.label}: '{key}'",
        allowed={"code", "version"},
        required={"code", "version"},
        where=fields.data.value_mark(key),
    )
    return _resolve(ref_fields, library)


def _resolve(ref_fields: FieldReader, library: StandardsLibrary) -> StandardsSet | None:
    code, version = ref_fields.code(), _version(ref_fields, semver=False)
    if code is None or version is None:
        return None
    found = library.get((code, version))
    if found is None:
        known = ", ".join(f"{c} {ver}" for c, ver in sorted(library)) or "none"
        ref_fields.problem(
            "code", f"refers to standards set {code} version {version}, which is not defined (defined: {known})"
        )
    return found


def load_crosswalk(
    path_or_text: Path | str, *, filename: str | None = None, standards: StandardsLibrary | None = None
) -> Crosswalk:
    """Parse and validate a crosswalk between two standards set versions; raises TemplateError.

    `mappings` maps each statement of the `from` set to one or more statements of the `to` set; every code
    must exist in its set.
    """
    library = builtin_standards() if standards is None else standards
    reporter, data = _start(path_or_text, filename)
    if data is None:
        reporter.raise_if_any()
    fields = FieldReader(reporter, data, "The crosswalk", allowed=CROSSWALK_KEYS, required=CROSSWALK_KEYS - {"source"})
    code = fields.code()
    source_set, target_set = _standards_ref(fields, "from", library), _standards_ref(fields, "to", library)
    mappings: list[tuple[str, tuple[str, ...]]] = []
    raw = fields.raw("mappings")
    if fields.has("mappings") and not isinstance(raw, MarkedDict):
        fields.problem("mappings", "must map statement codes to lists of statement codes")
    elif isinstance(raw, MarkedDict):
        map_fields = FieldReader(reporter, raw, "The crosswalk's mappings", allowed=set(map(str, raw)))
        for key in raw:
            if source_set is not None and key not in source_set.statement_codes:
                reporter.add(
                    raw.key_mark(key), f"The crosswalk maps '{key}', which is not a statement of {source_set.ref}"
                )
            targets = map_fields.text_list(key, allow_single=True)
            for target, where in zip(targets, map_fields.item_marks(key) or [raw.value_mark(key)], strict=False):
                if target_set is not None and target not in target_set.statement_codes:
                    reporter.add(
                        where, f"The crosswalk maps '{key}' to '{target}', which is not a statement of {target_set.ref}"
                    )
            mappings.append((str(key), targets))
    crosswalk = Crosswalk(
        code=code or "",
        name=fields.text("name") or "",
        source=fields.text("source", default="") or "",
        from_set=source_set.ref if source_set else StandardsRef("", ""),
        to_set=target_set.ref if target_set else StandardsRef("", ""),
        mappings=tuple(mappings),
        content_hash=content_hash(data),
    )
    reporter.raise_if_any()
    return crosswalk


def _due_month(fields: FieldReader, months: int | None, *, allow_end: bool) -> int | None:
    """A whole number of months into the stage (1 or more, not after its end); 'end' means its end."""
    if not fields.has("due_month"):
        return None
    raw = fields.raw("due_month")
    if allow_end and raw == "end":
        return None
    if allow_end and (not is_whole_number(raw) or raw < 1):
        fields.problem("due_month", f"has due_month {describe(raw)}; it must be a whole number of 1 or more, or 'end'")
        return None
    due = fields.count("due_month")
    if due is not None and months is not None and due > months:
        fields.problem("due_month", f"is due at {due} months, after the stage ends at {months} months")
    return due


def _parse_review(fields: FieldReader, months: int | None, seen: dict[str, str], stage_label: str) -> ReviewMeeting:
    code = fields.code()
    if code is not None:
        if code in seen:
            fields.problem(
                "code",
                f"uses review code '{code}', already used in {seen[code]}; review codes must be unique in a programme",
            )
        seen.setdefault(code, stage_label)
    return ReviewMeeting(
        code=code or "",
        name=fields.text("name") or "",
        due_month=_due_month(fields, months, allow_end=True),
        optional=fields.boolean("optional"),
        kss_self_assessment=fields.boolean("kss_self_assessment"),
        description=fields.text("description", default="") or "",
    )


def _parse_requirement(fields: FieldReader, context: ParseContext) -> Requirement | None:
    kinds = requirement_kinds()
    kind_name = fields.text("kind")
    cls = kinds.get(kind_name) if kind_name else None
    if kind_name is not None and cls is None:
        hint = difflib.get_close_matches(kind_name, list(kinds), n=1)
        advice = f"did you mean '{hint[0]}'?" if hint else "known kinds: " + ", ".join(sorted(kinds))
        fields.problem("kind", f"has unknown kind '{kind_name}'; {advice}")
    if cls is None:
        return None
    other_kinds_keys = _all_own_keys() - cls.own_keys
    for key in fields.data:  # keys of other kinds passed the first check; this kind decides
        if key in other_kinds_keys:
            allowed = ", ".join(sorted(REQUIREMENT_KEYS | cls.own_keys))
            fields.reporter.add(
                fields.data.key_mark(key),
                f"{fields.label} has key '{key}', which a '{cls.kind}' requirement does not use; it allows: {allowed}",
            )
    if cls.default_count is None and not fields.has("count"):
        fields.problem(None, "is missing 'count'")
    count = fields.count("count", default=cls.default_count)
    standards = fields.text_list("standards")
    known = context.statement_codes
    for code, where in zip(standards, fields.item_marks("standards"), strict=False):
        if code not in known:
            fields.reporter.add(
                where,
                f"{fields.label} refers to standard '{code}', which is not in the standards sets the programme uses",
            )
    common = {
        "code": fields.code() or "",
        "title": fields.text("title") or "",
        "count": count or 1,
        "due_month": _due_month(fields, context.stage_months, allow_end=False),
        "standards": standards,
        "description": fields.text("description", default="") or "",
    }
    try:
        requirement = cls(**common, **cls.parse_own(fields, context))
    except TypeError as error:  # a kind's parse_own left out a field: a programming error worth reporting
        fields.problem(None, f"could not be read ({error})")
        return None
    derived = requirement.derived_count()
    if derived is not None:
        if fields.has("count") and count is not None and count != derived:
            fields.problem("count", f"has count {count}, but the count here is worked out as {derived}; leave it out")
        requirement = replace(requirement, count=derived)
    return requirement


def _parse_stage(
    reporter: Reporter,
    item: Any,
    where: Mark,
    position: int,
    library: Mapping[str, StandardsSet],
    review_codes: dict[str, str],
) -> Stage:
    name = item.get("name") if isinstance(item, MarkedDict) else None
    label = f"Stage {position}" + (f" ('{name}')" if isinstance(name, str) and name.strip() else "")
    fields = FieldReader(
        reporter, item, label, allowed=STAGE_KEYS, required={"code", "name", "months", "decision"}, where=where
    )
    months = fields.count("months", minimum=0)
    reviews: list[ReviewMeeting] = []
    for index, (review_item, review_where) in enumerate(fields.mapping_list("reviews"), start=1):
        code = review_item.get("code") if isinstance(review_item, MarkedDict) else None
        review_label = f"{label}: review " + (f"'{code}'" if isinstance(code, str) else str(index))
        review_fields = FieldReader(
            reporter,
            review_item,
            review_label,
            allowed=REVIEW_KEYS,
            required={"code", "name", "due_month"},
            where=review_where,
        )
        reviews.append(_parse_review(review_fields, months, review_codes, label))
    context = ParseContext(
        stage_label=label, stage_months=months, reviews={r.code: r for r in reviews if r.code}, standards=library
    )
    requirements: list[Requirement] = []
    seen: dict[str, int] = {}
    for index, (req_item, req_where) in enumerate(fields.mapping_list("requirements"), start=1):
        code = req_item.get("code") if isinstance(req_item, MarkedDict) else None
        req_label = f"{label}: requirement " + (f"'{code}'" if isinstance(code, str) else str(index))
        req_fields = FieldReader(
            reporter,
            req_item,
            req_label,
            allowed=REQUIREMENT_KEYS | _all_own_keys(),
            required={"code", "title", "kind"},
            where=req_where,
        )
        requirement = _parse_requirement(req_fields, context)
        if isinstance(code, str) and code in seen:
            req_fields.problem("code", f"uses code '{code}', already used by requirement {seen[code]} of this stage")
        if isinstance(code, str):
            seen.setdefault(code, index)
        if requirement is not None:
            requirements.append(requirement)
    return Stage(
        position=position,
        code=fields.code() or "",
        name=fields.text("name") or "",
        months=months if months is not None else 0,
        focus=fields.text("focus", default="") or "",
        decision=fields.choice("decision", v.DECISION_KINDS) or "",
        requirements=tuple(requirements),
        reviews=tuple(reviews),
    )


def _all_own_keys() -> set[str]:
    keys: set[str] = set()
    for cls in requirement_kinds().values():
        keys |= cls.own_keys
    return keys


def load_template(
    path_or_text: Path | str, *, filename: str | None = None, standards: StandardsLibrary | None = None
) -> ProgrammeTemplate:
    """Parse and validate a programme template; raises TemplateError listing every problem with its line.

    `standards` is the library of standards sets the template may use, keyed by (code, version); by default
    the sets shipped in portal/framework/standards/. The result carries `content_hash` (SHA-256 of the
    canonical parsed content), so loading identical content always gives the same hash.
    """
    library = builtin_standards() if standards is None else standards
    reporter, data = _start(path_or_text, filename)
    if data is None:
        reporter.raise_if_any()
    fields = FieldReader(
        reporter, data, "The programme", allowed=PROGRAMME_KEYS, required=PROGRAMME_KEYS - {"description"}
    )
    code, name, version = fields.code(), fields.text("name"), _version(fields, semver=True)
    used: dict[str, StandardsSet] = {}
    for index, (item, where) in enumerate(fields.mapping_list("standards"), start=1):
        ref_fields = FieldReader(
            reporter,
            item,
            f"The programme's standards set {index}",
            allowed={"code", "version"},
            required={"code", "version"},
            where=where,
        )
        found = _resolve(ref_fields, library)
        if found is not None:
            if found.code in used:
                ref_fields.problem(
                    "code", f"uses standards set {found.code} twice; a programme uses one version of each set"
                )
            used.setdefault(found.code, found)
    stage_items = fields.mapping_list("stages")
    if fields.has("stages") and not stage_items:
        fields.problem("stages", "lists no stages")
    stages: list[Stage] = []
    stage_codes: dict[str, int] = {}
    review_codes: dict[str, str] = {}
    for position, (item, where) in enumerate(stage_items, start=1):
        stage = _parse_stage(reporter, item, where, position, used, review_codes)
        if stage.code:
            if stage.code in stage_codes:
                reporter.add(
                    item.value_mark("code"),
                    f"{stage.label} uses code '{stage.code}', already used by stage {stage_codes[stage.code]}",
                )
            stage_codes.setdefault(stage.code, position)
        stages.append(stage)
    template = ProgrammeTemplate(
        code=code or "",
        name=name or "",
        version=version or "",
        description=fields.text("description", default="") or "",
        standards=tuple(used.values()),
        stages=tuple(stages),
        content_hash=content_hash(data),
        source_name=reporter.filename,
    )
    reporter.raise_if_any()
    return template


def _yaml_files(folder: str) -> Iterator[Path]:
    yield from sorted((PACKAGE_DIR / folder).glob("*.yaml"))


@cache
def builtin_standards() -> dict[tuple[str, str], StandardsSet]:
    """The standards sets shipped in portal/framework/standards/, keyed by (code, version)."""
    return {(s.code, s.version): s for s in map(load_standards_set, _yaml_files("standards"))}


@cache
def builtin_crosswalks() -> tuple[Crosswalk, ...]:
    """The crosswalks shipped in portal/framework/crosswalks/."""
    return tuple(load_crosswalk(path) for path in _yaml_files("crosswalks"))


@cache
def builtin_templates() -> dict[tuple[str, str], ProgrammeTemplate]:
    """The programme templates shipped in portal/framework/programmes/, keyed by (code, version)."""
    return {(t.code, t.version): t for t in map(load_template, _yaml_files("programmes"))}


class TemplateVersionConflict(Exception):
    """A template reuses the (code, version) of a stored template but its content differs."""


def check_template_version(stored_hash: str | None, template: ProgrammeTemplate) -> bool:
    """The rule for (re)loading a template whose (code, version) may already be stored.

    Returns True when it is new (store it), False when the stored one is identical (a no-op); raises
    TemplateVersionConflict when the content changed without a new version: enrolments are pinned to a
    version, so a version's content must never change.
    """
    if stored_hash is None:
        return True
    if stored_hash == template.content_hash:
        return False
    raise TemplateVersionConflict(
        f"Programme {template.code} version {template.version} is already loaded with different content; "
        "give the changed template a new version"
    )


class TemplateCatalogue:
    """An in-memory set of loaded templates applying `check_template_version` (the database does the same)."""

    def __init__(self, templates: Iterable[ProgrammeTemplate] = ()):
        self._templates: dict[tuple[str, str], ProgrammeTemplate] = {}
        for template in templates:
            self.add(template)

    def add(self, template: ProgrammeTemplate) -> bool:
        """Add a template; True if added, False if an identical one was already there."""
        key = (template.code, template.version)
        existing = self._templates.get(key)
        if check_template_version(existing.content_hash if existing else None, template):
            self._templates[key] = template
            return True
        return False

    def get(self, code: str, version: str) -> ProgrammeTemplate:
        return self._templates[(code, version)]

    def latest(self, code: str) -> ProgrammeTemplate:
        versions = [t for (c, _), t in self._templates.items() if c == code]
        if not versions:
            raise KeyError(code)
        return max(versions, key=lambda t: t.version_key)

    def __len__(self) -> int:
        return len(self._templates)

    def __iter__(self) -> Iterator[ProgrammeTemplate]:
        return iter(self._templates.values())

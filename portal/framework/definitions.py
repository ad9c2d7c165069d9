"""The parsed, validated forms of standards sets, crosswalks and programme templates (frozen dataclasses).

A programme is data, not code: the loader turns YAML into these objects and every enrolment is pinned to one
(code, version) of a template. `content_hash` is the SHA-256 of the file's canonical content, used to refuse
a changed file that reuses a version.

Requirement kinds are pluggable: subclass `Requirement`, set `kind`, declare `own_keys`, implement
`parse_own` (read and check the kind's own YAML keys) and `evaluate` (count the evidence), and decorate the
class with `@register_requirement_kind`. Nothing else needs to change.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from portal.framework.requirements import Assessment, EvaluationContext, ParseContext
    from portal.framework.yamlsource import FieldReader


@dataclass(frozen=True)
class Statement:
    """One statement (standard, domain) of a standards set, e.g. KSS-CF.5 'Abuse and neglect of children'."""

    code: str
    title: str
    text: str


@dataclass(frozen=True)
class StandardsRef:
    """A standards set named by code and version, e.g. ('KSS-CF', '2018')."""

    code: str
    version: str

    def __str__(self) -> str:
        return f"{self.code} ({self.version})"


@dataclass(frozen=True)
class StandardsSet:
    """A versioned set of statements that evidence maps to (KSS, PCF, SWE professional standards, ...)."""

    code: str
    name: str
    version: str
    source: str
    statements: tuple[Statement, ...]
    content_hash: str

    @property
    def ref(self) -> StandardsRef:
        return StandardsRef(self.code, self.version)

    def statement(self, code: str) -> Statement:
        for statement in self.statements:
            if statement.code == code:
                return statement
        raise KeyError(code)

    @functools.cached_property
    def statement_codes(self) -> tuple[str, ...]:
        """The codes in order (computed once: the progress engine reads them for every enrolment)."""
        return tuple(s.code for s in self.statements)


@dataclass(frozen=True)
class Crosswalk:
    """Maps statements of one set version to statements of another so evidence counts across versions."""

    code: str
    name: str
    source: str
    from_set: StandardsRef
    to_set: StandardsRef
    mappings: tuple[tuple[str, tuple[str, ...]], ...]
    content_hash: str

    def targets(self, statement_code: str) -> tuple[str, ...]:
        return dict(self.mappings).get(statement_code, ())


@dataclass(frozen=True)
class ReviewMeeting:
    """A review meeting of a stage, due `due_month` months into it (None: at the stage's end)."""

    code: str
    name: str
    due_month: int | None
    optional: bool = False
    kss_self_assessment: bool = False
    description: str = ""


_REQUIREMENT_KINDS: dict[str, type[Requirement]] = {}


@dataclass(frozen=True, kw_only=True)
class Requirement:
    """Base of every requirement kind: the keys every requirement has, plus the hooks a kind implements.

    `count` is how many are needed (its meaning is the kind's: items, or times each statement is evidenced);
    `due_month` is months into the stage (None: the stage's end); `standards` are statement codes the
    requirement is expected to evidence (shown to the assessor).
    """

    kind: ClassVar[str] = ""
    own_keys: ClassVar[frozenset[str]] = frozenset()
    # None: `count` must be given; otherwise the default count (kinds that derive it ignore it).
    default_count: ClassVar[int | None] = None

    code: str
    title: str
    count: int
    due_month: int | None = None
    standards: tuple[str, ...] = ()
    description: str = ""

    @classmethod
    def parse_own(cls, fields: FieldReader, context: ParseContext) -> dict[str, Any]:
        """Read and check this kind's own keys; return them as constructor keyword arguments."""
        return {}

    def derived_count(self) -> int | None:
        """A count implied by the kind's parameters (e.g. number of reviews listed), or None to use `count`."""
        return None

    def evaluate(self, context: EvaluationContext) -> Assessment:
        """Count the evidence for this requirement in one stage of one enrolment."""
        raise NotImplementedError


def register_requirement_kind(cls: type[Requirement]) -> type[Requirement]:
    """Class decorator: make a Requirement subclass available to templates as `kind: <cls.kind>`."""
    if not cls.kind:
        raise ValueError(f"{cls.__name__} has no kind name")
    existing = _REQUIREMENT_KINDS.get(cls.kind)
    if existing is not None and existing is not cls:
        raise ValueError(f"requirement kind '{cls.kind}' is already registered by {existing.__name__}")
    _REQUIREMENT_KINDS[cls.kind] = cls
    return cls


def unregister_requirement_kind(kind: str) -> None:
    """Remove a kind (for tests that register a temporary one)."""
    _REQUIREMENT_KINDS.pop(kind, None)


def requirement_kinds() -> Mapping[str, type[Requirement]]:
    """Every registered requirement kind by name."""
    import portal.framework.requirement_kinds  # noqa: F401  (registers the built-in kinds)

    return dict(_REQUIREMENT_KINDS)


@dataclass(frozen=True)
class Stage:
    """One stage of a programme: full-time length, focus, how it is decided, its requirements and reviews."""

    position: int
    code: str
    name: str
    months: int
    focus: str
    decision: str
    requirements: tuple[Requirement, ...]
    reviews: tuple[ReviewMeeting, ...]

    def requirement(self, code: str) -> Requirement:
        for requirement in self.requirements:
            if requirement.code == code:
                return requirement
        raise KeyError(code)

    def review(self, code: str) -> ReviewMeeting:
        for review in self.reviews:
            if review.code == code:
                return review
        raise KeyError(code)

    @property
    def label(self) -> str:
        return f"Stage {self.position} ('{self.name}')"


@dataclass(frozen=True)
class ProgrammeTemplate:
    """A versioned programme (ECF-5Y, ASYE-CF, ...): ordered stages over the standards sets it uses."""

    code: str
    name: str
    version: str
    description: str
    standards: tuple[StandardsSet, ...]
    stages: tuple[Stage, ...]
    content_hash: str
    source_name: str = ""

    def stage(self, code: str) -> Stage:
        for stage in self.stages:
            if stage.code == code:
                return stage
        raise KeyError(code)

    def standards_set(self, code: str) -> StandardsSet:
        for standards_set in self.standards:
            if standards_set.code == code:
                return standards_set
        raise KeyError(code)

    def review(self, code: str) -> tuple[Stage, ReviewMeeting]:
        """The stage and review meeting with this code (review codes are unique across a template)."""
        for stage in self.stages:
            for review in stage.reviews:
                if review.code == code:
                    return stage, review
        raise KeyError(code)

    @property
    def total_months(self) -> int:
        return sum(stage.months for stage in self.stages)

    @property
    def version_key(self) -> tuple[int, ...]:
        """Sortable form of the version ('2' -> (2,), '1.10.0' -> (1, 10, 0))."""
        return tuple(int(part) for part in self.version.split("."))

"""EvidenceSummary: the aggregates of one enrolment's evidence that the progress engine reads.

The database layer builds one with a constant number of GROUP BY queries (one per field below), never one
query per requirement. Each tally is a *count of items sharing the same key*; the key always includes the
item's date (`on`, a day), so the engine can place items into stages and stage-year windows itself and the
queries need not know the schedule.

Stage assignment: when `stage_code` is set (the stage the item was logged against) it decides; otherwise the
date does (see `Schedule.stage_for_evidence`). Per-year windows are always decided by the date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class CpdTally:
    """CPD records completed on `on`. `peer_reflection`: the record includes a peer reflection."""

    on: date
    count: int = 1
    peer_reflection: bool = False
    verified: bool = False
    stage_code: str | None = None


@dataclass(frozen=True)
class CaseworkTally:
    """Casework evidence items of one kind on `on` (the date of the activity / observation / feedback).

    `kind`: vocabulary.CASEWORK_KINDS; `category`: CASEWORK_CATEGORIES; `activity`: CASEWORK_ACTIVITIES;
    `role`: CASEWORK_ROLES (the practitioner's role). `verified`: confirmed by the supervisor and not edited
    since.
    """

    kind: str
    on: date
    count: int = 1
    category: str | None = None
    activity: str | None = None
    role: str | None = None
    verified: bool = False
    stage_code: str | None = None


@dataclass(frozen=True)
class DocumentTally:
    """Documents of one kind (vocabulary.DOCUMENT_KINDS) added on `on`."""

    document: str
    on: date
    count: int = 1
    verified: bool = False
    stage_code: str | None = None


@dataclass(frozen=True)
class SelfAssessmentTally:
    """A standards self-assessment completed at `point` (start | middle | end) against `set_code`."""

    point: str
    on: date
    set_code: str | None = None
    stage_code: str | None = None


@dataclass(frozen=True)
class CoverageTally:
    """Evidence items mapped to one standards statement (e.g. 'KSS-CF.5'); `on` and `stage_code` place it."""

    statement: str
    count: int = 1
    on: date | None = None
    verified: bool = False
    stage_code: str | None = None


@dataclass(frozen=True)
class ExternalResultTally:
    """An external result (vocabulary.EXTERNAL_RESULTS) recorded on `on`; only passed results count."""

    result: str
    on: date
    passed: bool = True
    stage_code: str | None = None


@dataclass(frozen=True)
class EvidenceSummary:
    """Everything the progress engine needs to know about one enrolment's evidence.

    `reviews_held` maps review meeting codes (unique across a template) to the date each was held;
    `signed_off` maps stage codes to the date the stage's outcome was signed off.
    """

    cpd: tuple[CpdTally, ...] = ()
    casework: tuple[CaseworkTally, ...] = ()
    documents: tuple[DocumentTally, ...] = ()
    self_assessments: tuple[SelfAssessmentTally, ...] = ()
    coverage: tuple[CoverageTally, ...] = ()
    external_results: tuple[ExternalResultTally, ...] = ()
    reviews_held: Mapping[str, date] = field(default_factory=dict)
    signed_off: Mapping[str, date] = field(default_factory=dict)

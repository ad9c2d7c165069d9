"""Blind second marking: which recommendations are second-marked, and how often the two marks agree.

Pure: no database, no Flask. The domain contract:

* **The sample.** From a batch of recommendations going to moderation (PASS, PASS_DEV or FAIL), these are
  second-marked blind (the second marker does not see the first mark; the services and pages enforce that):

  1. every FAIL;
  2. each new assessor's first N recommendations (default 3), in the order they were decided (time, then id),
     counting the ones the assessor made before this batch (``prior_counts``); an assessor listed as
     established in the config is not new;
  3. a random P% (default 10) of the rest, rounded up, so any batch with something left gives at least one.

  A recommendation picked for more than one reason keeps all its reasons (a FAIL among an assessor's first 3).
* **Reproducible.** The random part is drawn with the ``seed``: each recommendation is ranked by the SHA-256
  of ``"<seed>:<id>"`` and the lowest ranks are taken. The same batch and seed give the same sample on any
  machine and any Python version; store the seed with the sample (:func:`new_seed` makes one).
* **Agreement.** For each second-marked recommendation, the first and the second outcome agree when they are
  the same outcome (PASS and PASS_DEV are different outcomes). An assessor's agreement rate is the share of
  their second-marked recommendations on which the second marker gave the same outcome; the overall rate is
  the same share over all pairs (each pair counts once, so busy assessors weigh more). Also counted: the same
  decision (both a pass of either kind, or both a fail) and, when rubric levels are given, requirement
  agreement (requirements given the same level by both, out of those either marked; one marked by only one
  marker is a disagreement). No pairs, no rate (None), never 0%.
"""
from __future__ import annotations

import hashlib
import math
import secrets
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from portal.assessments.states import MODERATED_OUTCOMES, Outcome

DEFAULT_RANDOM_PERCENTAGE = 10
DEFAULT_FIRST_N = 3


class SampleReason(StrEnum):
    FAIL = "fail"
    NEW_ASSESSOR = "new_assessor"
    RANDOM = "random"


@dataclass(frozen=True)
class SamplingConfig:
    random_percentage: int | float | Decimal | Fraction = DEFAULT_RANDOM_PERCENTAGE
    first_n: int = DEFAULT_FIRST_N
    established_assessor_ids: frozenset[Hashable] = frozenset()

    def __post_init__(self) -> None:
        if not 0 <= Fraction(str(self.random_percentage)) <= 100:
            raise ValueError("The random percentage must be from 0 to 100")
        if self.first_n < 0:
            raise ValueError("The number of first recommendations to sample cannot be negative")
        object.__setattr__(self, "established_assessor_ids", frozenset(self.established_assessor_ids))

    def describe(self, reason: SampleReason) -> str:
        """Why a recommendation was picked, for the moderator's list."""
        if reason is SampleReason.FAIL:
            return "Every fail is second-marked"
        if reason is SampleReason.NEW_ASSESSOR:
            return f"One of a new assessor's first {self.first_n} recommendations"
        return f"Chosen at random ({_number(self.random_percentage)}% sample)"


@dataclass(frozen=True)
class Recommendation:
    """One recommendation that goes to moderation. ``decided_at`` is anything that orders them (a datetime)."""

    id: Hashable
    assessor_id: Hashable
    outcome: Outcome
    decided_at: Any

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome", Outcome(self.outcome))


@dataclass(frozen=True)
class SampleSelection:
    """The recommendations to second-mark (``reasons``: id -> its reasons, in decided order), the seed used, and
    how many were drawn at random out of how many were left."""

    reasons: Mapping[Hashable, tuple[SampleReason, ...]]
    seed: str
    config: SamplingConfig
    random_drawn: int = 0
    random_pool: int = 0

    @property
    def ids(self) -> frozenset[Hashable]:
        return frozenset(self.reasons)

    def __contains__(self, recommendation_id: object) -> bool:
        return recommendation_id in self.reasons

    def __len__(self) -> int:
        return len(self.reasons)

    def explain(self, recommendation_id: Hashable) -> str:
        """Why one recommendation was picked ("" if it was not)."""
        return "; ".join(self.config.describe(r) for r in self.reasons.get(recommendation_id, ()))

    def with_reason(self, reason: SampleReason) -> list[Hashable]:
        return [rid for rid, reasons in self.reasons.items() if reason in reasons]


def new_seed() -> str:
    """A fresh random seed to draw a sample with (store it with the sample)."""
    return secrets.token_hex(8)


def _rank(seed: str, recommendation_id: Hashable) -> str:
    return hashlib.sha256(f"{seed}:{recommendation_id}".encode()).hexdigest()


def _decided_order(rec: Recommendation) -> tuple[Any, int, Any]:
    # Ties on time go by id: numbers before strings, each in their own order.
    return (rec.decided_at, 0, rec.id) if isinstance(rec.id, int) else (rec.decided_at, 1, str(rec.id))


def _number(value: Any) -> str:
    number = Fraction(str(value))
    return str(number.numerator) if number.denominator == 1 else str(float(number))


def select_for_second_marking(recommendations: Iterable[Recommendation], config: SamplingConfig | None = None, *,
                              seed: str | int,
                              prior_counts: Mapping[Hashable, int] | None = None) -> SampleSelection:
    """Pick the blind second-marking sample from a batch of recommendations (see the module docstring).

    ``prior_counts`` gives, per assessor, how many recommendations they made before this batch (so an assessor
    with 2 earlier has only their next 1 sampled as "new"). Raises ValueError for an outcome that does not go to
    moderation (INCOMPLETE, EXTEND) or a repeated id.
    """
    config = config or SamplingConfig()
    seed = str(seed)
    prior_counts = prior_counts or {}
    batch = sorted(recommendations, key=_decided_order)
    seen: set[Hashable] = set()
    for rec in batch:
        if rec.outcome not in MODERATED_OUTCOMES:
            raise ValueError(f"Recommendation {rec.id} is {rec.outcome.value}, which does not go to moderation")
        if rec.id in seen:
            raise ValueError(f"Recommendation {rec.id} is in the batch twice")
        seen.add(rec.id)

    reasons: dict[Hashable, list[SampleReason]] = defaultdict(list)
    made: Counter[Hashable] = Counter(prior_counts)
    for rec in batch:
        if rec.outcome is Outcome.FAIL:
            reasons[rec.id].append(SampleReason.FAIL)
        if rec.assessor_id not in config.established_assessor_ids and made[rec.assessor_id] < config.first_n:
            reasons[rec.id].append(SampleReason.NEW_ASSESSOR)
        made[rec.assessor_id] += 1

    pool = [rec for rec in batch if rec.id not in reasons]
    count = math.ceil(Fraction(str(config.random_percentage)) * len(pool) / 100)
    for rec in sorted(pool, key=lambda r: _rank(seed, r.id))[:count]:
        reasons[rec.id].append(SampleReason.RANDOM)

    ordered = {rec.id: tuple(reasons[rec.id]) for rec in batch if rec.id in reasons}
    return SampleSelection(reasons=ordered, seed=seed, config=config, random_drawn=count, random_pool=len(pool))


# ---------------------------------------------------------------------------------------------- agreement
@dataclass(frozen=True)
class SecondMark:
    """One second-marked recommendation: the first assessor, both outcomes and, optionally, the rubric levels
    per requirement as ``{code: (first level, second level)}`` (None where one marker gave no level)."""

    assessor_id: Hashable
    first_outcome: Outcome
    second_outcome: Outcome
    levels: Mapping[str, tuple[str | None, str | None]] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "first_outcome", Outcome(self.first_outcome))
        object.__setattr__(self, "second_outcome", Outcome(self.second_outcome))


@dataclass(frozen=True)
class Agreement:
    """Agreement figures for a set of pairs. ``rate`` is exact outcome agreement (None without pairs)."""

    pairs: int = 0
    agreed: int = 0
    same_decision: int = 0
    requirements_compared: int = 0
    requirements_agreed: int = 0

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.agreed, self.pairs) if self.pairs else None

    @property
    def percent(self) -> int | None:
        """The rate as a whole percentage, halves rounded up."""
        return None if self.rate is None else math.floor(self.rate * 100 + Fraction(1, 2))

    @property
    def decision_rate(self) -> Fraction | None:
        return Fraction(self.same_decision, self.pairs) if self.pairs else None

    @property
    def requirement_rate(self) -> Fraction | None:
        if not self.requirements_compared:
            return None
        return Fraction(self.requirements_agreed, self.requirements_compared)

    def describe(self) -> str:
        """'4 of 5 (80%)', or 'No second marks yet'."""
        if not self.pairs:
            return "No second marks yet"
        return f"{self.agreed} of {self.pairs} ({self.percent}%)"

    def __add__(self, other: Agreement) -> Agreement:
        return Agreement(self.pairs + other.pairs, self.agreed + other.agreed,
                         self.same_decision + other.same_decision,
                         self.requirements_compared + other.requirements_compared,
                         self.requirements_agreed + other.requirements_agreed)


@dataclass(frozen=True)
class AgreementReport:
    per_assessor: Mapping[Hashable, Agreement] = field(default_factory=dict)
    overall: Agreement = field(default_factory=Agreement)


def _decision(outcome: Outcome) -> str:
    return "pass" if outcome.is_pass else outcome.value


def _one(pair: SecondMark) -> Agreement:
    compared = agreed = 0
    for first, second in (pair.levels or {}).values():
        if first is None and second is None:
            continue
        compared += 1
        agreed += first is not None and str(first) == str(second)
    return Agreement(pairs=1, agreed=int(pair.first_outcome is pair.second_outcome),
                     same_decision=int(_decision(pair.first_outcome) == _decision(pair.second_outcome)),
                     requirements_compared=compared, requirements_agreed=agreed)


def agreement_rates(pairs: Iterable[SecondMark | Sequence[Any]]) -> AgreementReport:
    """Agreement per assessor (in the order assessors first appear) and overall. ``pairs`` are
    :class:`SecondMark` or tuples ``(assessor_id, first_outcome, second_outcome[, levels])``."""
    per_assessor: dict[Hashable, Agreement] = {}
    overall = Agreement()
    for pair in pairs:
        mark = pair if isinstance(pair, SecondMark) else SecondMark(*pair)
        one = _one(mark)
        per_assessor[mark.assessor_id] = per_assessor.get(mark.assessor_id, Agreement()) + one
        overall = overall + one
    return AgreementReport(per_assessor=per_assessor, overall=overall)

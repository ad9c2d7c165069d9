"""The built-in requirement kinds. A new kind is one more registered class here (or anywhere imported)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.framework import vocabulary as v
from portal.framework.definitions import Requirement, register_requirement_kind
from portal.framework.requirements import (
    Assessment,
    Checkpoint,
    EvaluationContext,
    ParseContext,
    bucket_due,
    bucket_items,
    bucket_suffix,
    coverage_counts,
    summarise,
)
from portal.framework.yamlsource import FieldReader, is_whole_number


def _more(count: int, nouns: tuple[str, str]) -> str:
    return f"{count} more {nouns[0] if count == 1 else nouns[1]}"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _check_per_year(fields: FieldReader, context: ParseContext, per_year: bool) -> None:
    months = context.stage_months
    if per_year and months is not None and (months < 12 or months % 12):
        fields.problem(
            "per_year",
            f"has per_year, but its stage lasts {months} months; per_year needs a stage of a whole number of "
            "years (12, 24, ...)",
        )


def _check_set(fields: FieldReader, context: ParseContext, key: str = "set") -> str | None:
    code = fields.text(key)
    if code is not None and code not in context.standards:
        used = ", ".join(sorted(context.standards)) or "none"
        fields.problem(key, f"refers to standards set '{code}', which the programme does not use (it uses: {used})")
        return None
    return code


@register_requirement_kind
@dataclass(frozen=True, kw_only=True)
class CpdRecords(Requirement):
    """CPD records: `count` in the stage (or in each stage-year with `per_year`), of which
    `with_peer_reflection` include a peer reflection. Unverified records count unless `verified: true`."""

    kind = "cpd_records"
    own_keys = frozenset({"with_peer_reflection", "per_year", "verified"})

    with_peer_reflection: int = 0
    per_year: bool = False
    verified: bool = False

    @classmethod
    def parse_own(cls, fields: FieldReader, context: ParseContext) -> dict[str, Any]:
        peer = fields.count("with_peer_reflection", default=0, minimum=0)
        count = fields.raw("count")
        if peer is not None and is_whole_number(count) and 1 <= count < peer:
            fields.problem(
                "with_peer_reflection",
                f"asks for {peer} CPD records with peer reflection but only {count} records in all; "
                "with_peer_reflection cannot be more than count",
            )
        per_year = fields.boolean("per_year")
        _check_per_year(fields, context, per_year)
        return {"with_peer_reflection": peer or 0, "per_year": per_year, "verified": fields.boolean("verified")}

    def evaluate(self, context: EvaluationContext) -> Assessment:
        items = (
            (t.on, t.stage_code, t.count, t.verified, "peer" if t.peer_reflection else "plain")
            for t in context.evidence.cpd
        )
        buckets = bucket_items(context, items, per_year=self.per_year, verified_only=self.verified)
        done, missing, checkpoints, awaiting = 0, [], [], 0
        nouns = ("CPD record", "CPD records")
        for bucket in buckets:
            peer = min(bucket.counted["peer"], self.with_peer_reflection)
            other = min(bucket.total() - peer, self.count - self.with_peer_reflection)
            suffix = bucket_suffix(context, bucket)
            if peer < self.with_peer_reflection:
                missing.append(f"{_more(self.with_peer_reflection - peer, nouns)} with peer reflection{suffix}")
            if other < self.count - self.with_peer_reflection:
                missing.append(f"{_more(self.count - self.with_peer_reflection - other, nouns)}{suffix}")
            done += peer + other
            awaiting += bucket.awaiting_verification
            label = f"Year {bucket.window.index}" if bucket.window and self.per_year else self.title
            checkpoints.append(Checkpoint(label, bucket_due(context, self, bucket), peer + other >= self.count))
        return summarise(done, self.count * len(buckets), missing, checkpoints, awaiting)


@register_requirement_kind
@dataclass(frozen=True, kw_only=True)
class Casework(Requirement):
    """Casework evidence of one `evidence` kind, optionally filtered by category, activities and the
    practitioner's role. `per_activity`: `count` of each listed activity. `per_year`: in each stage-year.
    Only verified items count unless `verified: false`."""

    kind = "casework"
    own_keys = frozenset({"evidence", "category", "activities", "role", "per_year", "per_activity", "verified"})

    evidence: str
    categories: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    per_year: bool = False
    per_activity: bool = False
    verified: bool = True

    @classmethod
    def parse_own(cls, fields: FieldReader, context: ParseContext) -> dict[str, Any]:
        evidence = fields.choice("evidence", v.CASEWORK_KINDS)
        if not fields.has("evidence"):
            fields.problem(None, "is missing 'evidence' (one of: " + ", ".join(sorted(v.CASEWORK_KINDS)) + ")")
        activities = fields.text_list("activities", choices=v.CASEWORK_ACTIVITIES, allow_single=True)
        per_activity, per_year = fields.boolean("per_activity"), fields.boolean("per_year")
        if per_activity and not activities:
            fields.problem("per_activity", "has per_activity but lists no activities")
        _check_per_year(fields, context, per_year)
        return {
            "evidence": evidence or "",
            "categories": fields.text_list("category", choices=v.CASEWORK_CATEGORIES, allow_single=True),
            "activities": activities,
            "roles": fields.text_list("role", choices=v.CASEWORK_ROLES, allow_single=True),
            "per_year": per_year,
            "per_activity": per_activity,
            "verified": fields.boolean("verified", default=True),
        }

    def _qualifier(self) -> str:
        parts = [" or ".join(v.CASEWORK_CATEGORIES[c] for c in self.categories)] if self.categories else []
        if self.roles:
            parts.append(" or ".join(v.CASEWORK_ROLES[r] for r in self.roles))
        return f" ({', '.join(parts)})" if parts else ""

    def evaluate(self, context: EvaluationContext) -> Assessment:
        items = (
            (t.on, t.stage_code, t.count, t.verified, t.activity or "")
            for t in context.evidence.casework
            if t.kind == self.evidence
            and (not self.categories or t.category in self.categories)
            and (not self.activities or t.activity in self.activities)
            and (not self.roles or t.role in self.roles)
        )
        buckets = bucket_items(context, items, per_year=self.per_year, verified_only=self.verified)
        nouns = v.CASEWORK_KINDS[self.evidence]
        done, missing, checkpoints, awaiting = 0, [], [], 0
        per_bucket = self.count * (len(self.activities) if self.per_activity else 1)
        for bucket in buckets:
            suffix = bucket_suffix(context, bucket)
            waiting = f" ({bucket.awaiting_verification} awaiting verification)" if bucket.awaiting_verification else ""
            if self.per_activity:
                got = {a: min(bucket.counted[a], self.count) for a in self.activities}
                bucket_done = sum(got.values())
                short = [v.CASEWORK_ACTIVITIES[a] for a in self.activities if got[a] < self.count]
                if short:
                    each = "" if self.count == 1 else f" ({self.count} of each)"
                    missing.append(
                        f"{_capitalise(nouns[1])}{self._qualifier()} still needed for: {', '.join(short)}"
                        f"{each}{suffix}{waiting}"
                    )
            else:
                bucket_done = min(bucket.total(), self.count)
                if bucket_done < self.count:
                    missing.append(f"{_more(self.count - bucket_done, nouns)}{self._qualifier()}{suffix}{waiting}")
            done += bucket_done
            awaiting += bucket.awaiting_verification
            label = f"Year {bucket.window.index}" if bucket.window and self.per_year else self.title
            checkpoints.append(Checkpoint(label, bucket_due(context, self, bucket), bucket_done >= per_bucket))
        return summarise(done, per_bucket * len(buckets), missing, checkpoints, awaiting)


@register_requirement_kind
@dataclass(frozen=True, kw_only=True)
class Review(Requirement):
    """Review meetings of the stage that must be held (default: every non-optional review of the stage)."""

    kind = "review"
    own_keys = frozenset({"reviews"})
    default_count = 1

    reviews: tuple[str, ...] = ()

    @classmethod
    def parse_own(cls, fields: FieldReader, context: ParseContext) -> dict[str, Any]:
        codes = fields.text_list("reviews")
        for code, where in zip(codes, fields.item_marks("reviews"), strict=False):
            if code not in context.reviews:
                defined = ", ".join(context.reviews) or "none"
                fields.reporter.add(
                    where,
                    f"{fields.label} lists review '{code}', which {context.stage_label} does not define "
                    f"(its reviews: {defined})",
                )
        if not fields.has("reviews"):
            codes = tuple(code for code, review in context.reviews.items() if not review.optional)
            if not codes:
                fields.problem(None, "is a review requirement, but its stage has no (non-optional) reviews")
        return {"reviews": codes}

    def derived_count(self) -> int:
        return len(self.reviews)

    def evaluate(self, context: EvaluationContext) -> Assessment:
        done, missing, checkpoints = 0, [], []
        for code in self.reviews:
            review = context.stage.review(code)
            held = code in context.evidence.reviews_held
            done += held
            if not held:
                missing.append(f"{review.name} not yet held")
            checkpoints.append(Checkpoint(review.name, context.schedule.review_due(code).due, held))
        return summarise(done, len(self.reviews), missing, checkpoints)


@register_requirement_kind
@dataclass(frozen=True, kw_only=True)
class Document(Requirement):
    """A document of a given kind (learning agreement, critical reflection log, full portfolio, ...)."""

    kind = "document"
    own_keys = frozenset({"document", "verified"})
    default_count = 1

    document: str
    verified: bool = False

    @classmethod
    def parse_own(cls, fields: FieldReader, context: ParseContext) -> dict[str, Any]:
        document = fields.choice("document", v.DOCUMENT_KINDS)
        if not fields.has("document"):
            fields.problem(None, "is missing 'document' (one of: " + ", ".join(sorted(v.DOCUMENT_KINDS)) + ")")
        return {"document": document or "", "verified": fields.boolean("verified")}

    def evaluate(self, context: EvaluationContext) -> Assessment:
        items = (
            (t.on, t.stage_code, t.count, t.verified, t.document)
            for t in context.evidence.documents
            if t.document == self.document
        )
        (bucket,) = bucket_items(context, items, per_year=False, verified_only=self.verified)
        nouns = v.DOCUMENT_KINDS[self.document]
        have = min(bucket.total(), self.count)
        missing = []
        if have < self.count:
            missing.append(
                f"{_capitalise(nouns[0])} not yet added" if self.count == 1 else _more(self.count - have, nouns)
            )
        due = context.due(self)
        return summarise(
            have, self.count, missing, [Checkpoint(self.title, due, have >= self.count)], bucket.awaiting_verification
        )


@register_requirement_kind
@dataclass(frozen=True, kw_only=True)
class SelfAssessment(Requirement):
    """A self-assessment against a standards set at points of the stage: start (due 1 month in),
    middle (half-way) and end (the stage's end)."""

    kind = "self_assessment"
    own_keys = frozenset({"points", "set"})
    default_count = 1

    set_code: str
    points: tuple[str, ...] = ("start", "middle", "end")

    @classmethod
    def parse_own(cls, fields: FieldReader, context: ParseContext) -> dict[str, Any]:
        if not fields.has("set"):
            fields.problem(None, "is missing 'set' (the standards set to self-assess against)")
        points = fields.text_list("points", choices=v.SELF_ASSESSMENT_POINTS) if fields.has("points") else None
        return {"set_code": _check_set(fields, context) or "", **({"points": points} if points else {})}

    def derived_count(self) -> int:
        return len(self.points)

    def point_due(self, context: EvaluationContext, point: str) -> date:
        months = {"start": 1, "middle": max(1, context.stage.months // 2), "end": None}[point]
        return context.schedule.date_into_stage(context.stage.code, months)

    def evaluate(self, context: EvaluationContext) -> Assessment:
        done_points = {
            t.point
            for t in context.evidence.self_assessments
            if t.set_code in (None, self.set_code) and context.in_stage(t.stage_code, t.on)
        }
        done, missing, checkpoints = 0, [], []
        for point in self.points:
            met = point in done_points
            done += met
            if not met:
                missing.append(f"{self.set_code} self-assessment {v.SELF_ASSESSMENT_POINTS[point]} not yet done")
            checkpoints.append(Checkpoint(f"Self-assessment ({point})", self.point_due(context, point), met))
        return summarise(done, len(self.points), missing, checkpoints)


@register_requirement_kind
@dataclass(frozen=True, kw_only=True)
class StandardsCoverage(Requirement):
    """Every statement of a standards set evidenced at least `count` times (scope: this stage's evidence,
    or the whole enrolment's). Crosswalks to the set count too. `verified: true` counts verified items only."""

    kind = "standards_coverage"
    own_keys = frozenset({"set", "scope", "verified"})
    default_count = 1

    set_code: str
    scope: str = "programme"
    verified: bool = False

    @classmethod
    def parse_own(cls, fields: FieldReader, context: ParseContext) -> dict[str, Any]:
        if not fields.has("set"):
            fields.problem(None, "is missing 'set' (the standards set to cover)")
        return {
            "set_code": _check_set(fields, context) or "",
            "scope": fields.choice("scope", v.COVERAGE_SCOPES, default="programme") or "programme",
            "verified": fields.boolean("verified"),
        }

    def evaluate(self, context: EvaluationContext) -> Assessment:
        standards_set = context.template.standards_set(self.set_code)
        counts = coverage_counts(
            standards_set,
            context.evidence,
            context.crosswalks,
            lambda t: (
                (t.verified or not self.verified)
                and (self.scope == "programme" or context.in_stage(t.stage_code, t.on))
            ),
        )
        short = [code for code, seen in counts.items() if seen < self.count]
        missing = []
        if short:
            times = "" if self.count == 1 else f" {self.count} times"
            missing.append(
                f"{len(short)} {self.set_code} statement{'s' if len(short) != 1 else ''} not yet evidenced"
                f"{times}: {', '.join(short)}"
            )
        done = len(counts) - len(short)
        return summarise(done, len(counts), missing, [Checkpoint(self.title, context.due(self), not short)])


@register_requirement_kind
@dataclass(frozen=True, kw_only=True)
class ExternalResult(Requirement):
    """A passed external result (knowledge assessment, employer endorsement, observed or simulated practice);
    `result` may list alternatives, any of which counts. Scope as for standards_coverage."""

    kind = "external_result"
    own_keys = frozenset({"result", "scope"})
    default_count = 1

    results: tuple[str, ...]
    scope: str = "programme"

    @classmethod
    def parse_own(cls, fields: FieldReader, context: ParseContext) -> dict[str, Any]:
        if not fields.has("result"):
            fields.problem(None, "is missing 'result' (one of: " + ", ".join(sorted(v.EXTERNAL_RESULTS)) + ")")
        return {
            "results": fields.text_list("result", choices=v.EXTERNAL_RESULTS, allow_single=True),
            "scope": fields.choice("scope", v.COVERAGE_SCOPES, default="programme") or "programme",
        }

    def evaluate(self, context: EvaluationContext) -> Assessment:
        have = sum(
            1
            for t in context.evidence.external_results
            if t.result in self.results
            and t.passed
            and (self.scope == "programme" or context.in_stage(t.stage_code, t.on))
        )
        have = min(have, self.count)
        names = " or ".join(v.EXTERNAL_RESULTS[r] for r in self.results)
        missing = [] if have >= self.count else [f"{_capitalise(names)} not yet recorded"]
        due = context.due(self)
        return summarise(have, self.count, missing, [Checkpoint(self.title, due, have >= self.count)])


__all__ = [
    "Casework",
    "CpdRecords",
    "Document",
    "ExternalResult",
    "Review",
    "SelfAssessment",
    "StandardsCoverage",
]

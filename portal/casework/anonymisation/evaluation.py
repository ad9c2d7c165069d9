"""Measure the guard against a labelled set of texts (JSON lines: {"id", "text", "expected": [{kind, text}]}).

An expected identifier counts as found when a finding of the same kind family overlaps it. Every
occurrence of an expected text counts, except occurrences inside a longer expected text ("Blessing" inside
"Blessing Adeyemi"). A finding is correct when it overlaps an expected identifier of the same family.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .model import Finding, FindingKind
from .scanner import scan

_FAMILY = {
    FindingKind.DATE_OF_BIRTH: "date",
    FindingKind.DATE: "date",
    FindingKind.ADDRESS: "location",
    FindingKind.POSTCODE: "location",
}


def family(kind: FindingKind) -> str:
    return _FAMILY.get(kind, kind.value)


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    expected: tuple[tuple[FindingKind, str], ...]


@dataclass
class KindFigures:
    expected: int = 0
    found: int = 0
    findings: int = 0
    correct: int = 0
    clean_findings: int = 0

    @property
    def recall(self) -> float | None:
        return self.found / self.expected if self.expected else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.findings if self.findings else None


@dataclass
class Report:
    texts: int = 0
    clean_texts: int = 0
    clean_texts_flagged: int = 0
    per_kind: dict[FindingKind, KindFigures] = field(default_factory=lambda: {k: KindFigures() for k in FindingKind})
    missed: list[tuple[str, str, str]] = field(default_factory=list)  # (case id, kind, text)
    false_alarms: list[tuple[str, str, str]] = field(default_factory=list)  # (case id, kind, text)

    def _total(self, attr: str) -> int:
        return sum(getattr(k, attr) for k in self.per_kind.values())

    @property
    def recall(self) -> float:
        return self._total("found") / max(1, self._total("expected"))

    @property
    def precision(self) -> float:
        return self._total("correct") / max(1, self._total("findings"))

    @property
    def false_alarm_rate(self) -> float:
        """Share of clean texts that got at least one finding."""
        return self.clean_texts_flagged / max(1, self.clean_texts)

    @property
    def clean_findings_per_text(self) -> float:
        return self._total("clean_findings") / max(1, self.clean_texts)


def load_cases(path: str | Path) -> list[Case]:
    cases = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            expected = tuple((FindingKind(e["kind"]), e["text"]) for e in row["expected"])
            cases.append(Case(row["id"], row["text"], expected))
    return cases


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    before = r"(?<![\w])" if needle[:1].isalnum() else ""
    after = r"(?![\w])" if needle[-1:].isalnum() else ""
    return [(m.start(), m.end()) for m in re.finditer(before + re.escape(needle) + after, text)]


def expected_spans(case: Case) -> list[tuple[FindingKind, int, int]]:
    spans = [(kind, s, e) for kind, needle in case.expected for s, e in _occurrences(case.text, needle)]
    return [
        (k, s, e)
        for k, s, e in spans
        if not any((s2 <= s and e <= e2) and (e2 - s2) > (e - s) for _, s2, e2 in spans)
    ]


def evaluate(cases: Iterable[Case], scanner=scan) -> Report:
    report = Report()
    for case in cases:
        findings: list[Finding] = scanner(case.text)
        expected = expected_spans(case)
        report.texts += 1
        if not case.expected:
            report.clean_texts += 1
            report.clean_texts_flagged += bool(findings)
        for kind, s, e in expected:
            figures = report.per_kind[kind]
            figures.expected += 1
            if any(f.start < e and s < f.end and family(f.kind) == family(kind) for f in findings):
                figures.found += 1
            else:
                report.missed.append((case.id, kind.value, case.text[s:e]))
        for f in findings:
            figures = report.per_kind[f.kind]
            figures.findings += 1
            if not case.expected:
                figures.clean_findings += 1
            if any(f.start < e and s < f.end and family(f.kind) == family(kind) for kind, s, e in expected):
                figures.correct += 1
            else:
                report.false_alarms.append((case.id, f.kind.value, f.text))
    return report


def format_report(report: Report) -> str:
    def pct(x: float | None) -> str:
        return "   -  " if x is None else f"{100 * x:5.1f}%"

    header = (
        f"{'kind':<16} {'expected':>8} {'found':>6} {'recall':>7} {'findings':>8} {'correct':>7} "
        f"{'precision':>9} {'on clean':>8}"
    )
    lines = [header]
    for kind, k in report.per_kind.items():
        lines.append(
            f"{kind.value:<16} {k.expected:>8} {k.found:>6} {pct(k.recall):>7} {k.findings:>8} {k.correct:>7} "
            f"{pct(k.precision):>9} {k.clean_findings:>8}"
        )
    total_expected = sum(k.expected for k in report.per_kind.values())
    total_findings = sum(k.findings for k in report.per_kind.values())
    lines += [
        "",
        f"texts: {report.texts} ({report.clean_texts} clean, {report.texts - report.clean_texts} with identifiers)",
        f"recall: {pct(report.recall)} of {total_expected} expected identifiers",
        f"precision: {pct(report.precision)} of {total_findings} findings",
        (
            f"false-alarm rate: {pct(report.false_alarm_rate)} of clean texts flagged "
            f"({report.clean_texts_flagged}/{report.clean_texts}); "
            f"{report.clean_findings_per_text:.2f} findings per clean text"
        ),
    ]
    return "\n".join(lines)

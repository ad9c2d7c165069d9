"""scan, scan_fields and redact: run the detectors, resolve overlaps, skip confirmed findings and
suggest consistent replacements."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping

from . import names, patterns
from .lexicon import TITLES
from .model import LABELS, PLACEHOLDERS, PRIORITY, Finding, FindingKind, fingerprint_of, normalise
from .patterns import Hit

_STRUCTURED_KINDS_BLOCKING_NAMES = {
    FindingKind.EMAIL,
    FindingKind.SCHOOL,
    FindingKind.GP_PRACTICE,
    FindingKind.ADDRESS,
    FindingKind.POSTCODE,
    FindingKind.DATE,
    FindingKind.DATE_OF_BIRTH,
}


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Non-overlapping hits: on overlap the more specific kind wins, then the longer span."""
    starts: list[int] = []  # accepted spans, kept sorted and disjoint
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-PRIORITY[h.kind], -(h.end - h.start), h.start)):
        i = bisect.bisect_right(starts, hit.start)
        clash_before = i > 0 and chosen[i - 1].end > hit.start
        clash_after = i < len(chosen) and chosen[i].start < hit.end
        if hit.end > hit.start and not clash_before and not clash_after:
            starts.insert(i, hit.start)
            chosen.insert(i, hit)
    return chosen


def _detect(text: str) -> list[Hit]:
    shaped = patterns.detect(text)
    blocked = [(h.start, h.end) for h in shaped if h.kind in _STRUCTURED_KINDS_BLOCKING_NAMES]
    return _resolve(shaped + names.detect(text, blocked))


def _letters():
    """A, B, ..., Z, AA, AB, ..."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    yield from alphabet
    for first in alphabet:
        for second in alphabet:
            yield first + second


class _Pseudonymiser:
    """Gives each person one "Child A" / "Parent B" / "Person C", letters in order of first appearance,
    skipping letters the text already uses for its own pseudonyms."""

    def __init__(self, texts: Iterable[str]):
        used = {label for text in texts for _, _, label in names.pseudonyms(text) if label.isalpha()}
        self._letters = (x for x in _letters() if x not in used)
        self._given: dict[object, str] = {}

    def label(self, key: object, role: str) -> str:
        if key not in self._given:
            self._given[key] = f"{role} {next(self._letters)}"
        return self._given[key]


def _findings(
    text: str, hits: list[Hit], allowed: set[str], pseudonymiser: _Pseudonymiser, scope: object
) -> list[Finding]:
    out = []
    for hit in hits:
        matched = text[hit.start : hit.end]
        if fingerprint_of(hit.kind, matched) in allowed:
            continue
        if hit.kind is FindingKind.PERSON_NAME:
            suggestion = pseudonymiser.label((scope, hit.entity), hit.role or names.PERSON)
        else:
            suggestion = PLACEHOLDERS[hit.kind]
        out.append(Finding(hit.kind, hit.start, hit.end, matched, suggestion, LABELS[hit.kind]))
    return out


def scan(text: str, *, allowed: Iterable[str] = ()) -> list[Finding]:
    """Suspected identifiers in `text`, sorted by position and never overlapping.

    `allowed` holds fingerprints the practitioner has confirmed are not identifying; those are left out.
    """
    return _findings(text, _detect(text), set(allowed), _Pseudonymiser([text]), None)


def scan_fields(fields: Mapping[str, str], *, allowed: Iterable[str] = ()) -> dict[str, list[Finding]]:
    """Scan several named fields of one item. Offsets are per field; a person found in two fields gets the
    same suggested pseudonym in both."""
    allowed_set = set(allowed)
    pseudonymiser = _Pseudonymiser(v or "" for v in fields.values())
    person_by_key: dict[str, object] = {}
    result: dict[str, list[Finding]] = {}
    for field, text in fields.items():
        text = text or ""
        hits = _detect(text)
        local_to_person: dict[object, object] = {}
        for hit in hits:
            if hit.kind is FindingKind.PERSON_NAME:
                local = (field, hit.entity)
                if local not in local_to_person:
                    key = _person_key(text[hit.start : hit.end])
                    local_to_person[local] = person_by_key.setdefault(key, local)
                hit.entity = local_to_person[local]
        result[field] = _findings(text, hits, allowed_set, pseudonymiser, "fields")
    return result


def _person_key(name: str) -> str:
    """How one person is recognised across fields: the given name, or title and surname."""
    words = normalise(FindingKind.PERSON_NAME, name).split()
    if not words:
        return ""
    if words[0] in TITLES:
        return "title:" + words[-1]
    return words[0]


def redact(text: str, findings: Iterable[Finding]) -> str:
    """Replace every finding with its suggestion. The same identifier (same kind, same normalised text)
    always gets the first suggestion seen for it, so one name becomes one pseudonym throughout.

    Raises ValueError if a finding does not point at its text in `text` (the text changed since the scan).
    Overlapping findings are not expected (scan never returns them); the later one is skipped.
    """
    chosen: dict[tuple[FindingKind, str], str] = {}
    parts, pos = [], 0
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if text[f.start : f.end] != f.text:
            raise ValueError(f"finding {f.text!r} at {f.start}-{f.end} does not match the text")
        if f.start < pos:
            continue
        suggestion = chosen.setdefault((f.kind, normalise(f.kind, f.text)), f.suggestion)
        parts.append(text[pos : f.start])
        parts.append(suggestion)
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)


__all__ = ["redact", "scan", "scan_fields"]

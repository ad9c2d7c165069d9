"""Print the anonymisation guard's figures on the labelled sets, per kind, and its speed.

    .venv/bin/python bench/anonymisation_figures.py [--details] [path/to/cases.jsonl ...]

With no path: tests/casework/data/anonymisation_cases.jsonl (written before the rules) and
anonymisation_holdout.jsonl (written after them, in three rounds, each measured before any change it prompted).

Recall: expected identifiers found (same kind family, overlapping span). Precision: findings that are an
expected identifier. "on clean": findings on texts with no identifiers. False-alarm rate: clean texts with at
least one finding. Speed: best of 7 scans of a 5,000-word text.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from portal.casework.anonymisation import scan
from portal.casework.anonymisation.evaluation import evaluate, format_report, load_cases

DATA = ROOT / "tests" / "casework" / "data"
DEFAULT_SETS = [DATA / "anonymisation_cases.jsonl", DATA / "anonymisation_holdout.jsonl"]


def _speed(words: list[str]) -> float:
    text = " ".join((words * (5000 // len(words) + 1))[:5000])
    scan(text)
    best = float("inf")
    for _ in range(7):
        started = time.perf_counter()
        scan(text)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main(argv: list[str]) -> int:
    details = "--details" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or DEFAULT_SETS
    words: list[str] = []
    for path in paths:
        cases = load_cases(path)
        words += " ".join(c.text for c in cases).split()
        report = evaluate(cases)
        print(f"== {path.name}")
        print(format_report(report))
        if details:
            print("missed:")
            for case_id, kind, text in report.missed:
                print(f"  {case_id:<12} {kind:<15} {text!r}")
            print("false alarms:")
            for case_id, kind, text in report.false_alarms:
                print(f"  {case_id:<12} {kind:<15} {text!r}")
        print()
    print(f"scan of a 5,000-word text: {_speed(words):.1f} ms (best of 7)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

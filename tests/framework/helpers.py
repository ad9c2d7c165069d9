"""Shared test data for the framework tests: an ECDP-like programme over a test-only standards set."""

from __future__ import annotations

import textwrap

from portal.framework.definitions import ProgrammeTemplate, StandardsSet
from portal.framework.loader import builtin_standards, load_standards_set, load_template
from portal.framework.yamlsource import Problem, TemplateError

# A made-up standards set: the real 2027 early career standards are not published, so no text is invented.
TEST_STANDARDS_YAML = textwrap.dedent(
    """\
    code: ECS-T
    name: Test early career standards
    version: 1
    source: Made up for tests.
    statements:
      - {code: ECS-T.1, title: First test statement, text: Placeholder wording one.}
      - {code: ECS-T.2, title: Second test statement, text: Placeholder wording two.}
      - {code: ECS-T.3, title: Third test statement, text: Placeholder wording three.}
    """
)

# A two-year induction like the coming Early Career Development Programme, as one 24-month stage.
ECDP_YAML = textwrap.dedent(
    """\
    code: ECDP-T
    name: Test early career development programme
    version: "1.0.0"
    standards:
      - {code: ECS-T, version: 1}
    stages:
      - code: INDUCTION
        name: Two-year induction
        months: 24
        focus: Structured induction.
        decision: summative
        reviews:
          - {code: IR6, name: Review at 6 months, due_month: 6}
          - {code: IR12, name: Review at 12 months, due_month: 12, kss_self_assessment: true}
          - {code: IR18, name: Review at 18 months, due_month: 18, optional: true}
          - {code: IFINAL, name: Final review, due_month: end}
        requirements:
          - code: reviews
            title: Reviews
            kind: review
          - code: observations
            title: Direct observations each year
            kind: casework
            evidence: direct_observation
            count: 2
            per_year: true
          - code: cpd
            title: CPD each year
            kind: cpd_records
            count: 2
            with_peer_reflection: 1
            per_year: true
          - code: coverage
            title: Every standard evidenced twice
            kind: standards_coverage
            set: ECS-T
            scope: stage
            count: 2
            standards: [ECS-T.1]
    """
)


def ecs_standards() -> StandardsSet:
    return load_standards_set(TEST_STANDARDS_YAML, filename="ecs-t.yaml")


def library_with_test_standards() -> dict[tuple[str, str], StandardsSet]:
    standards = ecs_standards()
    return {**builtin_standards(), (standards.code, standards.version): standards}


def load_ecdp() -> ProgrammeTemplate:
    return load_template(ECDP_YAML, filename="ecdp-t.yaml", standards=library_with_test_standards())


def problems_of(text: str, **kwargs: object) -> list[Problem]:
    """The problems load_template reports for `text` (fails the test if it loads)."""
    try:
        load_template(textwrap.dedent(text), filename="bad.yaml", **kwargs)  # type: ignore[arg-type]
    except TemplateError as error:
        assert all(problem.file == "bad.yaml" for problem in error.problems)
        return error.problems
    raise AssertionError("the template loaded without problems")


def find(problems: list[Problem], line: int, fragment: str) -> Problem:
    """The problem on `line` whose message contains `fragment`."""
    for problem in problems:
        if problem.line == line and fragment in problem.message:
            return problem
    listing = "\n".join(str(p) for p in problems)
    raise AssertionError(f"no problem on line {line} containing {fragment!r}; got:\n{listing}")

"""Bad templates: every problem is reported at once, in plain English, on the line to fix."""

from __future__ import annotations

import textwrap

import pytest

from portal.framework.loader import load_crosswalk, load_standards_set, load_template
from portal.framework.yamlsource import Problem, TemplateError
from tests.framework.helpers import find, problems_of


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line containing `fragment` in the dedented text."""
    lines = [n for n, line in enumerate(textwrap.dedent(text).splitlines(), start=1) if fragment in line]
    return lines[occurrence - 1]


HEADER = """\
    code: TEST
    name: Test programme
    version: 1
    standards:
      - {code: KSS-CF, version: "2018"}
    stages:
"""


def test_invalid_yaml_reports_the_parser_line() -> None:
    text = HEADER + "      - code: S1\n        name: [unclosed\n        months: 12\n"
    (problem,) = problems_of(text)
    assert problem.line is not None and problem.line >= line_of(text, "[unclosed")
    assert problem.message.startswith("The file is not valid YAML")


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "The file is empty"), ("- a\n- b\n", "must be a mapping of keys to values at the top level")],
)
def test_empty_or_non_mapping_files(text: str, message: str) -> None:
    (problem,) = problems_of(text)
    assert (problem.line, problem.column) == (1, 1) and message in problem.message


def test_every_problem_is_reported_with_its_line() -> None:
    text = (
        HEADER
        + """\
      - code: Y1
        months: 12
        decision: summative
        reviews:
          - {code: R3, name: Review at 3 months, due_month: 3}
          - {code: R3, name: Review again, due_month: 14}
        requirements:
          - {code: obs, title: Observations, kind: casework, evidence: direct_observation, count: 0}
          - {code: obs, title: More observations, kind: casework, evidence: direct_observation, count: 2.5}
          - {code: cpd, title: CPD, kind: cpd_record, count: 2}
          - {code: doc, title: Document, kind: document, document: learning_agreement, cuont: 1}
          - code: revs
            title: Reviews
            kind: review
            reviews: [R3, R12]
      - code: Y2
        name: Year 2
        months: 12
        decision: summative
        requirements:
          - code: cpd
            title: CPD
            kind: cpd_records
            count: -1
            standards: [KSS-CF.11, KSS-CF.2]
      - code: Y2
        name: Year 3
        months: 12
        decision: peer_review
    """
    )
    problems = problems_of(text)
    find(problems, line_of(text, "code: Y1"), "Stage 1 is missing 'name'")
    find(problems, line_of(text, "Review again"), "uses review code 'R3', already used in Stage 1")
    find(problems, line_of(text, "Review again"), "is due at 14 months, after the stage ends at 12 months")
    find(problems, line_of(text, "count: 0"), "requirement 'obs' has count 0; it must be a whole number of 1 or more")
    find(problems, line_of(text, "count: 2.5"), "has count 2.5; it must be a whole number of 1 or more")
    find(problems, line_of(text, "count: 2.5"), "uses code 'obs', already used by requirement 1 of this stage")
    find(problems, line_of(text, "cpd_record,"), "has unknown kind 'cpd_record'; did you mean 'cpd_records'?")
    find(problems, line_of(text, "cuont"), "has an unknown key 'cuont'; did you mean 'count'?")
    find(problems, line_of(text, "reviews: [R3, R12]"), "lists review 'R12', which Stage 1 does not define")
    cpd = find(problems, line_of(text, "count: -1"), "has count -1")
    assert cpd.message == "Stage 2 ('Year 2'): requirement 'cpd' has count -1; it must be a whole number of 1 or more"
    find(problems, line_of(text, "KSS-CF.11"), "refers to standard 'KSS-CF.11', which is not in the standards sets")
    find(problems, line_of(text, "code: Y2", 2), "Stage 3 ('Year 3') uses code 'Y2', already used by stage 2")
    find(problems, line_of(text, "peer_review"), "has decision 'peer_review', which is not one of")
    assert len(problems) == 13  # nothing reported twice, nothing missed
    assert problems == sorted(problems, key=lambda p: (p.line or 0, p.column or 0, p.message))


def test_the_error_message_lists_every_problem() -> None:
    text = HEADER + "      - {code: S, name: S, months: -3, decision: summative}\n"
    with pytest.raises(TemplateError) as caught:
        load_template(textwrap.dedent(text), filename="x.yaml")
    assert str(caught.value).startswith("1 problem found:\n  x.yaml:7:")
    assert "has months -3; it must be a whole number of 0 or more" in str(caught.value)
    assert str(Problem("f.yaml", 3, 5, "Oops")) == "f.yaml:3:5: Oops"


def test_unknown_standards_sets_are_reported() -> None:
    text = """\
    code: TEST
    name: Test programme
    version: 1
    standards:
      - {code: KSS-CF, version: "2014"}
    stages:
      - code: S1
        name: Stage one
        months: 12
        decision: summative
        requirements:
          - {code: sa, title: Self-assessment, kind: self_assessment, set: PCF}
          - {code: cover, title: Coverage, kind: standards_coverage, set: KSS-CF}
    """
    problems = problems_of(text)
    find(problems, line_of(text, '"2014"'), "refers to standards set KSS-CF version 2014, which is not defined")
    find(problems, line_of(text, "set: PCF"), "refers to standards set 'PCF', which the programme does not use")
    find(problems, line_of(text, "set: KSS-CF"), "refers to standards set 'KSS-CF'")


def test_kind_specific_rules() -> None:
    text = (
        HEADER
        + """\
      - code: S1
        name: Stage one
        months: 18
        decision: annual_review
        requirements:
          - {code: cpd, title: CPD, kind: cpd_records, count: 2, with_peer_reflection: 3, per_year: true}
          - {code: doc, title: Doc, kind: document, document: learning_agreement, per_year: true}
          - {code: obs, title: Obs, kind: casework, evidence: observation, count: 1, role: boss}
          - {code: log, title: Log, kind: casework, evidence: case_reflection, count: 1, per_activity: true}
          - {code: ext, title: Ext, kind: external_result, result: [knowledge_assessment, exam]}
          - {code: late, title: Late, kind: document, document: full_portfolio, due_month: 19}
          - {code: revs, title: Reviews, kind: review}
    """
    )
    problems = problems_of(text)
    cpd_line = line_of(text, "kind: cpd_records")
    find(problems, cpd_line, "with_peer_reflection cannot be more than count")
    find(problems, cpd_line, "lasts 18 months; per_year needs a stage of a whole number of years")
    find(problems, line_of(text, "kind: document, document: learning"), "has key 'per_year', which a 'document'")
    find(problems, line_of(text, "evidence: observation"), "has evidence 'observation', which is not one of")
    find(problems, line_of(text, "evidence: observation"), "has 'boss' in role, which is not one of")
    find(problems, line_of(text, "per_activity: true"), "has per_activity but lists no activities")
    find(problems, line_of(text, "exam]"), "has 'exam' in result, which is not one of")
    find(problems, line_of(text, "due_month: 19"), "is due at 19 months, after the stage ends at 18 months")
    find(problems, line_of(text, "kind: review"), "its stage has no (non-optional) reviews")


def test_versions_and_codes_are_checked() -> None:
    text = """\
    code: bad code
    name: Test programme
    version: 1.2
    standards: []
    stages:
      - {code: S1, name: One, months: 12, decision: summative, focus: [a, b]}
    """
    problems = problems_of(text)
    find(problems, 1, "a code may use only letters, digits")
    find(problems, 3, "YAML reads as a decimal number")
    find(problems, 6, "has focus a list; it must be some text")


def test_duplicate_yaml_keys_are_problems_not_silent_overwrites() -> None:
    text = (
        HEADER
        + """\
      - code: S1
        name: Stage one
        months: 12
        months: 24
        decision: summative
    """
    )
    problems = problems_of(text)
    find(problems, line_of(text, "months: 24"), "Key 'months' appears twice in the same mapping (first on line")


def test_missing_top_level_keys_and_stages() -> None:
    problems = problems_of("code: T\nstages: []\n")
    messages = {p.message for p in problems}
    assert "The programme is missing 'name'" in messages
    assert "The programme is missing 'version'" in messages
    assert "The programme is missing 'standards'" in messages
    assert "The programme lists no stages" in messages


def test_bad_review_due_month_and_missing_count() -> None:
    text = (
        HEADER
        + """\
      - code: S1
        name: Stage one
        months: 12
        decision: summative
        reviews:
          - {code: R, name: Review, due_month: soon}
        requirements:
          - {code: obs, title: Obs, kind: casework, evidence: direct_observation}
    """
    )
    problems = problems_of(text)
    find(problems, line_of(text, "due_month: soon"), "it must be a whole number of 1 or more, or 'end'")
    find(problems, line_of(text, "evidence: direct_observation"), "is missing 'count'")


def test_standards_set_problems() -> None:
    text = textwrap.dedent(
        """\
        code: SET
        name: A set
        version: 1
        statements:
          - {code: SET.1, title: One, text: First.}
          - {code: SET.1, title: Again, text: Second.}
          - {code: OTHER.3, title: Three, text: Third.}
          - {code: SET.4, text: No title.}
        """
    )
    with pytest.raises(TemplateError) as caught:
        load_standards_set(text, filename="set.yaml")
    problems = caught.value.problems
    find(problems, 6, "has code 'SET.1', already used on line 5")
    find(problems, 7, "has code 'OTHER.3'; it must start with 'SET.'")
    find(problems, 8, "statement 4 is missing 'title'")
    assert (
        load_standards_set(
            text.replace("OTHER.3", "SET.3")
            .replace("SET.1, title: Again", "SET.2, title: Two")
            .replace("{code: SET.4, text", "{code: SET.4, title: Four, text")
        ).version
        == "1"
    )


def test_crosswalk_problems() -> None:
    text = textwrap.dedent(
        """\
        code: XW
        name: Crosswalk
        from: {code: KSS-CF, version: "2018"}
        to: {code: SWE-PS, version: "2019"}
        mappings:
          KSS-CF.1: [SWE-PS.1]
          KSS-CF.12: SWE-PS.2
          KSS-CF.2: [SWE-PS.9]
        """
    )
    with pytest.raises(TemplateError) as caught:
        load_crosswalk(text, filename="xw.yaml")
    problems = caught.value.problems
    find(problems, 7, "maps 'KSS-CF.12', which is not a statement of KSS-CF (2018)")
    find(problems, 8, "maps 'KSS-CF.2' to 'SWE-PS.9', which is not a statement of SWE-PS (2019)")
    assert len(problems) == 2

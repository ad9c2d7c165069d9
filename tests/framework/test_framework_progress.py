"""The progress engine: statuses, missing descriptions, per-year windows, verification and coverage."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

from portal.framework.clock import compute_schedule
from portal.framework.definitions import ProgrammeTemplate
from portal.framework.evidence import (
    CaseworkTally,
    CoverageTally,
    CpdTally,
    DocumentTally,
    EvidenceSummary,
    ExternalResultTally,
    SelfAssessmentTally,
)
from portal.framework.loader import builtin_crosswalks, builtin_templates, load_template
from portal.framework.progress import EnrolmentProgress, ProgressStatus, compute_progress
from tests.framework.helpers import load_ecdp

START = date(2025, 9, 1)
MET, IN_PROGRESS, NOT_STARTED, OVERDUE = (
    ProgressStatus.MET,
    ProgressStatus.IN_PROGRESS,
    ProgressStatus.NOT_STARTED,
    ProgressStatus.OVERDUE,
)


@pytest.fixture(scope="module")
def ecf() -> ProgrammeTemplate:
    return builtin_templates()[("ECF-5Y", "1")]


def progress(
    template: ProgrammeTemplate, evidence: EvidenceSummary, today: date, **kwargs: object
) -> EnrolmentProgress:
    schedule = compute_schedule(template, start=START, today=today)
    return compute_progress(template, schedule, evidence, today, **kwargs)  # type: ignore[arg-type]


def obs(on: date, verified: bool = True, **kwargs: object) -> CaseworkTally:
    return CaseworkTally("direct_observation", on, verified=verified, **kwargs)  # type: ignore[arg-type]


COMPLETE_YEAR_1 = EvidenceSummary(
    cpd=(CpdTally(date(2025, 11, 1), count=2),),
    casework=(
        obs(date(2025, 10, 1), count=3),
        CaseworkTally("child_family_feedback", date(2026, 1, 5), count=2, verified=True),
        CaseworkTally("professional_feedback", date(2026, 2, 5), count=2, verified=True),
    ),
    documents=(
        DocumentTally("learning_agreement", date(2025, 9, 20)),
        DocumentTally("critical_reflection_log", date(2026, 8, 1)),
    ),
    self_assessments=tuple(
        SelfAssessmentTally(point, day, set_code="KSS-CF")
        for point, day in (("start", date(2025, 9, 15)), ("middle", date(2026, 3, 1)), ("end", date(2026, 8, 20)))
    ),
    reviews_held={"Y1-R3": date(2025, 12, 1), "Y1-R6": date(2026, 3, 2), "Y1-FINAL": date(2026, 8, 25)},
)


def test_nothing_recorded_at_the_start(ecf: ProgrammeTemplate) -> None:
    result = progress(ecf, EvidenceSummary(), START)
    assert result.current_stage == "Y1" and result.elapsed_fraction == 0.0
    assert {stage.status for stage in result.stages} == {NOT_STARTED}
    year1 = result.stage("Y1")
    assert {r.status for r in year1.requirements} == {NOT_STARTED}
    observations = year1.requirement("direct-observations")
    assert (observations.done, observations.required, observations.missing_text) == (
        0,
        3,
        "3 more direct observations",
    )
    assert observations.due == date(2026, 8, 31)
    assert year1.requirement("learning-agreement").due == date(2025, 10, 1)
    assert year1.requirement("reviews").missing == (
        "Review at 3 months not yet held",
        "Review at 6 months not yet held",
        "Final review not yet held",
    )
    assert year1.requirement("cpd").missing_text == "2 more CPD records"
    assert (
        result.stage("Y2").requirement("cpd").missing_text
        == "1 more CPD record with peer reflection; 1 more CPD record"
    )
    assert year1.done == 0 and year1.required == 1 + 3 + 3 + 2 + 2 + 1 + 3 + 2


def test_partial_evidence_is_in_progress(ecf: ProgrammeTemplate) -> None:
    evidence = EvidenceSummary(
        casework=(obs(date(2025, 10, 1)),),
        reviews_held={"Y1-R3": date(2025, 12, 1)},
        documents=(DocumentTally("learning_agreement", date(2025, 9, 20)),),
    )
    year1 = progress(ecf, evidence, date(2026, 1, 10)).stage("Y1")
    observations = year1.requirement("direct-observations")
    assert (observations.done, observations.status, observations.missing_text) == (
        1,
        IN_PROGRESS,
        "2 more direct observations",
    )
    assert year1.requirement("reviews").status == IN_PROGRESS
    assert year1.requirement("learning-agreement").status == MET
    assert year1.status == OVERDUE  # the start-of-year self-assessment was due on 1 October


def test_complete_year_1_is_met(ecf: ProgrammeTemplate) -> None:
    result = progress(ecf, COMPLETE_YEAR_1, date(2026, 8, 31))
    year1 = result.stage("Y1")
    assert {r.code: r.status for r in year1.requirements} == {r.code: MET for r in year1.requirements}
    assert year1.status == MET and all(not r.missing for r in year1.requirements)
    assert year1.done == year1.required


def test_missed_deadlines_are_overdue(ecf: ProgrammeTemplate) -> None:
    year1 = progress(ecf, EvidenceSummary(reviews_held={"Y1-R3": date(2025, 12, 3)}), date(2026, 3, 2)).stage("Y1")
    reviews = year1.requirement("reviews")
    assert reviews.status == OVERDUE and reviews.missing[0] == "Review at 6 months not yet held"
    assert year1.requirement("learning-agreement").status == OVERDUE
    assert year1.requirement("direct-observations").status == NOT_STARTED  # due at the end of the year
    on_the_due_day = progress(ecf, EvidenceSummary(), date(2025, 10, 1)).stage("Y1")
    assert on_the_due_day.requirement("learning-agreement").status == NOT_STARTED
    after_the_year = progress(ecf, EvidenceSummary(casework=(obs(date(2025, 10, 1)),)), date(2026, 9, 1)).stage("Y1")
    assert after_the_year.requirement("direct-observations").status == OVERDUE


def test_only_verified_casework_counts(ecf: ProgrammeTemplate) -> None:
    evidence = EvidenceSummary(casework=(obs(date(2025, 10, 1)), obs(date(2025, 10, 2), verified=False, count=2)))
    observations = progress(ecf, evidence, date(2025, 11, 1)).stage("Y1").requirement("direct-observations")
    assert (observations.done, observations.awaiting_verification) == (1, 2)
    assert observations.missing_text == "2 more direct observations (2 awaiting verification)"


def test_cpd_counts_unverified_records_unless_the_template_says_otherwise(ecf: ProgrammeTemplate) -> None:
    evidence = EvidenceSummary(cpd=(CpdTally(date(2025, 10, 1), count=2),))
    assert progress(ecf, evidence, date(2025, 11, 1)).stage("Y1").requirement("cpd").status == MET
    strict = load_template(
        textwrap.dedent(
            """\
            code: STRICT
            name: Strict
            version: 1
            standards: []
            stages:
              - code: S
                name: Only stage
                months: 12
                decision: summative
                requirements:
                  - {code: cpd, title: CPD, kind: cpd_records, count: 2, verified: true}
                  - {code: obs, title: Obs, kind: casework, evidence: direct_observation, count: 1, verified: false}
            """
        )
    )
    lenient = EvidenceSummary(cpd=evidence.cpd, casework=(obs(date(2025, 10, 1), verified=False),))
    stage = progress(strict, lenient, date(2025, 11, 1)).stage("S")
    assert stage.requirement("cpd").done == 0 and stage.requirement("cpd").awaiting_verification == 2
    assert stage.requirement("obs").status == MET


def test_cpd_with_peer_reflection(ecf: ProgrammeTemplate) -> None:
    year2_day = date(2026, 10, 1)
    two_plain = EvidenceSummary(cpd=(CpdTally(year2_day, count=2),))
    cpd = progress(ecf, two_plain, date(2026, 11, 1)).stage("Y2").requirement("cpd")
    assert (cpd.done, cpd.required, cpd.missing_text) == (1, 2, "1 more CPD record with peer reflection")
    both = EvidenceSummary(cpd=(CpdTally(year2_day), CpdTally(year2_day, peer_reflection=True)))
    assert progress(ecf, both, date(2026, 11, 1)).stage("Y2").requirement("cpd").status == MET


def test_per_year_requirements_count_in_each_stage_year(ecf: ProgrammeTemplate) -> None:
    # Four observations all in the first year of the two-year specialism stage: year 2 still needs two.
    evidence = EvidenceSummary(casework=(obs(date(2027, 10, 1), count=4),))
    observations = progress(ecf, evidence, date(2028, 10, 1)).stage("Y3-4").requirement("direct-observations")
    assert (observations.done, observations.required, observations.status) == (2, 4, IN_PROGRESS)
    assert observations.missing_text == "2 more direct observations in year 2 of this stage (by 31 August 2029)"
    assert [(c.label, c.due, c.met) for c in observations.checkpoints] == [
        ("Year 1", date(2028, 8, 31), True),
        ("Year 2", date(2029, 8, 31), False),
    ]
    # Nothing in year 1: overdue once year 1 has ended, even though the stage is not over.
    late = EvidenceSummary(casework=(obs(date(2028, 9, 5), count=2),))
    observations = progress(ecf, late, date(2028, 9, 10)).stage("Y3-4").requirement("direct-observations")
    assert observations.status == OVERDUE
    assert observations.missing_text.startswith("2 more direct observations in year 1 of this stage")
    cpd = progress(ecf, EvidenceSummary(cpd=(CpdTally(date(2029, 1, 1), count=2),)), date(2029, 1, 2))
    assert cpd.stage("Y3-4").requirement("cpd").done == 2


def test_evidence_tagged_with_a_stage_counts_there_whatever_its_date(ecf: ProgrammeTemplate) -> None:
    evidence = EvidenceSummary(casework=(obs(date(2026, 9, 10), count=3, stage_code="Y1"),))
    result = progress(ecf, evidence, date(2026, 9, 20))
    assert result.stage("Y1").requirement("direct-observations").status == MET
    assert result.stage("Y2").requirement("direct-observations").done == 0
    by_date = progress(ecf, EvidenceSummary(casework=(obs(date(2026, 9, 10), count=3),)), date(2026, 9, 20))
    assert by_date.stage("Y2").requirement("direct-observations").status == MET


def test_casework_filters_and_the_activity_log(ecf: ProgrammeTemplate) -> None:
    def reflection(activity: str, role: str, category: str = "child_protection") -> CaseworkTally:
        return CaseworkTally(
            "case_reflection", date(2027, 10, 1), activity=activity, role=role, category=category, verified=True
        )

    evidence = EvidenceSummary(
        casework=(
            reflection("strategy_discussion", "observer"),
            reflection("core_group", "observer"),
            reflection("core_group", "lead"),
            reflection("court_work", "lead", category="court"),  # not child protection: ignored
        )
    )
    stage = progress(ecf, evidence, date(2027, 11, 1)).stage("Y3-4")
    log = stage.requirement("cp-casework-log")
    assert (log.done, log.required) == (2, 6)
    assert log.missing_text == (
        "Case reflections (child protection) still needed for: section 47 enquiry, initial child protection "
        "conference, review child protection conference, court work"
    )
    assert stage.requirement("cp-as-observer").status == MET
    assert stage.requirement("cp-as-lead").missing_text == "1 more case reflection (child protection, as lead)"
    assert stage.requirement("cp-as-co-worker").status == NOT_STARTED


def test_year_5_external_results_and_coverage(ecf: ProgrammeTemplate) -> None:
    every_kss = tuple(CoverageTally(f"KSS-CF.{n}", on=date(2027, 1, 1), verified=True) for n in range(1, 11))
    evidence = EvidenceSummary(
        coverage=every_kss[:8],
        external_results=(
            ExternalResultTally("knowledge_assessment", date(2029, 8, 1), passed=False),
            ExternalResultTally("simulated_practice", date(2030, 1, 1)),
            ExternalResultTally("employer_endorsement", date(2030, 2, 1)),
        ),
        documents=(DocumentTally("full_portfolio", date(2030, 3, 1)),),
    )
    year5 = progress(ecf, evidence, date(2030, 4, 1)).stage("Y5")
    assert year5.requirement("observed-practice").status == MET  # simulated practice is an alternative
    assert year5.requirement("employer-endorsement").status == MET
    knowledge = year5.requirement("knowledge-assessment")
    assert knowledge.status == NOT_STARTED and knowledge.missing_text == "Knowledge assessment result not yet recorded"
    coverage = year5.requirement("kss-coverage")
    assert (coverage.done, coverage.required, coverage.status) == (8, 10, IN_PROGRESS)
    assert coverage.missing_text == "2 KSS-CF statements not yet evidenced: KSS-CF.9, KSS-CF.10"
    complete = EvidenceSummary(coverage=every_kss)
    assert progress(ecf, complete, date(2030, 4, 1)).stage("Y5").requirement("kss-coverage").status == MET


def test_coverage_counts_include_crosswalks(ecf: ProgrammeTemplate) -> None:
    evidence = EvidenceSummary(
        coverage=(CoverageTally("KSS-CF.9", count=2), CoverageTally("SWE-PS.4"), CoverageTally("PCF.6", count=3))
    )
    plain = progress(ecf, evidence, START)
    assert plain.coverage["KSS-CF"]["KSS-CF.9"] == 2 and plain.coverage["SWE-PS"]["SWE-PS.4"] == 1
    assert plain.coverage["PCF"]["PCF.6"] == 3 and plain.coverage["PCF"]["PCF.1"] == 0
    crossed = progress(ecf, evidence, START, crosswalks=builtin_crosswalks())
    assert crossed.coverage["SWE-PS"]["SWE-PS.4"] == 3  # 1 direct + 2 from KSS-CF.9
    assert crossed.coverage["SWE-PS"]["SWE-PS.3"] == 2
    assert crossed.coverage["KSS-CF"]["KSS-CF.9"] == 2  # crosswalks run one way


def test_the_award_stage_is_met_once_signed_off(ecf: ProgrammeTemplate) -> None:
    today = date(2030, 9, 2)
    assert progress(ecf, EvidenceSummary(), today).stage("AWARD").status == NOT_STARTED
    signed = progress(ecf, EvidenceSummary(signed_off={"AWARD": today}), today).stage("AWARD")
    assert signed.status == MET and signed.signed_off_on == today


def test_a_schedule_for_another_template_is_refused(ecf: ProgrammeTemplate) -> None:
    asye = builtin_templates()[("ASYE-CF", "1")]
    schedule = compute_schedule(asye, start=START, today=START)
    with pytest.raises(ValueError, match="schedule is for ASYE-CF"):
        compute_progress(ecf, schedule, EvidenceSummary(), START)


def test_the_third_programme_runs_through_the_same_engine() -> None:
    template = load_ecdp()
    evidence = EvidenceSummary(
        casework=(obs(date(2025, 10, 1), count=2), obs(date(2026, 10, 1))),
        cpd=(CpdTally(date(2025, 10, 1)), CpdTally(date(2025, 11, 1), peer_reflection=True)),
        coverage=(
            CoverageTally("ECS-T.1", count=2, on=date(2025, 10, 1)),
            CoverageTally("ECS-T.2", count=2, on=date(2025, 10, 1)),
            CoverageTally("ECS-T.3", count=5, stage_code="ELSEWHERE"),  # scope 'stage': not this stage's
        ),
        reviews_held={"IR6": date(2026, 3, 1)},
    )
    stage = progress(template, evidence, date(2026, 11, 1)).stage("INDUCTION")
    assert stage.requirement("observations").missing_text == (
        "1 more direct observation in year 2 of this stage (by 31 August 2027)"
    )
    cpd = stage.requirement("cpd")
    assert (cpd.done, cpd.required, cpd.status) == (2, 4, IN_PROGRESS)
    reviews = stage.requirement("reviews")
    assert reviews.status == OVERDUE and reviews.missing == (
        "Review at 12 months not yet held",
        "Final review not yet held",
    )
    coverage = stage.requirement("coverage")
    assert (coverage.done, coverage.required) == (2, 3)
    assert coverage.missing_text == "1 ECS-T statement not yet evidenced 2 times: ECS-T.3"

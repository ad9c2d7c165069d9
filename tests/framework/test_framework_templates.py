"""Shipped templates, standards sets and crosswalks load; new programmes and kinds need no code changes."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from portal.framework.definitions import Requirement, register_requirement_kind, unregister_requirement_kind
from portal.framework.loader import (
    PACKAGE_DIR,
    TemplateCatalogue,
    TemplateVersionConflict,
    builtin_crosswalks,
    builtin_standards,
    builtin_templates,
    check_template_version,
    load_template,
)
from portal.framework.requirement_kinds import Casework, CpdRecords, Document, Review, SelfAssessment
from portal.framework.requirements import Assessment, Checkpoint, EvaluationContext, ParseContext
from portal.framework.yamlsource import FieldReader
from tests.framework.helpers import ECDP_YAML, library_with_test_standards, load_ecdp

ECF_PATH = PACKAGE_DIR / "programmes" / "ecf-5y.yaml"


def test_standards_sets_ship_with_their_statements() -> None:
    standards = builtin_standards()
    assert set(standards) == {("KSS-CF", "2018"), ("PCF", "2018"), ("SWE-PS", "2019")}
    kss = standards[("KSS-CF", "2018")]
    assert kss.statement_codes == tuple(f"KSS-CF.{n}" for n in range(1, 11))
    assert kss.statement("KSS-CF.1").title == "Relationships and effective direct work"
    assert kss.statement("KSS-CF.4").title.startswith("Adult mental ill health, substance misuse")
    assert kss.statement("KSS-CF.10").title == "Organisational context"
    assert all(len(s.text) > 100 for s in kss.statements)
    pcf = standards[("PCF", "2018")]
    assert [s.title for s in pcf.statements] == [
        "Professionalism",
        "Values and ethics",
        "Diversity and equality",
        "Rights, justice and economic wellbeing",
        "Knowledge",
        "Critical reflection and analysis",
        "Skills and interventions",
        "Contexts and organisations",
        "Professional leadership",
    ]
    assert len(standards[("SWE-PS", "2019")].statements) == 6


def test_the_crosswalk_maps_every_kss_statement_to_swe_standards() -> None:
    (crosswalk,) = builtin_crosswalks()
    assert (crosswalk.from_set.code, crosswalk.to_set.code) == ("KSS-CF", "SWE-PS")
    assert {source for source, _ in crosswalk.mappings} == {f"KSS-CF.{n}" for n in range(1, 11)}
    assert crosswalk.targets("KSS-CF.9") == ("SWE-PS.3", "SWE-PS.4")


def test_the_five_year_ecf_loads_with_every_stage_and_requirement() -> None:
    template = builtin_templates()[("ECF-5Y", "1")]
    assert [s.code for s in template.stages] == ["Y1", "Y2", "Y3-4", "Y5", "AWARD"]
    assert [s.months for s in template.stages] == [12, 12, 24, 12, 0]
    assert [s.decision for s in template.stages] == [
        "assessor_panel",
        "summative",
        "annual_review",
        "independent_assessment",
        "award",
    ]
    assert [s.code for s in template.standards] == ["KSS-CF", "PCF", "SWE-PS"]

    year1 = template.stage("Y1")
    assert [r.due_month for r in year1.reviews] == [3, 6, 9, None]
    assert year1.review("Y1-R9").optional
    assert isinstance(year1.requirement("reviews"), Review)
    assert year1.requirement("reviews").count == 3  # the optional 9-month review is not required
    assert year1.requirement("direct-observations").count == 3
    assert isinstance(year1.requirement("learning-agreement"), Document)
    self_assessment = year1.requirement("kss-self-assessment")
    assert isinstance(self_assessment, SelfAssessment) and self_assessment.points == ("start", "middle", "end")
    cpd = template.stage("Y2").requirement("cpd")
    assert isinstance(cpd, CpdRecords) and (cpd.count, cpd.with_peer_reflection) == (2, 1)
    assert isinstance(cpd, CpdRecords) and not cpd.verified

    specialism = template.stage("Y3-4")
    log = specialism.requirement("cp-casework-log")
    assert isinstance(log, Casework) and log.per_activity and len(log.activities) == 6
    assert log.verified  # casework counts verified items by default
    roles = [specialism.requirement(code) for code in ("cp-as-observer", "cp-as-co-worker", "cp-as-lead")]
    assert [r.roles for r in roles if isinstance(r, Casework)] == [("observer",), ("co_worker",), ("lead",)]
    per_year = specialism.requirement("direct-observations")
    assert isinstance(per_year, Casework) and per_year.per_year
    assert {r.kind for r in template.stage("Y5").requirements} == {
        "document",
        "external_result",
        "standards_coverage",
    }
    assert template.stage("AWARD").requirements == ()


def test_the_asye_loads_as_a_twelve_month_programme() -> None:
    template = builtin_templates()[("ASYE-CF", "1")]
    (stage,) = template.stages
    assert stage.months == 12
    assert {r.code: r.count for r in stage.requirements} == {
        "learning-agreement": 1,
        "reviews": 3,
        "direct-observations": 3,
        "child-family-feedback": 2,
        "professional-feedback": 2,
        "critical-reflection-log": 1,
        "kss-self-assessment": 3,
        "cpd": 2,
    }


def test_a_third_programme_with_its_own_standards_set_loads_without_code_changes() -> None:
    template = load_ecdp()
    assert (template.code, template.version) == ("ECDP-T", "1.0.0")
    assert template.standards[0].code == "ECS-T"
    (stage,) = template.stages
    assert stage.requirement("reviews").count == 3  # every non-optional review by default
    assert stage.requirement("coverage").standards == ("ECS-T.1",)


def test_identical_content_gives_the_same_hash_and_changes_do_not() -> None:
    library = library_with_test_standards()
    first = load_template(ECDP_YAML, filename="a.yaml", standards=library)
    again = load_template(ECDP_YAML, filename="b.yaml", standards=library)
    assert first.content_hash == again.content_hash and len(first.content_hash) == 64
    reordered = "# a comment changes nothing\n" + ECDP_YAML.replace(
        "code: ECDP-T\nname: Test early career development programme",
        "name: Test early career development programme\ncode: ECDP-T",
    )
    assert load_template(reordered, standards=library).content_hash == first.content_hash
    changed = load_template(ECDP_YAML.replace("evidenced twice", "evidenced three times"), standards=library)
    assert changed.content_hash != first.content_hash


def test_loading_from_a_path_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "copy.yaml"
    path.write_text(ECF_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    template = load_template(path)
    assert template.source_name == "copy.yaml"
    assert template.content_hash == builtin_templates()[("ECF-5Y", "1")].content_hash


def test_a_changed_template_with_the_same_version_is_refused() -> None:
    library = library_with_test_standards()
    original = load_template(ECDP_YAML, standards=library)
    catalogue = TemplateCatalogue([original])
    assert catalogue.add(load_template(ECDP_YAML, standards=library)) is False  # identical: a no-op
    assert len(catalogue) == 1
    changed = load_template(ECDP_YAML.replace("months: 24", "months: 36"), standards=library)
    with pytest.raises(TemplateVersionConflict, match="ECDP-T version 1.0.0 is already loaded"):
        catalogue.add(changed)
    assert catalogue.get("ECDP-T", "1.0.0") is original
    newer = load_template(ECDP_YAML.replace('version: "1.0.0"', 'version: "1.10.0"'), standards=library)
    assert catalogue.add(newer) is True
    assert catalogue.latest("ECDP-T").version == "1.10.0"  # compared as numbers, not text
    assert check_template_version(None, original) is True
    assert check_template_version(original.content_hash, original) is False


@dataclass(frozen=True, kw_only=True)
class _TrainingCourse(Requirement):
    """A made-up kind: a named course completed (counted from documents, to keep the test small)."""

    kind = "training_course"
    own_keys = frozenset({"course"})
    default_count = 1

    course: str

    @classmethod
    def parse_own(cls, fields: FieldReader, context: ParseContext) -> dict[str, Any]:
        return {"course": fields.text("course") or ""}

    def evaluate(self, context: EvaluationContext) -> Assessment:
        done = min(self.count, sum(t.count for t in context.evidence.documents if t.document == self.course))
        return Assessment(
            done, self.count, () if done else ("Course not done",), (Checkpoint("c", context.due(self), bool(done)),)
        )


def test_a_new_requirement_kind_is_one_registered_class() -> None:
    register_requirement_kind(_TrainingCourse)
    try:
        text = textwrap.dedent(
            """\
            code: COURSE
            name: Course programme
            version: 1
            standards: []
            stages:
              - code: S1
                name: Stage one
                months: 6
                decision: summative
                requirements:
                  - {code: safeguarding, title: Safeguarding course, kind: training_course, course: safeguarding}
            """
        )
        requirement = load_template(text).stage("S1").requirement("safeguarding")
        assert isinstance(requirement, _TrainingCourse) and requirement.course == "safeguarding"
    finally:
        unregister_requirement_kind("training_course")

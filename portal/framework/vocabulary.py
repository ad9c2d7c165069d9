"""Fixed vocabularies that programme templates refer to and the database stores.

These are the single source of truth for the codes: the casework, documents and assessment features should
build their enums and form choices from here, so a template can never name a kind the portal cannot record.
Each maps the code to (singular, plural) display nouns, used in "2 more direct observations".
"""

from __future__ import annotations

DECISION_KINDS: dict[str, str] = {
    "assessor_panel": "Assessor recommends, employer moderation panel confirms",
    "summative": "Summative assessment",
    "annual_review": "Annual review outcome",
    "independent_assessment": "Independent assessment, moderation and external sample",
    "award": "Award",
}

CASEWORK_KINDS: dict[str, tuple[str, str]] = {
    "direct_observation": ("direct observation", "direct observations"),
    "child_family_feedback": (
        "piece of feedback from a child or family",
        "pieces of feedback from children or families",
    ),
    "professional_feedback": ("piece of professional feedback", "pieces of professional feedback"),
    "case_reflection": ("case reflection", "case reflections"),
    "supervision_record": ("supervision record", "supervision records"),
}

CASEWORK_CATEGORIES: dict[str, str] = {
    "child_in_need": "child in need",
    "child_protection": "child protection",
    "looked_after": "looked after child",
    "court": "court",
}

CASEWORK_ROLES: dict[str, str] = {
    "observer": "as observer",
    "co_worker": "as co-worker",
    "lead": "as lead",
}

CASEWORK_ACTIVITIES: dict[str, str] = {
    "home_visit": "home visit",
    "direct_work": "direct work with a child",
    "child_and_family_assessment": "child and family assessment",
    "strategy_discussion": "strategy discussion",
    "section_47_enquiry": "section 47 enquiry",
    "initial_child_protection_conference": "initial child protection conference",
    "review_child_protection_conference": "review child protection conference",
    "core_group": "core group",
    "child_in_need_meeting": "child in need meeting",
    "looked_after_review": "looked after child review",
    "court_work": "court work",
    "family_group_conference": "family group conference",
    "multi_agency_meeting": "multi-agency meeting",
    "other": "other activity",
}

DOCUMENT_KINDS: dict[str, tuple[str, str]] = {
    "learning_agreement": ("learning agreement", "learning agreements"),
    "critical_reflection_log": ("critical reflection log", "critical reflection logs"),
    "year_2_reflection": ("year 2 reflection", "year 2 reflections"),
    "professional_development_plan": ("professional development plan", "professional development plans"),
    "full_portfolio": ("full portfolio", "full portfolios"),
}

EXTERNAL_RESULTS: dict[str, str] = {
    "knowledge_assessment": "knowledge assessment result",
    "employer_endorsement": "employer endorsement",
    "observed_practice": "observed practice assessment",
    "simulated_practice": "simulated practice assessment",
}

SELF_ASSESSMENT_POINTS: dict[str, str] = {
    "start": "at the start of the stage",
    "middle": "at the middle of the stage",
    "end": "at the end of the stage",
}

COVERAGE_SCOPES: dict[str, str] = {
    "stage": "evidence from this stage only",
    "programme": "evidence from the whole enrolment so far",
}

"""What a dashboard page shows, built from the cohort rows and their figures (no queries of its own): the charts'
data with a link behind every number, the flags by topic, the verification queues and the first people overdue
and at risk."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.enrolments.models import EnrolmentStatus
from portal.oversight.atrisk import Level, Standing, Topic
from portal.oversight.filters import NOT_STARTED, Choices, Filters
from portal.oversight.queries import CohortFigures, CohortRow, SupervisorQueue
from portal.oversight.scope import Scope

STANDING_COLOURS = {Standing.ON_TRACK: "green", Standing.AT_RISK: "orange", Standing.OVERDUE: "red"}
SHORT_LIST = 10


@dataclass(frozen=True)
class FlagRow:
    topic: Topic
    overdue: int
    overdue_href: str
    at_risk: int
    at_risk_href: str


def _describe(pairs: list[tuple[str, int]], unit: str) -> str:
    if not pairs:
        return f"No {unit}."
    return "; ".join(f"{label}: {value}" for label, value in pairs) + "."


def _standing_series(scope: Scope, base: dict[str, Any], keys: list[dict[str, Any]],
                     counts: list[Any]) -> list[dict[str, Any]]:
    return [{"name": standing.label, "key": standing.value, "colour": STANDING_COLOURS[standing],
             "values": [c[standing.value] for c in counts],
             "hrefs": [scope.url("people", **{**base, **k, "standing": standing.value}) for k in keys]}
            for standing in Standing]


def stage_chart(scope: Scope, filters: Filters, choices: Choices, figures: CohortFigures) -> dict[str, Any]:
    """Active enrolments per programme stage, split into on track, at risk and overdue."""
    base = filters.dashboard_args
    categories, keys, counts = [], [], []
    several = len({programme for programme, _ in figures.by_stage}) > 1
    ordered = [(p, s) for p, stages in choices.stages.items() for s in [NOT_STARTED, *stages]]
    ordered += [key for key in figures.by_stage if key not in ordered]
    for programme, stage in ordered:
        count = figures.by_stage.get((programme, stage))
        if not count:
            continue
        stage_name = "Not started yet" if stage == NOT_STARTED else choices.stages.get(programme, {}).get(stage, stage)
        label = f"{programme}: {stage_name}" if several else stage_name
        link_args = {"programme": programme, "stage": stage, "status": EnrolmentStatus.ACTIVE.value}
        categories.append({"label": label, "key": f"{programme}:{stage}",
                           "href": scope.url("people", **{**base, **link_args})})
        keys.append({"programme": programme, "stage": stage})
        counts.append(count)
    series = _standing_series(scope, base, keys, counts)
    description = _describe([(c["label"], sum(n.values())) for c, n in zip(categories, counts, strict=True)],
                            "active enrolments")
    return {"categories": categories, "series": series, "description": description}


def organisation_chart(scope: Scope, filters: Filters, figures: CohortFigures) -> dict[str, Any]:
    """National scope: active enrolments per organisation, split by standing."""
    base = filters.dashboard_args
    ids = sorted(figures.by_organisation, key=lambda i: (figures.organisation_names[i].lower(), i))
    categories = [{"label": figures.organisation_names[i], "key": str(i),
                   "href": scope.url("people", **{**base, "organisation": i, "status": "active"})} for i in ids]
    counts = [figures.by_organisation[i] for i in ids]
    series = _standing_series(scope, base, [{"organisation": i} for i in ids], counts)
    description = _describe([(c["label"], sum(n.values())) for c, n in zip(categories, counts, strict=True)],
                            "active enrolments")
    return {"categories": categories, "series": series, "description": description}


def status_chart(scope: Scope, filters: Filters, figures: CohortFigures) -> dict[str, Any]:
    rows = [{"label": status.label, "key": status.value, "value": figures.by_status[status.value],
             "href": scope.url("people", **filters.dashboard_args, status=status.value)} for status in EnrolmentStatus]
    return {"rows": rows, "description": _describe([(r["label"], r["value"]) for r in rows], "enrolments")}


def standing_chart(scope: Scope, filters: Filters, figures: CohortFigures) -> dict[str, Any]:
    rows = [{"label": standing.label, "key": standing.value, "value": figures.by_standing[standing.value],
             "colour": STANDING_COLOURS[standing],
             "href": scope.url("people", **filters.dashboard_args, standing=standing.value)} for standing in Standing]
    return {"rows": rows, "description": _describe([(r["label"], r["value"]) for r in rows], "active enrolments")}


def flag_rows(scope: Scope, filters: Filters, figures: CohortFigures) -> list[FlagRow]:
    """People with at least one flag of each topic, overdue and at risk."""
    base = filters.dashboard_args
    return [FlagRow(topic,
                    figures.by_flag[Level.OVERDUE.value][topic.value],
                    scope.url("people", **base, level=Level.OVERDUE.value, topic=topic.value),
                    figures.by_flag[Level.AT_RISK.value][topic.value],
                    scope.url("people", **base, level=Level.AT_RISK.value, topic=topic.value))
            for topic in Topic]


def queue_rows(scope: Scope, filters: Filters, queues: list[SupervisorQueue]) -> list[dict[str, Any]]:
    base = {k: v for k, v in filters.dashboard_args.items() if k != "stage"}
    rows = []
    for queue in queues:
        supervisor = queue.supervisor_id if queue.supervisor_id is not None else "none"
        rows.append({"queue": queue, "href": scope.url("verifications", **base, supervisor=supervisor),
                     "over_href": scope.url("verifications", **base, supervisor=supervisor, waiting="week")})
    return rows


def _rates_row(label: str, rates: Any, days: list[int], url: Any) -> dict[str, Any]:
    return {"label": label, "rates": rates, "average_days": round(sum(days) / len(days)) if days else None,
            "submitted_href": url(), "decided_href": url(outcome="decided"), "passed_href": url(outcome="pass"),
            "failed_href": url(outcome="fail"), "referred_href": url(referred="yes")}


def assessment_panel(scope: Scope, filters: Filters, choices: Choices, figures: Any) -> dict[str, Any]:
    """The assessment figures with a link behind every count (see portal/oversight/assessment_figures.py)."""
    from portal.assessments.states import AppealState
    from portal.oversight.assessment_figures import AGE_BUCKETS, WAITING_STATES

    base = dict(filters.dashboard_args)

    def url(**args: Any) -> str:
        return scope.url("assessments", **{**base, **args})

    states = [s for s in WAITING_STATES if figures.waiting.get(s.value)]
    waiting = {
        "categories": [{"label": s.label, "key": s.value, "href": url(state=s.value)} for s in states],
        "series": [{"name": label, "key": key, "colour": colour,
                    "values": [figures.waiting[s.value][key] for s in states],
                    "hrefs": [url(state=s.value, age=key) for s in states]}
                   for (key, label, _low, _high), colour in zip(AGE_BUCKETS, ("green", "orange", "red"), strict=True)],
        "description": _describe([(f"{s.label} (oldest {figures.oldest[s.value]} days)",
                                   sum(figures.waiting[s.value].values())) for s in states], "submissions waiting"),
        "total": figures.waiting_total, "total_href": url(state="waiting"),
    }
    stage_names = {code: name for stages in choices.stages.values() for code, name in stages.items()}
    ordered = [c for c in dict.fromkeys(c for stages in choices.stages.values() for c in stages) if c in figures.by_stage]
    ordered += [c for c in figures.by_stage if c not in ordered]
    by_stage = [_rates_row(stage_names.get(code, code), figures.by_stage[code], figures.sign_off_days.get(code, []),
                           lambda code=code, **args: url(stage=code, **args)) for code in ordered]
    org_ids = sorted(figures.by_organisation, key=lambda i: (figures.organisation_names[i].lower(), i))
    by_organisation = [_rates_row(figures.organisation_names[i], figures.by_organisation[i], [],
                                  lambda i=i, **args: url(organisation=i, **args)) for i in org_ids]
    pass_rates = [{"label": row["label"], "key": code, "value": row["rates"].pass_rate, "href": row["passed_href"]}
                  for code, row in zip(ordered, by_stage, strict=True) if row["rates"].pass_rate is not None]
    assessors = sorted(figures.assessors.items(), key=lambda item: (item[1].name.lower(), item[0]))
    return {
        "waiting": waiting, "by_stage": by_stage, "by_organisation": by_organisation,
        "pass_rates": {"rows": pass_rates, "description": "; ".join(
            f"{r['label']}: {r['value']}%" for r in pass_rates) + "." if pass_rates else "No decisions yet."},
        "assessors": [{"id": i, "load": load, "href": url(assessor=i), "overdue_href": url(assessor=i, overdue="yes")}
                      for i, load in assessors],
        "appeals": [{"label": state.label, "key": state.value, "value": figures.appeals[state.value],
                     "href": url(appeal=state.value)} for state in AppealState],
    }


def build(scope: Scope, rows: list[CohortRow], figures: CohortFigures, filters: Filters, choices: Choices,
          queues: list[SupervisorQueue]) -> dict[str, Any]:
    """The template context of a dashboard."""
    overdue = [r for r in rows if r.standing == Standing.OVERDUE]
    at_risk = [r for r in rows if r.standing == Standing.AT_RISK]
    base = filters.dashboard_args
    context = {
        "scope": scope, "filters": filters, "choices": choices, "figures": figures,
        "status_chart": status_chart(scope, filters, figures),
        "standing_chart": standing_chart(scope, filters, figures),
        "stage_chart": stage_chart(scope, filters, choices, figures),
        "flag_rows": flag_rows(scope, filters, figures),
        "queues": queue_rows(scope, filters, queues),
        "waiting_total": sum(q.waiting for q in queues),
        "waiting_href": scope.url("verifications", **{k: v for k, v in base.items() if k != "stage"}),
        "overdue": overdue[:SHORT_LIST], "overdue_total": len(overdue),
        "overdue_href": scope.url("people", **base, standing=Standing.OVERDUE.value),
        "at_risk": at_risk[:SHORT_LIST], "at_risk_total": len(at_risk),
        "at_risk_href": scope.url("people", **base, standing=Standing.AT_RISK.value),
        "total_href": scope.url("people", **base),
    }
    if scope.national:
        context["organisation_chart"] = organisation_chart(scope, filters, figures)
    return context

"""The dashboards' and lists' filters, read from the query string. A value that is not one of the allowed choices
is ignored and explained (``Filters.messages``), never an error page."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from portal.enrolments.models import EnrolmentStatus
from portal.oversight.atrisk import Level, Standing, Topic
from portal.urls import parse_id

SEARCH_MAX = 100
#: the stage filter's value for active enrolments that have not started yet (no current stage)
NOT_STARTED = "not-started"
WAITING_CHOICES = {"week": 7}


@dataclass(frozen=True)
class Choices:
    """What the filters may take in this scope: programme codes, stage codes per programme, organisations and
    supervisors (id -> name; empty when the scope has no such filter)."""

    programmes: Mapping[str, str]
    stages: Mapping[str, Mapping[str, str]]
    organisations: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Filters:
    programme: str | None = None
    stage: str | None = None
    organisation_id: int | None = None
    status: EnrolmentStatus | None = None
    standing: Standing | None = None
    level: Level | None = None
    topic: Topic | None = None
    supervisor_id: int | None = None
    #: "none": items whose enrolment has no supervisor now
    no_supervisor: bool = False
    waiting_days: int | None = None
    search: str = ""
    messages: tuple[str, ...] = ()

    @property
    def dashboard_args(self) -> dict[str, Any]:
        """The filters a dashboard passes on to every list it links to."""
        return {k: v for k, v in {"programme": self.programme, "stage": self.stage,
                                  "organisation": self.organisation_id, "q": self.search or None}.items()
                if v is not None}

    @property
    def args(self) -> dict[str, Any]:
        """Every filter as query arguments (for pagination and export links)."""
        waiting = next((k for k, v in WAITING_CHOICES.items() if v == self.waiting_days), None)
        return {k: v for k, v in {
            **self.dashboard_args,
            "status": self.status.value if self.status else None,
            "standing": self.standing.value if self.standing else None,
            "level": self.level.value if self.level else None,
            "topic": self.topic.value if self.topic else None,
            "supervisor": "none" if self.no_supervisor else self.supervisor_id,
            "waiting": waiting}.items() if v is not None}

    @property
    def any(self) -> bool:
        return bool(self.args)

    def without_list_filters(self) -> Filters:
        return replace(self, status=None, standing=None, level=None, topic=None, supervisor_id=None,
                       no_supervisor=False, waiting_days=None)


def _enum(enum: Any, raw: str, what: str, messages: list[str]) -> Any:
    if not raw:
        return None
    try:
        return enum(raw)
    except ValueError:
        messages.append(f"“{raw[:40]}” is not a {what}, so that filter was ignored")
        return None


def _positive_int(raw: str) -> int | None:
    return parse_id(raw)


def parse_filters(args: Mapping[str, str], choices: Choices, *, supervisors: bool = False) -> Filters:
    """Read the filters from ``args``, keeping only allowed values; each ignored one adds a message."""
    messages: list[str] = []
    programme = (args.get("programme") or "").strip() or None
    if programme is not None and programme not in choices.programmes:
        messages.append(f"There is no programme “{programme[:40]}”, so all programmes are shown")
        programme = None
    stage = (args.get("stage") or "").strip() or None
    allowed_stages = choices.stages.get(programme, {}) if programme else {
        code: name for stages in choices.stages.values() for code, name in stages.items()}
    if stage is not None and stage != NOT_STARTED and stage not in allowed_stages:
        messages.append(f"There is no stage “{stage[:40]}”{' in this programme' if programme else ''}, so every "
                        "stage is shown")
        stage = None
    organisation_id = None
    raw_org = (args.get("organisation") or "").strip()
    if raw_org:
        organisation_id = _positive_int(raw_org)
        if organisation_id not in choices.organisations:
            messages.append("That organisation cannot be chosen here, so every organisation you can see is shown")
            organisation_id = None
    supervisor_id, no_supervisor = None, False
    raw_supervisor = (args.get("supervisor") or "").strip()
    if raw_supervisor and supervisors:
        if raw_supervisor == "none":
            no_supervisor = True
        else:
            supervisor_id = _positive_int(raw_supervisor)
            if supervisor_id is None:
                messages.append("That is not a supervisor, so items for every supervisor are shown")
    waiting_days = None
    raw_waiting = (args.get("waiting") or "").strip()
    if raw_waiting:
        waiting_days = WAITING_CHOICES.get(raw_waiting)
        if waiting_days is None:
            messages.append(f"“{raw_waiting[:40]}” is not a waiting time, so that filter was ignored")
    search = " ".join((args.get("q") or "").split())
    search = "".join(c for c in search if c.isprintable())[:SEARCH_MAX]
    return Filters(
        programme=programme, stage=stage, organisation_id=organisation_id,
        status=_enum(EnrolmentStatus, (args.get("status") or "").strip(), "status", messages),
        standing=_enum(Standing, (args.get("standing") or "").strip(), "standing (on track, at risk, overdue)",
                       messages),
        level=_enum(Level, (args.get("level") or "").strip(), "flag (overdue or at risk)", messages),
        topic=_enum(Topic, (args.get("topic") or "").strip(), "kind of flag", messages),
        supervisor_id=supervisor_id, no_supervisor=no_supervisor, waiting_days=waiting_days, search=search,
        messages=tuple(messages))


def waiting_since(today: dt.date, days: int) -> dt.date:
    """Requests made before this day have waited more than ``days`` days."""
    return today - dt.timedelta(days=days)

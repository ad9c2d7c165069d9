"""Conflicts of interest: who may not assess, second-mark, moderate or review an appeal, and why.

Pure functions over facts the services gather (no database, no Flask). Each conflict carries a plain-English
reason naming the person, for the admin choosing someone else. The practitioner is "this practitioner" (the
moderation pages are anonymised). The domain contract:

* **Assessor** (:func:`assessor_conflicts`): refused when the assessor

  - is the practitioner;
  - supervises or has ever supervised the practitioner (any period of the practitioner's supervision history);
  - works in the same team as the practitioner (any team they share now);
  - for the year 5 independent assessment only: works for, or holds a role in, the same organisation as the
    practitioner (years 1-4 are assessed by the employer, so the same organisation is expected there).

* **Blind second marker** (:func:`second_marker_conflicts`): cannot be the first marker, and is refused for the
  same reasons as an assessor (the second mark is an assessment too).
* **Moderator** (:func:`moderator_conflicts`): cannot moderate their own marking (the first mark); when the
  practitioner's facts are given, also not the practitioner themself nor a present or past supervisor. Team and
  organisation do not count: the employer's own moderation panel confirms years 1-4 (as ASYE).
* **Appeal reviewer** (:func:`reviewer_conflicts`): independent, so not anyone involved before (first or second
  marker, moderator, the person who signed off), and refused for the same reasons as an assessor.

An empty list means no conflict. The services refuse the allocation when the list is not empty and show every
reason.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from portal.assessments.calendar import format_date


class ConflictKind(StrEnum):
    SELF = "self"
    SUPERVISOR = "supervisor"
    SAME_TEAM = "same_team"
    SAME_ORGANISATION = "same_organisation"
    OWN_MARKING = "own_marking"
    FIRST_MARKER = "first_marker"
    INVOLVED_BEFORE = "involved_before"


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    reason: str
    person_id: Hashable = None


@dataclass(frozen=True)
class Affiliation:
    """A team or an organisation. Compared by id only; the name is for the reason."""

    id: Hashable
    name: str = field(default="", compare=False)


def _affiliations(values: Iterable[Affiliation | Hashable]) -> frozenset[Affiliation]:
    return frozenset(v if isinstance(v, Affiliation) else Affiliation(v) for v in values)


@dataclass(frozen=True)
class SupervisionPeriod:
    """A period in which ``supervisor_id`` supervised the practitioner (``end`` None: still does)."""

    supervisor_id: Hashable
    start: date
    end: date | None = None


@dataclass(frozen=True)
class AssessorFacts:
    """The person being considered (assessor, second marker, moderator or reviewer). ``teams`` and
    ``organisations`` are the ones they work in or hold a role in now: ids or :class:`Affiliation`."""

    user_id: Hashable
    name: str
    teams: frozenset[Affiliation] = frozenset()
    organisations: frozenset[Affiliation] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "teams", _affiliations(self.teams))
        object.__setattr__(self, "organisations", _affiliations(self.organisations))


@dataclass(frozen=True)
class PractitionerFacts:
    """The practitioner whose submission it is: their teams and organisations now, and their whole supervision
    history (every supervisor, past and present, from all employers)."""

    user_id: Hashable
    teams: frozenset[Affiliation] = frozenset()
    organisations: frozenset[Affiliation] = frozenset()
    supervision: tuple[SupervisionPeriod, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "teams", _affiliations(self.teams))
        object.__setattr__(self, "organisations", _affiliations(self.organisations))
        object.__setattr__(self, "supervision", tuple(sorted(self.supervision, key=lambda p: p.start)))


def _names(shared: Iterable[Affiliation]) -> str:
    names = sorted(a.name for a in shared if a.name)
    return f" ({', '.join(names)})" if names else ""


def _self_and_supervision(person: AssessorFacts, practitioner: PractitionerFacts, doing: str) -> list[Conflict]:
    if person.user_id == practitioner.user_id:
        return [Conflict(ConflictKind.SELF, f"{person.name} cannot {doing} their own portfolio", person.user_id)]
    conflicts = []
    for period in practitioner.supervision:
        if period.supervisor_id != person.user_id:
            continue
        if period.end is None:
            reason = f"{person.name} supervises this practitioner (since {format_date(period.start)})"
        else:
            reason = (f"{person.name} supervised this practitioner from {format_date(period.start)} "
                      f"to {format_date(period.end)}")
        conflicts.append(Conflict(ConflictKind.SUPERVISOR, reason, person.user_id))
    return conflicts


def assessor_conflicts(assessor: AssessorFacts, practitioner: PractitionerFacts,
                       stage_is_year5: bool) -> list[Conflict]:
    """Why ``assessor`` may not assess this practitioner's submission (empty: they may)."""
    return _assessment_conflicts(assessor, practitioner, stage_is_year5, doing="assess")


def _assessment_conflicts(person: AssessorFacts, practitioner: PractitionerFacts, stage_is_year5: bool, *,
                          doing: str) -> list[Conflict]:
    conflicts = _self_and_supervision(person, practitioner, doing)
    if conflicts and conflicts[0].kind is ConflictKind.SELF:
        return conflicts
    shared_teams = person.teams & practitioner.teams
    if shared_teams:
        conflicts.append(Conflict(
            ConflictKind.SAME_TEAM,
            f"{person.name} works in the same team as this practitioner{_names(shared_teams)}", person.user_id))
    shared_organisations = person.organisations & practitioner.organisations
    if stage_is_year5 and shared_organisations:
        conflicts.append(Conflict(
            ConflictKind.SAME_ORGANISATION,
            f"{person.name} works for the same organisation as this practitioner{_names(shared_organisations)}; "
            f"the year 5 assessment must be done by someone from another organisation", person.user_id))
    return conflicts


def second_marker_conflicts(second_marker: AssessorFacts, practitioner: PractitionerFacts, stage_is_year5: bool,
                            *, first_marker_id: Hashable) -> list[Conflict]:
    """Why ``second_marker`` may not second-mark this submission blind (empty: they may)."""
    conflicts = []
    if second_marker.user_id == first_marker_id:
        conflicts.append(Conflict(ConflictKind.FIRST_MARKER,
                                  f"{second_marker.name} made the first mark, so cannot be the blind second marker",
                                  second_marker.user_id))
    return conflicts + _assessment_conflicts(second_marker, practitioner, stage_is_year5, doing="second-mark")


def moderator_conflicts(moderator: AssessorFacts, *, first_marker_id: Hashable,
                        practitioner: PractitionerFacts | None = None) -> list[Conflict]:
    """Why ``moderator`` may not moderate this recommendation (empty: they may)."""
    conflicts = []
    if moderator.user_id == first_marker_id:
        conflicts.append(Conflict(ConflictKind.OWN_MARKING,
                                  f"{moderator.name} marked this submission, so cannot moderate it",
                                  moderator.user_id))
    if practitioner is not None:
        conflicts += _self_and_supervision(moderator, practitioner, "moderate")
    return conflicts


def reviewer_conflicts(reviewer: AssessorFacts, practitioner: PractitionerFacts, stage_is_year5: bool, *,
                       involved: Mapping[Hashable, str]) -> list[Conflict]:
    """Why ``reviewer`` may not review an appeal. ``involved`` maps each person involved in the decision to
    their part in it ("first marker", "second marker", "moderator", "signed off the stage")."""
    conflicts = []
    if reviewer.user_id in involved:
        conflicts.append(Conflict(
            ConflictKind.INVOLVED_BEFORE,
            f"{reviewer.name} was involved in the decision ({involved[reviewer.user_id]}), so cannot review the "
            f"appeal", reviewer.user_id))
    return conflicts + _assessment_conflicts(reviewer, practitioner, stage_is_year5, doing="review the appeal on")

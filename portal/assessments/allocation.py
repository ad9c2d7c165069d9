"""Who may assess, second-mark, moderate or review: the facts ``conflicts.py`` judges, gathered from the database
(supervision history across every enrolment, teams now, organisations now), each candidate's current load, and the
allocation of an assessor.

Each fact-gathering function runs a fixed number of queries, however many candidates there are.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import permissions
from portal.assessments import calendar, conflicts
from portal.assessments.models import ASSESSOR_STATES, Submission
from portal.assessments.states import SubmissionState as S
from portal.assessments.submissions import apply_move, check_move
from portal.db import session, utcnow
from portal.enrolments.models import Enrolment, SupervisorAllocation
from portal.exceptions import DomainError
from portal.users.models import Organisation, Role, RoleGrant, Team, TeamMembership, User, UserStatus

#: Working days the assessor has to mark, counted from the allocation (the admin may choose another date).
ASSESSMENT_WORKING_DAYS = 20


def _teams(user_ids: Iterable[int]) -> dict[int, list[conflicts.Affiliation]]:
    ids = list(dict.fromkeys(user_ids))
    result: dict[int, list[conflicts.Affiliation]] = defaultdict(list)
    if ids:
        for user_id, team_id, name in session().execute(
                select(TeamMembership.user_id, Team.id, Team.name).join(Team, Team.id == TeamMembership.team_id)
                .where(TeamMembership.user_id.in_(ids))):
            result[user_id].append(conflicts.Affiliation(team_id, name))
    return result


def _organisations(users: Sequence[User]) -> dict[int, list[conflicts.Affiliation]]:
    """Organisations each user holds a role in (their grants, loaded with the users)."""
    ids = {g.organisation_id for u in users for g in u.grants if g.organisation_id is not None}
    names = dict(session().execute(select(Organisation.id, Organisation.name)
                                   .where(Organisation.id.in_(ids or {-1}))).all()) if ids else {}
    return {u.id: [conflicts.Affiliation(i, names.get(i, "")) for i in sorted(u.organisation_ids())] for u in users}


def practitioner_facts(submission: Submission) -> conflicts.PractitionerFacts:
    """The practitioner's teams and organisations now (their roles and current employer) and every supervisor
    they have had on any enrolment (4 queries)."""
    practitioner = submission.practitioner
    periods = [conflicts.SupervisionPeriod(supervisor_id, start, end) for supervisor_id, start, end in session().execute(
        select(SupervisorAllocation.supervisor_id, SupervisorAllocation.started_on, SupervisorAllocation.ended_on)
        .join(Enrolment, Enrolment.id == SupervisorAllocation.enrolment_id)
        .where(Enrolment.practitioner_id == practitioner.id))]
    current = submission.enrolment.supervisor_id
    if current is not None and not any(p.supervisor_id == current and p.end is None for p in periods):
        periods.append(conflicts.SupervisionPeriod(current, submission.enrolment.start_date, None))
    organisations = _organisations([practitioner])[practitioner.id]
    employer = submission.enrolment.organisation
    if employer.id not in {a.id for a in organisations}:
        organisations.append(conflicts.Affiliation(employer.id, employer.name))
    return conflicts.PractitionerFacts(practitioner.id, teams=frozenset(_teams([practitioner.id])[practitioner.id]),
                                       organisations=frozenset(organisations), supervision=tuple(periods))


def person_facts(users: Sequence[User]) -> dict[int, conflicts.AssessorFacts]:
    """Facts about the people considered (their grants loaded): teams and organisations now (2 queries)."""
    teams = _teams(u.id for u in users)
    organisations = _organisations(users)
    return {u.id: conflicts.AssessorFacts(u.id, u.name, teams=frozenset(teams[u.id]),
                                          organisations=frozenset(organisations[u.id])) for u in users}


def loads(user_ids: Iterable[int]) -> dict[int, int]:
    """Each assessor's current load: submissions allocated to them that are still with them (one query)."""
    ids = list(dict.fromkeys(user_ids))
    result = dict.fromkeys(ids, 0)
    if ids:
        for assessor_id, count in session().execute(
                select(Submission.assessor_id, func.count()).where(Submission.assessor_id.in_(ids),
                                                                   Submission.state.in_(list(ASSESSOR_STATES)))
                .group_by(Submission.assessor_id)):
            result[assessor_id] = count
    return result


def people_with_role(role: Role, *, limit: int = 500) -> list[User]:
    """Active people holding ``role`` in any organisation, by name, with their grants (2 queries)."""
    return list(session().execute(
        select(User).options(selectinload(User.grants))
        .where(User.status == UserStatus.ACTIVE, User.id.in_(select(RoleGrant.user_id).where(RoleGrant.role == role)))
        .order_by(User.name, User.id).limit(limit)).scalars())


@dataclass(frozen=True)
class Candidate:
    """A person who might be chosen, their load and every reason they may not be (empty: they may)."""

    user: User
    load: int
    organisations: tuple[str, ...]
    conflicts: tuple[conflicts.Conflict, ...]

    @property
    def allowed(self) -> bool:
        return not self.conflicts


def candidates(submission: Submission, judge: Any, *, role: Role = Role.ASSESSOR) -> list[Candidate]:
    """Everyone holding ``role``, judged by ``judge(facts, practitioner_facts)`` (a list of conflicts), with their
    load: those allowed first, the least loaded first."""
    people = people_with_role(role)
    facts = person_facts(people)
    practitioner = practitioner_facts(submission)
    load = loads(u.id for u in people)
    rows = [Candidate(u, load[u.id], tuple(sorted(a.name for a in facts[u.id].organisations)),
                      tuple(judge(facts[u.id], practitioner))) for u in people]
    return sorted(rows, key=lambda c: (not c.allowed, c.load, c.user.name, c.user.id))


def assessor_candidates(submission: Submission) -> list[Candidate]:
    """Assessors for this submission, each with their conflicts (supervisor then or now, same team, for the
    independent stage the same organisation) and load."""
    return candidates(submission, lambda person, practitioner: conflicts.assessor_conflicts(
        person, practitioner, submission.independent))


def conflicts_of(user: User, submission: Submission, judge: Any) -> list[conflicts.Conflict]:
    """One person's conflicts for this submission."""
    return list(judge(person_facts([user])[user.id], practitioner_facts(submission)))


def refuse_conflicts(found: Sequence[conflicts.Conflict], field: str) -> None:
    if found:
        raise DomainError("; ".join(c.reason for c in found), field)


def allocate_assessor(submission: Submission, assessor: User, *, by: Any, today: dt.date,
                      due_on: dt.date | None = None) -> None:
    """Allocate the assessor of a submitted portfolio: an employer admin of the practitioner's employer (years
    1-4) or a programme admin (any stage; alone for the independent stage). Refuses someone without the assessor
    role and anyone with a conflict (every reason is given). Due by default 20 working days from today."""
    if not permissions.can_allocate_for(by, submission):
        raise DomainError("The independent assessor is allocated by a programme admin" if submission.independent
                          else "Only an admin of the practitioner's employer or a programme admin can allocate "
                               "an assessor")
    allowed = check_move(submission, S.UNDER_ASSESSMENT, by=by)
    if assessor.status != UserStatus.ACTIVE or not assessor.has_role(Role.ASSESSOR):
        raise DomainError(f"{assessor.name} is not an assessor", "assessor")
    refuse_conflicts(conflicts_of(assessor, submission, lambda person, practitioner: conflicts.assessor_conflicts(
        person, practitioner, submission.independent)), "assessor")
    due_on = due_on or calendar.add_working_days(today, ASSESSMENT_WORKING_DAYS)
    if due_on <= today:
        raise DomainError("The date the marking is due must be in the future", "due_on")
    submission.assessor_id = assessor.id
    submission.assessor = assessor
    submission.allocated_at = utcnow()
    submission.allocated_by_id = by.id
    submission.assessor_due_on = due_on
    apply_move(submission, allowed, by=by, assessor_id=assessor.id, due_on=due_on.isoformat())

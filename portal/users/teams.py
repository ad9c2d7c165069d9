"""Teams inside an organisation, kept by its employer admins. The assessment conflict rule reads them: an assessor
never marks someone in a team they share now. Services flush; the caller commits once."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import audit
from portal.db import session
from portal.exceptions import DomainError
from portal.users.models import Organisation, Team, TeamMembership, User


def teams_of(organisation: Organisation) -> list[Team]:
    """An organisation's teams by name, with their members (2 queries)."""
    return list(session().execute(
        select(Team).options(selectinload(Team.memberships).joinedload(TeamMembership.user))
        .where(Team.organisation_id == organisation.id).order_by(Team.name, Team.id)).scalars())


def create_team(organisation: Organisation, *, name: str, by: Any) -> Team:
    """A new team in the organisation (names are unique within it)."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Enter the team's name", "name")
    if len(name) > 120:
        raise DomainError("Team name must be 120 characters or fewer", "name")
    organisation_name = organisation.name
    team = Team(organisation_id=organisation.id, name=name, created_by_id=getattr(by, "id", None))
    sess = session()
    sess.add(team)
    try:
        with sess.begin_nested():
            sess.flush()
    except IntegrityError:
        if team in sess:
            sess.expunge(team)
        raise DomainError(f"{organisation_name} already has a team called {name}", "name") from None
    audit.record(by, "team.created", team, organisation_id=organisation.id, name=name)
    return team


def add_team_member(team: Team, person: User, *, by: Any) -> TeamMembership:
    """Add someone who holds a role in the team's organisation."""
    if team.organisation_id not in person.organisation_ids():
        raise DomainError(f"{person.name} has no role in {team.organisation.name}", "person")
    if any(m.user_id == person.id for m in team.memberships):
        raise DomainError(f"{person.name} is already in this team", "person")
    membership = TeamMembership(team_id=team.id, user_id=person.id, added_by_id=getattr(by, "id", None))
    team.memberships.append(membership)
    session().flush()
    audit.record(by, "team.member_added", team, user_id=person.id)
    return membership


def remove_team_member(team: Team, person: User, *, by: Any) -> None:
    """Take someone out of a team (the audit log keeps that they were in it)."""
    membership = next((m for m in team.memberships if m.user_id == person.id), None)
    if membership is None:
        raise DomainError(f"{person.name} is not in this team")
    team.memberships.remove(membership)
    session().flush()
    audit.record(by, "team.member_removed", team, user_id=person.id)

"""An organisation's teams: its employer admins (and programme admins) add teams and their members. The assessment
conflict rule reads them ("never someone in your own team")."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.auth.forms import ActionForm
from portal.db import session
from portal.exceptions import DomainError
from portal.permissions import can_manage_team, can_manage_teams, requires
from portal.urls import parse_id
from portal.users import bp, teams
from portal.users.forms import TeamForm, TeamMemberForm
from portal.users.models import Organisation, RoleGrant, Team, User


@bp.route("/organisations/<int:org_id>/teams", methods=["GET", "POST"])
@requires(can_manage_teams, load=("org_id", Organisation))
def teams_page(organisation: Organisation) -> Any:
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = teams.create_team(organisation, name=form.name.data, by=current_user)
        except DomainError as error:
            session().rollback()
            form.fail(error)
        else:
            session().commit()
            flash(f"The team {team.name} has been added", "success")
            return redirect(url_for("users.team", team_id=team.id))
    return render_template("users/teams.html", organisation=organisation, teams=teams.teams_of(organisation),
                           form=form)


def _people_of(organisation_id: int) -> list[User]:
    return list(session().execute(
        select(User).where(User.id.in_(select(RoleGrant.user_id).where(RoleGrant.organisation_id == organisation_id)))
        .order_by(User.name, User.id).limit(1000)).scalars())


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@requires(can_manage_team, load=("team_id", Team))
def team(team: Team) -> Any:
    form = TeamMemberForm()
    members = {m.user_id for m in team.memberships}
    form.person.choices = [("", "Select a person")] + [(str(u.id), u.name) for u in _people_of(team.organisation_id)
                                                       if u.id not in members]
    if form.validate_on_submit():
        person = session().get(User, number) if (number := parse_id(form.person.data)) else None
        if person is None:
            abort(400)
        try:
            teams.add_team_member(team, person, by=current_user)
        except DomainError as error:
            session().rollback()
            form.fail(error)
        else:
            session().commit()
            flash(f"{person.name} has been added to the team", "success")
            return redirect(url_for("users.team", team_id=team.id))
    return render_template("users/team.html", team=team, form=form, action_form=ActionForm())


@bp.route("/teams/<int:team_id>/members/<int:user_id>/remove", methods=["POST"])
@requires(can_manage_team, load=("team_id", Team))
def remove_team_member(team: Team, user_id: int) -> Any:
    form = ActionForm()
    person = session().get(User, user_id)
    if person is None:
        abort(404)
    if form.validate_on_submit():
        try:
            teams.remove_team_member(team, person, by=current_user)
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
        else:
            session().commit()
            flash(f"{person.name} has been taken out of the team", "success")
    return redirect(url_for("users.team", team_id=team.id))

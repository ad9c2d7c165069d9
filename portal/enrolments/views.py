"""Enrolment pages: the employer's list, enrolling someone, an enrolment's page (dashboard and clock), the
supervisor's supervisees, and the practitioner's dashboard on the home page. The clock and record forms are in
record_views.py."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.db import session
from portal.enrolments import bp, queries, services, stage_dates
from portal.enrolments.dashboard import STATUS_LABELS, dashboard_for, headline
from portal.enrolments.forms import EnrolForm, OrganisationChoiceForm
from portal.enrolments.models import Enrolment, EnrolmentStatus
from portal.exceptions import DomainError
from portal.framework.models import ProgrammeVersion
from portal.framework.services import latest_versions, newer_versions, published_versions, template_for
from portal.pagination import keyset_page
from portal.permissions import (
    administered_organisation_ids,
    can_enrol,
    can_list_enrolments,
    can_manage_enrolment,
    can_view_enrolment,
    can_view_supervisees,
    is_programme_admin,
    requires,
)
from portal.users.models import Organisation, Role, User
from portal.users.services import people_query


def _page_size() -> int:
    return int(current_app.config["PAGE_SIZE"])


@bp.app_template_global("progress_tag")
def progress_tag(status: Any) -> dict[str, str]:
    """govukTag params for a progress status (met, in progress, not started, overdue)."""
    text, classes = STATUS_LABELS[getattr(status, "value", status)]
    return {"text": text, "classes": classes}


bp.add_app_template_global(headline, "progress_headline")


# ------------------------------------------------------------------------------------------------------- lists
def _stage_choices(programme: str) -> list[tuple[str, str]]:
    choices = []
    for version in latest_versions():
        if programme and version.code != programme:
            continue
        for stage in template_for(version).stages:
            choices.append((stage.code, stage.name if programme else f"{version.name}: {stage.name}"))
    return choices


@bp.route("/enrolments")
@requires(can_list_enrolments)
def enrolments() -> Any:
    today = services.london_today()
    programmes = latest_versions()
    programme = request.args.get("programme", "")
    if programme not in {v.code for v in programmes}:
        programme = ""
    stages = _stage_choices(programme)
    stage = request.args.get("stage", "")
    if stage not in {code for code, _ in stages}:
        stage = ""
    query = queries.with_people(select(Enrolment))
    if not is_programme_admin(current_user):
        query = query.where(Enrolment.organisation_id.in_(administered_organisation_ids(current_user) or {-1}))
    if programme:
        query = query.where(Enrolment.programme_code == programme)
    after, before = request.args.get("after"), request.args.get("before")
    if stage:
        query = query.where(Enrolment.status == EnrolmentStatus.ACTIVE, stage_dates.in_stage(stage, today))
    page = keyset_page(query, [Enrolment.id], after=after, before=before, size=_page_size(), descending=True)
    return render_template("enrolments/list.html", page=page, standings=queries.standings(page.items, today),
                           programmes=programmes, programme=programme, stages=stages, stage=stage,
                           show_employer=is_programme_admin(current_user)
                           or len(administered_organisation_ids(current_user)) > 1)


@bp.route("/supervisees")
@requires(can_view_supervisees)
def supervisees() -> Any:
    today = services.london_today()
    query = queries.with_people(select(Enrolment).where(
        Enrolment.supervisor_id == current_user.id, Enrolment.status == EnrolmentStatus.ACTIVE,
        # only where they hold the supervisor role now (permissions.is_current_supervisor_of)
        Enrolment.organisation_id.in_(current_user.organisation_ids(Role.SUPERVISOR) or {-1})))
    page = keyset_page(query, [Enrolment.id], after=request.args.get("after"), before=request.args.get("before"),
                       size=_page_size(), descending=True)
    return render_template("enrolments/supervisees.html", page=page,
                           standings=queries.standings(page.items, today))


# ------------------------------------------------------------------------------------------------------ enrolling
def _enrolling_organisations() -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.name, Organisation.id)
    if not is_programme_admin(current_user):
        query = query.where(Organisation.id.in_(administered_organisation_ids(current_user) or {-1}))
    return list(session().execute(query).scalars())


def _people(organisation: Organisation, role: Role) -> list[User]:
    query = people_query(organisation_ids={organisation.id}, role=role).order_by(User.name, User.id)
    return list(session().execute(query).scalars())


def _default_version(versions: list[ProgrammeVersion]) -> ProgrammeVersion | None:
    """The latest published version of the five-year ECF (the default programme), else the first listed."""
    for version in versions:
        if version.code == "ECF-5Y":
            return version
    return versions[0] if versions else None


@bp.route("/enrolments/new", methods=["GET", "POST"])
@requires(can_enrol)
def enrol() -> Any:
    organisations = _enrolling_organisations()
    by_id = {str(o.id): o for o in organisations}
    organisation = by_id.get(request.args.get("organisation", ""))
    if organisation is None and len(organisations) == 1:
        organisation = organisations[0]
    versions = published_versions()
    if organisation is None:
        choice = OrganisationChoiceForm(request.args if "organisation" in request.args else None)
        choice.organisation.choices = [("", "Select an organisation")] + [(k, o.name) for k, o in by_id.items()]
        if "organisation" in request.args:
            choice.validate()
        return render_template("enrolments/choose_organisation.html", form=choice, versions=versions)
    form = EnrolForm()
    form.practitioner.choices = [("", "Select a practitioner")] + [
        (str(u.id), f"{u.name} ({u.email})") for u in _people(organisation, Role.PRACTITIONER)]
    form.supervisor.choices = [("", "No practice supervisor yet")] + [
        (str(u.id), u.name) for u in _people(organisation, Role.SUPERVISOR)]
    form.programme_version.choices = [(str(v.id), v.label) for v in versions]
    default = _default_version(versions)
    if request.method == "GET" and default is not None:
        form.programme_version.data = str(default.id)
    if versions and form.validate_on_submit():
        sess = session()
        practitioner = sess.get(User, int(form.practitioner.data))
        version = sess.get(ProgrammeVersion, int(form.programme_version.data))
        chosen = (form.supervisor.data or "").strip()  # Optional() passes a blank without checking the choices
        supervisor = sess.get(User, int(chosen)) if chosen else None
        try:
            enrolment = services.enrol(practitioner=practitioner, organisation=organisation,
                                       programme_version=version, start_date=form.start_date.data,
                                       fte=form.fte.data, supervisor=supervisor, by=current_user)
        except DomainError as error:
            sess.rollback()
            form.fail(error)
        else:
            sess.commit()
            flash(f"{practitioner.name} has been enrolled on {version.label}", "success")
            return redirect(url_for("enrolments.enrolment", enrolment_id=enrolment.id))
    return render_template("enrolments/enrol.html", form=form, organisation=organisation,
                           several=len(organisations) > 1, versions=versions)


# ------------------------------------------------------------------------------------------- one enrolment
@bp.route("/enrolments/<int:enrolment_id>")
@requires(can_view_enrolment, load=("enrolment_id", Enrolment))
def enrolment(enrolment: Enrolment) -> Any:
    today = services.london_today()
    dashboard = dashboard_for(enrolment, today)
    newer = newer_versions(enrolment.programme_version) if can_manage_enrolment(current_user,
                                                                                          enrolment) else []
    from portal.assessments.queries import submissions_of_enrolment

    return render_template("enrolments/enrolment.html", enrolment=enrolment, dashboard=dashboard,
                           history=queries.history(enrolment), newer=newer,
                           submissions=submissions_of_enrolment(enrolment.id))


def dashboard_context(user: Any) -> dict[str, Any]:
    """What the home page adds for a signed-in practitioner with an enrolment: their dashboard."""
    enrolment = queries.current_enrolment(user)
    if enrolment is None:
        return {}
    return {"dashboard": dashboard_for(enrolment, services.london_today())}

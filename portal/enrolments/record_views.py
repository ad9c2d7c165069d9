"""Forms on an enrolment: its clock and people (pause, extension, supervisor, transfer, version) and its records
(review meetings, self-assessments, documents, external results). Each page is one form; the service decides."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.db import session
from portal.enrolments import bp, services
from portal.enrolments.forms import (
    DocumentForm,
    ExtensionForm,
    ExternalResultForm,
    MigrateForm,
    PauseForm,
    ReviewForm,
    SelfAssessmentForm,
    SupervisorForm,
    TransferForm,
    ratings_from,
    whole_number,
    with_ratings,
)
from portal.enrolments.models import Enrolment, PauseReason, ReviewMeetingRecord, SelfAssessment
from portal.exceptions import DomainError
from portal.forms import BaseForm
from portal.framework.definitions import ProgrammeTemplate
from portal.framework.models import ProgrammeVersion
from portal.framework.services import newer_versions, template_for
from portal.permissions import (
    can_manage_enrolment,
    can_record_pathway_document,
    can_record_review,
    can_transfer_enrolment,
    can_view_enrolment,
    requires,
)
from portal.users.models import Organisation, Role, User
from portal.users.services import people_query


def _back(enrolment: Enrolment) -> Any:
    return redirect(url_for("enrolments.enrolment", enrolment_id=enrolment.id))


def _submit(form: BaseForm, enrolment: Enrolment, action: Callable[[], Any], message: str,
            field_names: dict[str, str] | None = None) -> Any:
    """Run a service for a valid form: commit and go back to the enrolment, or show the refusal on its field."""
    if not form.validate_on_submit():
        return None
    try:
        action()
    except DomainError as error:
        session().rollback()
        if field_names and error.field in field_names:
            error = DomainError(error.message, field_names[error.field])
        form.fail(error)
        return None
    session().commit()
    flash(message, "success")
    return _back(enrolment)


def _stage_choices(template: ProgrammeTemplate, *, timed_only: bool = True) -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in template.stages if s.months > 0 or not timed_only]


def _current_stage(enrolment: Enrolment) -> str | None:
    from portal.enrolments.queries import current_stages

    return current_stages([enrolment], services.london_today())[enrolment.id]


def _page(template_name: str, enrolment: Enrolment, form: BaseForm, **context: Any) -> Any:
    return render_template(template_name, enrolment=enrolment, form=form, **context)


# ----------------------------------------------------------------------------------------- clock and people
@bp.route("/enrolments/<int:enrolment_id>/pauses/new", methods=["GET", "POST"])
@requires(can_manage_enrolment, load=("enrolment_id", Enrolment))
def add_pause(enrolment: Enrolment) -> Any:
    form = PauseForm()
    done = _submit(form, enrolment, lambda: services.record_pause(
        enrolment, start_date=form.start_date.data, end_date=form.end_date.data,
        reason=PauseReason(form.reason.data), details=form.details.data or "", by=current_user),
        "The pause has been added. Later due dates have moved")
    return done or _page("enrolments/pause.html", enrolment, form)


@bp.route("/enrolments/<int:enrolment_id>/extensions/new", methods=["GET", "POST"])
@requires(can_manage_enrolment, load=("enrolment_id", Enrolment))
def add_extension(enrolment: Enrolment) -> Any:
    form = ExtensionForm()
    form.stage_code.choices = _stage_choices(template_for(enrolment.programme_version))
    if request.method == "GET":
        form.stage_code.data = _current_stage(enrolment)
    done = _submit(form, enrolment, lambda: services.grant_extension(
        enrolment, stage_code=form.stage_code.data, months=whole_number(form.months.data),
        days=whole_number(form.days.data), reason=form.reason.data or "", by=current_user),
        "The extension has been added. Later due dates have moved")
    return done or _page("enrolments/extension.html", enrolment, form)


def _supervisor_choices(organisation: Organisation) -> list[tuple[str, str]]:
    query = people_query(organisation_ids={organisation.id}, role=Role.SUPERVISOR).order_by(User.name, User.id)
    return [("", "No practice supervisor")] + [(str(u.id), u.name) for u in session().execute(query).scalars()]


@bp.route("/enrolments/<int:enrolment_id>/supervisor", methods=["GET", "POST"])
@requires(can_manage_enrolment, load=("enrolment_id", Enrolment))
def change_supervisor(enrolment: Enrolment) -> Any:
    form = SupervisorForm()
    form.supervisor.choices = _supervisor_choices(enrolment.organisation)
    if request.method == "GET":
        form.supervisor.data = str(enrolment.supervisor_id or "")

    def change() -> None:
        chosen = (form.supervisor.data or "").strip()  # Optional() passes a blank without checking the choices
        supervisor = session().get(User, int(chosen)) if chosen else None
        services.change_supervisor(enrolment, supervisor, by=current_user)

    done = _submit(form, enrolment, change, "The practice supervisor has been changed")
    return done or _page("enrolments/supervisor.html", enrolment, form)


@bp.route("/enrolments/<int:enrolment_id>/transfer", methods=["GET", "POST"])
@requires(can_transfer_enrolment, load=("enrolment_id", Enrolment))
def transfer(enrolment: Enrolment) -> Any:
    form = TransferForm()
    organisations = session().execute(select(Organisation).where(Organisation.id != enrolment.organisation_id)
                                      .order_by(Organisation.name, Organisation.id)).scalars().all()
    form.organisation.choices = [("", "Select the new employer")] + [(str(o.id), o.name) for o in organisations]

    def move() -> None:
        services.transfer(enrolment, session().get(Organisation, int(form.organisation.data)), by=current_user)

    done = _submit(form, enrolment, move, f"{enrolment.practitioner.name}'s enrolment has been transferred")
    if done is not None and not can_view_enrolment(current_user, enrolment):
        return redirect(url_for("enrolments.enrolments"))  # the old employer no longer sees it
    return done or _page("enrolments/transfer.html", enrolment, form)


@bp.route("/enrolments/<int:enrolment_id>/version", methods=["GET", "POST"])
@requires(can_manage_enrolment, load=("enrolment_id", Enrolment))
def migrate(enrolment: Enrolment) -> Any:
    form = MigrateForm()
    newer = newer_versions(enrolment.programme_version)
    form.version.choices = [(str(v.id), v.label) for v in newer]
    if request.method == "GET" and newer:
        form.version.data = str(newer[0].id)
    done = _submit(form, enrolment, lambda: services.migrate(
        enrolment, session().get(ProgrammeVersion, int(form.version.data)), by=current_user),
        "The enrolment has moved to the new version. Progress now follows its requirements")
    return done or _page("enrolments/migrate.html", enrolment, form, newer=newer)


# ---------------------------------------------------------------------------------------------------- records
@bp.route("/enrolments/<int:enrolment_id>/reviews/<review_code>", methods=["GET", "POST"])
@requires(can_view_enrolment, load=("enrolment_id", Enrolment))
def review(enrolment: Enrolment, review_code: str) -> Any:
    """A review meeting: its record (everyone who can see the enrolment), or the form to record it."""
    template = template_for(enrolment.programme_version)
    try:
        stage, meeting = template.review(review_code)
    except KeyError:
        abort(404)
    sess = session()
    record = sess.execute(select(ReviewMeetingRecord).where(ReviewMeetingRecord.enrolment_id == enrolment.id,
                                                            ReviewMeetingRecord.review_code == review_code)
                          ).scalar_one_or_none()
    may_record = record is None and can_record_review(current_user, enrolment)
    if request.method == "POST" and not may_record:
        abort(403)
    statements: list[tuple[str, str]] = []
    if meeting.kss_self_assessment:
        standards_set = template.standards_set(services.self_assessment_set(template, stage))
        statements = [(s.code, s.title) for s in standards_set.statements]
    form = with_ratings(ReviewForm, statements)() if may_record else None
    fields = {f"rating-{code}": f"rating_{n}" for n, (code, _) in enumerate(statements, 1)}
    if form is not None:
        done = _submit(form, enrolment, lambda: services.record_review(
            enrolment, review_code=review_code, held_on=form.held_on.data, attendees=form.attendees.data or "",
            notes=form.notes.data or "", development_plan=form.development_plan.data or "",
            ratings=ratings_from(form, statements), by=current_user),
            f"The {meeting.name.lower()} has been recorded", fields)
        if done is not None:
            return done
    self_assessment = sess.execute(select(SelfAssessment).where(SelfAssessment.review_meeting_id == record.id)
                                   ).scalar_one_or_none() if record else None
    return render_template("enrolments/review.html", enrolment=enrolment, stage=stage, meeting=meeting,
                           record=record, form=form, statements=statements, self_assessment=self_assessment,
                           due=_review_due(enrolment, review_code))


def _review_due(enrolment: Enrolment, review_code: str) -> Any:
    from portal.enrolments.queries import clock_inputs, schedule_of

    inputs = clock_inputs([enrolment.id])[enrolment.id]
    return schedule_of(enrolment, *inputs, services.london_today()).review_due(review_code).due


@bp.route("/enrolments/<int:enrolment_id>/self-assessments/new", methods=["GET", "POST"])
@requires(can_record_pathway_document, load=("enrolment_id", Enrolment))
def add_self_assessment(enrolment: Enrolment) -> Any:
    template = template_for(enrolment.programme_version)
    current = _current_stage(enrolment) or template.stages[0].code
    set_code = services.self_assessment_set(template, template.stage(current))
    statements = [(s.code, s.title) for s in template.standards_set(set_code).statements]
    form = with_ratings(SelfAssessmentForm, statements)()
    form.stage_code.choices = _stage_choices(template)
    if request.method == "GET":
        form.stage_code.data = current
    fields = {f"rating-{code}": f"rating_{n}" for n, (code, _) in enumerate(statements, 1)}
    done = _submit(form, enrolment, lambda: services.record_self_assessment(
        enrolment, point=form.point.data, set_code=set_code, ratings=ratings_from(form, statements),
        completed_on=form.completed_on.data, stage_code=form.stage_code.data, by=current_user),
        "The self-assessment has been saved", fields)
    return done or _page("enrolments/self_assessment.html", enrolment, form, statements=statements,
                         set_name=template.standards_set(set_code).name)


@bp.route("/enrolments/<int:enrolment_id>/documents/new", methods=["GET", "POST"])
@requires(can_record_pathway_document, load=("enrolment_id", Enrolment))
def add_document(enrolment: Enrolment) -> Any:
    form = DocumentForm()
    form.stage_code.choices = _stage_choices(template_for(enrolment.programme_version))
    if request.method == "GET":
        form.stage_code.data = _current_stage(enrolment)
    done = _submit(form, enrolment, lambda: services.record_document(
        enrolment, kind=form.kind.data, title=form.title.data or "", summary=form.summary.data or "",
        completed_on=form.completed_on.data, stage_code=form.stage_code.data, by=current_user),
        "The document has been added")
    return done or _page("enrolments/document.html", enrolment, form)


@bp.route("/enrolments/<int:enrolment_id>/results/new", methods=["GET", "POST"])
@requires(can_manage_enrolment, load=("enrolment_id", Enrolment))
def add_result(enrolment: Enrolment) -> Any:
    form = ExternalResultForm()
    form.stage_code.choices = _stage_choices(template_for(enrolment.programme_version))
    if request.method == "GET":
        form.stage_code.data = _current_stage(enrolment)
    done = _submit(form, enrolment, lambda: services.record_external_result(
        enrolment, kind=form.kind.data, passed=form.passed.data == "yes", recorded_on=form.recorded_on.data,
        notes=form.notes.data or "", stage_code=form.stage_code.data, by=current_user),
        "The result has been recorded")
    return done or _page("enrolments/result.html", enrolment, form)

"""Adding and changing each kind of casework evidence, by the person who writes it: the practitioner's case
reflections, feedback they gathered and their reflections; the observer's direct observations; the supervisor's
supervision records. Deleting drafts and files."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.auth.forms import ActionForm
from portal.casework import bp, services
from portal.casework.forms import (
    ChooseEnrolmentForm,
    FamilyFeedbackForm,
    ObservationForm,
    PractitionerReflectionForm,
    ReflectionForm,
    SupervisionForm,
)
from portal.casework.kinds import Writer
from portal.casework.models import CaseworkItem, CaseworkKind
from portal.casework.views import LOAD_ENROLMENT, LOAD_ITEM, item_url
from portal.db import session
from portal.enrolments.models import Enrolment, EnrolmentStatus
from portal.enrolments.queries import with_people
from portal.evidence.models import EvidenceFile
from portal.exceptions import DomainError
from portal.forms import BaseForm
from portal.permissions import (
    can_add_casework,
    can_delete_casework,
    can_edit_casework,
    can_record_observation,
    can_record_supervision,
    can_use_account,
    requires,
)
from portal.users.models import Role


def _values(form: BaseForm) -> dict[str, Any]:
    """The submitted answers, by the names the services take (files apart)."""
    return {name: field.data for name, field in form._fields.items()
            if name not in {"csrf_token", "submit", "files"}}


def _render(form: BaseForm, *, title: str, caption: str, back: str, intro: str = "", item: CaseworkItem | None = None,
            files: bool = False, **extra: Any) -> Any:
    return render_template("casework/form.html", form=form, title=title, caption=caption, back=back, intro=intro,
                           item=item, multipart=files, **extra)


def _save(form: BaseForm, do: Any, *, success: str) -> Any:
    """Run a service for a valid form; on a refusal show it on the field, else commit and go to the item."""
    if not form.validate_on_submit():
        return None
    try:
        result = do()
    except DomainError as error:
        session().rollback()
        form.fail(error)
        return None
    session().commit()
    item = result if isinstance(result, CaseworkItem) else None
    flash(result.message(success) if isinstance(result, services.Change) else success, "success")
    return redirect(item_url(item) if item else request.url)


def _statement_choices(form: BaseForm, enrolment: Enrolment) -> None:
    if "statements" in form._fields:
        form.statements.choices = services.statement_choices(enrolment)


def _uploads() -> list[Any]:
    return request.files.getlist("files")


# --------------------------------------------------------------------------------------------- case reflection
@bp.route("/enrolments/<int:enrolment_id>/reflections/new", methods=["GET", "POST"])
@requires(can_add_casework, load=LOAD_ENROLMENT)
def new_reflection(enrolment: Enrolment) -> Any:
    form = ReflectionForm()
    _statement_choices(form, enrolment)
    done = _save(form, lambda: services.create_case_reflection(
        enrolment, by=current_user, occurred_on=form.occurred_on.data, case_reference=form.case_reference.data,
        category=form.category.data, activity=form.activity.data, role=form.practitioner_role.data,
        texts=_values(form), statements=form.statements.data, uploads=_uploads()),
        success="Your case reflection has been saved as a draft")
    return done or _render(form, title="Add a case reflection", caption="Casework evidence", files=True,
                           back=url_for("casework.enrolment", enrolment_id=enrolment.id))


# ------------------------------------------------------------------------------------------ direct observation
@bp.route("/observations/new")
@requires(can_use_account)
def choose_observed() -> Any:
    """An observer chooses whose practice they observed: practitioners enrolled where the observer is a
    supervisor or practitioner (and their own supervisees)."""
    org_ids = current_user.organisation_ids(Role.SUPERVISOR) | current_user.organisation_ids(Role.PRACTITIONER)
    query = with_people(select(Enrolment).where(
        Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.practitioner_id != current_user.id,
        (Enrolment.organisation_id.in_(org_ids or {-1})) | (Enrolment.supervisor_id == current_user.id)))
    enrolments = [e for e in session().execute(query.limit(500)).unique().scalars()
                  if can_record_observation(current_user, e)]
    enrolments.sort(key=lambda e: (e.practitioner.name, e.id))
    form = ChooseEnrolmentForm(request.args)
    form.enrolment.choices = [("", "Select a practitioner")] + [
        (str(e.id), f"{e.practitioner.name} – {e.programme_version.name}") for e in enrolments]
    if request.args.get("enrolment") and form.validate():
        return redirect(url_for("casework.new_observation", enrolment_id=int(form.enrolment.data)))
    return render_template("casework/choose.html", form=form, enrolments=enrolments)


@bp.route("/enrolments/<int:enrolment_id>/observations/new", methods=["GET", "POST"])
@requires(can_record_observation, load=LOAD_ENROLMENT)
def new_observation(enrolment: Enrolment) -> Any:
    form = ObservationForm()
    _statement_choices(form, enrolment)
    refusal = None
    try:
        services.check_observer(current_user, enrolment)
    except DomainError as error:
        refusal = error.message
    done = _save(form, lambda: services.record_observation(
        enrolment, by=current_user, occurred_on=form.occurred_on.data, case_reference=form.case_reference.data,
        activity=form.activity.data, texts=_values(form), statements=form.statements.data),
        success=f"Your observation has been saved. {enrolment.practitioner.name} has been asked to add their "
                f"reflection")
    return done or _render(form, title=f"Record a direct observation of {enrolment.practitioner.name}",
                           caption="Direct observation", refusal=refusal, back=url_for("casework.choose_observed"))


# ------------------------------------------------------------------------------- feedback recorded in person
@bp.route("/enrolments/<int:enrolment_id>/feedback/record", methods=["GET", "POST"])
@requires(can_add_casework, load=LOAD_ENROLMENT)
def record_feedback(enrolment: Enrolment) -> Any:
    form = FamilyFeedbackForm()
    _statement_choices(form, enrolment)
    done = _save(form, lambda: _with_files(services.record_family_feedback(
        enrolment, by=current_user, occurred_on=form.occurred_on.data, case_reference=form.case_reference.data,
        texts=_values(form), statements=form.statements.data)), success="The feedback has been saved as a draft")
    return done or _render(form, title="Record feedback from a child or family", caption="Feedback", files=True,
                           intro="Record what a child or family member told you about your work with them. "
                                 "Use their words where you can, without names.",
                           back=url_for("casework.enrolment", enrolment_id=enrolment.id))


def _with_files(item: CaseworkItem) -> CaseworkItem:
    from portal.evidence.services import attach_uploads

    attach_uploads(_uploads(), attached_type=services.FILE_OWNER, attached_id=item.id, by=current_user)
    return item


# --------------------------------------------------------------------------------------- supervision record
def _discussed_choices(form: SupervisionForm, enrolment: Enrolment) -> None:
    items = session().execute(select(CaseworkItem).where(
        CaseworkItem.enrolment_id == enrolment.id, CaseworkItem.kind != CaseworkKind.SUPERVISION_RECORD)
        .order_by(CaseworkItem.occurred_on.desc(), CaseworkItem.id.desc()).limit(200)).scalars()
    form.discussed.choices = [(i.id, f"{i.title} ({i.occurred_on.day} {i.occurred_on:%B %Y})") for i in items]


@bp.route("/enrolments/<int:enrolment_id>/supervision/new", methods=["GET", "POST"])
@requires(can_record_supervision, load=LOAD_ENROLMENT)
def new_supervision(enrolment: Enrolment) -> Any:
    form = SupervisionForm()
    _statement_choices(form, enrolment)
    _discussed_choices(form, enrolment)
    done = _save(form, lambda: services.create_supervision_record(
        enrolment, by=current_user, occurred_on=form.occurred_on.data, texts=_values(form),
        statements=form.statements.data, discussed=form.discussed.data),
        success="The supervision record has been saved. Sign it and send it to the practitioner to co-sign")
    return done or _render(form, title=f"Record supervision with {enrolment.practitioner.name}",
                           caption="Supervision record",
                           back=url_for("casework.enrolment", enrolment_id=enrolment.id))


# ----------------------------------------------------------------------------------------------------- editing
def _edit_form(item: CaseworkItem, writers: set[Writer]) -> tuple[BaseForm, bool]:
    """The form for the parts this person writes, and whether it takes files."""
    kind = item.kind
    if kind == CaseworkKind.SUPERVISION_RECORD:
        form: BaseForm = SupervisionForm(data=_current(item, discussed=services.discussed_ids(item)))
        _discussed_choices(form, item.enrolment)  # type: ignore[arg-type]
        return form, False
    if kind == CaseworkKind.CASE_REFLECTION:
        return ReflectionForm(data=_current(item)), True
    if Writer.OBSERVER in writers:
        return ObservationForm(data=_current(item)), False
    if Writer.RESPONDENT in writers:
        return FamilyFeedbackForm(data=_current(item)), True
    form = PractitionerReflectionForm(data=_current(item))
    if kind == CaseworkKind.DIRECT_OBSERVATION:
        del form.statements  # the observer chose the standards observed against
    return form, True


def _current(item: CaseworkItem, **extra: Any) -> dict[str, Any]:
    return {**(item.content or {}), "occurred_on": item.occurred_on, "case_reference": item.case_reference,
            "category": item.category, "activity": item.activity or "", "practitioner_role": item.practitioner_role,
            "statements": item.statement_codes, **extra}


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@requires(can_edit_casework, load=LOAD_ITEM)
def edit(caseworkitem: CaseworkItem) -> Any:
    item = caseworkitem
    writers = services.writers_for(current_user, item)
    form, takes_files = _edit_form(item, writers)
    _statement_choices(form, item.enrolment)
    done = _save(form, lambda: services.update_item(item, by=current_user, values=_values(form),
                                                    uploads=_uploads() if takes_files else ()),
                 success="Your changes have been saved")
    if done is not None:
        return redirect(item_url(item))
    warning = None
    if item.status.value == "verified":
        warning = "This item has been verified. If you change it, the verification will no longer be valid"
    elif item.status.value == "requested":
        warning = "This item is waiting for verification. If you change it, the request will be withdrawn"
    title = "Add your reflection" if writers == {Writer.PRACTITIONER} and item.kind != CaseworkKind.CASE_REFLECTION \
        else f"Change {item.kind.label.lower()}"
    return _render(form, title=title, caption=item.title, back=item_url(item), item=item, files=takes_files,
                   warning=warning)


@bp.route("/items/<int:item_id>/delete", methods=["GET", "POST"])
@requires(can_delete_casework, load=LOAD_ITEM)
def delete(caseworkitem: CaseworkItem) -> Any:
    form = ActionForm()
    if form.validate_on_submit():
        enrolment_id = caseworkitem.enrolment_id
        try:
            services.delete_item(caseworkitem, by=current_user)
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
            return redirect(item_url(caseworkitem))
        session().commit()
        flash("The item has been deleted", "success")
        return redirect(url_for("casework.enrolment", enrolment_id=enrolment_id))
    return render_template("casework/delete.html", item=caseworkitem, form=form)


@bp.route("/items/<int:item_id>/files/<int:file_id>/delete", methods=["POST"])
@requires(can_edit_casework, load=LOAD_ITEM)
def delete_file(caseworkitem: CaseworkItem, file_id: int) -> Any:
    form = ActionForm()
    file = session().get(EvidenceFile, file_id)
    if file is None or file.attached_type != services.FILE_OWNER or file.attached_id != caseworkitem.id:
        from flask import abort

        abort(404)
    if form.validate_on_submit():
        try:
            change = services.delete_file(caseworkitem, file, by=current_user)
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
        else:
            session().commit()
            flash(change.message("The file has been removed"), "success")
    return redirect(item_url(caseworkitem))

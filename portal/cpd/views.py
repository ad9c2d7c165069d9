"""CPD pages: the practitioner's log (list, add, edit, finish, delete, files, exports), what supervisors,
programme admins and employer admins may see of it, and importing an attendance list (``import_views``)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.forms import ActionForm
from portal.cpd import FILE_OWNER, bp, queries, services
from portal.cpd.export import build_export, render_csv, render_pdf
from portal.cpd.forms import CpdRecordForm, DeleteForm, form_data_of
from portal.cpd.models import CpdRecord, CpdType
from portal.cpd.queries import CpdFilters
from portal.cpd.services import CpdAnswersInvalid
from portal.cpd.standards import standards_sets_for, statement_codes, statement_titles
from portal.cpd.wording import QUESTIONS
from portal.cpd.years import registration_year
from portal.db import session
from portal.evidence import access
from portal.evidence.models import EvidenceFile
from portal.evidence.services import files_for
from portal.evidence.uploads import ALLOWED_LABEL
from portal.exceptions import DomainError
from portal.pagination import decode_cursor, keyset_page
from portal.permissions import (
    can_edit_cpd_record,
    can_record_cpd,
    can_view_cpd_of,
    can_view_cpd_record,
    can_view_cpd_summary,
    can_view_supervisees_cpd,
    requires,
)
from portal.users.models import User

_STATEMENT_CODE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")


def _load_record(record_id: int) -> CpdRecord | None:
    return session().get(CpdRecord, record_id)


access.register_file_owner(FILE_OWNER, load=_load_record, can_view=can_view_cpd_record)


def _today() -> dt.date:
    return services.today_in_england()


# ------------------------------------------------------------------------------------------------------- the list
def _filters(today: dt.date) -> CpdFilters:
    """The list's filters from the query string; anything unrecognised is dropped with a message."""
    args = request.args
    year = activity_type = standard = None
    problem = False
    if args.get("year"):
        if len(args["year"]) == 4 and args["year"].isascii() and args["year"].isdigit() \
                and 1990 <= int(args["year"]) <= registration_year(today) + 1:
            year = int(args["year"])
        else:
            problem = True
    if args.get("type"):
        try:
            activity_type = CpdType(args["type"])
        except ValueError:
            problem = True
    if args.get("standard"):
        if _STATEMENT_CODE.match(args["standard"]):
            standard = args["standard"]
        else:
            problem = True
    if problem:
        flash("A filter was not recognised, so it is not applied", "info")
    return CpdFilters(year, activity_type, standard, args.get("q", "").strip()[:100])


def _cursor(name: str) -> str | None:
    """A keyset cursor whose date part is a real date (a tampered one starts again at the first page)."""
    value = request.args.get(name)
    decoded = decode_cursor(value, 2)
    if decoded is None or not isinstance(decoded[0], str) or not isinstance(decoded[1], int):
        return None
    try:
        dt.date.fromisoformat(decoded[0])
    except ValueError:
        return None
    return value


def _records_page(practitioner: User, *, own: bool) -> Any:
    today = _today()
    filters = _filters(today)
    page = keyset_page(queries.list_query(practitioner.id, filters), [CpdRecord.activity_on, CpdRecord.id],
                       after=_cursor("after"), before=_cursor("before"), size=current_app.config["PAGE_SIZE"],
                       descending=True, key=lambda r: [r.activity_on.isoformat(), r.id])
    checks = queries.year_checks(practitioner.id, today)
    sets = standards_sets_for(practitioner.id)
    return render_template("cpd/index.html", practitioner=practitioner, own=own, page=page, filters=filters,
                           checks=checks, standards_sets=sets, types=list(CpdType))


@bp.route("/")
@requires(can_record_cpd)
def index() -> Any:
    return _records_page(current_user, own=True)


@bp.route("/people/<int:user_id>")
@requires(can_view_cpd_of, load=("user_id", User))
def person_records(user: User) -> Any:
    if user.id == current_user.id:
        return redirect(url_for("cpd.index"))
    services.records_listed(user, by=current_user, ip_address=request.remote_addr)
    session().commit()
    return _records_page(user, own=False)


@bp.route("/people/<int:user_id>/summary")
@requires(can_view_cpd_summary, load=("user_id", User))
def person_summary(user: User) -> Any:
    return render_template("cpd/summary.html", practitioner=user, checks=queries.year_checks(user.id, _today()))


@bp.route("/supervisees")
@requires(can_view_supervisees_cpd)
def supervisees() -> Any:
    people = queries.current_supervisees(current_user)
    checks = queries.current_year_checks([p.id for p in people], _today())
    return render_template("cpd/supervisees.html", people=people, checks=checks)


# ----------------------------------------------------------------------------------------------------- one record
@bp.route("/<int:record_id>")
@requires(can_view_cpd_record, load=("record_id", CpdRecord))
def view(cpdrecord: CpdRecord) -> Any:
    services.record_viewed(cpdrecord, by=current_user, ip_address=request.remote_addr)
    session().commit()
    files = files_for(FILE_OWNER, [cpdrecord.id])[cpdrecord.id]
    return render_template("cpd/view.html", record=cpdrecord, files=files, questions=QUESTIONS,
                           titles=statement_titles(set(cpdrecord.statement_codes)), action_form=ActionForm())


def _prepare(form: CpdRecordForm, practitioner_id: int, keep: list[str] | None = None) -> set[str]:
    """Offer the practitioner's standards; returns the codes a record may map to (plus those it has already)."""
    sets = standards_sets_for(practitioner_id)
    form.standards.choices = [(s.code, s.title) for standards_set in sets for s in standards_set.statements]
    form.standards_sets = sets
    return statement_codes(sets) | set(keep or [])


def _uploads() -> list[Any]:
    return [f for f in request.files.getlist("files") if f and f.filename]


def _save(form: CpdRecordForm, save: Any) -> CpdRecord | None:
    """Run a service with the form's answers; on a refusal roll back (no row, no file) and show every problem."""
    try:
        record = save()
    except CpdAnswersInvalid as error:
        session().rollback()
        form.show_errors(error.errors)
        return None
    except DomainError as error:
        session().rollback()
        form.fail(error)
        return None
    session().commit()
    return record


def _check_rest(form: CpdRecordForm, allowed: set[str], complete: bool) -> None:
    """When the form's shape is wrong, also show the domain rules' problems with the other answers, so every
    problem is listed at once."""
    if not form.is_submitted():
        return
    errors = services.check_answers(form.answers().cleaned(), complete=complete, today=_today(),
                                    allowed_standards=allowed)
    form.show_errors({name: message for name, message in errors.items()
                      if not (form._fields.get(name) and form._fields[name].errors)})


def _render_form(form: CpdRecordForm, record: CpdRecord | None, files: list[EvidenceFile] | None = None) -> Any:
    return render_template("cpd/form.html", form=form, record=record, files=files or [],
                           allowed_label=ALLOWED_LABEL, max_mb=current_app.config["EVIDENCE_MAX_BYTES"] // 2**20,
                           max_files=current_app.config["EVIDENCE_MAX_FILES_PER_ITEM"])


@bp.route("/new", methods=["GET", "POST"])
@requires(can_record_cpd)
def new() -> Any:
    form = CpdRecordForm()
    allowed = _prepare(form, current_user.id)
    if form.validate_on_submit():
        record = _save(form, lambda: services.create_record(
            current_user, form.answers(), complete=form.wants_complete, by=current_user, uploads=_uploads(),
            allowed_standards=allowed))
        if record is not None:
            flash("CPD record saved" + (" as a draft" if not record.is_complete else ""), "success")
            return redirect(url_for("cpd.view", record_id=record.id))
    else:
        _check_rest(form, allowed, form.wants_complete)
    return _render_form(form, None)


@bp.route("/<int:record_id>/edit", methods=["GET", "POST"])
@requires(can_edit_cpd_record, load=("record_id", CpdRecord))
def edit(cpdrecord: CpdRecord) -> Any:
    form = CpdRecordForm() if request.method == "POST" else CpdRecordForm(data=form_data_of(cpdrecord))
    allowed = _prepare(form, cpdrecord.practitioner_id, cpdrecord.statement_codes)
    if form.validate_on_submit():
        record = _save(form, lambda: services.update_record(
            cpdrecord, form.answers(), complete=form.wants_complete, by=current_user, uploads=_uploads(),
            allowed_standards=allowed))
        if record is not None:
            flash("CPD record saved" + (" as a draft" if not record.is_complete else ""), "success")
            return redirect(url_for("cpd.view", record_id=record.id))
        cpdrecord = session().get(CpdRecord, cpdrecord.id)
    else:
        _check_rest(form, allowed, form.wants_complete or cpdrecord.is_complete)
    return _render_form(form, cpdrecord, files_for(FILE_OWNER, [cpdrecord.id])[cpdrecord.id])


@bp.route("/<int:record_id>/finish", methods=["POST"])
@requires(can_edit_cpd_record, load=("record_id", CpdRecord))
def finish(cpdrecord: CpdRecord) -> Any:
    """Mark a draft complete as it stands; if answers are missing, show the form with each problem."""
    form = CpdRecordForm(formdata=None, data=form_data_of(cpdrecord))
    allowed = _prepare(form, cpdrecord.practitioner_id, cpdrecord.statement_codes)
    if ActionForm().validate_on_submit():
        record = _save(form, lambda: services.finish_record(cpdrecord, by=current_user, allowed_standards=allowed))
        if record is not None:
            flash("CPD record marked as complete", "success")
            return redirect(url_for("cpd.view", record_id=record.id))
        cpdrecord = session().get(CpdRecord, cpdrecord.id)
        return _render_form(form, cpdrecord, files_for(FILE_OWNER, [cpdrecord.id])[cpdrecord.id])
    return redirect(url_for("cpd.view", record_id=cpdrecord.id))


@bp.route("/<int:record_id>/delete", methods=["GET", "POST"])
@requires(can_edit_cpd_record, load=("record_id", CpdRecord))
def delete(cpdrecord: CpdRecord) -> Any:
    form = DeleteForm()
    if form.validate_on_submit():
        title = cpdrecord.title
        services.delete_record(cpdrecord, by=current_user)
        session().commit()
        flash(f"‘{title}’ has been deleted", "success")
        return redirect(url_for("cpd.index"))
    count = len(files_for(FILE_OWNER, [cpdrecord.id])[cpdrecord.id])
    return render_template("cpd/delete.html", record=cpdrecord, form=form, file_count=count)


@bp.route("/<int:record_id>/files/<int:file_id>/remove", methods=["POST"])
@requires(can_edit_cpd_record, load=("record_id", CpdRecord))
def remove_file(cpdrecord: CpdRecord, file_id: int) -> Any:
    file = session().get(EvidenceFile, file_id)
    if file is None or file.attached_type != FILE_OWNER or file.attached_id != cpdrecord.id:
        abort(404)
    if ActionForm().validate_on_submit():
        name = file.original_name
        services.remove_file(cpdrecord, file, by=current_user)
        session().commit()
        flash(f"{name} has been removed", "success")
    return redirect(url_for("cpd.edit", record_id=cpdrecord.id))


# -------------------------------------------------------------------------------------------------------- exports
def _export(year: int) -> Any:
    today = _today()
    if not 1990 <= year <= registration_year(today) + 1:
        abort(404)
    records, files = queries.records_for_export(current_user.id, year)
    codes = {code for record in records for code in record.statement_codes}
    return build_export(current_user, year, records, files, statement_titles(codes), today)


def _download(body: bytes | str, content_type: str, filename: str, year: int, kind: str) -> Any:
    from portal import audit

    audit.record(current_user, "cpd.exported", current_user, year=year, format=kind)
    session().commit()
    # content_type, not mimetype: werkzeug appends its own charset to a text mimetype, giving two
    response = current_app.response_class(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/export/<int:year>.csv")
@requires(can_record_cpd)
def export_csv(year: int) -> Any:
    export = _export(year)
    body = "\ufeff" + render_csv(export)  # the byte order mark makes Excel read UTF-8 (Welsh names)
    return _download(body.encode("utf-8"), "text/csv; charset=utf-8", f"cpd-{year - 1}-{year}.csv", year, "csv")


@bp.route("/export/<int:year>.pdf")
@requires(can_record_cpd)
def export_pdf(year: int) -> Any:
    return _download(render_pdf(_export(year)), "application/pdf", f"cpd-{year - 1}-{year}.pdf", year, "pdf")


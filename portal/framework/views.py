"""Programme admin pages: the published versions, uploading (check, preview, publish) and one version."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portal.db import session
from portal.enrolments.models import Enrolment, EnrolmentStatus
from portal.evidence.uploads import sanitise_filename
from portal.exceptions import DomainError
from portal.framework import bp, services
from portal.framework.forms import MAX_TEMPLATE_BYTES, PublishForm, UploadForm
from portal.framework.loader import TemplateError
from portal.framework.models import ProgrammeVersion
from portal.framework.yamlsource import Problem
from portal.permissions import can_publish_programme, can_view_programmes, requires

REQUIREMENT_KIND_LABELS = {
    "cpd_records": "CPD records",
    "casework": "Casework evidence",
    "review": "Review meetings",
    "document": "Document",
    "self_assessment": "Self-assessment",
    "standards_coverage": "Standards coverage",
    "external_result": "External result",
}


def _enrolment_counts() -> dict[int, int]:
    rows = session().execute(select(Enrolment.programme_version_id, func.count()).where(
        Enrolment.status == EnrolmentStatus.ACTIVE).group_by(Enrolment.programme_version_id)).all()
    return {version_id: count for version_id, count in rows}


@bp.route("")
@requires(can_view_programmes)
def programmes() -> Any:
    versions = session().execute(select(ProgrammeVersion).order_by(ProgrammeVersion.published_at.desc(),
                                                                   ProgrammeVersion.id.desc())).scalars().all()
    return render_template("framework/programmes.html", versions=versions, counts=_enrolment_counts())


def _read_upload(form: UploadForm) -> tuple[str | None, str, str | None]:
    """(text, file name, problem) from the file input or the pasted text."""
    upload = form.template_file.data
    if upload is not None and getattr(upload, "filename", ""):
        name = sanitise_filename(upload.filename)[:100]  # no folders, no control characters
        raw = upload.read(MAX_TEMPLATE_BYTES + 1)
        if len(raw) > MAX_TEMPLATE_BYTES:
            return None, name, "The selected file must be smaller than 1 MB"
        if not name.lower().endswith((".yaml", ".yml")):
            return None, name, "The selected file must be a YAML file (.yaml or .yml)"
        if not raw.strip():
            return None, name, "The selected file is empty"
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None, name, "The selected file must be a YAML text file (UTF-8)"
        return text, name, None
    if form.template_text.data:
        return form.template_text.data, "pasted-template.yaml", None
    return None, "", "Select a YAML file or paste the template"


def _show_problems(form: Any, problems: list[Problem]) -> None:
    # each problem is its own item in the error summary (a field shows only its first error there)
    form.form_errors.extend(str(problem) for problem in problems)


@bp.route("/upload", methods=["GET", "POST"])
@requires(can_publish_programme)
def upload() -> Any:
    form = UploadForm()
    problems: list[Problem] = []
    template = existing = publish_form = None
    if form.validate_on_submit():
        text, name, problem = _read_upload(form)
        if problem:
            form.template_file.errors = [problem]
        else:
            try:
                template, existing = services.check_programme(text or "", filename=name)
            except TemplateError as error:
                problems = error.problems
                _show_problems(form, problems)
            except DomainError as error:
                form.fail(error, "template_file")
            else:
                publish_form = PublishForm(formdata=None, data={"source_yaml": text, "source_name": name})
    return render_template("framework/upload.html", form=form, problems=problems, template=template,
                           existing=existing, publish_form=publish_form, kind_labels=REQUIREMENT_KIND_LABELS)


@bp.route("/publish", methods=["POST"])
@requires(can_publish_programme)
def publish() -> Any:
    form = PublishForm()
    upload_form = UploadForm(formdata=None)
    problems: list[Problem] = []
    if form.validate_on_submit():
        try:
            result = services.publish_programme(form.source_yaml.data, by=current_user,
                                                filename=form.source_name.data or "pasted-template.yaml")
        except TemplateError as error:
            session().rollback()
            problems = error.problems
            _show_problems(upload_form, problems)
        except DomainError as error:
            session().rollback()
            upload_form.fail(error, "template_file")
        else:
            session().commit()
            row = result.row
            flash(f"{row.name} version {row.version} has been published" if result.created else
                  f"{row.name} version {row.version} was already published with the same content. Nothing changed",
                  "success")
            return redirect(url_for("framework.version", version_id=row.id))
    else:
        upload_form.form_errors.append("Check the template again before publishing it")
    return render_template("framework/upload.html", form=upload_form, problems=problems, template=None,
                           existing=None, publish_form=None, kind_labels=REQUIREMENT_KIND_LABELS)


@bp.route("/<int:version_id>")
@requires(can_view_programmes, load=("version_id", ProgrammeVersion))
def version(programmeversion: ProgrammeVersion) -> Any:
    template = services.template_for(programmeversion)
    others = [v for v in services.published_versions(programmeversion.code) if v.id != programmeversion.id]
    return render_template("framework/version.html", version=programmeversion, template=template, others=others,
                           enrolled=_enrolment_counts().get(programmeversion.id, 0),
                           kind_labels=REQUIREMENT_KIND_LABELS)

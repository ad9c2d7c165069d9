"""Importing an attendance list: upload (the whole file is checked), preview (each row's result), confirm."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.cpd import bp, imports
from portal.cpd.forms import ConfirmImportForm, ImportForm
from portal.cpd.models import CpdImport
from portal.db import session
from portal.exceptions import DomainError
from portal.permissions import (
    administered_organisation_ids,
    can_import_cpd,
    can_use_cpd_import,
    is_practitioner,
    requires,
)


def _read_upload() -> tuple[bytes, str | None]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return b"", None
    # read one byte past the limit, so an oversized file is refused without reading all of it
    return upload.stream.read(imports.MAX_BYTES + 1), upload.filename


@bp.route("/import", methods=["GET", "POST"])
@requires(can_import_cpd)
def import_upload() -> Any:
    form = ImportForm()
    if form.validate_on_submit():
        data, filename = _read_upload()
        try:
            upload = imports.upload_list(data, filename, by=current_user)
        except DomainError as error:
            session().rollback()
            form.fail(error, "file")
        else:
            session().commit()
            return redirect(url_for("cpd.import_preview", import_id=upload.id))
    own_only = is_practitioner(current_user) and not administered_organisation_ids(current_user)
    return render_template("cpd/import.html", form=form, columns=imports.COLUMNS, max_rows=imports.MAX_ROWS,
                           own_only=own_only)


@bp.route("/import/<int:import_id>", methods=["GET", "POST"])
@requires(can_use_cpd_import, load=("import_id", CpdImport))
def import_preview(cpdimport: CpdImport) -> Any:
    form = ConfirmImportForm()
    if cpdimport.imported_at is not None:
        return render_template("cpd/import_done.html", upload=cpdimport)
    if form.validate_on_submit():
        try:
            records = imports.import_rows(cpdimport, by=current_user)
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
        else:
            session().commit()
            flash(f"{len(records)} CPD record{'s' if len(records) != 1 else ''} imported", "success")
            return redirect(url_for("cpd.import_preview", import_id=cpdimport.id))
    checked = imports.preview(cpdimport, by=current_user)
    return render_template("cpd/import_preview.html", upload=cpdimport, checked=checked, form=form)

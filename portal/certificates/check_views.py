"""Employers' accreditation checks (one SWE registration number, or a CSV of up to 1,000 with a CSV of results to
download) and their organisation's API tokens."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import audit
from portal.auth.forms import ActionForm
from portal.db import session
from portal.evidence.uploads import sanitise_filename
from portal.exceptions import DomainError
from portal.exports import csv_response
from portal.permissions import (
    administered_organisation_ids,
    can_check_accreditation,
    can_manage_api_tokens,
    can_revoke_api_token,
    can_view_check_batch,
    requires,
)
from portal.urls import external_url
from portal.users.models import Organisation

from . import bp, checks, tokens
from .forms import ApiTokenForm, BulkCheckForm, SingleCheckForm
from .models import ApiToken, CheckBatch
from .queries import accreditation_for

BAD_NUMBER = "Enter a Social Work England registration number in the correct format, like SW123456"


def _verify_url(code: str) -> str:
    return external_url("certificates.verify_code", code=code)


def _organisation_id() -> int | None:
    ids = sorted(administered_organisation_ids(current_user))
    return ids[0] if ids else None


# ---------------------------------------------------------------------------------------------------- checks
@bp.route("/checks", methods=["GET", "POST"])
@requires(can_check_accreditation)
def check() -> Any:
    """One number: the accreditation stage and every certificate's status (numbers are posted, so they stay out
    of addresses and logs)."""
    form = SingleCheckForm()
    result = None
    number = None
    if form.validate_on_submit():
        number = checks.valid_number(form.swe_number.data)
        if number is None:
            form.swe_number.errors = [BAD_NUMBER]
        else:
            result = accreditation_for([number]).get(number)
            audit.record(current_user, "accreditation.checked", ip_address=request.remote_addr, swe_number=number,
                         found=result is not None)
            session().commit()
    organisations = [session().get(Organisation, i) for i in sorted(administered_organisation_ids(current_user))]
    return render_template("certificates/check.html", form=form, result=result, number=number,
                           max_rows=checks.MAX_ROWS, organisations=organisations)


@bp.route("/checks/bulk", methods=["GET", "POST"])
@requires(can_check_accreditation)
def bulk_check() -> Any:
    form = BulkCheckForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise DomainError("Select a CSV file", "file")
            values = checks.read_numbers_csv(upload.stream.read(checks.MAX_BYTES + 1))
            results = checks.check_numbers(values)
        except DomainError as error:
            form.fail(error, "file")
        else:
            batch = CheckBatch(organisation_id=_organisation_id(), created_by_id=current_user.id,
                               filename=sanitise_filename(upload.filename) or "upload.csv", row_count=len(results),
                               results=[row.to_dict(_verify_url) for row in results])
            session().add(batch)
            session().flush()
            audit.record(current_user, "accreditation.bulk_checked", batch, ip_address=request.remote_addr,
                         rows=len(results), **checks.counts(batch.results))
            session().commit()
            return redirect(url_for("certificates.bulk_result", batch_id=batch.id))
    return render_template("certificates/bulk_check.html", form=form, max_rows=checks.MAX_ROWS)


@bp.route("/checks/bulk/<int:batch_id>")
@requires(can_view_check_batch, load=("batch_id", CheckBatch))
def bulk_result(checkbatch: CheckBatch) -> Any:
    problems = [row for row in checkbatch.results if row["result"] in {"invalid", "duplicate"}]
    return render_template("certificates/bulk_result.html", batch=checkbatch, counts=checks.counts(checkbatch.results),
                           problems=problems)


@bp.route("/checks/bulk/<int:batch_id>/results.csv")
@requires(can_view_check_batch, load=("batch_id", CheckBatch))
def bulk_result_csv(checkbatch: CheckBatch) -> Any:
    response = csv_response(f"accreditation-check-{checkbatch.id}.csv", checks.CSV_COLUMNS,
                            checks.result_rows(checkbatch.results))
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------------------------------------ API tokens
@bp.route("/admin/organisations/<int:org_id>/api-tokens", methods=["GET", "POST"])
@requires(can_manage_api_tokens, load=("org_id", Organisation))
def api_tokens(organisation: Organisation) -> Any:
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            token, secret = tokens.create_token(organisation, name=form.name.data, by=current_user)
        except DomainError as error:
            session().rollback()
            form.fail(error, "name")
        else:
            session().commit()
            return render_template("certificates/api_token_created.html", organisation=organisation, token=token,
                                   secret=secret)
    return render_template("certificates/api_tokens.html", organisation=organisation, form=form,
                           tokens=tokens.tokens_of(organisation.id), revoke_form=ActionForm())


@bp.route("/admin/api-tokens/<int:token_id>/revoke", methods=["POST"])
@requires(can_revoke_api_token, load=("token_id", ApiToken))
def revoke_api_token(apitoken: ApiToken) -> Any:
    form = ActionForm()
    if form.validate_on_submit():
        try:
            tokens.revoke_token(apitoken, by=current_user)
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
        else:
            session().commit()
            flash(f"The token \u201c{apitoken.name}\u201d has been revoked: it no longer works", "success")
    return redirect(url_for("certificates.api_tokens", org_id=apitoken.organisation_id))

"""The holder's certificates and downloads, the portable record, and the public pages: verification (by code, code
and surname, or a pasted/uploaded credential), the published keys and the status lists."""
from __future__ import annotations

import io
import json
from typing import Any

from flask import Response, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portal import audit
from portal.db import session, utcnow
from portal.extensions import limiter
from portal.permissions import (
    can_export_record,
    can_view_certificate,
    can_view_own_certificates,
    public,
    requires,
)

from . import bp, export
from .codes import InvalidCodeError, normalise_code
from .credentials import verify_credential
from .forms import VerifyCodeForm, VerifyCredentialForm
from .keys import verify_compact
from .models import Certificate
from .pdf import render_certificate_pdf
from .publishing import published_status_list, status_lists_for_verification
from .queries import certificates_of, find_by_code, status_by_code, surname_matches
from .signing import SigningKeysMissing, issuer_profile, keyring
from .snapshot import CertificateSnapshot
from .status_list import PURPOSES

CREDENTIAL_MAX_BYTES = 200_000
JSON_NOT_CHECKABLE = ("This is the readable copy of a credential (the .json file), which cannot be checked on its "
                      "own: paste or upload the .jwt file instead")


def verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


#: every public verification route shares one budget per client address
verify_rate = limiter.shared_limit(verify_limit, scope="verify")


@bp.errorhandler(429)
def too_many_requests(_error: Any) -> Any:
    return render_template("certificates/too_many.html"), 429


@bp.errorhandler(SigningKeysMissing)
def keys_missing(error: SigningKeysMissing) -> Any:
    """Production without a signing key (``portal certificates init-keys`` not run): unavailable, not a crash."""
    session().rollback()
    current_app.logger.error("%s", error)
    return render_template("errors/500.html"), 503


# ------------------------------------------------------------------------------------------------- the holder
@bp.route("/certificates")
@requires(can_view_own_certificates)
def index() -> Any:
    return render_template("certificates/index.html", certificates=certificates_of(current_user.id))


def _audit_if_not_holder(certificate: Certificate, action: str) -> None:
    if certificate.practitioner_id != current_user.id:
        audit.record(current_user, action, certificate, ip_address=request.remote_addr, code=certificate.code)
        session().commit()


def _attachment(data: bytes, mimetype: str, name: str) -> Response:
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name,
                         conditional=False, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@bp.route("/certificates/<int:certificate_id>/certificate.pdf")
@requires(can_view_certificate, load=("certificate_id", Certificate))
def download_pdf(certificate: Certificate) -> Any:
    """The PDF, rendered from the snapshot stored at issue time (the same bytes every time)."""
    _audit_if_not_holder(certificate, "certificate.pdf_downloaded")
    pdf = render_certificate_pdf(CertificateSnapshot.from_json(certificate.snapshot_json))
    return _attachment(pdf, "application/pdf", f"certificate-{certificate.code}.pdf")


@bp.route("/certificates/<int:certificate_id>/credential.jwt")
@requires(can_view_certificate, load=("certificate_id", Certificate))
def download_credential(certificate: Certificate) -> Any:
    """The signed credential (compact JWS), as issued."""
    _audit_if_not_holder(certificate, "certificate.credential_downloaded")
    return _attachment(certificate.credential_jws.encode("ascii"), "application/vc+jwt",
                       f"credential-{certificate.code}.jwt")


@bp.route("/certificates/<int:certificate_id>/credential.json")
@requires(can_view_certificate, load=("certificate_id", Certificate))
def download_credential_json(certificate: Certificate) -> Any:
    """The credential decoded (the ``vc`` claim), readable; it proves nothing on its own without the .jwt."""
    _audit_if_not_holder(certificate, "certificate.credential_downloaded")
    _, claims = verify_compact(certificate.credential_jws, keyring().jwks())
    body = json.dumps(claims["vc"], indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return _attachment(body, "application/json", f"credential-{certificate.code}.json")


@bp.route("/certificates/record.zip")
@requires(can_export_record)
def export_record() -> Any:
    """The whole record as a ZIP (spooled to disk when large, streamed to the browser)."""
    archive, name = export.build_record(current_user._get_current_object())
    audit.record(current_user, "record.exported", current_user._get_current_object(), ip_address=request.remote_addr)
    session().commit()
    response = send_file(archive, mimetype="application/zip", as_attachment=True, download_name=name,
                         conditional=False, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------------------------------- public: verify
@bp.route("/verify", methods=["GET", "POST"])
@public
@verify_rate
def verify() -> Any:
    """Type a code (and, to check whose it is, the holder's surname)."""
    form = VerifyCodeForm()
    not_matched = False
    if form.validate_on_submit():
        try:
            code = normalise_code(form.code.data)
        except InvalidCodeError as error:
            form.code.errors = [f"This is not a valid certificate code. {error}"]
        else:
            if not form.surname.data:
                return redirect(url_for("certificates.verify_code", code=code))
            certificate = find_by_code(code)
            if certificate is not None and surname_matches(certificate.holder_name, form.surname.data):
                return redirect(url_for("certificates.verify_code", code=code))
            not_matched = True
    return render_template("certificates/verify.html", form=form, credential_form=VerifyCredentialForm(),
                           not_matched=not_matched)


@bp.route("/verify/<code>")
@public
@verify_rate
def verify_code(code: str) -> Any:
    """A certificate's public status: valid, suspended, revoked (with the date) or superseded (with a link);
    the award, the holder's name and the issue date. Nothing else."""
    try:
        canonical = normalise_code(code)
    except InvalidCodeError as error:
        return render_template("certificates/verify_result.html", status=None, invalid=str(error), code=code), 404
    if canonical != code:
        return redirect(url_for("certificates.verify_code", code=canonical))
    status = status_by_code(canonical)
    if status is None:
        return render_template("certificates/verify_result.html", status=None, invalid=None, code=canonical), 404
    return render_template("certificates/verify_result.html", status=status, invalid=None, code=canonical)


def _submitted_credential(form: VerifyCredentialForm) -> str:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.stream.read(CREDENTIAL_MAX_BYTES + 1)
        if len(data) > CREDENTIAL_MAX_BYTES:
            form.file.errors = ["The selected file is too large to be a credential"]
            return ""
        return data.decode("utf-8", errors="replace").strip()
    return (form.credential.data or "").strip()


@bp.route("/verify/credential", methods=["POST"])
@public
@verify_rate
def verify_credential_page() -> Any:
    """Check a pasted or uploaded credential: signature (against the published keys), dates and status."""
    form = VerifyCredentialForm()
    result = None
    certificate_code = None
    if form.validate_on_submit():
        token = _submitted_credential(form)
        if form.file.errors:
            token = ""
        elif not token:
            form.credential.errors = ["Paste the credential or upload its .jwt file"]
        elif token.startswith("{"):
            form.credential.errors = [JSON_NOT_CHECKABLE]
        else:
            result = verify_credential(token, keyring().jwks(), status_lists_for_verification(), utcnow(),
                                       trusted_issuer=issuer_profile().id)
            certificate_code = _code_of(result.summary.get("certificate_url"))
            session().commit()  # a status list rebuilt on first use
    return render_template("certificates/verify_credential.html", form=form, result=result,
                           certificate_code=certificate_code)


def _code_of(url: Any) -> str | None:
    if not isinstance(url, str) or "/verify/" not in url:
        return None
    try:
        return normalise_code(url.rsplit("/", 1)[-1])
    except InvalidCodeError:
        return None


# ----------------------------------------------------------------------------------- public: keys and lists
def _public_cache(response: Response, max_age: int) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/.well-known/jwks.json")
@public
def jwks() -> Any:
    """The public keys that sign credentials and status lists (the current one and every retired one)."""
    response = current_app.response_class(json.dumps(keyring().jwks(), indent=2), mimetype="application/jwk-set+json")
    return _public_cache(response, 3600)


@bp.route("/credentials/status/<purpose>")
@public
def status_list(purpose: str) -> Any:
    """The signed Bitstring Status List credential for revocation or suspension (``application/vc+jwt``)."""
    if purpose not in PURPOSES:
        return render_template("errors/404.html"), 404
    row = published_status_list(purpose)
    session().commit()
    response = current_app.response_class(row.token, mimetype="application/vc+jwt")
    response.set_etag(row.token[-43:])  # the signature: changes whenever the list does
    response = _public_cache(response, int(current_app.config["STATUS_LIST_MAX_AGE"]))
    return response.make_conditional(request)


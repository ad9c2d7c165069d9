"""A certificate's page (holder and programme admins) and the programme admins' register: search, and the status
changes (suspend, reinstate, revoke, reissue), each with a reason."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.db import session
from portal.exceptions import DomainError
from portal.permissions import can_change_certificate_status, can_manage_certificates, can_view_certificate, requires

from . import bp, services
from .forms import ReasonForm
from .models import Certificate, CertificateStatus
from .queries import history, public_status, search

#: action -> (what the page says, button, the service, the status it moves to)
ACTIONS: dict[str, tuple[str, str, Any, CertificateStatus]] = {
    "suspend": ("Suspend certificate", "Suspend certificate", services.suspend, CertificateStatus.SUSPENDED),
    "reinstate": ("Reinstate certificate", "Reinstate certificate", services.reinstate, CertificateStatus.VALID),
    "revoke": ("Revoke certificate", "Revoke certificate", services.revoke, CertificateStatus.REVOKED),
    "reissue": ("Reissue certificate", "Reissue certificate", services.reissue, CertificateStatus.SUPERSEDED),
}

ACTION_HINTS = {
    "suspend": "The certificate will show as suspended straight away, on the verification page and in its "
               "credential's status list, until it is reinstated or revoked.",
    "reinstate": "The certificate will show as valid again straight away.",
    "revoke": "Revoking is final. The certificate will show as revoked straight away, with today's date.",
    "reissue": "A new certificate with a new code is issued with the holder's current name and registration "
               "number. This one will show as superseded, with a link to the new one. Use it after a name change "
               "or to correct a mistake.",
}


def available_actions(certificate: Certificate) -> list[str]:
    """The status changes the transition table allows from the certificate's current status."""
    return [name for name, (*_, to) in ACTIONS.items() if services.can_move(certificate, to)]


@bp.route("/certificates/<int:certificate_id>")
@requires(can_view_certificate, load=("certificate_id", Certificate))
def certificate(certificate: Certificate) -> Any:
    actions = available_actions(certificate) if can_change_certificate_status(current_user, certificate) else []
    return render_template("certificates/certificate.html", certificate=certificate,
                           status=public_status(certificate), events=history(certificate), actions=actions)


@bp.route("/admin/certificates")
@requires(can_manage_certificates)
def register() -> Any:
    q = request.args.get("q", "").strip()[:100]
    try:
        status = CertificateStatus(request.args.get("status")) if request.args.get("status") else None
    except ValueError:
        status = None
    page = search(q, status, after=request.args.get("after"), before=request.args.get("before"),
                  size=current_app.config["PAGE_SIZE"])
    return render_template("certificates/register.html", page=page, q=q, status=status,
                           statuses=list(CertificateStatus))


@bp.route("/certificates/<int:certificate_id>/<action>", methods=["GET", "POST"])
@requires(can_change_certificate_status, load=("certificate_id", Certificate))
def change_status(certificate: Certificate, action: str) -> Any:
    if action not in ACTIONS:
        abort(404)
    title, button, service, _to = ACTIONS[action]
    form = ReasonForm()
    if action not in available_actions(certificate):
        flash(f"This certificate is {certificate.status.label.lower()}, so you cannot "
              f"{action} it", "error")
        return redirect(url_for("certificates.certificate", certificate_id=certificate.id))
    if form.validate_on_submit():
        try:
            result = service(certificate, by=current_user, reason=form.reason.data)
        except DomainError as error:
            session().rollback()
            form.fail(error, "reason")
        else:
            session().commit()
            if action == "reissue":
                flash(f"Certificate {result.code} has been issued; {certificate.code} is now superseded", "success")
                return redirect(url_for("certificates.certificate", certificate_id=result.id))
            flash(f"Certificate {certificate.code} is now {certificate.status.label.lower()}", "success")
            return redirect(url_for("certificates.certificate", certificate_id=certificate.id))
    return render_template("certificates/change_status.html", form=form, certificate=certificate, action=action,
                           title=title, button=button, hint=ACTION_HINTS[action])

"""Changing a certificate's status: suspend, reinstate, revoke, reissue (supersede), each with a reason, audited.

Every change follows ``models.STATUS_TRANSITIONS`` (a wrong move raises DomainError), writes a CertificateEvent
and an audit event, and rebuilds and re-signs the published status lists in the same transaction, so the verify
page, the API and the lists agree as soon as the caller commits. Services flush; the caller commits.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal.audit import record
from portal.db import session, utcnow
from portal.exceptions import DomainError
from portal.framework.services import template_for

from .issuing import describe_award, fresh_snapshot, store_certificate
from .models import (
    STATUS_TRANSITIONS,
    Certificate,
    CertificateEvent,
    CertificateEventAction,
    CertificateStatus,
)
from .publishing import rebuild_status_lists
from .snapshot import CertificateSnapshot

REASON_MAX = 2000

_VERBS = {
    CertificateEventAction.SUSPENDED: "suspend",
    CertificateEventAction.REINSTATED: "reinstate",
    CertificateEventAction.REVOKED: "revoke",
    CertificateEventAction.SUPERSEDED: "reissue",
}


def _check_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError("Enter the reason", "reason")
    if len(text) > REASON_MAX:
        raise DomainError(f"The reason must be {REASON_MAX:,} characters or fewer", "reason")
    return text


def can_move(certificate: Certificate, to: CertificateStatus) -> bool:
    """Whether the transition table allows ``certificate`` to move to ``to``."""
    return to in STATUS_TRANSITIONS[certificate.status]


def _move(certificate: Certificate, to: CertificateStatus, action: CertificateEventAction, *, by: Any,
          reason: str, related: Certificate | None = None) -> None:
    if not can_move(certificate, to):
        raise DomainError(f"You cannot {_VERBS[action]} a certificate that is {certificate.status.label.lower()}")
    _apply(certificate, certificate.status, to, action, by=by, reason=reason, related=related)


def _apply(certificate: Certificate, before: CertificateStatus, to: CertificateStatus,
           action: CertificateEventAction, *, by: Any, reason: str, related: Certificate | None = None) -> None:
    certificate.status = to
    certificate.status_reason = reason
    certificate.status_changed_at = utcnow()
    certificate.status_changed_by_id = getattr(by, "id", None)
    if related is not None:
        certificate.superseded_by_id = related.id
    session().add(CertificateEvent(certificate_id=certificate.id, action=action, from_status=before.value,
                                   to_status=to.value, reason=reason, actor_id=getattr(by, "id", None),
                                   related_certificate_id=related.id if related else None))
    record(by, f"certificate.{action.value}", certificate, code=certificate.code, reason=reason,
           from_status=before.value, successor=related.code if related else None)
    session().flush()


def suspend(certificate: Certificate, *, by: Any, reason: str) -> None:
    """Suspend a valid certificate while a concern is looked into (its suspension bit is set)."""
    _move(certificate, CertificateStatus.SUSPENDED, CertificateEventAction.SUSPENDED, by=by,
          reason=_check_reason(reason))
    rebuild_status_lists(("suspension",))


def reinstate(certificate: Certificate, *, by: Any, reason: str) -> None:
    """Make a suspended certificate valid again (its suspension bit is cleared)."""
    _move(certificate, CertificateStatus.VALID, CertificateEventAction.REINSTATED, by=by,
          reason=_check_reason(reason))
    rebuild_status_lists(("suspension",))


def revoke(certificate: Certificate, *, by: Any, reason: str) -> None:
    """Revoke a valid or suspended certificate for good (its revocation bit is set, its suspension bit cleared)."""
    _move(certificate, CertificateStatus.REVOKED, CertificateEventAction.REVOKED, by=by, reason=_check_reason(reason))
    rebuild_status_lists()


def reissue(certificate: Certificate, *, by: Any, reason: str) -> Certificate:
    """Replace a valid certificate by a new one (new code, the holder's current name and number, the template's
    current wording; the same decision, dates, signatories and digest): the old one becomes superseded, naming its
    successor, and its revocation bit is set. Returns the new certificate."""
    reason = _check_reason(reason)
    if not can_move(certificate, CertificateStatus.SUPERSEDED):
        raise DomainError(f"You cannot reissue a certificate that is {certificate.status.label.lower()}")
    template = template_for(certificate.enrolment.programme_version)
    wording = describe_award(template, certificate.stage_code, certificate.kind)
    snapshot = fresh_snapshot(CertificateSnapshot.from_json(certificate.snapshot_json),
                              practitioner=certificate.practitioner, wording=wording, template=template)
    # the old row leaves the "one live certificate per sign-off" index before its successor enters it
    before = certificate.status
    certificate.status = CertificateStatus.SUPERSEDED
    session().flush()
    successor = store_certificate(snapshot, kind=certificate.kind, enrolment_id=certificate.enrolment_id,
                                  practitioner_id=certificate.practitioner_id, sign_off_id=certificate.sign_off_id,
                                  wording=wording, template_code=certificate.template_code, by=by,
                                  action_reason=f"Reissue of {certificate.code}: {reason}")
    _apply(certificate, before, CertificateStatus.SUPERSEDED, CertificateEventAction.SUPERSEDED, by=by,
           reason=reason, related=successor)
    rebuild_status_lists(("revocation",))
    return successor


def revoke_for_sign_off(sign_off_id: int, *, by: Any, reason: str) -> list[Certificate]:
    """Revoke every valid or suspended certificate of a sign-off (an appeal reversed the decision)."""
    reason = _check_reason(reason)
    live = list(session().execute(select(Certificate).where(
        Certificate.sign_off_id == sign_off_id,
        Certificate.status.in_([CertificateStatus.VALID, CertificateStatus.SUSPENDED]))
        .order_by(Certificate.id)).scalars())
    for certificate in live:
        _move(certificate, CertificateStatus.REVOKED, CertificateEventAction.REVOKED, by=by, reason=reason)
    if live:
        rebuild_status_lists()
    return live

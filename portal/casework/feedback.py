"""Feedback from people without an account: a signed, single-use link valid for 14 days, e-mailed through the
outbox; the respondent answers a short form without signing in, which becomes a draft evidence item.

The pattern is the account links' (``portal.auth.tokens``): the link carries ``{id, nonce}`` signed with the app
secret and a salt of its own (so an invitation or reset link, or a tampered one, fails before any lookup); the
database keeps only the nonce's SHA-256. The e-mail address is not stored on the request: it is only in the outbox
message, so no portfolio page can show it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from portal import audit
from portal.casework.kinds import Writer, check_case_reference, check_texts
from portal.casework.models import CaseworkEvent, CaseworkItem, CaseworkKind, EventAction, FeedbackRequest
from portal.casework.services import _new_item, _require_active
from portal.db import session, utcnow
from portal.enrolments.models import Enrolment
from portal.enrolments.services import london_today
from portal.exceptions import DomainError
from portal.mail import queue_email
from portal.notifications.services import notify, path_for
from portal.users.models import normalise_email

LINK_LIFETIME = dt.timedelta(days=14)
SALT = "casework-feedback"


class FeedbackLinkError(Exception):
    """A link that cannot be used; ``reason`` is one of invalid, expired, used, withdrawn."""

    def __init__(self, reason: str, request: FeedbackRequest | None = None):
        super().__init__(reason)
        self.reason = reason
        self.request = request


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedLink:
    request: FeedbackRequest
    signed: str


def request_feedback(enrolment: Enrolment, *, by: Any, kind: CaseworkKind, email: str, case_reference: str,
                     respondent_description: str) -> IssuedLink:
    """E-mail a single-use feedback link (valid 14 days) to someone without an account: a child or family member
    (the practitioner passes it on) or another professional. Only the practitioner's name, the kind of feedback and
    the link go in the e-mail."""
    _require_active(enrolment)
    if not kind.is_feedback:
        raise DomainError("Select who the feedback is from", "kind")
    reference = check_case_reference(case_reference)
    description = " ".join((respondent_description or "").split())
    if not description:
        raise DomainError("Enter how you will recognise this person's feedback, like Parent B or Health visitor",
                          "respondent_description")
    address = normalise_email(email or "")
    if not address:
        raise DomainError("Enter their email address", "email")
    if address == normalise_email(enrolment.practitioner.email):
        raise DomainError("Enter the email address of the person giving feedback, not your own", "email")
    now = utcnow()
    nonce = secrets.token_urlsafe(32)
    request = FeedbackRequest(enrolment_id=enrolment.id, practitioner_id=enrolment.practitioner_id, kind=kind,
                              case_reference=reference, respondent_description=description[:100],
                              nonce_hash=_hash(nonce), created_at=now, expires_at=now + LINK_LIFETIME)
    session().add(request)
    session().flush()
    signed = _serializer().dumps({"i": request.id, "n": nonce})
    queue_email(address, f"{enrolment.practitioner.name} has asked for your feedback", "casework_feedback_request",
                practitioner=enrolment.practitioner, request=request, signed=signed)
    audit.record(by, "casework.feedback_requested", request, kind=kind.value, enrolment_id=enrolment.id)
    return IssuedLink(request, signed)


def resolve_link(signed: str, *, for_update: bool = False) -> FeedbackRequest:
    """The live request behind a link, or FeedbackLinkError saying why it cannot be used."""
    try:
        data = _serializer().loads(signed)
        request_id, nonce = int(data["i"]), str(data["n"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise FeedbackLinkError("invalid") from None
    request = session().get(FeedbackRequest, request_id, with_for_update=for_update or None)
    if request is None or not hmac.compare_digest(request.nonce_hash, _hash(nonce)):
        raise FeedbackLinkError("invalid")
    if request.used_at is not None:
        raise FeedbackLinkError("used", request)
    if request.revoked_at is not None:
        raise FeedbackLinkError("withdrawn", request)
    if request.expires_at <= utcnow():
        raise FeedbackLinkError("expired", request)
    return request


def submit_feedback(signed: str, *, texts: Mapping[str, str]) -> CaseworkItem:
    """The respondent's answer: the link is used up atomically (a second, concurrent use fails) and the answer
    becomes a draft item on the practitioner's enrolment, who is told by e-mail."""
    request = resolve_link(signed, for_update=True)
    kind = request.kind
    content = check_texts(kind, dict(texts), Writer.RESPONDENT)
    enrolment = session().get(Enrolment, request.enrolment_id)
    if enrolment is None or getattr(enrolment.status, "value", enrolment.status) != "active":
        raise FeedbackLinkError("withdrawn", request)
    now = utcnow()
    result = session().execute(
        update(FeedbackRequest)
        .where(FeedbackRequest.id == request.id, FeedbackRequest.used_at.is_(None),
               FeedbackRequest.revoked_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise FeedbackLinkError("used", request)
    session().refresh(request)
    content.update({"reflection": "", "source": "link"})
    item = _new_item(enrolment, kind, by=None, occurred_on=london_today(), case_reference=request.case_reference,
                     content=content)
    request.item_id = item.id
    session().add(CaseworkEvent(item_id=item.id, action=EventAction.FEEDBACK_RECEIVED, actor_id=None,
                                details={"from": request.respondent_description}, occurred_at=now))
    session().flush()
    audit.record(None, "casework.feedback_received", item, request_id=request.id)
    # notifications (issue 8): in the practitioner's list, and e-mailed unless they turned that kind off
    notify(enrolment.practitioner, "feedback_received", f"You have received {kind.label.lower()} "
           f"({request.case_reference}, from {request.respondent_description})",
           path_for("casework.item", item_id=item.id), email_subject="You have received feedback",
           email_template="casework_feedback_received", item=item, request=request)
    return item


def withdraw_link(request: FeedbackRequest, *, by: Any) -> None:
    """Stop an unused link from working."""
    if request.used_at is not None:
        raise DomainError("This link has already been used")
    if request.revoked_at is None:
        request.revoked_at = utcnow()
        session().flush()
        audit.record(by, "casework.feedback_link_withdrawn", request)

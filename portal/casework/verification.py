"""The verification state of a casework item: one enum (``VerificationStatus``), one table of allowed moves.

Who does each move is decided by the predicates in ``portal.permissions`` (the "requester" is the practitioner,
or the supervisor for a supervision record; the "verifier" is the practitioner's *current* supervisor, or the
practitioner co-signing a supervision record). This module only knows which moves exist:

=============  ==========  ==============================================================================
from           action      to
=============  ==========  ==============================================================================
draft          request     requested   (the anonymisation guard and the completeness check pass first)
declined       request     requested   (asked again after putting right what the verifier said)
requested      withdraw    draft       (the requester takes it back)
requested      verify      verified    (the verifier confirms the activity, the role and the anonymisation)
requested      decline     declined    (with a reason)
draft          edit        draft
declined       edit        draft
requested      edit        draft       (the pending request is withdrawn, and the requester is told)
verified       edit        draft       (the verification is *voided*, recorded and shown)
=============  ==========  ==============================================================================

Any other (status, action) raises ``InvalidTransition``: e.g. verifying a draft, or declining a verified item.
"""
from __future__ import annotations

import enum
from typing import Any

from portal import audit
from portal.casework.models import CaseworkEvent, CaseworkItem, EventAction, VerificationStatus
from portal.db import session, utcnow
from portal.exceptions import DomainError

S = VerificationStatus


class Action(enum.StrEnum):
    REQUEST = "request"
    WITHDRAW = "withdraw"
    VERIFY = "verify"
    DECLINE = "decline"
    EDIT = "edit"


TRANSITIONS: dict[tuple[VerificationStatus, Action], VerificationStatus] = {
    (S.DRAFT, Action.REQUEST): S.REQUESTED,
    (S.DECLINED, Action.REQUEST): S.REQUESTED,
    (S.REQUESTED, Action.WITHDRAW): S.DRAFT,
    (S.REQUESTED, Action.VERIFY): S.VERIFIED,
    (S.REQUESTED, Action.DECLINE): S.DECLINED,
    (S.DRAFT, Action.EDIT): S.DRAFT,
    (S.DECLINED, Action.EDIT): S.DRAFT,
    (S.REQUESTED, Action.EDIT): S.DRAFT,
    (S.VERIFIED, Action.EDIT): S.DRAFT,
}

_EVENT = {
    Action.REQUEST: EventAction.REQUESTED,
    Action.WITHDRAW: EventAction.WITHDRAWN,
    Action.VERIFY: EventAction.VERIFIED,
    Action.DECLINE: EventAction.DECLINED,
}


class InvalidTransition(DomainError):
    """A move the table does not allow (the item is left unchanged)."""

    def __init__(self, status: VerificationStatus, action: Action):
        super().__init__(_REFUSALS.get((status, action), f"This item is {status.label.lower()}, so it cannot be "
                                                          f"{action.value}ed now"))
        self.status = status
        self.action = action


_REFUSALS = {
    (S.VERIFIED, Action.VERIFY): "This item has already been verified",
    (S.DRAFT, Action.VERIFY): "Verification has not been requested for this item",
    (S.DECLINED, Action.VERIFY): "This item was declined. It can be verified once it is sent again",
    (S.DRAFT, Action.DECLINE): "Verification has not been requested for this item",
    (S.VERIFIED, Action.DECLINE): "This item has already been verified",
    (S.DECLINED, Action.DECLINE): "This item has already been declined",
    (S.REQUESTED, Action.REQUEST): "Verification has already been requested for this item",
    (S.VERIFIED, Action.REQUEST): "This item has already been verified",
    (S.DRAFT, Action.WITHDRAW): "There is no request to withdraw",
}


def allowed(status: VerificationStatus, action: Action) -> bool:
    return (status, action) in TRANSITIONS


def move(item: CaseworkItem, action: Action, *, by: Any, note: str = "", **details: Any) -> VerificationStatus:
    """Apply ``action`` to ``item`` if the table allows it (else raise InvalidTransition), keep the timestamps the
    database checks, and record it in the item's history and the audit log. Returns the status it left."""
    before = item.status
    after = TRANSITIONS.get((before, action))
    if after is None:
        raise InvalidTransition(before, action)
    now = utcnow()
    item.status = after
    if action is Action.REQUEST:
        item.requested_at = now
    elif action is Action.VERIFY:
        item.verified_at, item.verified_by_id = now, by.id
    if after is S.DRAFT:
        item.requested_at = None
    if before is S.VERIFIED and after is not S.VERIFIED:
        item.voided_at = now
        item.verified_at = item.verified_by_id = None
    event_action = _EVENT.get(action)
    if action is Action.EDIT and before is S.VERIFIED:
        event_action = EventAction.VOIDED
    elif action is Action.EDIT and before is S.REQUESTED:
        event_action = EventAction.WITHDRAWN
        note = note or "Withdrawn because the item was changed"
    if event_action is not None:
        session().add(CaseworkEvent(item_id=item.id, action=event_action, actor_id=by.id, note=note,
                                    details=details, occurred_at=now))
        audit.record(by, f"casework.{event_action.value}", item, status_from=before.value, status_to=after.value,
                     **details)
    session().flush()
    return before

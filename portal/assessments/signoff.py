"""Signing a stage off, and the listeners other features register to follow decisions.

The listener contract (the certificates feature registers ``issue_for_sign_off`` and a revoking function):

* ``register_sign_off_listener(fn)``: after a ``StageSignOff`` row is flushed, ``fn(sign_off, by=actor)`` is
  called for it (the stage's, then the award's when the stage confers the award). If any listener returns a true
  value (the certificate it issued) for the stage's sign-off, the submission moves on to ``certificate_issued``.
* ``register_decision_reversed_listener(fn)``: after an upheld appeal replaces a signed-off decision, the sign-off
  that no longer stands is marked reversed (``reversed_at``, ``reversed_by_id``, ``reversed_reason``) and flushed,
  then ``fn(sign_off, by=actor)`` is called for it (the award's too, when it went with it).

Listeners run inside the same transaction: if one raises, nothing of the sign-off is kept.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from portal.assessments import states as st
from portal.assessments.models import StageSignOff, Submission
from portal.assessments.states import Outcome
from portal.assessments.states import SubmissionState as S
from portal.assessments.submissions import AWARD, INDEPENDENT, apply_move, check_move, move, record_event
from portal.db import session, utcnow
from portal.enrolments.models import EnrolmentStatus
from portal.exceptions import DomainError
from portal.framework.services import template_for
from portal.users.models import Role

SignOffListener = Callable[..., Any]
_SIGN_OFF_LISTENERS: list[SignOffListener] = []
_REVERSED_LISTENERS: list[SignOffListener] = []

SIGNATORY_LABELS = {st.EMPLOYER_ADMIN: Role.EMPLOYER_ADMIN.label, st.PROGRAMME_ADMIN: Role.PROGRAMME_ADMIN.label}
APPEAL_REVIEWER = "Appeal reviewer"


def register_sign_off_listener(fn: SignOffListener) -> SignOffListener:
    """Call ``fn(sign_off, by=actor)`` after every stage sign-off (usable as a decorator; registering the same
    function twice keeps one)."""
    if fn not in _SIGN_OFF_LISTENERS:
        _SIGN_OFF_LISTENERS.append(fn)
    return fn


def register_decision_reversed_listener(fn: SignOffListener) -> SignOffListener:
    """Call ``fn(sign_off, by=actor)`` after a sign-off is reversed by an upheld appeal."""
    if fn not in _REVERSED_LISTENERS:
        _REVERSED_LISTENERS.append(fn)
    return fn


def unregister_listener(fn: SignOffListener) -> None:
    """Remove a listener of either kind (for tests)."""
    for registry in (_SIGN_OFF_LISTENERS, _REVERSED_LISTENERS):
        if fn in registry:
            registry.remove(fn)


def award_stage_for(submission: Submission) -> Any | None:
    """The award stage signed off with this submission's stage: the template's ``award`` stage when this stage is
    the independent assessment (None otherwise)."""
    template = template_for(submission.enrolment.programme_version)
    stage = template.stage(submission.stage_code)
    if stage.decision != INDEPENDENT:
        return None
    return next((s for s in template.stages if s.decision == AWARD), None)


def standing_sign_offs(submission: Submission) -> list[StageSignOff]:
    """The sign-offs of this submission that stand (the stage's, and the award's)."""
    return list(session().execute(select(StageSignOff).where(
        StageSignOff.submission_id == submission.id, StageSignOff.reversed_at.is_(None))
        .order_by(StageSignOff.id)).scalars())


def _digest(submission: Submission) -> str:
    version = next(v for v in submission.versions if v.number == submission.version)
    return version.digest


def create_sign_offs(submission: Submission, *, by: Any, today: dt.date, signatories: list[str],
                     roles: list[str] | None = None) -> list[StageSignOff]:
    """Record the sign-off of the submission's stage (and of the award it confers), then call the sign-off
    listeners. The enrolment is completed when the award is signed off. Returns the rows made. ``roles``: the
    authority the certificate move is made with (default: the actor's roles for the submission)."""
    if submission.outcome not in st.PASSING_OUTCOMES:
        raise DomainError("Only a pass can be signed off")
    award = award_stage_for(submission)
    digest = _digest(submission)
    rows = [StageSignOff(enrolment_id=submission.enrolment_id, stage_code=submission.stage_code,
                         submission_id=submission.id, outcome=submission.outcome, decided_on=today,
                         signed_off_by_id=by.id, manifest_digest=digest, signatory_roles=list(signatories),
                         is_award=award is None and submission.independent)]
    if award is not None:
        rows.append(StageSignOff(enrolment_id=submission.enrolment_id, stage_code=award.code,
                                 submission_id=submission.id, outcome=submission.outcome, decided_on=today,
                                 signed_off_by_id=by.id, manifest_digest=digest, signatory_roles=list(signatories),
                                 is_award=True))
    sess = session()
    sess.add_all(rows)
    sess.flush()
    submission.decided_on = today
    if award is not None and submission.enrolment.status == EnrolmentStatus.ACTIVE:
        from portal.enrolments.services import change_status

        change_status(submission.enrolment, EnrolmentStatus.COMPLETED, by=by,
                      reason=f"{award.name}: signed off on the independent assessment")
    results = [[listener(row, by=by) for listener in list(_SIGN_OFF_LISTENERS)] for row in rows]
    if any(results[0]) and submission.state is S.SIGNED_OFF:
        move(submission, S.CERTIFICATE_ISSUED, by=by, roles=roles)
    return rows


def reverse_sign_offs(submission: Submission, *, by: Any, reason: str) -> list[StageSignOff]:
    """Mark the submission's standing sign-offs reversed, then call the reversed listeners for each."""
    rows = standing_sign_offs(submission)
    now = utcnow()
    for row in rows:
        row.reversed_at, row.reversed_by_id, row.reversed_reason = now, by.id, reason
    session().flush()
    for row in rows:
        for listener in _REVERSED_LISTENERS:
            listener(row, by=by)
    return rows


def _signatories(submission: Submission, signer_role: str) -> list[str]:
    roles = [Role.ASSESSOR.label, Role.MODERATOR.label]
    return roles + [SIGNATORY_LABELS.get(signer_role, signer_role)]


def sign_off(submission: Submission, *, by: Any, today: dt.date) -> list[StageSignOff]:
    """Sign off the stage on a confirmed PASS or PASS_DEV: an employer admin of the practitioner's employer (years
    1-4) or a programme admin. Records the decision (the appeal window runs from today), the stage's sign-off (the
    progress engine shows it signed off and the enrolment moves on), the award's for the independent assessment,
    and calls the sign-off listeners (the certificate)."""
    from portal import permissions

    if submission.independent and not permissions.is_programme_admin(by):
        raise DomainError("The independent assessment is signed off by a programme admin")
    allowed = check_move(submission, S.SIGNED_OFF, by=by, outcome=submission.outcome)
    apply_move(submission, allowed, by=by)
    return create_sign_offs(submission, by=by, today=today, signatories=_signatories(submission, allowed.role or ""))


def replace_decision(submission: Submission, new_outcome: Outcome, *, by: Any, today: dt.date,
                     reason: str) -> list[StageSignOff]:
    """An upheld appeal replaces the decision with a pass: a confirmed fail is signed off with it; a signed-off pass
    with development has its sign-offs reversed and new ones made. (Moves authorised by the appeal: see
    ``appeals.decide_appeal``.)"""
    if new_outcome not in st.PASSING_OUTCOMES:
        raise DomainError("An upheld appeal replaces the decision with a pass, or orders a fresh assessment",
                          "replacement")
    signatories = [Role.ASSESSOR.label, Role.MODERATOR.label, APPEAL_REVIEWER]
    authority = [st.PROGRAMME_ADMIN]
    if submission.state is S.CONFIRMED:
        submission.outcome = new_outcome
        move(submission, S.SIGNED_OFF, by=by, roles=authority, outcome=new_outcome, reason=reason)
        return create_sign_offs(submission, by=by, today=today, signatories=signatories, roles=authority)
    if submission.state in (S.SIGNED_OFF, S.CERTIFICATE_ISSUED):
        if new_outcome == submission.outcome:
            raise DomainError(f"The decision is already {new_outcome.label.lower()}", "replacement")
        reverse_sign_offs(submission, by=by, reason=f"Replaced on appeal: {reason}")
        old = submission.outcome
        submission.outcome = new_outcome
        record_event(submission, "replace_decision", by=by, role=st.PROGRAMME_ADMIN, from_state=submission.state,
                     to_state=submission.state, outcome=new_outcome, reason=reason, replaced=getattr(old, "value", old))
        return create_sign_offs(submission, by=by, today=today, signatories=signatories, roles=authority)
    raise DomainError("This decision cannot be replaced")

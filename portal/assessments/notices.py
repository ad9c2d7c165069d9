"""Who hears about an assessment move: the assessor when a portfolio is allocated to them, the practitioner when a
decision is made on theirs (referred back, more time, incomplete, a confirmed fail, signed off, an appeal decided),
programme admins when an appeal is lodged. Each is an in-app notification and (unless turned off) an e-mail through
the outbox, in the same transaction as the move. Messages name the stage and the outcome, never evidence text.
"""
from __future__ import annotations

from typing import Any

from portal.assessments.models import Appeal, Submission
from portal.assessments.states import Action, Outcome
from portal.notifications.services import notify, path_for
from portal.users.models import Role


def _stage(submission: Submission) -> str:
    from portal.assessments.submissions import stage_of

    try:
        return stage_of(submission.enrolment, submission.stage_code).name
    except KeyError:
        return submission.stage_code


def _outcome(submission: Submission) -> str:
    outcome = submission.outcome
    return Outcome(outcome).label.lower() if outcome else "no outcome"


#: action -> the sentence the practitioner reads, about their ``stage`` portfolio
_TO_PRACTITIONER = {
    Action.REFER: "Your {stage} portfolio has been referred back to you: read the feedback and resubmit",
    Action.RECORD_INCOMPLETE: "Your {stage} portfolio has evidence missing: read what is needed and the deadline",
    Action.EXTEND: "You have been given more time for your {stage} portfolio: read the new due date",
    Action.SIGN_OFF: "Your {stage} stage has been signed off ({outcome})",
    Action.UPHOLD_APPEAL: "Your appeal about your {stage} decision has been upheld",
    Action.DISMISS_APPEAL: "Your appeal about your {stage} decision has been dismissed",
}


def after_move(submission: Submission, action: Action, outcome: Any = None) -> None:
    """Notify whoever a move concerns (called by ``apply_move`` after the move is recorded)."""
    if action is Action.ALLOCATE_ASSESSOR:
        allocated(submission)
        return
    link = path_for("assessments.submission", submission_id=submission.id)
    template = _TO_PRACTITIONER.get(action)
    if action is Action.CONFIRM and submission.outcome == Outcome.FAIL:
        template = "A decision has been made on your {stage} portfolio ({outcome}): you can appeal within 20 working days"
    if template is not None:
        notify(submission.practitioner, "decision_made",
               template.format(stage=_stage(submission), outcome=_outcome(submission)), link)


def allocated(submission: Submission) -> None:
    """Tell the (newly) allocated assessor."""
    if submission.assessor is not None:
        notify(submission.assessor, "submission_allocated",
               f"A {_stage(submission)} portfolio has been allocated to you for marking",
               path_for("assessments.mark", submission_id=submission.id))


def appeal_decided(appeal: Appeal, action: Action) -> None:
    after_move(appeal.submission, action)


def appeal_lodged(appeal: Appeal) -> None:
    """Tell every programme admin (they assign the independent reviewer)."""
    from portal.assessments.allocation import people_with_role

    submission = appeal.submission
    message = f"An appeal has been lodged against a {_stage(submission)} decision: assign an independent reviewer"
    link = path_for("assessments.appeal_view", appeal_id=appeal.id)
    for admin in people_with_role(Role.PROGRAMME_ADMIN):
        notify(admin, "appeal_lodged", message, link)


def agreement_requested(submission: Submission, admins: list[Any]) -> None:
    """Tell the employer's admins a practitioner asks them to agree to a submission with requirements not met."""
    message = (f"{submission.practitioner.name} asks you to agree to their {_stage(submission)} submission: "
               "some requirements are not met")
    link = path_for("assessments.agreement", submission_id=submission.id)
    for admin in admins:
        notify(admin, "agreement_requested", message, link)

"""Every move of the transition table, made through the services (allowed), and moves the services refuse with a
clear message, leaving the submission as it was."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from portal.assessments import services
from portal.assessments.states import TRANSITIONS, Outcome, TransitionError
from portal.assessments.states import SubmissionState as S
from portal.db import session
from portal.exceptions import DomainError

from .conftest import today


def _mark_input(flow: Any, submission_id: int, outcome: Outcome, **extra: Any) -> services.MarkingInput:
    from portal.assessments.marking import requirements_of

    data = services.MarkingInput(levels={r.code: ("met", "") for r in requirements_of(flow.sub(submission_id))},
                                 outcome=outcome.value, feedback="Feedback.", **extra)
    return data


def _finish(flow: Any, as_user: Any, submission_id: int, outcome: Outcome, **extra: Any) -> None:
    submission = flow.sub(submission_id)
    marking = services.open_marking(submission, by=as_user("south_assessor"))
    services.finish_marking(submission, by=as_user("south_assessor"), data=_mark_input(flow, submission_id, outcome,
                                                                                         **extra),
                            expected_lock_version=marking.lock_version, today=today())


def _incomplete(flow: Any, as_user: Any) -> int:
    submission_id = flow.assessing()
    _finish(flow, as_user, submission_id, Outcome.INCOMPLETE, missing_evidence="A third observation.")
    return submission_id


def _extended(flow: Any, as_user: Any) -> int:
    submission_id = flow.assessing()
    _finish(flow, as_user, submission_id, Outcome.EXTEND, extend_to=today() + dt.timedelta(days=30))
    return submission_id


def _referred(flow: Any, as_user: Any) -> int:
    submission_id = flow.assessing()
    services.refer(flow.sub(submission_id), by=as_user("south_assessor"), reason="Child A's school is named.")
    return submission_id


def _resubmitted(flow: Any, as_user: Any) -> int:
    submission_id = _referred(flow, as_user)
    services.resubmit(flow.sub(submission_id), by=as_user("practitioner"), today=today())
    return submission_id


def _paused(flow: Any, as_user: Any) -> int:
    submission_id = flow.assessing()
    services.pause(flow.sub(submission_id), by=as_user("employer_admin"), reason="Parental leave.")
    return submission_id


def _returned(flow: Any, as_user: Any) -> int:
    submission_id = flow.in_moderation()
    services.return_to_assessor(flow.sub(submission_id), by=as_user("moderator"), reasons="Look again at the CPD.")
    return submission_id


def _upheld_fail(flow: Any, as_user: Any, reassess: bool) -> int:
    submission_id = flow.confirmed(Outcome.FAIL)
    appeal = services.lodge_appeal(flow.sub(submission_id), by=as_user("practitioner"), grounds="Evidence missed.",
                                   today=today())
    services.assign_reviewer(appeal, as_user("south_moderator"), by=as_user("programme_admin"))
    services.decide_appeal(appeal, by=as_user("south_moderator"), upheld=True, reasons="The CPD was not read.",
                           today=today(), replacement="reassess" if reassess else "PASS",
                           new_assessor=as_user("south_assessor2") if reassess else None)
    return submission_id


# (source, target) -> how to get to source, and how to make the move; each returns the submission id
MOVES: dict[tuple[S, S], Callable[[Any, Any], int]] = {
    (S.DRAFT, S.SUBMITTED): lambda f, u: _do(f.draft(), lambda s: services.submit(s, by=u("practitioner"),
                                                                                   today=today()), f),
    (S.DRAFT, S.WITHDRAWN): lambda f, u: _do(f.draft(), lambda s: services.withdraw(s, by=u("practitioner")), f),
    (S.SUBMITTED, S.UNDER_ASSESSMENT): lambda f, u: f.assessing(),
    (S.SUBMITTED, S.PAUSED): lambda f, u: _do(f.submitted(), lambda s: services.pause(
        s, by=u("employer_admin"), reason="Sickness."), f),
    (S.SUBMITTED, S.WITHDRAWN): lambda f, u: _do(f.submitted(), lambda s: services.withdraw(s, by=u("practitioner")),
                                                 f),
    (S.UNDER_ASSESSMENT, S.REFERRED): _referred,
    (S.UNDER_ASSESSMENT, S.RECOMMENDED): lambda f, u: f.recommended(Outcome.PASS_DEV),
    (S.UNDER_ASSESSMENT, S.INCOMPLETE_EVIDENCE): _incomplete,
    (S.UNDER_ASSESSMENT, S.EXTENDED): _extended,
    (S.UNDER_ASSESSMENT, S.PAUSED): _paused,
    (S.UNDER_ASSESSMENT, S.WITHDRAWN): lambda f, u: _do(f.assessing(), lambda s: services.withdraw(
        s, by=u("practitioner"), reason="Changing employer."), f),
    (S.REFERRED, S.RESUBMITTED): _resubmitted,
    (S.REFERRED, S.PAUSED): lambda f, u: _do(_referred(f, u), lambda s: services.pause(
        s, by=u("programme_admin"), reason="Career break."), f),
    (S.REFERRED, S.WITHDRAWN): lambda f, u: _do(_referred(f, u), lambda s: services.withdraw(
        s, by=u("practitioner")), f),
    (S.INCOMPLETE_EVIDENCE, S.RESUBMITTED): lambda f, u: _do(_incomplete(f, u), lambda s: services.resubmit(
        s, by=u("practitioner"), today=today()), f),
    (S.INCOMPLETE_EVIDENCE, S.UNDER_ASSESSMENT): lambda f, u: _do(_incomplete(f, u), lambda s: (
        services.assess_after_deadline(s, by=u("south_assessor"), today=s.incomplete_deadline + dt.timedelta(1))), f),
    (S.INCOMPLETE_EVIDENCE, S.PAUSED): lambda f, u: _do(_incomplete(f, u), lambda s: services.pause(
        s, by=u("employer_admin"), reason="Sickness."), f),
    (S.INCOMPLETE_EVIDENCE, S.WITHDRAWN): lambda f, u: _do(_incomplete(f, u), lambda s: services.withdraw(
        s, by=u("practitioner")), f),
    (S.EXTENDED, S.RESUBMITTED): lambda f, u: _do(_extended(f, u), lambda s: services.resubmit(
        s, by=u("practitioner"), today=today()), f),
    (S.EXTENDED, S.UNDER_ASSESSMENT): lambda f, u: _do(_extended(f, u), lambda s: services.assess_after_deadline(
        s, by=u("south_assessor"), today=s.extended_to + dt.timedelta(1)), f),
    (S.EXTENDED, S.PAUSED): lambda f, u: _do(_extended(f, u), lambda s: services.pause(
        s, by=u("employer_admin"), reason="Sickness."), f),
    (S.EXTENDED, S.WITHDRAWN): lambda f, u: _do(_extended(f, u), lambda s: services.withdraw(
        s, by=u("practitioner")), f),
    (S.RESUBMITTED, S.UNDER_ASSESSMENT): lambda f, u: _do(_resubmitted(f, u), lambda s: services.resume_assessment(
        s, by=u("south_assessor")), f),
    (S.RESUBMITTED, S.PAUSED): lambda f, u: _do(_resubmitted(f, u), lambda s: services.pause(
        s, by=u("employer_admin"), reason="Sickness."), f),
    (S.RESUBMITTED, S.WITHDRAWN): lambda f, u: _do(_resubmitted(f, u), lambda s: services.withdraw(
        s, by=u("practitioner")), f),
    (S.PAUSED, S.WITHDRAWN): lambda f, u: _do(_paused(f, u), lambda s: services.withdraw(s, by=u("practitioner")), f),
    (S.RECOMMENDED, S.MODERATION): lambda f, u: f.in_moderation(),
    (S.MODERATION, S.CONFIRMED): lambda f, u: f.confirmed(),
    (S.MODERATION, S.RETURNED): _returned,
    (S.RETURNED, S.UNDER_ASSESSMENT): lambda f, u: _do(_returned(f, u), lambda s: services.resume_assessment(
        s, by=u("south_assessor")), f),
    (S.CONFIRMED, S.SIGNED_OFF): lambda f, u: f.signed_off(),
    (S.CONFIRMED, S.UNDER_ASSESSMENT): lambda f, u: _upheld_fail(f, u, reassess=True),
}
PAUSABLE = [S.SUBMITTED, S.UNDER_ASSESSMENT, S.REFERRED, S.INCOMPLETE_EVIDENCE, S.EXTENDED, S.RESUBMITTED]


def _do(submission_id: int, action: Callable[[Any], Any], flow: Any) -> int:
    action(flow.sub(submission_id))
    session().commit()
    return submission_id


def test_the_table_is_covered():
    table = {(source, target) for source, moves in TRANSITIONS.items() for target in moves}
    covered = set(MOVES) | {(S.SIGNED_OFF, S.CERTIFICATE_ISSUED)} | {(S.PAUSED, state) for state in PAUSABLE}
    assert table == covered


@pytest.mark.parametrize("move", list(MOVES),
                         ids=lambda m: f"{m[0].value}->{m[1].value}")
def test_allowed_move(flow, as_user, move):
    submission_id = MOVES[move](flow, as_user)
    session().commit()
    submission = flow.sub(submission_id)
    session().refresh(submission)
    assert submission.state is move[1]
    from portal.assessments.queries import history

    last = [e for e in history(submission).events if e.to_state is not None][-1]
    assert (last.from_state, last.to_state) == (move[0].value, move[1].value)
    assert last.actor_id is not None and last.role
    from portal.audit import AuditEvent

    audited = session().query(AuditEvent).filter_by(action=f"assessment.{last.action}", subject_type="Submission",
                                                    subject_id=str(submission_id)).all()
    assert any(e.actor_id == last.actor_id and e.details.get("to_state") == move[1].value for e in audited)


@pytest.mark.parametrize("where", PAUSABLE, ids=lambda s: s.value)
def test_a_paused_submission_resumes_where_it_was(flow, as_user, where):
    builders = {S.SUBMITTED: lambda: flow.submitted(), S.UNDER_ASSESSMENT: lambda: flow.assessing(),
                S.REFERRED: lambda: _referred(flow, as_user), S.INCOMPLETE_EVIDENCE: lambda: _incomplete(flow, as_user),
                S.EXTENDED: lambda: _extended(flow, as_user), S.RESUBMITTED: lambda: _resubmitted(flow, as_user)}
    submission_id = builders[where]()
    services.pause(flow.sub(submission_id), by=as_user("employer_admin"), reason="Sickness.")
    assert flow.sub(submission_id).paused_from is where
    services.resume(flow.sub(submission_id), by=as_user("employer_admin"))
    session().commit()
    assert flow.sub(submission_id).state is where and flow.sub(submission_id).paused_from is None


def test_certificate_issued_follows_a_listener_that_issues(flow, as_user):
    issued = []

    def issue(sign_off, *, by):
        issued.append(sign_off.stage_code)
        return {"certificate": sign_off.id}

    services.register_sign_off_listener(issue)
    try:
        submission_id = flow.signed_off()
    finally:
        services.unregister_listener(issue)
    assert issued == ["Y1"]
    assert flow.sub(submission_id).state is S.CERTIFICATE_ISSUED


# ------------------------------------------------------------------------------------------------ refused
def _refused(flow: Any, submission_id: int, action: Callable[[Any], Any], message: str) -> None:
    before = flow.sub(submission_id).state
    with pytest.raises(DomainError) as caught:
        action(flow.sub(submission_id))
    session().rollback()
    assert message in caught.value.message
    assert flow.sub(submission_id).state is before


def test_submitting_twice_is_refused(flow, as_user):
    submission_id = flow.submitted()
    _refused(flow, submission_id, lambda s: services.submit(s, by=as_user("practitioner"), today=today()),
             "already submitted")


def test_starting_a_second_submission_for_the_same_stage_is_refused(flow, world, as_user):
    from portal.enrolments.models import Enrolment

    flow.submitted()
    with pytest.raises(DomainError, match="already started a submission"):
        services.start_submission(session().get(Enrolment, world["enrolment"].id), "Y1", by=as_user("practitioner"))


def test_withdrawing_after_a_recommendation_is_refused(flow, as_user):
    submission_id = flow.recommended(Outcome.FAIL)
    _refused(flow, submission_id, lambda s: services.withdraw(s, by=as_user("practitioner")),
             "once a recommendation has been made")


def test_marking_a_sealed_then_withdrawn_submission_is_refused(flow, as_user):
    submission_id = flow.assessing()
    services.withdraw(flow.sub(submission_id), by=as_user("practitioner"))
    session().commit()
    _refused(flow, submission_id, lambda s: _finish(flow, as_user, submission_id, Outcome.PASS), "withdrawn")


def test_an_outcome_without_feedback_is_refused(flow, as_user):
    submission_id = flow.assessing()
    data = _mark_input(flow, submission_id, Outcome.PASS)
    data.feedback = "  "
    submission = flow.sub(submission_id)
    marking = services.open_marking(submission, by=as_user("south_assessor"))
    session().commit()
    _refused(flow, submission_id, lambda s: services.finish_marking(
        s, by=as_user("south_assessor"), data=data, expected_lock_version=marking.lock_version, today=today()),
        "an outcome needs feedback")


def test_only_moderation_opens_a_recommendation(flow, as_user):
    submission_id = flow.drawn()
    _refused(flow, submission_id, lambda s: services.confirm(s, by=as_user("moderator"), reasons="Fine.",
                                                             today=today()), "until it reaches moderation")


def test_signing_off_a_fail_is_refused_and_a_moderator_cannot_sign_off(flow, as_user):
    failed = flow.confirmed(Outcome.FAIL)
    _refused(flow, failed, lambda s: services.sign_off(s, by=as_user("employer_admin"), today=today()),
             "must be pass or pass with targeted development")
    passed = flow.confirmed(Outcome.PASS, stage="Y2")
    _refused(flow, passed, lambda s: services.sign_off(s, by=as_user("moderator"), today=today()),
             "Only an employer admin or a programme admin can sign off the stage")


def test_assessing_before_the_deadline_is_refused(flow, as_user):
    submission_id = _incomplete(flow, as_user)
    session().commit()
    _refused(flow, submission_id, lambda s: services.assess_after_deadline(s, by=as_user("south_assessor"),
                                                                           today=today()), "has until")


def test_resuming_is_refused_unless_paused(flow, as_user):
    submission_id = flow.assessing()
    with pytest.raises(TransitionError, match="not paused"):
        services.resume(flow.sub(submission_id), by=as_user("employer_admin"))


def test_the_practitioner_cannot_pause_and_the_assessor_cannot_resubmit(flow, as_user):
    submission_id = flow.assessing()
    _refused(flow, submission_id, lambda s: services.pause(s, by=as_user("practitioner"), reason="Because."),
             "Only an employer admin or a programme admin can pause")
    services.refer(flow.sub(submission_id), by=as_user("south_assessor"), reason="Unreadable file.")
    session().commit()
    _refused(flow, submission_id, lambda s: services.resubmit(s, by=as_user("south_assessor"), today=today()),
             "Only the practitioner can resubmit")

"""Appeals: the 20-working-day window (bank holidays excluded; a late appeal is refused with the date it closed), one
appeal per decision, an independent reviewer, and the outcome (upheld: the decision replaced and the listeners
called; dismissed: it stands)."""
from __future__ import annotations

import datetime as dt

import pytest

from portal.assessments import calendar, services
from portal.assessments.models import StageSignOff
from portal.assessments.states import AppealState, Outcome, TransitionError
from portal.assessments.states import SubmissionState as S
from portal.db import session
from portal.exceptions import DomainError

from ..conftest import on_boundary_days, parse
from .conftest import today

DECIDED = dt.date(2025, 12, 10)  # a Wednesday: the window runs over Christmas, Boxing Day and New Year's Day


def _failed(flow, decided_on=DECIDED) -> int:
    submission_id = flow.confirmed(Outcome.FAIL)
    flow.sub(submission_id).decided_on = decided_on
    session().commit()
    return submission_id


@on_boundary_days
def test_the_window_is_twenty_working_days_without_bank_holidays(flow, as_user):
    closes = calendar.appeal_deadline(DECIDED)
    assert closes == dt.date(2026, 1, 12)
    submission_id = _failed(flow)
    with pytest.raises(DomainError) as late:
        services.lodge_appeal(flow.sub(submission_id), by=as_user("practitioner"), grounds="Unfair.",
                              today=closes + dt.timedelta(days=1))
    assert late.value.message == ("The time to appeal this decision ended on 12 January 2026, 20 working days after "
                                  "the decision on 10 December 2025")
    session().rollback()
    appeal = services.lodge_appeal(flow.sub(submission_id), by=as_user("practitioner"), grounds="Unfair.",
                                   today=closes)
    assert appeal.state is AppealState.LODGED and appeal.decision_on == DECIDED


@on_boundary_days
def test_a_late_appeal_is_refused_on_the_page_with_the_date(flow, client, sign_in_as, world):
    submission_id = _failed(flow)
    sign_in_as(world["practitioner"])
    response = client.post(f"/assessments/submissions/{submission_id}/appeal",
                           data={"grounds": "My observations were not read."})
    assert response.status_code == 200
    assert "ended on 12 January 2026" in parse(response).select_one(".govuk-error-summary").get_text()
    from portal.assessments.models import Appeal

    assert session().query(Appeal).count() == 0


def test_one_appeal_per_decision(flow, as_user):
    submission_id = _failed(flow, decided_on=today())
    services.lodge_appeal(flow.sub(submission_id), by=as_user("practitioner"), grounds="Unfair.", today=today())
    session().commit()
    with pytest.raises(TransitionError, match="already been lodged"):
        services.lodge_appeal(flow.sub(submission_id), by=as_user("practitioner"), grounds="Again.", today=today())


def test_only_a_decision_can_be_appealed_and_only_by_the_practitioner(flow, as_user, client, sign_in_as, world):
    passed = flow.signed_off(Outcome.PASS)
    with pytest.raises(TransitionError, match="Only a decision can be appealed"):
        services.lodge_appeal(flow.sub(passed), by=as_user("practitioner"), grounds="?", today=today())
    session().rollback()
    sign_in_as(world["practitioner"])
    assert client.get(f"/assessments/submissions/{passed}/appeal").status_code == 403
    failed = flow.confirmed(Outcome.FAIL, stage="Y2")
    with pytest.raises(TransitionError, match="Only the practitioner can lodge an appeal"):
        services.lodge_appeal(flow.sub(failed), by=as_user("employer_admin"), grounds="?", today=today())


def _lodged(flow, as_user, outcome=Outcome.FAIL):
    submission_id = flow.confirmed(outcome) if outcome is Outcome.FAIL else flow.signed_off(outcome)
    appeal = services.lodge_appeal(flow.sub(submission_id), by=as_user("practitioner"),
                                   grounds="The assessor did not read my observations.", today=today())
    session().commit()
    return submission_id, appeal.id


def _appeal(appeal_id):
    from portal.assessments.models import Appeal

    return session().get(Appeal, appeal_id)


def test_the_reviewer_is_independent(flow, as_user):
    _, appeal_id = _lodged(flow, as_user)
    for name, reason in [("moderator", "involved in the decision (moderator)"),
                         ("south_assessor", "involved in the decision (first marker)"),
                         ("east_assessor", "involved in the decision (second marker)"),
                         ("old_supervisor", "supervised this practitioner")]:
        with pytest.raises(DomainError, match=reason.replace("(", r"\(").replace(")", r"\)")):
            services.assign_reviewer(_appeal(appeal_id), as_user(name), by=as_user("programme_admin"))
        session().rollback()
    with pytest.raises(DomainError, match="Only a programme admin"):
        services.assign_reviewer(_appeal(appeal_id), as_user("south_moderator"), by=as_user("employer_admin"))
    session().rollback()
    services.assign_reviewer(_appeal(appeal_id), as_user("south_moderator"), by=as_user("programme_admin"))
    session().commit()
    assert _appeal(appeal_id).reviewer_id == as_user("south_moderator").id
    # someone else cannot record the outcome
    with pytest.raises(TransitionError, match="can uphold an appeal"):
        services.decide_appeal(_appeal(appeal_id), by=as_user("south_assessor2"), upheld=True, reasons="Yes.",
                               today=today(), replacement="PASS")


def test_an_upheld_appeal_replaces_a_fail_with_a_pass_and_issues(flow, as_user):
    calls = []
    listener = services.register_sign_off_listener(lambda sign_off, *, by: calls.append((sign_off.id, by.id)))
    try:
        submission_id, appeal_id = _lodged(flow, as_user)
        services.assign_reviewer(_appeal(appeal_id), as_user("south_moderator"), by=as_user("programme_admin"))
        services.decide_appeal(_appeal(appeal_id), by=as_user("south_moderator"), upheld=True,
                               reasons="The observations show the standard was met.", today=today(),
                               replacement="PASS")
        session().commit()
    finally:
        services.unregister_listener(listener)
    submission = flow.sub(submission_id)
    assert submission.state is S.SIGNED_OFF and submission.outcome is Outcome.PASS
    sign_off = session().query(StageSignOff).filter_by(submission_id=submission_id).one()
    assert calls == [(sign_off.id, as_user("south_moderator").id)]
    assert sign_off.signatory_roles == ["Assessor", "Moderator", "Appeal reviewer"]
    appeal = _appeal(appeal_id)
    assert appeal.state is AppealState.UPHELD and appeal.replacement_outcome is Outcome.PASS


def test_an_upheld_appeal_against_development_points_reverses_the_sign_off(flow, as_user):
    reversed_calls, issued = [], []
    on_reverse = services.register_decision_reversed_listener(
        lambda sign_off, *, by: reversed_calls.append((sign_off.id, sign_off.reversed_reason)))
    on_issue = services.register_sign_off_listener(lambda sign_off, *, by: issued.append(sign_off.outcome))
    try:
        submission_id, appeal_id = _lodged(flow, as_user, Outcome.PASS_DEV)
        first = session().query(StageSignOff).filter_by(submission_id=submission_id).one()
        services.assign_reviewer(_appeal(appeal_id), as_user("south_moderator"), by=as_user("programme_admin"))
        services.decide_appeal(_appeal(appeal_id), by=as_user("programme_admin"), upheld=True,
                               reasons="The points repeat what was already met.", today=today(), replacement="PASS")
        session().commit()
    finally:
        services.unregister_listener(on_reverse)
        services.unregister_listener(on_issue)
    assert reversed_calls == [(first.id, "Replaced on appeal: The points repeat what was already met.")]
    assert issued == [Outcome.PASS_DEV, Outcome.PASS]
    rows = session().query(StageSignOff).filter_by(submission_id=submission_id).order_by(StageSignOff.id).all()
    assert [r.stands for r in rows] == [False, True] and rows[1].outcome is Outcome.PASS
    from portal.assessments.queries import signed_off_stages

    assert signed_off_stages([rows[0].enrolment_id])[rows[0].enrolment_id].signed_off == {"Y1": today()}


def test_an_upheld_appeal_can_order_a_fresh_assessment(flow, as_user):
    submission_id, appeal_id = _lodged(flow, as_user)
    services.assign_reviewer(_appeal(appeal_id), as_user("south_moderator"), by=as_user("programme_admin"))
    session().commit()
    with pytest.raises(DomainError, match="another assessor"):
        services.decide_appeal(_appeal(appeal_id), by=as_user("south_moderator"), upheld=True, reasons="Redo.",
                               today=today(), replacement="reassess", new_assessor=as_user("south_assessor"))
    session().rollback()
    services.decide_appeal(_appeal(appeal_id), by=as_user("south_moderator"), upheld=True, reasons="Redo.",
                           today=today(), replacement="reassess", new_assessor=as_user("south_assessor2"))
    session().commit()
    submission = flow.sub(submission_id)
    assert submission.state is S.UNDER_ASSESSMENT and submission.assessor_id == as_user("south_assessor2").id
    assert submission.outcome is None


def test_a_dismissed_appeal_leaves_the_decision(flow, as_user, client, sign_in_as, world, page):
    submission_id, appeal_id = _lodged(flow, as_user)
    services.assign_reviewer(_appeal(appeal_id), as_user("south_moderator"), by=as_user("programme_admin"))
    session().commit()
    sign_in_as(world["south_moderator"])
    response = client.post(f"/assessments/appeals/{appeal_id}/decide",
                           data={"result": "dismissed", "reasons": "The marking followed the rubric."})
    assert response.status_code == 302
    assert _appeal(appeal_id).state is AppealState.DISMISSED
    assert flow.sub(submission_id).state is S.CONFIRMED and flow.sub(submission_id).outcome is Outcome.FAIL
    sign_in_as(world["practitioner"])
    assert "Dismissed" in page(f"/assessments/appeals/{appeal_id}").get_text()


def test_the_reviewer_reads_the_portfolio_only_while_the_appeal_is_open(flow, as_user, client, sign_in_as, world):
    submission_id, appeal_id = _lodged(flow, as_user)
    services.assign_reviewer(_appeal(appeal_id), as_user("south_moderator"), by=as_user("programme_admin"))
    session().commit()
    portfolio = f"/assessments/submissions/{submission_id}/versions/1"
    sign_in_as(world["south_assessor"])
    assert client.get(portfolio).status_code == 403  # the decision is made: the assessor's access has ended
    sign_in_as(world["south_moderator"])
    assert client.get(portfolio).status_code == 200  # the reviewer must read it to decide the appeal
    services.decide_appeal(_appeal(appeal_id), by=as_user("south_moderator"), upheld=False,
                           reasons="The marking followed the rubric.", today=today())
    session().commit()
    assert client.get(portfolio).status_code == 403

"""Who is told about an assessment move: the allocated assessor, the practitioner on a decision, programme admins on
an appeal; each an in-app notification and an e-mail in the outbox, and nothing for a move that was refused."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.assessments import services
from portal.assessments.states import Outcome
from portal.db import session
from portal.exceptions import DomainError
from portal.mail import OutboxMessage
from portal.notifications.models import Notification

from ..conftest import parse
from .conftest import today


def _notes(user) -> list[Notification]:
    return list(session().execute(select(Notification).where(Notification.user_id == user.id)
                                  .order_by(Notification.id)).scalars())


def _mail_to(user) -> list[OutboxMessage]:
    return list(session().execute(select(OutboxMessage).where(OutboxMessage.to_address == user.email)).scalars())


def test_the_allocated_assessor_is_told_with_a_link_to_the_marking(flow, world, as_user):
    submission_id = flow.assessing("south_assessor")
    notes = [n for n in _notes(world["south_assessor"]) if n.kind == "submission_allocated"]
    assert len(notes) == 1
    assert notes[0].message == "A Year 1 (ASYE-equivalent) portfolio has been allocated to you for marking"
    assert notes[0].link == f"/assessments/submissions/{submission_id}/marking"
    assert any("allocated to you for marking" in m.subject for m in _mail_to(world["south_assessor"]))
    assert not [n for n in _notes(world["south_assessor2"]) if n.kind == "submission_allocated"]


def test_a_refused_allocation_tells_nobody(flow, world, as_user):
    submission_id = flow.submitted()
    with pytest.raises(DomainError):  # Otto supervised Pat: a conflict
        services.allocate_assessor(flow.sub(submission_id), as_user("old_supervisor"), by=as_user("employer_admin"),
                                   today=today())
    session().rollback()
    assert not _notes(world["old_supervisor"])


@pytest.mark.parametrize(("outcome", "words"), [
    (Outcome.INCOMPLETE, "has evidence missing"),
    (Outcome.EXTEND, "given more time"),
])
def test_the_practitioner_hears_when_the_portfolio_comes_back(flow, world, outcome, words):
    flow.recommended(outcome)
    decisions = [n for n in _notes(world["practitioner"]) if n.kind == "decision_made"]
    assert len(decisions) == 1 and words in decisions[0].message and "Year 1 (ASYE-equivalent)" in decisions[0].message


def test_a_recommendation_alone_is_not_a_decision(flow, world):
    flow.recommended(Outcome.PASS)
    assert not [n for n in _notes(world["practitioner"]) if n.kind == "decision_made"]


def test_sign_off_and_a_confirmed_fail_are_decisions(flow, world):
    flow.signed_off(Outcome.PASS_DEV)
    decisions = [n.message for n in _notes(world["practitioner"]) if n.kind == "decision_made"]
    assert decisions == ["Your Year 1 (ASYE-equivalent) stage has been signed off (pass with targeted development)"]


def test_a_confirmed_fail_tells_the_practitioner_they_can_appeal_and_the_appeal_tells_programme_admins(
        flow, world, as_user):
    submission_id = flow.confirmed(Outcome.FAIL)
    decisions = [n.message for n in _notes(world["practitioner"]) if n.kind == "decision_made"]
    assert decisions == [("A decision has been made on your Year 1 (ASYE-equivalent) portfolio (fail): you can "
                          "appeal within 20 working days")]
    appeal = services.lodge_appeal(flow.sub(submission_id), by=as_user("practitioner"), grounds="The marking "
                                   "missed my second observation.", today=today())
    session().commit()
    lodged = [n for n in _notes(world["programme_admin"]) if n.kind == "appeal_lodged"]
    assert len(lodged) == 1 and lodged[0].link == f"/assessments/appeals/{appeal.id}"
    assert "missed my second observation" not in lodged[0].message  # the grounds stay on the appeal page
    assert not [n for n in _notes(world["employer_admin"]) if n.kind == "appeal_lodged"]


def test_turning_email_off_keeps_the_notification_but_sends_no_mail(flow, world, as_user):
    from portal.notifications.services import set_email_preferences

    set_email_preferences(as_user("south_assessor"), {"submission_allocated": False}, by=as_user("south_assessor"))
    session().commit()
    flow.assessing("south_assessor")
    assert [n.kind for n in _notes(world["south_assessor"])] == ["submission_allocated"]
    assert not _mail_to(world["south_assessor"])


def test_the_practitioner_asks_their_employer_to_agree_once_a_day(client, flow, world, as_user, sign_in_as):
    from portal.assessments import submissions

    submission = services.start_submission(session().get(type(world["enrolment"]), world["enrolment"].id), "Y1",
                                           by=as_user("practitioner"))
    session().commit()
    sign_in_as(world["practitioner"])
    page = client.get(f"/assessments/submissions/{submission.id}/check")
    form = parse(page).select_one(f"form[action='/assessments/submissions/{submission.id}/ask-agreement']")
    assert form is not None and form.select_one("#ask-agreement")
    token = form.select_one("input[name=csrf_token]")["value"]
    asked = client.post(f"/assessments/submissions/{submission.id}/ask-agreement", data={"csrf_token": token},
                        follow_redirects=True)
    assert "admin has been asked to agree" in asked.get_data(as_text=True)
    [note] = [n for n in _notes(world["employer_admin"]) if n.kind == "agreement_requested"]
    assert note.link == f"/assessments/submissions/{submission.id}/agreement"
    assert "Pat Practitioner" in note.message and "Year 1 (ASYE-equivalent)" in note.message
    assert not [n for n in _notes(world["south_admin"]) if n.kind == "agreement_requested"]  # another employer

    again = client.post(f"/assessments/submissions/{submission.id}/ask-agreement", data={"csrf_token": token},
                        follow_redirects=True)
    assert "already asked your employer today" in again.get_data(as_text=True)
    assert len([n for n in _notes(world["employer_admin"]) if n.kind == "agreement_requested"]) == 1

    services.record_agreement(flow.sub(submission.id), by=as_user("employer_admin"), today=today(),
                              reason="Reviews are booked.")
    session().commit()
    with pytest.raises(DomainError, match="already agreed"):
        submissions.request_agreement(flow.sub(submission.id), by=as_user("practitioner"), today=today())
    with pytest.raises(DomainError, match="Only the practitioner"):
        submissions.request_agreement(flow.sub(submission.id), by=as_user("employer_admin"), today=today())

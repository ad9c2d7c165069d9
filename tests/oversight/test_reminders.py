"""`portal reminders run`: due-soon and overdue reminders for reviews, stages, CPD, verifications waiting and
marking, each sent once however often the command runs."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select

from portal.db import session
from portal.mail import OutboxMessage
from portal.notifications.models import Notification
from portal.oversight.models import SentReminder
from portal.oversight.reminders import run_reminders
from tests.conftest import on_boundary_days

from .conftest import london_today

START = dt.date(2025, 9, 1)  # Y1-R3 due 1 December 2025, Y1-R6 1 March 2026, Year 1 due 31 August 2026


def notifications() -> list[tuple[int, str, str]]:
    return [(n.user_id, n.kind, n.message) for n in session().execute(
        select(Notification).order_by(Notification.id)).scalars()]


def count(model) -> int:
    return session().execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def pat(world, enrol_as):
    return enrol_as(world["prac"], start=START, supervisor=world["sup"])


@on_boundary_days
def test_review_due_soon_reminds_practitioner_and_supervisor_once(world, pat):
    counts = run_reminders(dt.date(2025, 11, 21))
    assert counts["review_due_soon"] == 2
    sent = notifications()
    assert (world["prac"].id, "review_due", "Your review at 3 months is due on 1 December 2025") in sent
    assert (world["sup"].id, "review_due", "Pat Practitioner's review at 3 months is due on 1 December 2025") in sent
    # CPD for the year to 30 November 2025 is not done, and it is 9 days away
    assert (world["prac"].id, "cpd_due", ("Record your CPD by 30 November 2025: you still need 2 more complete CPD "
                                          "records and a record with a peer reflection")) in sent
    emails = count(OutboxMessage)
    assert emails == len(sent)
    # the same day again, and the next day: nothing new
    again = run_reminders(dt.date(2025, 11, 21))
    assert sum(v for k, v in again.items() if k != "skipped") == 0 and again["skipped"] == len(sent)
    run_reminders(dt.date(2025, 11, 22))
    assert len(notifications()) == len(sent) and count(OutboxMessage) == emails


@on_boundary_days
def test_overdue_reviews_and_stages_are_reminded_once(world, pat):
    run_reminders(dt.date(2025, 12, 5))
    overdue = [n for n in notifications() if "was due" in n[2]]
    assert sorted(n[0] for n in overdue if "review at 3 months" in n[2]) == sorted([world["prac"].id,
                                                                                   world["sup"].id])
    run_reminders(dt.date(2025, 12, 6))
    assert [n for n in notifications() if "was due" in n[2]] == overdue
    # a stage that ended unmet
    before = len(notifications())
    run_reminders(dt.date(2026, 9, 3))
    stage = [n for n in notifications()[before:] if n[1] == "stage_due"]
    assert {n[2] for n in stage} >= {"Your Year 1 (ASYE-equivalent) was due on 31 August 2026 and is not complete"}
    # long-past things are not reminded on a first run
    assert not [n for n in notifications()[before:] if "review at 3 months" in n[2]]


def test_stage_due_soon(world, pat):
    run_reminders(dt.date(2026, 8, 10))
    assert any(n[1] == "stage_due" and n[2].startswith("Your Year 1 (ASYE-equivalent) is due on 31 August 2026: ")
               for n in notifications())


def test_verifications_waiting_over_a_week_remind_the_supervisor_once(world, bulk):
    bulk(2, supervisor=world["sup"], waiting=2, cpd=0)  # 4 items asked for 9 days ago
    today = london_today()
    run_reminders(today)
    waiting = [n for n in notifications() if n[1] == "verification_waiting"]
    assert waiting == [(world["sup"].id, "verification_waiting",
                        "4 items of evidence have waited more than 7 days for you to verify")]
    run_reminders(today)
    run_reminders(today + dt.timedelta(days=1))
    assert [n for n in notifications() if n[1] == "verification_waiting"] == waiting
    # one more item passes the week: the next run mentions only that one
    bulk(1, supervisor=world["sup"], waiting=1, cpd=0)
    run_reminders(today)
    assert [n[2] for n in notifications() if n[1] == "verification_waiting"][-1] == (
        "1 item of evidence has waited more than 7 days for you to verify")


def test_paused_enrolments_get_no_pathway_reminders(world, pat):
    from portal.enrolments.models import Enrolment, PauseReason
    from portal.enrolments.services import record_pause

    record_pause(session().get(Enrolment, pat.id), start_date=dt.date(2025, 11, 1), end_date=dt.date(2026, 1, 31),
                 reason=PauseReason.SICKNESS, details="", by=None)
    session().commit()
    counts = run_reminders(dt.date(2025, 11, 21))
    assert counts["review_due_soon"] == 0 and counts["review_overdue"] == 0


def test_marking_past_its_due_date_reminds_the_assessor(world, pat):
    from portal.assessments.models import Submission
    from portal.assessments.states import SubmissionState

    submission = Submission(enrolment_id=pat.id, practitioner_id=world["prac"].id, stage_code="Y1", version=1,
                            state=SubmissionState.UNDER_ASSESSMENT, assessor_id=world["assessor"].id,
                            assessor_due_on=london_today() - dt.timedelta(days=2))
    session().add(submission)
    session().commit()
    run_reminders(london_today())
    marking = [n for n in notifications() if n[1] == "marking_overdue"]
    assert len(marking) == 1 and marking[0][0] == world["assessor"].id
    run_reminders(london_today())
    assert len([n for n in notifications() if n[1] == "marking_overdue"]) == 1


def test_the_unique_key_stops_a_second_sender(world, pat):
    session().add(SentReminder(user_id=world["prac"].id, kind="review_due_soon", subject=f"enrolment:{pat.id}:review:Y1-R3",
                               on_date=dt.date(2025, 12, 1)))
    session().commit()
    counts = run_reminders(dt.date(2025, 11, 21))
    assert counts["review_due_soon"] == 1  # only the supervisor's
    assert Counter(n[0] for n in notifications() if n[1] == "review_due")[world["prac"].id] == 0


@on_boundary_days
def test_the_command_runs_daily_and_is_idempotent(runner, world, pat):
    first = runner.invoke(args=["reminders", "run", "--on", "2025-11-21"])
    assert first.exit_code == 0, first.output
    assert "Reminders for 2025-11-21: 3 sent (cpd_due_soon 1, review_due_soon 2); 0 already sent" in first.output
    second = runner.invoke(args=["reminders", "run", "--on", "2025-11-21"])
    assert "0 sent; 3 already sent" in second.output
    assert runner.invoke(args=["reminders", "run", "--on", "21/11/2025"]).exit_code == 2

"""The daily reminders (``portal reminders run``): due soon and overdue, sent as notifications (and e-mail, as each
person chose) through ``portal.notifications.services.notify``.

What is reminded, and to whom (days are settings):

| reminder key | notification kind | to | when |
|---|---|---|---|
| review_due_soon / review_overdue | review_due | practitioner, supervisor | a review that is not optional and not held is due within REVIEW_REMINDER_DAYS / became overdue |
| stage_due_soon / stage_overdue | stage_due | practitioner, supervisor | the current stage is not met and due within DUE_SOON_DAYS / a stage became overdue unmet |
| cpd_due_soon / cpd_overdue | cpd_due | practitioner | the registration year's CPD minimum is unmet with 30 November within DUE_SOON_DAYS / was missed |
| verification_waiting | verification_waiting | supervisor | evidence has waited more than VERIFICATION_REMINDER_DAYS (one message per supervisor per run) |
| marking_overdue | marking_overdue | assessor | a submission allocated to them is past its marking due date |

Enrolments paused today get no pathway reminders (their clock is stopped). "Became overdue" means within the last
REMINDER_LOOKBACK_DAYS, so a first run does not remind anyone of something long past.

**Idempotent**: each reminder is recorded as a ``SentReminder`` keyed by (person, reminder key, subject, date),
where the date is the due date (a verification: the day it was asked for). A reminder whose key exists is never
sent again, so running twice on a day (or daily) sends each reminder once. The unique key also stops two runs at
the same time from both sending one.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.casework.models import CaseworkItem, CaseworkKind, VerificationStatus
from portal.cpd.queries import current_year_checks
from portal.cpd.years import registration_year, year_end
from portal.db import session
from portal.enrolments.models import Enrolment, EnrolmentStatus
from portal.enrolments.queries import standings, with_people
from portal.framework.clock import format_date
from portal.framework.progress import ProgressStatus
from portal.notifications.services import notify, path_for
from portal.oversight.models import SentReminder
from portal.oversight.queries import BATCH, batches
from portal.users.models import User


@dataclass(frozen=True)
class Reminder:
    user: User
    key: str
    subject: str
    on_date: dt.date
    kind: str
    message: str
    link: str | None


def _settings() -> dict[str, int]:
    cfg = current_app.config
    return {name: int(cfg[name]) for name in ("REVIEW_REMINDER_DAYS", "DUE_SOON_DAYS", "VERIFICATION_REMINDER_DAYS",
                                              "REMINDER_LOOKBACK_DAYS")}


def _people(enrolment: Enrolment) -> list[tuple[User, bool]]:
    """(person, is the practitioner) for the practitioner and their current supervisor."""
    people = [(enrolment.practitioner, True)]
    if enrolment.supervisor is not None and enrolment.supervisor_id != enrolment.practitioner_id:
        people.append((enrolment.supervisor, False))
    return people


def _whose(own: bool, enrolment: Enrolment) -> str:
    return "Your" if own else f"{enrolment.practitioner.name}'s"


def enrolment_reminders(enrolments: list[Enrolment], today: dt.date, days: dict[str, int]) -> Iterator[Reminder]:
    """Review, stage and CPD reminders for active enrolments (the progress engine's fixed number of queries, plus
    2 for CPD)."""
    by_id = standings(enrolments, today)
    practitioners = {e.practitioner_id for e in enrolments}
    current = current_year_checks(practitioners, today)
    previous = current_year_checks(practitioners, year_end(registration_year(today) - 1))
    lookback = today - dt.timedelta(days=days["REMINDER_LOOKBACK_DAYS"])
    cpd_done: set[int] = set()
    for enrolment in enrolments:
        standing = by_id[enrolment.id]
        if standing.schedule.pause_on(today) is not None:
            continue
        link = path_for("enrolments.enrolment", enrolment_id=enrolment.id)
        held = standing.evidence.reviews_held
        for stage in standing.schedule.stages:
            for review in stage.reviews:
                if review.optional or review.code in held:
                    continue
                subject = f"enrolment:{enrolment.id}:review:{review.code}"
                if 0 <= (review.due - today).days <= days["REVIEW_REMINDER_DAYS"]:
                    for person, own in _people(enrolment):
                        yield Reminder(person, "review_due_soon", subject, review.due, "review_due",
                                       f"{_whose(own, enrolment)} {review.name.lower()} is due on "
                                       f"{format_date(review.due)}", link)
                elif lookback <= review.due < today:
                    for person, own in _people(enrolment):
                        yield Reminder(person, "review_overdue", subject, review.due, "review_due",
                                       f"{_whose(own, enrolment)} {review.name.lower()} was due on "
                                       f"{format_date(review.due)} and has not been recorded", link)
        current_code = standing.progress.current_stage
        for stage in standing.progress.stages:
            if not stage.requirements or stage.signed_off_on is not None or stage.status == ProgressStatus.MET:
                continue
            subject = f"enrolment:{enrolment.id}:stage:{stage.code}"
            if stage.code == current_code and 0 <= (stage.due - today).days <= days["DUE_SOON_DAYS"]:
                met = sum(1 for r in stage.requirements if r.status == ProgressStatus.MET)
                for person, own in _people(enrolment):
                    yield Reminder(person, "stage_due_soon", subject, stage.due, "stage_due",
                                   f"{_whose(own, enrolment)} {stage.name} is due on {format_date(stage.due)}: "
                                   f"{met} of {len(stage.requirements)} requirements met", link)
            elif lookback <= stage.due < today:
                for person, own in _people(enrolment):
                    yield Reminder(person, "stage_overdue", subject, stage.due, "stage_due",
                                   f"{_whose(own, enrolment)} {stage.name} was due on {format_date(stage.due)} and "
                                   "is not complete", link)
        if enrolment.practitioner_id in cpd_done:
            continue
        cpd_done.add(enrolment.practitioner_id)
        cpd_link = path_for("cpd.index")
        this_year, last_year = current[enrolment.practitioner_id], previous[enrolment.practitioner_id]
        due = year_end(this_year.year)
        if not this_year.met and 0 <= (due - today).days <= days["DUE_SOON_DAYS"]:
            yield Reminder(enrolment.practitioner, "cpd_due_soon", f"cpd:{this_year.year}", due, "cpd_due",
                           f"Record your CPD by {format_date(due)}: you still need "
                           f"{' and '.join(this_year.missing)}", cpd_link)
        last_due = year_end(last_year.year)
        if not last_year.met and lookback <= last_due < today and enrolment.start_date <= last_due:
            yield Reminder(enrolment.practitioner, "cpd_overdue", f"cpd:{last_year.year}", last_due, "cpd_due",
                           f"Your CPD for the year to {format_date(last_due)} did not meet Social Work England's "
                           f"minimum: {last_year.records} complete records, {last_year.with_peer_reflection} with "
                           "peer reflection", cpd_link)


def verification_reminders(today: dt.date, days: dict[str, int]) -> Iterator[tuple[User, list[CaseworkItem]]]:
    """(supervisor, items waiting for them longer than VERIFICATION_REMINDER_DAYS), 1 query."""
    before = dt.datetime.combine(today - dt.timedelta(days=days["VERIFICATION_REMINDER_DAYS"]), dt.time.min,
                                 tzinfo=dt.UTC)
    from sqlalchemy.orm import contains_eager, joinedload

    items = session().execute(
        select(CaseworkItem).join(Enrolment, Enrolment.id == CaseworkItem.enrolment_id)
        .options(contains_eager(CaseworkItem.enrolment).joinedload(Enrolment.supervisor),
                 joinedload(CaseworkItem.practitioner))
        .where(CaseworkItem.status == VerificationStatus.REQUESTED,
               CaseworkItem.kind != CaseworkKind.SUPERVISION_RECORD, CaseworkItem.requested_at < before,
               Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.supervisor_id.is_not(None))
        .order_by(Enrolment.supervisor_id, CaseworkItem.requested_at, CaseworkItem.id)).unique().scalars()
    grouped: dict[int, list[CaseworkItem]] = defaultdict(list)
    for item in items:
        grouped[item.enrolment.supervisor_id].append(item)  # type: ignore[index]
    for group in grouped.values():
        yield group[0].enrolment.supervisor, group  # type: ignore[misc]


def marking_reminders(today: dt.date, days: dict[str, int]) -> Iterator[Reminder]:
    """Submissions whose marking is past its due date, to their assessor (1 query; nothing without the
    assessment feature)."""
    try:
        from portal.assessments.models import Submission
        from portal.assessments.states import SubmissionState
    except ImportError:  # pragma: no cover
        return
    from sqlalchemy.orm import joinedload

    marking = [SubmissionState.SUBMITTED, SubmissionState.UNDER_ASSESSMENT, SubmissionState.RESUBMITTED]
    lookback = today - dt.timedelta(days=days["REMINDER_LOOKBACK_DAYS"])
    for submission in session().execute(
            select(Submission).options(joinedload(Submission.assessor))
            .where(Submission.state.in_(marking), Submission.assessor_id.is_not(None),
                   Submission.assessor_due_on < today, Submission.assessor_due_on >= lookback)
            .order_by(Submission.id)).scalars():
        due = submission.assessor_due_on
        yield Reminder(submission.assessor, "marking_overdue", f"submission:{submission.id}", due, "marking_overdue",
                       f"Marking of a stage submission allocated to you was due on {format_date(due)}",
                       _submission_link(submission.id))


def _submission_link(submission_id: int) -> str | None:
    from werkzeug.routing import BuildError

    try:
        return path_for("assessments.mark", submission_id=submission_id)
    except BuildError:  # the marking page belongs to the assessment feature
        return None


def _already_sent(reminders: Iterable[Reminder]) -> set[tuple[int, str, str, dt.date]]:
    reminders = list(reminders)
    if not reminders:
        return set()
    users = {r.user.id for r in reminders}
    earliest = min(r.on_date for r in reminders)
    return set(session().execute(select(SentReminder.user_id, SentReminder.kind, SentReminder.subject,
                                        SentReminder.on_date)
                                 .where(SentReminder.user_id.in_(users), SentReminder.on_date >= earliest)).all())


def _claim(user_id: int, key: str, subject: str, on_date: dt.date) -> bool:
    """Record a reminder as sent; False if it already was (another run got there first)."""
    sess = session()
    try:
        with sess.begin_nested():
            sess.add(SentReminder(user_id=user_id, kind=key, subject=subject, on_date=on_date))
    except IntegrityError:
        return False
    return True


def _send(reminders: list[Reminder], counts: Counter[str]) -> None:
    sent = _already_sent(reminders)
    for reminder in reminders:
        key = (reminder.user.id, reminder.key, reminder.subject, reminder.on_date)
        if key in sent or not _claim(*key):
            counts["skipped"] += 1
            continue
        sent.add(key)
        notify(reminder.user, reminder.kind, reminder.message, reminder.link)
        counts[reminder.key] += 1


def run_reminders(today: dt.date, *, on_batch: Callable[[int], None] | None = None) -> Counter[str]:
    """Send every reminder due on ``today`` that was not sent before; returns counts per reminder key (and
    ``skipped`` for those already sent). Flushes; the command commits."""
    days = _settings()
    counts: Counter[str] = Counter()
    ids = list(session().execute(select(Enrolment.id).where(Enrolment.status == EnrolmentStatus.ACTIVE)
                                 .order_by(Enrolment.id)).scalars())
    for batch_ids in batches(ids, BATCH):
        enrolments = list(session().execute(with_people(select(Enrolment)).where(Enrolment.id.in_(batch_ids))
                                            .order_by(Enrolment.id)).unique().scalars())
        _send(list(enrolment_reminders(enrolments, today, days)), counts)
        if on_batch is not None:
            on_batch(len(batch_ids))
    _send_verification_reminders(today, days, counts)
    _send(list(marking_reminders(today, days)), counts)
    return counts


def _send_verification_reminders(today: dt.date, days: dict[str, int], counts: Counter[str]) -> None:
    """One message per supervisor about the items not reminded of before (each item is reminded once per
    request, keyed by the day verification was asked for)."""
    queues = list(verification_reminders(today, days))
    key = "verification_waiting"
    candidates = [Reminder(supervisor, key, f"casework:{item.id}", item.requested_at.date(),  # type: ignore[union-attr]
                           key, "", None) for supervisor, items in queues for item in items]
    sent = _already_sent(candidates)
    for supervisor, items in queues:
        fresh = [i for i in items if (supervisor.id, key, f"casework:{i.id}", i.requested_at.date()) not in sent  # type: ignore[union-attr]
                 and _claim(supervisor.id, key, f"casework:{i.id}", i.requested_at.date())]  # type: ignore[union-attr]
        counts["skipped"] += len(items) - len(fresh)
        if not fresh:
            continue
        counts[key] += 1
        many = len(fresh) != 1
        notify(supervisor, key, f"{len(fresh)} item{'s' if many else ''} of evidence ha{'ve' if many else 's'} waited "
               f"more than {days['VERIFICATION_REMINDER_DAYS']} days for you to verify", path_for("casework.queue"))


def describe(counts: Counter[str]) -> str:
    """'3 sent (review_due_soon 2, cpd_due_soon 1); 4 already sent'."""
    sent = {k: v for k, v in sorted(counts.items()) if k != "skipped"}
    total = sum(sent.values())
    detail = ", ".join(f"{k} {v}" for k, v in sent.items())
    return f"{total} sent{f' ({detail})' if detail else ''}; {counts['skipped']} already sent"

"""Data retention: once an enrolment has been over for the retention period (RETENTION_YEARS, default 6 years
after it ended), its evidence text and files are erased; the certificate register is kept for good.

* **When an enrolment ended**: the day its status last changed to completed or withdrawn, as the audit log records
  (``enrolment.status_changed``; the audit log is append-only, so this date cannot drift), else the day its last
  supervisor allocation or employment period closed. An active enrolment never expires.
* **What is erased** (set-based updates: a fixed number of statements per enrolment however much text there is,
  plus ``evidence.services.delete_files_for`` for each item that has files):
  the text of its casework items (the kind, dates, status and standards stay, so counts still add up), comments and
  decline reasons, anonymisation confirmations, feedback respondents' descriptions; the answers of the CPD records
  logged against it; review notes, attendees and development plans; document summaries; external result notes;
  pause details (they may mention health); the practitioner's statements, sealed copies of evidence and markers'
  feedback in its assessment submissions; and every evidence file of its casework items and CPD records (the bytes
  go once the transaction commits).
* **What is kept**: the certificate register (certificates, their status history and credentials), stage
  sign-offs with their manifest digests, outcomes and dates, appeals, the audit log, and CPD records not logged
  against any enrolment (the practitioner's own log).
* Each erasure writes an audit entry (``retention.erased``) and a ``RetentionErasure`` row, so it happens once.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import case, delete, func, select, update

from portal import audit
from portal.audit import AuditEvent
from portal.casework.models import CaseworkEvent, CaseworkItem, ConfirmedFinding, FeedbackRequest
from portal.casework.services import FILE_OWNER as CASEWORK_FILES
from portal.cpd import FILE_OWNER as CPD_FILES
from portal.cpd.models import CpdRecord
from portal.db import session
from portal.enrolments.models import (
    EmploymentPeriod,
    Enrolment,
    EnrolmentDocument,
    EnrolmentPause,
    EnrolmentStatus,
    ExternalResult,
    ReviewMeetingRecord,
    SupervisorAllocation,
)
from portal.evidence.models import EvidenceFile
from portal.evidence.services import delete_files_for
from portal.formatting import LONDON
from portal.framework.clock import add_months
from portal.oversight.models import RetentionErasure

ERASED = "Erased at the end of the retention period"


def retention_years() -> int:
    return int(current_app.config["RETENTION_YEARS"])


@dataclass(frozen=True)
class Expired:
    """An enrolment past retention, with what erasing it would remove."""

    enrolment_id: int
    practitioner: str
    organisation: str
    status: str
    ended_on: dt.date
    retain_until: dt.date
    casework_items: int
    cpd_records: int
    files: int


def ended_on_dates(enrolment_ids: Sequence[int]) -> dict[int, dt.date]:
    """When each ended enrolment ended (see the module docstring; 3 queries)."""
    ids = list(enrolment_ids)
    if not ids:
        return {}
    sess = session()
    ended: dict[int, dt.date] = {}
    for subject_id, when in sess.execute(
            select(AuditEvent.subject_id, func.max(AuditEvent.occurred_at))
            .where(AuditEvent.action == "enrolment.status_changed", AuditEvent.subject_type == "Enrolment",
                   AuditEvent.subject_id.in_([str(i) for i in ids]))
            .group_by(AuditEvent.subject_id)):
        if isinstance(when, str):  # SQLite's MAX() bypasses the column type
            when = dt.datetime.fromisoformat(when)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        ended[int(subject_id)] = when.astimezone(LONDON).date()
    missing = [i for i in ids if i not in ended]
    if missing:
        for model in (SupervisorAllocation, EmploymentPeriod):
            for enrolment_id, on in sess.execute(select(model.enrolment_id, func.max(model.ended_on))
                                                 .where(model.enrolment_id.in_(missing))
                                                 .group_by(model.enrolment_id)):
                if on is not None and (enrolment_id not in ended or on > ended[enrolment_id]):
                    ended[enrolment_id] = on
    return ended


def _counts(model: Any, ids: list[int]) -> Counter[int]:
    return Counter(dict(session().execute(select(model.enrolment_id, func.count()).where(
        model.enrolment_id.in_(ids)).group_by(model.enrolment_id)).all()))


def _file_counts(ids: list[int]) -> Counter[int]:
    counts: Counter[int] = Counter()
    for owner, model in ((CASEWORK_FILES, CaseworkItem), (CPD_FILES, CpdRecord)):
        rows = session().execute(
            select(model.enrolment_id, func.count(EvidenceFile.id))
            .join(EvidenceFile, (EvidenceFile.attached_type == owner) & (EvidenceFile.attached_id == model.id))
            .where(model.enrolment_id.in_(ids)).group_by(model.enrolment_id))
        for enrolment_id, count in rows:
            counts[enrolment_id] += count
    return counts


def expired_enrolments(today: dt.date, years: int | None = None) -> list[Expired]:
    """Ended enrolments whose retention ran out before ``today`` and that were not erased yet, oldest end first,
    with what each holds (a fixed number of queries)."""
    years = retention_years() if years is None else years
    candidates = list(session().execute(
        select(Enrolment).where(Enrolment.status != EnrolmentStatus.ACTIVE,
                                ~Enrolment.id.in_(select(RetentionErasure.enrolment_id)))
        .order_by(Enrolment.id)).scalars())
    ended = ended_on_dates([e.id for e in candidates])
    due = []
    for enrolment in candidates:
        on = ended.get(enrolment.id)
        if on is not None and add_months(on, 12 * years) < today:
            due.append((enrolment, on))
    ids = [e.id for e, _ in due]
    if not ids:
        return []
    items, records, files = _counts(CaseworkItem, ids), _counts(CpdRecord, ids), _file_counts(ids)
    names = dict(session().execute(select(Enrolment.id, Enrolment.practitioner_id).where(Enrolment.id.in_(ids))).all())
    from portal.users.models import Organisation, User

    people = dict(session().execute(select(User.id, User.name).where(User.id.in_(set(names.values())))).all())
    orgs = dict(session().execute(select(Organisation.id, Organisation.name)
                                  .where(Organisation.id.in_({e.organisation_id for e, _ in due}))).all())
    result = [Expired(e.id, people.get(e.practitioner_id, ""), orgs.get(e.organisation_id, ""), e.status.value, on,
                      add_months(on, 12 * years), items[e.id], records[e.id], files[e.id]) for e, on in due]
    return sorted(result, key=lambda x: (x.ended_on, x.enrolment_id))


def _erase_assessment_text(enrolment_id: int) -> int:
    """Erase statements, sealed copies and feedback in the enrolment's submissions (kept: outcomes, digests)."""
    try:
        from portal.assessments.models import Marking, Submission, SubmissionItem, SubmissionVersion
    except ImportError:  # pragma: no cover - the assessment feature is not installed
        return 0
    sess = session()
    submissions = select(Submission.id).where(Submission.enrolment_id == enrolment_id).scalar_subquery()
    versions = select(SubmissionVersion.id).where(SubmissionVersion.submission_id.in_(submissions))
    sess.execute(update(Submission).where(Submission.enrolment_id == enrolment_id).values(statement="")
                 .execution_options(synchronize_session=False))
    sess.execute(update(SubmissionVersion).where(SubmissionVersion.submission_id.in_(submissions))
                 .values(statement="").execution_options(synchronize_session=False))
    copies = sess.execute(update(SubmissionItem).where(SubmissionItem.version_id.in_(versions))
                          .values(content={"erased": True}).execution_options(synchronize_session=False))
    sess.execute(update(Marking).where(Marking.submission_id.in_(submissions))
                 .values(feedback="", development_points="", missing_evidence="")
                 .execution_options(synchronize_session=False))
    return int(copies.rowcount or 0)


def erase(expired: Expired, *, by: Any, today: dt.date) -> dict[str, int]:
    """Erase one expired enrolment's evidence text and files (see the module docstring), record it and audit it.
    Flushes; the caller commits (and the files' bytes go then)."""
    sess = session()
    enrolment_id = expired.enrolment_id
    quiet = {"synchronize_session": False}
    item_ids = select(CaseworkItem.id).where(CaseworkItem.enrolment_id == enrolment_id)
    record_ids = select(CpdRecord.id).where(CpdRecord.enrolment_id == enrolment_id)
    files = 0
    for owner, ids in ((CASEWORK_FILES, item_ids), (CPD_FILES, record_ids)):
        with_files = sess.execute(select(EvidenceFile.attached_id).distinct().where(
            EvidenceFile.attached_type == owner, EvidenceFile.attached_id.in_(ids))).scalars().all()
        files += sum(delete_files_for(owner, attached_id, by=by) for attached_id in with_files)
    items = sess.execute(update(CaseworkItem).where(CaseworkItem.enrolment_id == enrolment_id).values(content={})
                         .execution_options(**quiet)).rowcount
    sess.execute(update(CaseworkEvent).where(CaseworkEvent.item_id.in_(item_ids)).values(note="", details={})
                 .execution_options(**quiet))
    sess.execute(delete(ConfirmedFinding).where(ConfirmedFinding.item_id.in_(item_ids)).execution_options(**quiet))
    sess.execute(update(FeedbackRequest).where(FeedbackRequest.enrolment_id == enrolment_id)
                 .values(respondent_description="Erased").execution_options(**quiet))
    had_peer = CpdRecord.peer_learning != ""
    records = sess.execute(update(CpdRecord).where(CpdRecord.enrolment_id == enrolment_id).values(
        title="CPD record (erased)", provider="", description=ERASED, learning=ERASED, impact_practice=ERASED,
        impact_people=ERASED, peer_name=case((had_peer, "Erased"), else_=""),
        peer_role=case((had_peer, "Erased"), else_=""), peer_learning=case((had_peer, ERASED), else_=""))
        .execution_options(**quiet)).rowcount
    sess.execute(update(ReviewMeetingRecord).where(ReviewMeetingRecord.enrolment_id == enrolment_id)
                 .values(attendees="", notes="", development_plan="").execution_options(**quiet))
    sess.execute(update(EnrolmentDocument).where(EnrolmentDocument.enrolment_id == enrolment_id).values(summary="")
                 .execution_options(**quiet))
    sess.execute(update(ExternalResult).where(ExternalResult.enrolment_id == enrolment_id).values(notes="")
                 .execution_options(**quiet))
    sess.execute(update(EnrolmentPause).where(EnrolmentPause.enrolment_id == enrolment_id).values(details="")
                 .execution_options(**quiet))
    copies = _erase_assessment_text(enrolment_id)
    counts = {"casework_items": int(items or 0), "cpd_records": int(records or 0), "files": files,
              "sealed_copies": copies}
    sess.add(RetentionErasure(enrolment_id=enrolment_id, ended_on=expired.ended_on,
                              retain_until=expired.retain_until, erased=counts, erased_by_id=getattr(by, "id", None)))
    sess.flush()
    audit.record(by, "retention.erased", subject_type="Enrolment", subject_id=enrolment_id,
                 ended_on=expired.ended_on.isoformat(), retain_until=expired.retain_until.isoformat(),
                 today=today.isoformat(), **counts)
    return counts

"""`portal retention run [--apply]`: a dry run lists enrolments past retention; applying erases their evidence text
and files, keeps the certificate register, and writes an audit entry, once."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text, func, insert, select

from portal import clock
from portal.audit import AuditEvent
from portal.casework import services as casework
from portal.casework.models import CaseworkEvent, CaseworkItem
from portal.cpd.models import CpdRecord, CpdType
from portal.cpd.services import CpdAnswers, create_record
from portal.db import session
from portal.enrolments.models import Enrolment, EnrolmentStatus, ReviewMeetingRecord
from portal.enrolments.services import change_status, record_review
from portal.evidence.models import EvidenceFile
from portal.evidence.services import check, store
from portal.evidence.storage import get_storage
from portal.framework.clock import add_months
from portal.oversight.models import RetentionErasure
from portal.oversight.retention import ERASED, erase, expired_enrolments
from portal.users.models import User
from tests.evidence.files import pdf

from .conftest import london_today

SEVEN_YEARS_ON = add_months(london_today(), 12 * 7)


def attach(owner: str, owner_id: int) -> EvidenceFile:
    return store(check(io.BytesIO(pdf()), "notes.pdf"), attached_type=owner, attached_id=owner_id, by=None)


def fake_certificate(enrolment: Enrolment) -> int | None:
    """A certificate register row (every required column filled), or None without the certificates feature."""
    try:
        from portal.certificates.models import Certificate
    except ImportError:  # pragma: no cover
        return None
    values = {"enrolment_id": enrolment.id, "practitioner_id": enrolment.practitioner_id}
    for column in Certificate.__table__.columns:
        if column.name in values or column.nullable or column.default is not None or column.primary_key:
            continue
        if column.name == "status":
            continue
        kind = column.type
        if hasattr(kind, "enums") and kind.enums:
            values[column.name] = kind.enums[0]
        elif isinstance(kind, Boolean):
            values[column.name] = False
        elif isinstance(kind, (Integer,)):
            values[column.name] = 7
        elif isinstance(kind, DateTime):
            values[column.name] = clock.now()
        elif isinstance(kind, Date):
            values[column.name] = dt.date(2026, 1, 1)
        elif isinstance(kind, (String, Text)):
            values[column.name] = f"KEEP-{column.name}"[: getattr(kind, "length", None) or 50]
    return session().execute(insert(Certificate).values(**values).returning(Certificate.id)).scalar_one()


@pytest.fixture
def finished(world, enrol_as):
    """Pat's enrolment with a casework item (with a file, a comment), a CPD record logged against it (with a
    file), a review with notes, a certificate; then completed today."""
    sess = session()
    enrolment = enrol_as(world["prac"], start=london_today() - dt.timedelta(days=200), supervisor=world["sup"])
    row = sess.get(Enrolment, enrolment.id)
    prac, sup = sess.get(User, world["prac"].id), sess.get(User, world["sup"].id)
    item = casework.create_case_reflection(
        row, by=prac, occurred_on=london_today() - dt.timedelta(days=20), case_reference="Case 3",
        category="child_protection", activity="home_visit", role="observer",
        texts={"account": "Visited Child A at home.", "analysis": "Safe.", "reflection": "Listen first."},
        statements=["KSS-CF.1"])
    attach(casework.FILE_OWNER, item.id)
    casework.add_comment(item, by=sup, text="Add what Child A said.")
    end = london_today() - dt.timedelta(days=5)
    record = create_record(prac, CpdAnswers(
        title="Course on neglect", activity_type=CpdType.COURSE, start_date=end, end_date=end, hours=Decimal(3),
        participatory_hours=Decimal(1), description="A course.", learning="Thresholds.", impact_practice="Better.",
        impact_people="Sooner.", peer_name="Rhiannon Jones", peer_role="Supervisor", peer_discussed_on=end,
        peer_learning="We talked.", standards=["KSS-CF.5"]), complete=True, by=prac, today=london_today())
    record.enrolment_id = enrolment.id
    attach("CpdRecord", record.id)
    own_record = create_record(prac, CpdAnswers(
        title="My own reading", activity_type=CpdType.READING, start_date=end, end_date=end, hours=Decimal(1),
        participatory_hours=Decimal(0), description="Own.", learning="Own.", impact_practice="Own.",
        impact_people="Own.", peer_name="", peer_role="", peer_discussed_on=None, peer_learning="",
        standards=[]), complete=True, by=prac, today=london_today())
    own_record.enrolment_id = None
    record_review(row, review_code="Y1-R3", held_on=london_today() - dt.timedelta(days=100), attendees="Pat, Sue",
                  notes="Talked about Child A.", development_plan="Observe a conference", by=sup)
    certificate = fake_certificate(row)
    change_status(row, EnrolmentStatus.COMPLETED, by=None)
    sess.commit()
    return {"enrolment": enrolment, "item": item.id, "record": record.id, "own_record": own_record.id,
            "certificate": certificate}


def test_nothing_expires_before_the_retention_period(finished):
    assert expired_enrolments(london_today()) == []
    assert expired_enrolments(add_months(london_today(), 12 * 6) - dt.timedelta(days=1)) == []


def test_a_dry_run_lists_what_would_go_and_changes_nothing(runner, finished):
    result = runner.invoke(args=["retention", "run", "--on", SEVEN_YEARS_ON.isoformat()])
    assert result.exit_code == 0, result.output
    assert f"enrolment {finished['enrolment'].id}: Pat Practitioner (Northshire), completed on " in result.output
    assert "1 casework items, 1 CPD records, 2 files" in result.output
    assert "Dry run: nothing was erased" in result.output
    item = session().get(CaseworkItem, finished["item"], populate_existing=True)
    assert item.content["account"] == "Visited Child A at home."
    assert session().execute(select(func.count(RetentionErasure.id))).scalar_one() == 0
    # a shorter period from the command line
    shorter = runner.invoke(args=["retention", "run", "--years", "1", "--on",
                                  add_months(london_today(), 13).isoformat()])
    assert "1 enrolment(s) past 1 years of retention" in shorter.output


def test_apply_erases_text_and_files_keeps_the_register_and_audits(runner, finished):
    keys = list(session().execute(select(EvidenceFile.storage_key)).scalars())
    assert len(keys) == 2 and all(get_storage().exists(k) for k in keys)
    result = runner.invoke(args=["retention", "run", "--apply", "--on", SEVEN_YEARS_ON.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Erased the evidence of 1 enrolment(s); the certificate register is kept." in result.output
    sess = session()
    item = sess.get(CaseworkItem, finished["item"], populate_existing=True)
    assert item.content == {} and item.kind.value == "case_reflection" and item.case_reference == "Case 3"
    assert [e.note for e in sess.execute(select(CaseworkEvent).where(CaseworkEvent.item_id == item.id)).scalars()
            if e.note] == []
    record = sess.get(CpdRecord, finished["record"], populate_existing=True)
    assert record.description == ERASED and record.peer_name == "Erased" and record.title == "CPD record (erased)"
    assert record.hours == Decimal(3)  # the counts stay
    own = sess.get(CpdRecord, finished["own_record"], populate_existing=True)
    assert own.description == "Own."  # not logged against the enrolment: the practitioner's own log
    review = sess.execute(select(ReviewMeetingRecord)).scalar_one()
    assert review.notes == "" and review.attendees == "" and review.held_on is not None
    assert sess.execute(select(func.count(EvidenceFile.id))).scalar_one() == 0
    assert not any(get_storage().exists(key) for key in keys)  # the bytes went with the commit
    if finished["certificate"] is not None:
        from portal.certificates.models import Certificate

        kept = sess.get(Certificate, finished["certificate"], populate_existing=True)
        assert kept is not None and kept.holder_name.startswith("KEEP")
    audit = sess.execute(select(AuditEvent).where(AuditEvent.action == "retention.erased")).scalar_one()
    assert audit.subject_id == str(finished["enrolment"].id)
    assert audit.details["casework_items"] == 1 and audit.details["cpd_records"] == 1 and audit.details["files"] == 2
    erasure = sess.execute(select(RetentionErasure)).scalar_one()
    assert erasure.enrolment_id == finished["enrolment"].id and erasure.erased["files"] == 2
    # done once: a second run finds nothing
    again = runner.invoke(args=["retention", "run", "--apply", "--on", SEVEN_YEARS_ON.isoformat()])
    assert "Erased the evidence of 0 enrolment(s)" in again.output


def test_active_enrolments_never_expire(world, enrol_as):
    enrol_as(world["prac"], start=dt.date(2015, 1, 1))
    assert expired_enrolments(SEVEN_YEARS_ON) == []


def test_erase_runs_a_fixed_number_of_statements_however_much_text(finished, count_statements, world):
    expired = expired_enrolments(SEVEN_YEARS_ON)
    with count_statements() as counter:
        counts = erase(expired[0], by=None, today=SEVEN_YEARS_ON)
    assert counts["casework_items"] == 1
    assert counter.count < 60

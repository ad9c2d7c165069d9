"""Demo activity on top of the demo accounts, made through the real services (so every rule, audit entry and
notification applies): the demo practitioner's CPD and casework evidence (verified, waiting, an observation); a
second practitioner whose Year 1 was assessed, moderated and signed off (so a certificate exists to verify); a third
whose Year 1 waits in the demo assessor's queue. Idempotent: what exists is left as it is.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from portal.db import session
from portal.users.models import Organisation, User

DEMO_CASE_TEXTS = {
    "account": "I visited Child A at home with Parent B to review the safety plan agreed at conference.",
    "analysis": "The plan was working: the risk from the home conditions had reduced and school attendance rose.",
    "reflection": "I learnt to check the plan with the child directly before the adults, in words they use.",
}
OBSERVATION_TEXTS = {
    "observed": "A home visit to review a child protection plan with Parent B, Child A present for part of it.",
    "strengths": "Clear, warm explanation of the plan; the child's view was sought and recorded in their words.",
    "development": "Summarise the agreed actions before leaving and check the parent's understanding of them.",
}


@dataclass(frozen=True)
class DemoActivity:
    certificate_code: str | None


def _user(email: str) -> User | None:
    return session().execute(select(User).where(User.email == email)).scalar_one_or_none()


def _cpd(practitioner: User, title: str, days_ago: int, today: dt.date) -> None:
    from portal.cpd.models import CpdRecord, CpdType
    from portal.cpd.services import CpdAnswers, create_record

    exists = session().execute(select(CpdRecord.id).where(CpdRecord.practitioner_id == practitioner.id,
                                                          CpdRecord.title == title)).first()
    if exists:
        return
    day = today - dt.timedelta(days=days_ago)
    create_record(practitioner, CpdAnswers(
        title=title, activity_type=CpdType.COURSE, start_date=day, end_date=day, hours=Decimal(3),
        participatory_hours=Decimal(3), provider="Regional teaching partnership",
        description="A half-day workshop with case discussion in small groups.",
        learning="How cumulative harm builds over time and how chronologies make it visible.",
        impact_practice="I now start a chronology at the first contact, not at the point of escalation.",
        impact_people="Families see their history set out fairly and can correct it early.",
        peer_name="Rhiannon Jones", peer_role="Senior practitioner", peer_discussed_on=day + dt.timedelta(days=2),
        peer_learning="Thresholds for escalating neglect cases.", standards=["KSS-CF.5"]),
        complete=True, by=practitioner, today=today)


def _casework(enrolment: Any, practitioner: User, supervisor: User, today: dt.date) -> None:
    from portal.casework import services as casework
    from portal.casework.models import CaseworkItem

    have = session().execute(select(CaseworkItem.id).where(CaseworkItem.enrolment_id == enrolment.id)).first()
    if have:
        return
    verified = casework.create_case_reflection(
        enrolment, by=practitioner, occurred_on=today - dt.timedelta(days=40), case_reference="Case 14",
        category="child_protection", activity="home_visit", role="co_worker", texts=DEMO_CASE_TEXTS,
        statements=("KSS-CF.5",))
    casework.request_verification(verified, by=practitioner)
    casework.verify_item(verified, by=supervisor, confirmed=casework.CONFIRMATIONS)
    waiting = casework.create_case_reflection(
        enrolment, by=practitioner, occurred_on=today - dt.timedelta(days=9), case_reference="Case 22",
        category="child_in_need", activity="direct_work", role="lead", texts={
            "account": "Direct work with Child C about their worries at home, using a three houses tool.",
            "analysis": "Child C's worries were about arguments at night, not the neglect concerns in the referral.",
            "reflection": "I should test the referral's hypothesis with the child before planning the assessment."},
        statements=("KSS-CF.1",))
    casework.request_verification(waiting, by=practitioner)
    casework.record_observation(enrolment, by=supervisor, occurred_on=today - dt.timedelta(days=30),
                                case_reference="Case 14", activity="home_visit", texts=OBSERVATION_TEXTS,
                                statements=("KSS-CF.5",))


def _enrolled(practitioner: User, supervisor: User, admin: User, organisation: Organisation, months_ago: int,
              today: dt.date) -> Any:
    from portal.enrolments.models import Enrolment, EnrolmentStatus
    from portal.enrolments.services import enrol
    from portal.framework import clock
    from portal.framework.services import published_versions

    existing = session().execute(select(Enrolment).where(Enrolment.practitioner_id == practitioner.id,
                                                         Enrolment.status == EnrolmentStatus.ACTIVE)).scalar_one_or_none()
    if existing is not None:
        return existing, False
    version = published_versions("ECF-5Y")[0]
    enrolment = enrol(practitioner=practitioner, organisation=organisation, programme_version=version,
                      start_date=clock.add_months(today, -months_ago), fte=1, supervisor=supervisor, by=admin,
                      today=today)
    session().flush()
    return enrolment, True


def _submitted(enrolment: Any, practitioner: User, supervisor: User, admin: User, today: dt.date) -> Any:
    from portal.assessments import services

    _casework(enrolment, practitioner, supervisor, today)
    _cpd(practitioner, "Working with neglect: chronologies and cumulative harm", 60, today)
    from portal.casework.models import CaseworkItem
    from portal.cpd.models import CpdRecord

    submission = services.start_submission(enrolment, "Y1", by=practitioner)
    from portal.casework.models import VerificationStatus

    casework_ids = session().execute(select(CaseworkItem.id).where(
        CaseworkItem.enrolment_id == enrolment.id, CaseworkItem.status == VerificationStatus.VERIFIED)
        .order_by(CaseworkItem.id)).scalars().all()
    cpd_ids = session().execute(select(CpdRecord.id).where(CpdRecord.practitioner_id == practitioner.id)
                                .order_by(CpdRecord.id)).scalars().all()
    chosen = [("casework", i) for i in casework_ids] + [("cpd_record", i) for i in cpd_ids]
    services.save_working_copy(submission, by=practitioner, chosen=chosen,
                               statement="My first year: I learnt to plan with the child first and to keep a "
                                         "chronology from the first contact.")
    if services.readiness(submission, today).unmet:
        services.record_agreement(submission, by=admin, today=today,
                                  reason="The reviews are booked; the panel can assess the evidence now.")
    services.submit(submission, by=practitioner, today=today)
    return submission


def seed_demo_activity(today: dt.date | None = None) -> DemoActivity:
    """Add the demo evidence, one signed-off Year 1 (with its certificate) and one Year 1 waiting for marking."""
    from portal.assessments import services
    from portal.assessments.marking import requirements_of
    from portal.assessments.sampling import SamplingConfig
    from portal.certificates.models import Certificate
    from portal.enrolments.models import Enrolment
    from portal.enrolments.services import london_today

    today = today or london_today()
    people = {email: _user(email) for email in (
        "practitioner@northshire.example", "supervisor@northshire.example", "employer.admin@northshire.example",
        "assessor@riverside.example", "moderator@northshire.example", "signed.off@northshire.example",
        "submitted@northshire.example")}
    if any(user is None for user in people.values()):
        return DemoActivity(None)
    practitioner, supervisor = people["practitioner@northshire.example"], people["supervisor@northshire.example"]
    admin, assessor = people["employer.admin@northshire.example"], people["assessor@riverside.example"]
    moderator = people["moderator@northshire.example"]
    organisation = session().execute(select(Organisation).where(Organisation.code == "NSH-CC")).scalar_one()

    enrolment = session().execute(select(Enrolment).where(Enrolment.practitioner_id == practitioner.id)).scalars().first()
    if enrolment is not None:
        _casework(enrolment, practitioner, supervisor, today)
        _cpd(practitioner, "Working with neglect: chronologies and cumulative harm", 60, today)
        _cpd(practitioner, "Court skills: writing a parenting assessment", 120, today)

    signed = people["signed.off@northshire.example"]
    enrolment, new = _enrolled(signed, supervisor, admin, organisation, 13, today)
    if new:
        submission = _submitted(enrolment, signed, supervisor, admin, today)
        services.allocate_assessor(submission, assessor, by=admin, today=today)
        marking = services.open_marking(submission, by=assessor)
        services.finish_marking(submission, by=assessor, data=services.MarkingInput(
            levels={r.code: ("met", "Clear, well-evidenced reflection.") for r in requirements_of(submission)},
            outcome="PASS", feedback="A thoughtful portfolio: the child's voice runs through your evidence."),
            expected_lock_version=marking.lock_version, today=today)
        # the demo has one assessor, so nobody could second-mark: this draw samples no pass (fails always are)
        services.draw_sample(organisation.id, by=moderator, config=SamplingConfig(random_percentage=0, first_n=0),
                             seed="demo")
        services.open_moderation(submission, by=moderator)
        services.confirm(submission, by=moderator, reasons="The evidence supports the recommendation.", today=today)
        services.sign_off(submission, by=admin, today=today)
    waiting = people["submitted@northshire.example"]
    enrolment, new = _enrolled(waiting, supervisor, admin, organisation, 12, today)
    if new:
        submission = _submitted(enrolment, waiting, supervisor, admin, today)
        services.allocate_assessor(submission, assessor, by=admin, today=today)
    session().flush()
    code = session().execute(select(Certificate.code).where(Certificate.practitioner_id == signed.id)
                             .order_by(Certificate.id)).scalars().first()
    return DemoActivity(code)


def demo_certificate_code() -> str | None:
    """The code of the demo's signed-off Year 1 certificate (None before the demo is seeded)."""
    from portal.certificates.models import Certificate

    return session().execute(select(Certificate.code).join(User, User.id == Certificate.practitioner_id)
                             .where(User.email == "signed.off@northshire.example")
                             .order_by(Certificate.id)).scalars().first()

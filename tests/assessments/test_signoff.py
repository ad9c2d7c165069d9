"""Sign-off: the StageSignOff row the certificates feature reads, the listeners, the progress engine's "signed off",
and the independent assessment conferring the award (the award stage signed off with it)."""
from __future__ import annotations

import pytest

from portal.assessments import services
from portal.assessments.models import StageSignOff
from portal.assessments.states import Outcome
from portal.assessments.states import SubmissionState as S
from portal.db import session
from portal.enrolments.models import Enrolment, EnrolmentStatus

from .conftest import today


@pytest.fixture
def heard():
    calls = []

    def listener(sign_off, *, by):
        calls.append({"stage": sign_off.stage_code, "outcome": sign_off.outcome, "award": sign_off.is_award,
                      "by": by.id, "id": sign_off.id})

    services.register_sign_off_listener(listener)
    yield calls
    services.unregister_listener(listener)


def test_a_confirmed_pass_signs_the_stage_off(flow, world, as_user, heard):
    from portal.assessments.queries import version_of
    from portal.enrolments.dashboard import dashboard_for

    submission_id = flow.signed_off(Outcome.PASS_DEV)
    submission = flow.sub(submission_id)
    row = session().query(StageSignOff).filter_by(submission_id=submission_id).one()
    assert (row.enrolment_id, row.stage_code, row.outcome, row.decided_on) == (
        world["enrolment"].id, "Y1", Outcome.PASS_DEV, today())
    assert row.manifest_digest == version_of(submission).digest and len(row.manifest_digest) == 64
    assert row.signatory_roles == ["Assessor", "Moderator", "Employer admin"]
    assert row.signed_off_by_id == as_user("employer_admin").id and not row.is_award and row.stands
    assert heard == [{"stage": "Y1", "outcome": Outcome.PASS_DEV, "award": False,
                      "by": as_user("employer_admin").id, "id": row.id}]
    assert submission.decided_on == today() and submission.state is S.SIGNED_OFF
    # the progress engine reads it
    stage = dashboard_for(session().get(Enrolment, world["enrolment"].id), today()).standing.progress.stage("Y1")
    assert stage.signed_off_on == today()


def test_the_independent_assessment_confers_the_award(flow, world, as_user, heard):
    submission_id = flow.signed_off(Outcome.PASS, stage="Y5")
    rows = session().query(StageSignOff).filter_by(submission_id=submission_id).order_by(StageSignOff.id).all()
    assert [(r.stage_code, r.is_award) for r in rows] == [("Y5", False), ("AWARD", True)]
    assert rows[0].signatory_roles == ["Assessor", "Moderator", "Programme admin"]
    assert [c["stage"] for c in heard] == ["Y5", "AWARD"]
    assert session().get(Enrolment, world["enrolment"].id).status is EnrolmentStatus.COMPLETED


def test_one_sign_off_stands_per_stage(flow, world):
    from sqlalchemy.exc import IntegrityError

    submission_id = flow.signed_off()
    row = session().query(StageSignOff).filter_by(submission_id=submission_id).one()
    session().add(StageSignOff(enrolment_id=row.enrolment_id, stage_code="Y1", submission_id=submission_id,
                               outcome=Outcome.PASS, decided_on=today(), manifest_digest="0" * 64))
    with pytest.raises(IntegrityError):
        session().flush()
    session().rollback()


def test_sign_off_pages(flow, client, sign_in_as, world):
    year_one = flow.confirmed(Outcome.PASS)
    year_five = flow.confirmed(Outcome.PASS, stage="Y5")
    sign_in_as(world["employer_admin"])
    assert client.get(f"/assessments/submissions/{year_five}/sign-off").status_code == 403
    assert client.post(f"/assessments/submissions/{year_one}/sign-off").status_code == 302
    assert flow.sub(year_one).state is S.SIGNED_OFF
    sign_in_as(world["programme_admin"])
    assert client.post(f"/assessments/submissions/{year_five}/sign-off").status_code == 302
    assert flow.sub(year_five).state is S.SIGNED_OFF


def test_a_listener_that_fails_undoes_the_sign_off(flow, as_user):
    submission_id = flow.confirmed(Outcome.PASS)

    def broken(sign_off, *, by):
        raise RuntimeError("the certificate could not be drawn")

    services.register_sign_off_listener(broken)
    try:
        with pytest.raises(RuntimeError):
            services.sign_off(flow.sub(submission_id), by=as_user("employer_admin"), today=today())
        session().rollback()
    finally:
        services.unregister_listener(broken)
    assert flow.sub(submission_id).state is S.CONFIRMED
    assert session().query(StageSignOff).count() == 0


def test_with_the_certificates_feature_the_submission_moves_to_certificate_issued(flow, as_user):
    """When the certificates feature is present, its listener issues on sign-off (skipped without it)."""
    issuing = pytest.importorskip("portal.certificates.issuing")
    listener = getattr(issuing, "on_sign_off", None)
    if listener is None:
        pytest.skip("the certificates feature has no sign-off listener yet")
    from portal.certificates.models import Certificate

    services.register_sign_off_listener(listener)
    submission_id = flow.signed_off(Outcome.PASS)
    row = session().query(StageSignOff).filter_by(submission_id=submission_id).one()
    assert session().query(Certificate).filter_by(sign_off_id=row.id).count() == 1
    assert flow.sub(submission_id).state is S.CERTIFICATE_ISSUED

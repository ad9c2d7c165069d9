"""The demo data set (`portal seed-demo`, run by `make run`) shows every part of the service working: evidence in
every state, a Year 1 waiting in the demo assessor's queue, and a signed-off Year 1 whose certificate verifies."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.assessments.models import Submission
from portal.assessments.states import SubmissionState
from portal.casework.models import CaseworkItem, VerificationStatus
from portal.certificates.models import Certificate
from portal.db import session
from portal.users.models import User

from .conftest import parse, start_session


def _sign_in(app, email):
    client = app.test_client()
    user = session().execute(select(User).where(User.email == email)).scalar_one()
    return start_session(client, user)


def test_the_demo_shows_evidence_a_queue_and_a_certificate_that_verifies(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # idempotent: nothing made twice
    sess = session()
    states = dict(sess.execute(select(Submission.state, func.count(Submission.id)).group_by(Submission.state)).all())
    assert states == {SubmissionState.CERTIFICATE_ISSUED: 1, SubmissionState.UNDER_ASSESSMENT: 1}
    statuses = set(sess.execute(select(CaseworkItem.status)).scalars())
    assert {VerificationStatus.VERIFIED, VerificationStatus.REQUESTED} <= statuses
    [certificate] = sess.execute(select(Certificate)).scalars().all()
    assert certificate.holder_name == "Rhys Morgan"

    page = parse(app.test_client().get(f"/verify/{certificate.code}"))
    assert "Valid" in page.get_text() and "Rhys Morgan" in page.get_text()

    queue = _sign_in(app, "assessor@riverside.example").get("/assessments/queue")
    assert queue.status_code == 200 and "Amara Okafor" in queue.get_data(as_text=True)

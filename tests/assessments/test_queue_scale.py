"""The assessor's queue and the admins' list run the same number of SQL statements for 10 submissions as for
1,000 (rows bulk-inserted), and page through them by keyset."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from portal.assessments.models import Submission
from portal.assessments.states import SubmissionState as S
from portal.db import session, utcnow
from portal.enrolments.models import Enrolment
from portal.users.models import Role, RoleGrant, User, UserStatus

from .conftest import today

_counter = {"n": 0}


def _bulk(world, count: int) -> None:
    """``count`` practitioners, each enrolled, each with a submission under assessment by the south assessor."""
    sess = session()
    version_id = sess.get(Enrolment, world["enrolment"].id).programme_version_id
    base = _counter["n"]
    _counter["n"] += count
    now = utcnow()
    users = [{"email": f"bulk{base + i}@example.org", "name": f"Bulk Practitioner {base + i:05d}",
              "status": UserStatus.ACTIVE} for i in range(count)]
    sess.execute(insert(User), users)
    ids = list(sess.execute(select(User.id).where(User.email.in_([u["email"] for u in users]))).scalars())
    sess.execute(insert(RoleGrant), [{"user_id": i, "role": Role.PRACTITIONER, "organisation_id": world["north"].id}
                                     for i in ids])
    sess.execute(insert(Enrolment), [{"practitioner_id": i, "organisation_id": world["north"].id,
                                      "programme_version_id": version_id, "programme_code": "ECF-5Y",
                                      "start_date": today() - dt.timedelta(days=400), "fte": 1} for i in ids])
    enrolments = dict(sess.execute(select(Enrolment.practitioner_id, Enrolment.id)
                                   .where(Enrolment.practitioner_id.in_(ids))).all())
    states = [S.UNDER_ASSESSMENT, S.RESUBMITTED, S.INCOMPLETE_EVIDENCE, S.RETURNED]
    sess.execute(insert(Submission), [
        {"enrolment_id": enrolments[p], "practitioner_id": p, "stage_code": "Y1", "state": states[n % len(states)],
         "version": 1, "assessor_id": world["south_assessor"].id, "allocated_at": now,
         "assessor_due_on": today() + dt.timedelta(days=n % 40 - 10),
         "submitted_at": now - dt.timedelta(hours=n), "first_submitted_at": now - dt.timedelta(hours=n)}
        for n, p in enumerate(ids)])
    sess.commit()


@pytest.mark.parametrize("url", ["/assessments/queue", "/assessments/queue?sort=age",
                                 "/assessments/submissions", "/assessments/submissions?status=assessing"])
def test_statement_counts_do_not_grow(world, client, sign_in_as, count_statements, url):
    person = world["programme_admin"] if "submissions" in url else world["south_assessor"]
    _bulk(world, 10)
    sign_in_as(person)
    with count_statements() as small:
        assert client.get(url).status_code == 200
    _bulk(world, 990)
    with count_statements() as large:
        response = client.get(url)
        assert response.status_code == 200
    assert large.count == small.count, "\n".join(large.statements)


def test_the_queue_pages_through_everything_in_due_order(world, client, sign_in_as):
    from ..conftest import parse

    _bulk(world, 60)
    sign_in_as(world["south_assessor"])
    seen, url = [], "/assessments/queue"
    while url:
        soup = parse(client.get(url))
        seen += [int(row["data-submission"]) for row in soup.select("#queue [data-submission]")]
        nxt = soup.select_one(".govuk-pagination__next a")
        url = nxt["href"] if nxt else None
    assert len(seen) == len(set(seen)) == 60
    due = {s.id: (s.assessor_due_on, s.id) for s in session().execute(
        select(Submission).where(Submission.id.in_(seen))).scalars()}
    assert seen == sorted(seen, key=lambda i: due[i])
    soup = parse(client.get("/assessments/queue"))
    assert "60 portfolios with you" in soup.select_one("#queue-total").get_text()

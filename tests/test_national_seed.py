"""The national-scale demo loader, at a small size: its rows are valid for the app's real pages."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from portal.db import session

PRACTITIONERS = 300
EMPLOYERS = 5


@pytest.fixture
def national(app: Any) -> Any:
    from portal.seeding_national import load_national
    from portal.users.seeding import seed_demo_data

    seed_demo_data()
    session().commit()
    return load_national(PRACTITIONERS, employers=EMPLOYERS, seed=11, demo_cpd_pages=3, sign_processes=1)


def _scalar(query: Any) -> Any:
    return session().execute(query).scalar()


def test_counts_follow_the_requested_distribution(national: Any) -> None:
    from portal.enrolments.models import Enrolment
    from portal.users.models import Organisation, Role, RoleGrant, User

    assert national.practitioners == PRACTITIONERS and national.employers == EMPLOYERS
    national_users = User.email.like("%.national.example")
    practitioners = _scalar(select(func.count()).select_from(RoleGrant).join(User, User.id == RoleGrant.user_id)
                            .where(RoleGrant.role == Role.PRACTITIONER, national_users))
    assert practitioners == PRACTITIONERS
    enrolments = _scalar(select(func.count()).select_from(Enrolment).join(User, User.id == Enrolment.practitioner_id)
                         .where(national_users))
    assert enrolments == PRACTITIONERS
    # the two demo employers count among the employers
    assert _scalar(select(func.count()).select_from(Organisation).where(Organisation.code.like("NAT-%"))) == \
        EMPLOYERS - 2
    employers_used = _scalar(select(func.count(func.distinct(Enrolment.organisation_id)))
                             .join(User, User.id == Enrolment.practitioner_id).where(national_users))
    assert employers_used == EMPLOYERS
    rows = national.rows
    assert rows["enrolments"] == rows["supervisor_allocations"] == rows["employment_periods"] == PRACTITIONERS
    # about a hundred evidence rows per practitioner (the demo practitioner's long CPD history on top)
    assert 60 * PRACTITIONERS < national.evidence_rows < 200 * PRACTITIONERS
    assert rows["stage_sign_offs"] >= rows["certificates"] > 0


def test_every_stage_is_represented(national: Any) -> None:
    from portal.assessments.models import StageSignOff
    from portal.enrolments.models import Enrolment, EnrolmentStatus
    from portal.enrolments.services import london_today
    from portal.framework import clock
    from portal.framework.services import template_for

    enrolments = session().execute(select(Enrolment).where(Enrolment.status == EnrolmentStatus.ACTIVE)).scalars()
    current = set()
    for enrolment in enrolments:
        template = template_for(enrolment.programme_version)
        schedule = clock.compute_schedule(template, start=enrolment.start_date, today=london_today(),
                                          fte=enrolment.fte)
        current.add(schedule.current_stage)
    assert {"Y1", "Y2", "Y3-4", "Y5"} <= current
    signed = set(session().execute(select(StageSignOff.stage_code).distinct()).scalars())
    assert {"Y1", "Y2", "Y3-4", "Y5", "AWARD"} <= signed
    assert _scalar(select(func.count()).select_from(Enrolment)
                   .where(Enrolment.status == EnrolmentStatus.COMPLETED)) > 0


def test_certificates_have_unique_codes_and_verify_as_valid(national: Any, client: Any) -> None:
    from portal.certificates.codes import normalise_code
    from portal.certificates.models import Certificate

    codes = list(session().execute(select(Certificate.code)).scalars())
    assert len(codes) == len(set(codes))
    assert len(codes) >= national.certificates > 0  # the small demo may hold a certificate of its own
    assert all(normalise_code(code) == code for code in codes)
    valid = list(session().execute(select(Certificate).where(Certificate.status == "valid")
                                   .order_by(Certificate.id).limit(3)).scalars())
    for certificate in valid:
        response = client.get(f"/verify/{certificate.code}")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "Valid" in text and certificate.award_title in text


def test_a_seeded_practitioner_signs_in_and_sees_their_pages(national: Any, client: Any) -> None:
    from portal.seeding_national import national_sign_in_sample
    from portal.users.seeding import DEMO_PASSWORD

    email = national_sign_in_sample(1)[0]
    response = client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    for url in ("/", "/cpd/", "/casework/", "/certificates"):
        assert client.get(url, follow_redirects=True).status_code == 200, url


def test_demo_accounts_see_national_work(national: Any, client: Any, sign_in_as: Any) -> None:
    from portal.users.models import Organisation, User

    def user(email: str) -> User:
        found = session().execute(select(User).where(User.email == email)).scalar_one()
        session().expunge(found)
        return found

    sign_in_as(user("practitioner@northshire.example"))
    first = client.get("/cpd/")
    assert first.status_code == 200 and "after=" in first.get_data(as_text=True)
    sign_in_as(user("supervisor@northshire.example"))
    assert client.get("/casework/verifications").status_code == 200
    sign_in_as(user("assessor@riverside.example"))
    assert client.get("/assessments/queue").status_code == 200
    sign_in_as(user("employer.admin@northshire.example"))
    org_id = _scalar(select(Organisation.id).where(Organisation.code == "NSH-CC"))
    assert client.get(f"/oversight/organisations/{org_id}").status_code == 200


def test_loading_twice_is_refused(national: Any) -> None:
    from portal.seeding_national import NationalDataExists, load_national

    with pytest.raises(NationalDataExists):
        load_national(10, employers=3)

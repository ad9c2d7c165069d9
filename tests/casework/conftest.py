"""Casework fixtures: a council with a practitioner enrolled on the five-year ECF, their supervisor, and everyone
else who might try to look; builders for items in any state."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from portal import clock
from portal.users.models import Role

from ..conftest import _keep

ECF = Path(__file__).resolve().parents[2] / "portal" / "framework" / "programmes" / "ecf-5y.yaml"

REFLECTION_TEXTS = {
    "account": "I visited Child A at home with Parent B to review the safety plan.",
    "analysis": "The plan was working; the risk from the home conditions had reduced.",
    "reflection": "I learnt to check the plan with the child directly before the adults.",
}


@pytest.fixture
def programme_version(app: Any) -> Any:
    from portal.db import session
    from portal.framework.services import publish_programme

    published = publish_programme(ECF.read_text(), filename="ecf-5y.yaml", by=None)
    session().commit()
    return published.row if hasattr(published, "row") else published


@pytest.fixture
def world(app: Any, on_day: dt.date, make_org: Any, make_user: Any, programme_version: Any) -> dict[str, Any]:
    """North: a practitioner (enrolled), their supervisor, another supervisor, a co-worker with a registration
    number, one without, an employer admin; South: an employer admin; plus assessor, moderator, programme admin."""
    from portal.db import session
    from portal.enrolments.models import Enrolment
    from portal.enrolments.services import enrol

    north, south = make_org("Northshire", "NORTH"), make_org("Southshire", "SOUTH")
    people = {
        "north": north, "south": south,
        "practitioner": make_user(Role.PRACTITIONER, north, name="Pat Practitioner", swe_number="SW100001"),
        "supervisor": make_user(Role.SUPERVISOR, north, name="Sue Supervisor", swe_number="SW100002"),
        "other_supervisor": make_user(Role.SUPERVISOR, north, name="Otto Other", swe_number="SW100003"),
        "coworker": make_user(Role.PRACTITIONER, north, name="Cora Coworker", swe_number="SW100004"),
        "unregistered": make_user(Role.SUPERVISOR, north, name="Una Unregistered"),
        "employer_admin": make_user(Role.EMPLOYER_ADMIN, north, name="Emma Admin"),
        "south_admin": make_user(Role.EMPLOYER_ADMIN, south, name="Sol South"),
        "south_supervisor": make_user(Role.SUPERVISOR, south, name="Sam South", swe_number="SW100005"),
        "assessor": make_user(Role.ASSESSOR, south, name="Ava Assessor"),
        "moderator": make_user(Role.MODERATOR, north, name="Mo Moderator"),
        "programme_admin": make_user(Role.PROGRAMME_ADMIN, name="Pam Programme"),
    }
    sess = session()
    from portal.framework.models import ProgrammeVersion
    from portal.users.models import Organisation, User

    version = sess.get(ProgrammeVersion, programme_version.id)
    enrolment = enrol(practitioner=sess.get(User, people["practitioner"].id), organisation=sess.get(Organisation,
                      north.id), programme_version=version, start_date=clock.today() - dt.timedelta(days=200),
                      fte="1", supervisor=sess.get(User, people["supervisor"].id), by=None)
    sess.commit()
    people["enrolment"] = _keep(sess.get(Enrolment, enrolment.id))
    return people


@pytest.fixture
def item_builder(world: dict[str, Any]) -> Any:
    """``build(kind="case_reflection", status="draft", **overrides)``: an item made through the services."""
    from portal.casework import services
    from portal.casework.models import CaseworkItem
    from portal.db import session
    from portal.enrolments.models import Enrolment
    from portal.users.models import User

    def build(kind: str = "case_reflection", status: str = "draft", *, texts: dict[str, str] | None = None,
              occurred_on: dt.date | None = None, statements: tuple[str, ...] = ("KSS-CF.5",),
              case_reference: str = "Case 14", **extra: Any) -> CaseworkItem:
        sess = session()
        enrolment = sess.get(Enrolment, world["enrolment"].id)
        practitioner = sess.get(User, world["practitioner"].id)
        supervisor = sess.get(User, world["supervisor"].id)
        occurred_on = occurred_on or clock.today() - dt.timedelta(days=10)
        if kind == "case_reflection":
            item = services.create_case_reflection(
                enrolment, by=practitioner, occurred_on=occurred_on, case_reference=case_reference,
                category=extra.get("category", "child_protection"), activity=extra.get("activity", "home_visit"),
                role=extra.get("role", "co_worker"), texts=texts or REFLECTION_TEXTS, statements=statements)
        elif kind == "direct_observation":
            observer = sess.get(User, extra.get("observer_id", supervisor.id))
            item = services.record_observation(
                enrolment, by=observer, occurred_on=occurred_on, case_reference=case_reference,
                activity="home_visit", statements=statements, texts=texts or {
                    "observed": "A home visit to Child A.", "strengths": "Warm and clear.",
                    "development": "Summarise the plan at the end."})
            if extra.get("reflect", True):
                services.update_item(item, by=practitioner, values={"reflection": "I will summarise next time."})
        elif kind == "child_family_feedback":
            item = services.record_family_feedback(
                enrolment, by=practitioner, occurred_on=occurred_on, case_reference=case_reference,
                statements=statements, texts=texts or {"respondent": "A parent or carer",
                                                       "went_well": "She listened to us.", "even_better": "",
                                                       "reflection": "Listening mattered most."})
        elif kind == "supervision_record":
            item = services.create_supervision_record(
                enrolment, by=supervisor, occurred_on=occurred_on, statements=statements,
                discussed=extra.get("discussed", ()), texts=texts or {
                    "agenda": "Caseload and Case 14.", "discussion": "We talked through the safety plan.",
                    "actions": "Review in four weeks."})
        else:
            raise ValueError(kind)
        if status in ("requested", "verified", "declined"):
            requester = supervisor if kind == "supervision_record" else practitioner
            verifier = practitioner if kind == "supervision_record" else supervisor
            services.request_verification(item, by=requester)
            if status == "verified":
                services.verify_item(item, by=verifier, confirmed=services.CONFIRMATIONS)
            elif status == "declined":
                services.decline_item(item, by=verifier, reason="Please add the date of the conference.")
        return _keep(item)

    return build


def fresh(item: Any) -> Any:
    """The item as the database has it now."""
    from portal.casework.models import CaseworkItem
    from portal.db import session

    return session().get(CaseworkItem, item.id, populate_existing=True)

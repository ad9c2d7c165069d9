"""Assessment fixtures: three councils, a practitioner enrolled on the five-year ECF (supervised now by Sue and before
by Otto), assessors, moderators and admins; builders that take a submission to any state through the services."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from portal.db import session
from portal.users.models import Role

from ..conftest import _keep

TEXTS = {
    "account": "I visited Child A at home with Parent B to review the safety plan.",
    "analysis": "The plan was working; the risk from the home conditions had reduced.",
    "reflection": "I learnt to check the plan with the child directly before the adults.",
}


def today() -> dt.date:
    from portal.enrolments.services import london_today

    return london_today()


def get(model: Any, obj: Any) -> Any:
    """The row in the current session (fixtures hand out detached copies)."""
    return session().get(type(obj) if not isinstance(obj, int) else model, obj if isinstance(obj, int) else obj.id)


def fresh(obj: Any) -> Any:
    return session().get(type(obj), obj.id, populate_existing=True)


@pytest.fixture(autouse=True)
def _own_listeners(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no sign-off or reversal listeners (the certificates feature registers its own at
    start-up); tests register the ones they listen with."""
    from portal.assessments import signoff

    monkeypatch.setattr(signoff, "_SIGN_OFF_LISTENERS", [])
    monkeypatch.setattr(signoff, "_REVERSED_LISTENERS", [])


@pytest.fixture
def world(app: Any, on_day: dt.date, make_org: Any, make_user: Any) -> dict[str, Any]:
    """North: the practitioner Pat (enrolled 200 days ago, supervised by Sue, before that by Otto), another
    practitioner, a north assessor, a north moderator, the employer admin. South: two assessors, a moderator, its
    admin. East: an assessor. A programme admin."""
    from portal.enrolments.models import Enrolment
    from portal.enrolments.services import change_supervisor, enrol
    from portal.framework.models import ProgrammeVersion
    from portal.framework.services import load_builtin, published_versions
    from portal.users.models import Organisation, User

    load_builtin(by=None)
    session().commit()
    north, south, east = make_org("Northshire", "NORTH"), make_org("Southshire", "SOUTH"), make_org("Eastshire", "EAST")
    w: dict[str, Any] = {
        "north": north, "south": south, "east": east,
        "practitioner": make_user(Role.PRACTITIONER, north, name="Pat Practitioner", swe_number="SW200001"),
        "other_practitioner": make_user(Role.PRACTITIONER, north, name="Olu Other", swe_number="SW200009"),
        "supervisor": make_user(Role.SUPERVISOR, north, name="Sue Supervisor", swe_number="SW200002"),
        "old_supervisor": make_user([Role.SUPERVISOR, Role.ASSESSOR], north, name="Otto Oldsup",
                                    swe_number="SW200003"),
        "employer_admin": make_user(Role.EMPLOYER_ADMIN, north, name="Emma Admin"),
        "assessor": make_user(Role.ASSESSOR, north, name="Ash Assessor"),
        "moderator": make_user(Role.MODERATOR, north, name="Mo Moderator"),
        "south_admin": make_user(Role.EMPLOYER_ADMIN, south, name="Sol South"),
        "south_assessor": make_user(Role.ASSESSOR, south, name="Sam Southassessor"),
        "south_assessor2": make_user(Role.ASSESSOR, south, name="Sid Secondsouth"),
        "south_moderator": make_user(Role.MODERATOR, south, name="Moira South"),
        "east_assessor": make_user(Role.ASSESSOR, east, name="Eve Eastassessor"),
        "programme_admin": make_user(Role.PROGRAMME_ADMIN, name="Pam Programme"),
    }
    sess = session()
    version = next(v for v in published_versions() if v.code == "ECF-5Y")
    start = today() - dt.timedelta(days=200)
    enrolment = enrol(practitioner=sess.get(User, w["practitioner"].id), organisation=sess.get(Organisation, north.id),
                      programme_version=sess.get(ProgrammeVersion, version.id), start_date=start, fte="1",
                      supervisor=sess.get(User, w["old_supervisor"].id), by=None)
    sess.flush()
    change_supervisor(enrolment, sess.get(User, w["supervisor"].id), by=None, today=start + dt.timedelta(days=30))
    sess.commit()
    w["enrolment"] = _keep(sess.get(Enrolment, enrolment.id))
    return w


@pytest.fixture
def items(world: dict[str, Any]) -> Any:
    """``items.reflection(verified=True)``, ``items.cpd()``: evidence made through the owning services."""
    from portal.casework import services as casework
    from portal.cpd.models import CpdType
    from portal.cpd.services import CpdAnswers, create_record
    from portal.enrolments.models import Enrolment
    from portal.users.models import User

    class Builder:
        def reflection(self, *, verified: bool = True, texts: dict[str, str] | None = None,
                       reference: str = "Case 14") -> Any:
            sess = session()
            item = casework.create_case_reflection(
                sess.get(Enrolment, world["enrolment"].id), by=sess.get(User, world["practitioner"].id),
                occurred_on=today() - dt.timedelta(days=10), case_reference=reference, category="child_protection",
                activity="home_visit", role="co_worker", texts=texts or TEXTS, statements=("KSS-CF.5",))
            if verified:
                casework.request_verification(item, by=sess.get(User, world["practitioner"].id))
                casework.verify_item(item, by=sess.get(User, world["supervisor"].id),
                                     confirmed=casework.CONFIRMATIONS)
            sess.commit()
            return item.id

        def cpd(self, *, complete: bool = True, title: str = "Reading on cumulative harm", peer: bool = False) -> Any:
            end = today() - dt.timedelta(days=12)
            answers = CpdAnswers(title=title, activity_type=CpdType.READING, start_date=end, end_date=end,
                                 hours=Decimal(2), participatory_hours=Decimal(0), description="An article.",
                                 learning="Learnt about drift.", impact_practice="Practice.",
                                 impact_people="People.", standards=["KSS-CF.5"],
                                 **({"peer_name": "Rhiannon Jones", "peer_role": "Senior practitioner",
                                     "peer_discussed_on": end, "peer_learning": "Thresholds."} if peer else {}))
            record = create_record(session().get(User, world["practitioner"].id), answers, complete=complete,
                                   by=world["practitioner"], today=today())
            session().commit()
            return record.id

    return Builder()


@pytest.fixture
def flow(world: dict[str, Any], items: Any) -> Any:
    """Builders that take a submission through the services to a state (each returns the submission's id)."""
    from portal.assessments import services
    from portal.assessments.models import Submission
    from portal.assessments.states import Outcome
    from portal.enrolments.models import Enrolment
    from portal.users.models import User

    def user(name: str) -> User:
        return session().get(User, world[name].id)

    class Flow:
        def sub(self, submission_id: int) -> Submission:
            return session().get(Submission, submission_id)

        def draft(self, *, stage: str = "Y1", with_items: bool = True) -> int:
            submission = services.start_submission(session().get(Enrolment, world["enrolment"].id), stage,
                                                   by=user("practitioner"))
            if with_items:
                chosen = [("casework", items.reflection()), ("cpd_record", items.cpd())]
                services.save_working_copy(submission, by=user("practitioner"), chosen=chosen,
                                           statement="My year: I learnt to plan with Child A first.")
                services.record_agreement(submission, by=user("employer_admin"), today=today(),
                                          reason="Reviews are booked; the panel can assess the rest now.")
            session().commit()
            return submission.id

        def submitted(self, **kwargs: Any) -> int:
            submission_id = self.draft(**kwargs)
            services.submit(self.sub(submission_id), by=user("practitioner"), today=today())
            session().commit()
            return submission_id

        def assessing(self, assessor: str = "south_assessor", **kwargs: Any) -> int:
            submission_id = self.submitted(**kwargs)
            admin = "programme_admin" if kwargs.get("stage") == "Y5" else "employer_admin"
            services.allocate_assessor(self.sub(submission_id), user(assessor), by=user(admin), today=today())
            session().commit()
            return submission_id

        def mark(self, submission_id: int, outcome: Outcome, *, assessor: str = "south_assessor",
                 **extra: Any) -> None:
            from portal.assessments.marking import requirements_of

            submission = self.sub(submission_id)
            marking = services.open_marking(submission, by=user(assessor))
            data = services.MarkingInput(
                levels={r.code: ("met", "Clear evidence.") for r in requirements_of(submission)},
                outcome=outcome.value, feedback="A thoughtful portfolio.", **extra)
            if outcome is Outcome.PASS_DEV and "development_points" not in extra:
                data.development_points = "Analysis of risk in court work."
            if outcome is Outcome.INCOMPLETE and "missing_evidence" not in extra:
                data.missing_evidence = "The third direct observation."
            if outcome is Outcome.EXTEND and "extend_to" not in extra:
                data.extend_to = today() + dt.timedelta(days=60)
            services.finish_marking(submission, by=user(assessor), data=data,
                                    expected_lock_version=marking.lock_version, today=today())
            session().commit()

        def recommended(self, outcome: Outcome = Outcome.PASS, **kwargs: Any) -> int:
            submission_id = self.assessing(**kwargs)
            self.mark(submission_id, outcome, assessor=kwargs.get("assessor", "south_assessor"))
            return submission_id

        def drawn(self, outcome: Outcome = Outcome.PASS, **kwargs: Any) -> int:
            """Recommended and drawn with a 0% random share; an established assessor, so not sampled unless it
            is a fail."""
            from portal.assessments.sampling import SamplingConfig

            submission_id = self.recommended(outcome, **kwargs)
            submission = self.sub(submission_id)
            panel = None if submission.independent else submission.enrolment.organisation_id
            services.draw_sample(panel, by=user("moderator" if panel else "south_moderator"),
                                 config=SamplingConfig(random_percentage=0, first_n=0), seed="fixed")
            session().commit()
            return submission_id

        def in_moderation(self, outcome: Outcome = Outcome.PASS, **kwargs: Any) -> int:
            submission_id = self.drawn(outcome, **kwargs)
            submission = self.sub(submission_id)
            if submission.sampled:
                self.second_mark(submission_id, outcome)
            services.open_moderation(self.sub(submission_id), by=user(self.moderator_for(submission_id)))
            session().commit()
            return submission_id

        def moderator_for(self, submission_id: int) -> str:
            return "south_moderator" if self.sub(submission_id).independent else "moderator"

        def second_mark(self, submission_id: int, outcome: Outcome, marker: str = "east_assessor") -> None:
            from portal.assessments.marking import requirements_of

            submission = self.sub(submission_id)
            services.allocate_second_marker(submission, user(marker), by=user(self.moderator_for(submission_id)))
            marking = services.open_marking(submission, by=user(marker), role="second")
            services.finish_second_marking(submission, by=user(marker), data=services.MarkingInput(
                levels={r.code: ("met", "") for r in requirements_of(submission)}, outcome=outcome.value,
                feedback="Agree."), expected_lock_version=marking.lock_version, today=today())
            session().commit()

        def confirmed(self, outcome: Outcome = Outcome.PASS, **kwargs: Any) -> int:
            submission_id = self.in_moderation(outcome, **kwargs)
            services.confirm(self.sub(submission_id), by=user(self.moderator_for(submission_id)),
                             reasons="The evidence supports the recommendation.", today=today())
            session().commit()
            return submission_id

        def signed_off(self, outcome: Outcome = Outcome.PASS, **kwargs: Any) -> int:
            submission_id = self.confirmed(outcome, **kwargs)
            admin = "programme_admin" if self.sub(submission_id).independent else "employer_admin"
            services.sign_off(self.sub(submission_id), by=user(admin), today=today())
            session().commit()
            return submission_id

    return Flow()


@pytest.fixture
def as_user(world: dict[str, Any]) -> Any:
    """``as_user("assessor")``: the world's person, in the current session."""
    from portal.users.models import User

    return lambda name: session().get(User, world[name].id)

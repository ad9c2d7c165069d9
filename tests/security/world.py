"""One world for the security tests, built once per run of the package through the services: three councils,
a practitioner ("the owner") with everything a practitioner can own, the people entitled to it (their current
supervisor, their employer's admin, the allocated assessor, the panel moderator...), and one person of every role
in *another* organisation, who must never reach the owner's things.

Every object the URL map can name exists here, so every route is reached with a real id.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from werkzeug.datastructures import FileStorage

from portal import clock
from portal.db import session
from portal.users.models import Role

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

TEXTS = {
    "account": "I visited the family at home to review the safety plan.",
    "analysis": "The plan was working; the risk from the home conditions had reduced.",
    "reflection": "I learnt to check the plan with the child directly before the adults.",
}

#: actors who hold one role in *another* organisation (South) - they are "someone else" to every object
GENERIC = ["practitioner", "supervisor", "assessor", "moderator", "employer_admin", "programme_admin"]
#: actors related to the owner's objects (where it matters)
RELATED = ["owner", "current_supervisor", "same_org_admin", "allocated_assessor", "panel_moderator",
           # close to the owner, yet not entitled: a practitioner of the same council, the supervisor before
           "colleague", "former_supervisor"]
ACTORS = ["anonymous", *GENERIC, *RELATED]


def pdf_bytes() -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def upload(data: bytes, name: str, mimetype: str = "application/octet-stream") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type=mimetype)


@dataclass
class World:
    """Ids and secrets of everything built (plain values: safe to read after any request)."""

    users: dict[str, Any] = field(default_factory=dict)  # name -> detached User
    ids: dict[str, int] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return self.ids[name]

    def user(self, name: str) -> Any:
        return self.users[name]


def today() -> dt.date:
    from portal.enrolments.services import london_today

    return london_today()


def build_world() -> World:
    """Everything, through the services, committed into the caller's (outer, rolled back) transaction."""
    from portal.auth.passwords import hash_password
    from portal.db import utcnow
    from portal.users.models import Organisation, OrganisationKind, RoleGrant, User, UserStatus

    w = World()
    sess = session()
    orgs = {}
    for key, name, code in (("north", "Northshire", "NORTH"), ("south", "Southshire", "SOUTH"),
                            ("east", "Eastshire", "EAST")):
        orgs[key] = Organisation(name=name, code=code, kind=OrganisationKind.LOCAL_AUTHORITY)
        sess.add(orgs[key])
    sess.flush()
    for key, org in orgs.items():
        w.ids[key] = org.id
    password_hash = hash_password(PASSWORD)

    def person(name: str, role: Role | list[Role], org: str | None, swe: str | None = None,
               status: UserStatus = UserStatus.ACTIVE) -> User:
        roles = role if isinstance(role, list) else [role]
        user = User(email=f"{name.replace('_', '.')}@example.org", name=name.replace("_", " ").title(),
                    status=status, password_hash=password_hash if status != UserStatus.INVITED else None,
                    swe_number=swe)
        for r in roles:
            user.grants.append(RoleGrant(role=r, organisation_id=None if r == Role.PROGRAMME_ADMIN
                                         else orgs[org].id))
        if user.needs_two_factor:
            user.totp_secret = TOTP_SECRET
            user.totp_enabled_at = utcnow()
        sess.add(user)
        return user

    people = {
        # the owner's side (North)
        "owner": person("owner", Role.PRACTITIONER, "north", "SW300001"),
        "owner2": person("owner_two", Role.PRACTITIONER, "north", "SW300002"),
        "owner3": person("owner_three", Role.PRACTITIONER, "north", "SW300003"),
        "current_supervisor": person("current_supervisor", Role.SUPERVISOR, "north", "SW300010"),
        "former_supervisor": person("former_supervisor", Role.SUPERVISOR, "north", "SW300011"),
        "colleague": person("colleague", Role.PRACTITIONER, "north", "SW300004"),
        "same_org_admin": person("same_org_admin", Role.EMPLOYER_ADMIN, "north"),
        "panel_moderator": person("panel_moderator", Role.MODERATOR, "north"),
        "invited": person("invited_person", Role.PRACTITIONER, "north", status=UserStatus.INVITED),
        # independent assessors (East)
        "allocated_assessor": person("allocated_assessor", Role.ASSESSOR, "east"),
        "second_marker": person("second_marker", Role.ASSESSOR, "east"),
        "reviewer": person("appeal_reviewer", Role.ASSESSOR, "east"),
        # someone else: one of every role in South, and a programme admin
        "practitioner": person("south_practitioner", Role.PRACTITIONER, "south", "SW300020"),
        "supervisor": person("south_supervisor", Role.SUPERVISOR, "south", "SW300021"),
        "assessor": person("south_assessor", Role.ASSESSOR, "south"),
        "moderator": person("south_moderator", Role.MODERATOR, "south"),
        "employer_admin": person("south_admin", Role.EMPLOYER_ADMIN, "south"),
        "programme_admin": person("programme_admin", Role.PROGRAMME_ADMIN, None),
    }
    sess.commit()
    for name, user in people.items():
        w.ids[f"user:{name}"] = user.id
    w.ids["grant:owner"] = people["owner"].grants[0].id

    _pathway(w, people)
    _casework_and_cpd(w, people)
    _assessments(w)
    _certificates(w)
    _odds_and_ends(w)
    sess.commit()

    for name, user_id in list(w.ids.items()):
        if name.startswith("user:"):
            user = sess.get(User, user_id)
            _ = list(user.grants)
            w.users[name.removeprefix("user:")] = user
    sess.expunge_all()
    return w


# ------------------------------------------------------------------------------------------------------ pathway
def _pathway(w: World, people: dict[str, Any]) -> None:
    from portal.enrolments.services import change_supervisor, enrol
    from portal.framework.services import load_builtin, published_versions
    from portal.users.models import Organisation

    sess = session()
    load_builtin(by=None)
    sess.commit()
    ecf = next(v for v in published_versions() if v.code == "ECF-5Y")
    w.ids["programme_version"] = ecf.id
    start = today() - dt.timedelta(days=200)
    north = sess.get(Organisation, w["north"])
    for who in ("owner", "owner2", "owner3"):
        enrolment = enrol(practitioner=people[who], organisation=north, programme_version=ecf, start_date=start,
                          fte="1", supervisor=people["former_supervisor"], by=None)
        sess.flush()
        change_supervisor(enrolment, people["current_supervisor"], by=None, today=start + dt.timedelta(days=30))
        sess.flush()
        w.ids[f"enrolment:{who}"] = enrolment.id
    south_enrolment = enrol(practitioner=people["practitioner"], organisation=sess.get(Organisation, w["south"]),
                            programme_version=ecf, start_date=start, fte="1", supervisor=people["supervisor"],
                            by=None)
    sess.flush()
    w.ids["enrolment:practitioner"] = south_enrolment.id
    sess.commit()


# ------------------------------------------------------------------------------------------- casework and CPD
def _reflection(enrolment: Any, practitioner: Any, *, reference: str = "Case 14", uploads: list[Any] | None = None
                ) -> Any:
    from portal.casework import services

    return services.create_case_reflection(
        enrolment, by=practitioner, occurred_on=today() - dt.timedelta(days=10), case_reference=reference,
        category="child_protection", activity="home_visit", role="co_worker", texts=TEXTS, statements=("KSS-CF.5",),
        uploads=uploads or [])


def _cpd(practitioner: Any, *, files: list[Any] | None = None, title: str = "Reading on cumulative harm") -> Any:
    from portal.cpd.models import CpdType
    from portal.cpd.services import CpdAnswers, create_record

    end = today() - dt.timedelta(days=12)
    answers = CpdAnswers(title=title, activity_type=CpdType.READING, start_date=end, end_date=end, hours=Decimal(2),
                         participatory_hours=Decimal(0), description="An article.", learning="Learnt about drift.",
                         impact_practice="Practice.", impact_people="People.", standards=["KSS-CF.5"])
    return create_record(practitioner, answers, complete=True, by=practitioner, uploads=files or [], today=today())


def _casework_and_cpd(w: World, people: dict[str, Any]) -> None:
    from sqlalchemy import select

    from portal.casework import services
    from portal.casework.feedback import request_feedback
    from portal.casework.models import CaseworkKind
    from portal.cpd import FILE_OWNER as CPD_FILES
    from portal.cpd import imports
    from portal.enrolments.models import Enrolment
    from portal.evidence.models import EvidenceFile

    sess = session()
    enrolment = sess.get(Enrolment, w["enrolment:owner"])
    owner = people["owner"]

    draft = _reflection(enrolment, owner, uploads=[upload(pdf_bytes(), "notes.pdf", "application/pdf")])
    sess.flush()
    w.ids["item:draft"] = draft.id
    w.ids["file:casework"] = sess.execute(select(EvidenceFile.id).where(
        EvidenceFile.attached_type == services.FILE_OWNER, EvidenceFile.attached_id == draft.id)).scalar_one()
    requested = _reflection(enrolment, owner, reference="Case 15")
    services.request_verification(requested, by=owner)
    w.ids["item:requested"] = requested.id
    issued = request_feedback(enrolment, by=owner, kind=CaseworkKind.PROFESSIONAL_FEEDBACK,
                              email="health.visitor@example.org", case_reference="Case 16",
                              respondent_description="Health visitor")
    w.ids["feedback_link"] = issued.request.id
    w.secrets["feedback"] = issued.signed

    record = _cpd(owner, files=[upload(pdf_bytes(), "certificate.pdf", "application/pdf")])
    sess.flush()
    w.ids["cpd"] = record.id
    w.ids["file:cpd"] = sess.execute(select(EvidenceFile.id).where(
        EvidenceFile.attached_type == CPD_FILES, EvidenceFile.attached_id == record.id)).scalar_one()
    csv = ("email,title,type,start_date,end_date,hours\n"
           f"owner@example.org,Court skills,course,{today() - dt.timedelta(days=20):%d/%m/%Y},"
           f"{today() - dt.timedelta(days=20):%d/%m/%Y},3\n")
    cpd_import = imports.upload_list(csv.encode(), "attendance.csv", by=owner)
    w.ids["cpd_import"] = cpd_import.id
    sess.commit()


# -------------------------------------------------------------------------------------------------- assessments
class _Flow:
    """Takes a submission through the assessment services to a state (as tests/assessments does)."""

    def __init__(self, w: World):
        self.w = w

    def user(self, name: str) -> Any:
        from portal.users.models import User

        return session().get(User, self.w[f"user:{name}"])

    def sub(self, submission_id: int) -> Any:
        from portal.assessments.models import Submission

        return session().get(Submission, submission_id)

    def draft(self, who: str, stage: str) -> int:
        from portal.assessments import services
        from portal.casework import services as casework
        from portal.enrolments.models import Enrolment

        sess = session()
        enrolment = sess.get(Enrolment, self.w[f"enrolment:{who}"])
        practitioner = self.user(who)
        item = _reflection(enrolment, practitioner, reference=f"Case {stage}")
        casework.request_verification(item, by=practitioner)
        casework.verify_item(item, by=self.user("current_supervisor"), confirmed=casework.CONFIRMATIONS)
        record = _cpd(practitioner, title=f"Reading for {stage}")
        sess.flush()
        submission = services.start_submission(enrolment, stage, by=practitioner)
        services.save_working_copy(submission, by=practitioner, chosen=[("casework", item.id),
                                                                         ("cpd_record", record.id)],
                                   statement="My year: I learnt to plan with the child first.")
        services.record_agreement(submission, by=self.user("same_org_admin"), today=today(),
                                  reason="Reviews are booked; the panel can assess the rest now.")
        sess.commit()
        self.w.ids[f"sealed_item:{who}:{stage}"] = item.id
        return submission.id

    def submitted(self, who: str, stage: str) -> int:
        from portal.assessments import services

        submission_id = self.draft(who, stage)
        services.submit(self.sub(submission_id), by=self.user(who), today=today())
        session().commit()
        return submission_id

    def assessing(self, who: str, stage: str) -> int:
        from portal.assessments import services

        submission_id = self.submitted(who, stage)
        services.allocate_assessor(self.sub(submission_id), self.user("allocated_assessor"),
                                   by=self.user("same_org_admin"), today=today())
        session().commit()
        return submission_id

    def recommended(self, who: str, stage: str, outcome: Any) -> int:
        from portal.assessments import services
        from portal.assessments.marking import requirements_of

        submission_id = self.assessing(who, stage)
        submission = self.sub(submission_id)
        assessor = self.user("allocated_assessor")
        marking = services.open_marking(submission, by=assessor)
        data = services.MarkingInput(levels={r.code: ("met", "Clear evidence.") for r in requirements_of(submission)},
                                     outcome=outcome.value, feedback="A thoughtful portfolio.")
        services.finish_marking(submission, by=assessor, data=data, expected_lock_version=marking.lock_version,
                                today=today())
        session().commit()
        return submission_id

    def draw(self, percentage: int) -> None:
        from portal.assessments import services
        from portal.assessments.sampling import SamplingConfig

        services.draw_sample(self.w["north"], by=self.user("panel_moderator"),
                             config=SamplingConfig(random_percentage=percentage, first_n=0), seed="fixed")
        session().commit()

    def allocate_second_marker(self, submission_id: int) -> None:
        from portal.assessments import services

        services.allocate_second_marker(self.sub(submission_id), self.user("second_marker"),
                                        by=self.user("panel_moderator"))
        session().commit()

    def second_mark(self, submission_id: int, outcome: Any) -> None:
        from portal.assessments import services
        from portal.assessments.marking import requirements_of

        self.allocate_second_marker(submission_id)
        submission = self.sub(submission_id)
        marker = self.user("second_marker")
        marking = services.open_marking(submission, by=marker, role="second")
        services.finish_second_marking(submission, by=marker, data=services.MarkingInput(
            levels={r.code: ("met", "") for r in requirements_of(submission)}, outcome=outcome.value,
            feedback="Agree."), expected_lock_version=marking.lock_version, today=today())
        session().commit()

    def confirm(self, submission_id: int, outcome: Any) -> None:
        from portal.assessments import services

        if self.sub(submission_id).sampled:
            self.second_mark(submission_id, outcome)
        services.open_moderation(self.sub(submission_id), by=self.user("panel_moderator"))
        services.confirm(self.sub(submission_id), by=self.user("panel_moderator"),
                         reasons="The evidence supports the recommendation.", today=today())
        session().commit()


def _assessments(w: World) -> None:
    """The owner: Y1 draft, Y2 submitted, Y3-4 with the allocated assessor. Owner 2: Y1 recommended, sampled,
    second marker chosen; Y2 confirmed pass; Y3-4 confirmed fail. Owner 3: two appeals (one with its reviewer)."""
    from portal.assessments import services
    from portal.assessments.states import Outcome

    flow = _Flow(w)
    sess = session()
    w.ids["submission:draft"] = flow.draft("owner", "Y1")
    w.ids["submission:submitted"] = flow.submitted("owner", "Y2")
    w.ids["submission:assessing"] = flow.assessing("owner", "Y3-4")

    confirmed_pass = flow.recommended("owner2", "Y2", Outcome.PASS)
    confirmed_fail = flow.recommended("owner2", "Y3-4", Outcome.FAIL)
    appeal_open = flow.recommended("owner3", "Y1", Outcome.FAIL)
    appeal_reviewed = flow.recommended("owner3", "Y2", Outcome.FAIL)
    flow.draw(0)  # fails are always sampled
    for submission_id, outcome in ((confirmed_pass, Outcome.PASS), (confirmed_fail, Outcome.FAIL),
                                   (appeal_open, Outcome.FAIL), (appeal_reviewed, Outcome.FAIL)):
        flow.confirm(submission_id, outcome)
    w.ids["submission:confirmed_pass"] = confirmed_pass
    w.ids["submission:confirmed_fail"] = confirmed_fail

    for key, submission_id in (("appeal:open", appeal_open), ("appeal:reviewed", appeal_reviewed)):
        appeal = services.lodge_appeal(flow.sub(submission_id), by=flow.user("owner3"),
                                       grounds="The assessor did not read the second observation.", today=today())
        sess.flush()
        w.ids[key] = appeal.id
    services.assign_reviewer(sess.get(type(appeal), w["appeal:reviewed"]), flow.user("reviewer"),
                             by=flow.user("programme_admin"))
    sess.commit()

    sampled = flow.recommended("owner2", "Y1", Outcome.PASS)
    flow.draw(100)
    assert flow.sub(sampled).sampled
    flow.allocate_second_marker(sampled)
    w.ids["submission:sampled"] = sampled
    w.ids["item:moderated"] = w.ids["sealed_item:owner2:Y1"]


# ------------------------------------------------------------------------------------------------- certificates
@dataclass
class _SignOff:
    """What the assessment feature hands the certificate issuer (duck-typed, as tests/certificates does)."""

    enrolment_id: int
    id: int = 900001
    stage_code: str = "Y1"
    outcome: str = "PASS"
    decided_on: dt.date = field(default_factory=lambda: today() - dt.timedelta(days=3))
    manifest_digest: str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    signatory_roles: list[str] = field(default_factory=lambda: ["Assessor", "Moderator", "Employer admin"])
    is_award: bool = False
    submission_id: int = 1
    signed_off_by_id: int | None = None
    signed_off_at: dt.datetime = field(default_factory=lambda: clock.now())
    reversed_at: dt.datetime | None = None


def _certificates(w: World) -> None:
    from portal.certificates import checks, tokens
    from portal.certificates.issuing import issue_for_sign_off
    from portal.certificates.models import CheckBatch
    from portal.users.models import Organisation, User

    sess = session()
    certificate = issue_for_sign_off(_SignOff(enrolment_id=w["enrolment:owner"]), by=None)[0]
    sess.flush()
    w.ids["certificate"] = certificate.id
    w.codes["certificate"] = certificate.code
    admin = sess.get(User, w["user:same_org_admin"])
    results = checks.check_numbers([(1, "SW300001")])
    batch = CheckBatch(organisation_id=w["north"], created_by_id=admin.id, filename="numbers.csv",
                       row_count=len(results), results=[r.to_dict(lambda code: f"/verify/{code}") for r in results])
    sess.add(batch)
    sess.flush()
    w.ids["check_batch"] = batch.id
    token, secret = tokens.create_token(sess.get(Organisation, w["north"]), name="HR system", by=admin)
    sess.flush()
    w.ids["api_token"] = token.id
    w.secrets["api"] = secret
    sess.commit()


# ---------------------------------------------------------------------------------------------- odds and ends
def _odds_and_ends(w: World) -> None:
    from portal.auth.models import TokenPurpose
    from portal.auth.sessions import start_session as start_user_session
    from portal.auth.tokens import issue_token
    from portal.notifications.services import notify
    from portal.users import teams
    from portal.users.models import Organisation, User

    sess = session()
    team = teams.create_team(sess.get(Organisation, w["north"]), name="Child protection team A",
                             by=sess.get(User, w["user:same_org_admin"]))
    teams.add_team_member(team, sess.get(User, w["user:owner"]), by=sess.get(User, w["user:same_org_admin"]))
    sess.flush()
    w.ids["team"] = team.id
    note = notify(sess.get(User, w["user:owner"]), "verification_decided", "Your case reflection was verified",
                  "/casework/")
    sess.flush()
    w.ids["notification"] = note.id
    w.secrets["invitation"] = issue_token(sess.get(User, w["user:invited"]), TokenPurpose.INVITATION,
                                          lifetime=dt.timedelta(days=7), by=None).signed
    w.secrets["reset"] = issue_token(sess.get(User, w["user:owner"]), TokenPurpose.PASSWORD_RESET,
                                     lifetime=dt.timedelta(hours=1), by=None).signed
    _, w.ids["session:owner"] = start_user_session(sess.get(User, w["user:owner"]), ip_address="127.0.0.1",
                                                   user_agent="Mozilla/5.0 (Windows NT 10.0) Firefox/133.0")
    # South's admin invites the owner (North) to South: nothing is granted until the owner accepts
    w.secrets["role_invitation"] = issue_token(
        sess.get(User, w["user:owner"]), TokenPurpose.ROLE_INVITATION, lifetime=dt.timedelta(days=7),
        by=sess.get(User, w["user:employer_admin"]), role=Role.PRACTITIONER, organisation_id=w["south"]).signed
    sess.commit()

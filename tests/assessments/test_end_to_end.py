"""End to end through the pages: one practitioner from a complete Year 1 of evidence to a signed-off Year 1 (a
sign-off listener records the call), and another through INCOMPLETE, a resubmission and a PASS."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.assessments import services
from portal.assessments.models import StageSignOff
from portal.assessments.states import SubmissionState as S
from portal.db import session

from ..conftest import parse, start_session
from .conftest import today

OBSERVATION = {"observed": "A home visit to Child A with Parent B.", "strengths": "Warm and clear with Child A.",
               "development": "Summarise the plan at the end of the visit."}


def year_one_evidence(world, as_user, items) -> None:
    """Everything Year 1 asks for, made through the services that own it."""
    from portal.casework import feedback
    from portal.casework import services as casework
    from portal.casework.models import CaseworkKind
    from portal.enrolments import services as pathway
    from portal.enrolments.models import Enrolment
    from portal.framework.services import template_for

    enrolment = session().get(Enrolment, world["enrolment"].id)
    start = enrolment.start_date
    practitioner, supervisor = as_user("practitioner"), as_user("supervisor")
    kss = template_for(enrolment.programme_version).standards_set("KSS-CF").statement_codes
    ratings = dict.fromkeys(kss, 3)
    pathway.record_document(enrolment, kind="learning_agreement", title="", summary="Agreed goals.",
                            completed_on=start + dt.timedelta(days=20), stage_code="Y1", by=supervisor)
    pathway.record_document(enrolment, kind="critical_reflection_log", title="", summary="My log.",
                            completed_on=today() - dt.timedelta(days=5), stage_code="Y1", by=practitioner)
    pathway.record_self_assessment(enrolment, point="start", set_code="KSS-CF", ratings=ratings,
                                   completed_on=start + dt.timedelta(days=10), stage_code="Y1", by=practitioner)
    for code, days, with_ratings in (("Y1-R3", 92, False), ("Y1-R6", 183, True), ("Y1-FINAL", 199, True)):
        pathway.record_review(enrolment, review_code=code, held_on=start + dt.timedelta(days=days),
                              attendees="Pat, Sue", notes="On track.", development_plan="", by=supervisor,
                              ratings=ratings if with_ratings else None)

    def verified(item) -> None:
        casework.request_verification(item, by=practitioner)
        casework.verify_item(item, by=supervisor, confirmed=casework.CONFIRMATIONS)

    for n in range(3):
        item = casework.record_observation(enrolment, by=supervisor, occurred_on=today() - dt.timedelta(days=30 + n),
                                           case_reference=f"Case {n + 1}", activity="home_visit",
                                           statements=("KSS-CF.1",), texts=OBSERVATION)
        casework.update_item(item, by=practitioner, values={"reflection": "I will summarise the plan next time."})
        verified(item)
    for n in range(2):
        verified(casework.record_family_feedback(
            enrolment, by=practitioner, occurred_on=today() - dt.timedelta(days=20 + n), case_reference=f"Case {n + 4}",
            statements=("KSS-CF.2",), texts={"respondent": "A parent or carer", "went_well": "She listened to us.",
                                             "even_better": "", "reflection": "Listening mattered most."}))
    for n in range(2):
        link = feedback.request_feedback(enrolment, by=practitioner, kind=CaseworkKind.PROFESSIONAL_FEEDBACK,
                                         email=f"colleague{n}@health.example", case_reference=f"Case {n + 6}",
                                         respondent_description="Health visitor")
        item = feedback.submit_feedback(link.signed, texts={"respondent": "Health visitor",
                                                            "went_well": "Clear plans shared quickly."})
        casework.update_item(item, by=practitioner, values={"reflection": "Share plans early.",
                                                            "statements": ["KSS-CF.6"]})
        verified(item)
    items.cpd(title="Neglect training")
    items.cpd(title="Reading on drift", peer=True)
    session().commit()


def _form_items(soup) -> list[str]:
    return [box["value"] for box in soup.select('input[name="items"]')]


def _sign_in(client, user):
    start_session(client, user)


def _draw_and_second_mark(client, world, submission_id, marking_form):
    """The moderator draws the north panel's sample; Sam is a new assessor, so it is sampled; the east assessor
    second-marks it blind."""
    _sign_in(client, world["moderator"])
    assert client.post("/assessments/moderation/draw", data={"panel": str(world["north"].id)}).status_code == 302
    assert client.post(f"/assessments/submissions/{submission_id}/second-marker",
                       data={"person": str(world["east_assessor"].id)}).status_code == 302
    _sign_in(client, world["east_assessor"])
    assert client.post(f"/assessments/submissions/{submission_id}/second-marking",
                       data=marking_form(submission_id, "PASS", "Agree: a pass.")).status_code == 302


@pytest.fixture
def marking_form(flow):
    from portal.assessments.marking import requirements_of

    def build(submission_id, outcome, feedback, **extra):
        count = len(requirements_of(flow.sub(submission_id)))
        data = {f"level_{n}": "met" for n in range(1, count + 1)}
        data.update({"outcome": outcome, "feedback": feedback, "lock_version": "1", "finish": "y",
                     "incomplete_deadline": ["", "", ""], "extend_to": ["", "", ""]})
        data.update(extra)
        return data

    return build


def test_year_one_from_evidence_to_sign_off(app, world, as_user, items, flow, marking_form):
    year_one_evidence(world, as_user, items)
    calls = []
    listener = services.register_sign_off_listener(
        lambda sign_off, *, by: calls.append((sign_off.stage_code, sign_off.outcome.value, sign_off.manifest_digest,
                                              by.id)))
    client = app.test_client()
    try:
        # the practitioner starts, chooses everything, checks and submits
        _sign_in(client, world["practitioner"])
        soup = parse(client.get("/assessments/mine"))
        assert soup.select_one("#startable") and "Year 1" in soup.select_one("#startable").get_text()
        response = client.post(f"/assessments/enrolments/{world['enrolment'].id}/start", data={"stage": "Y1"})
        edit_url = response.headers["Location"]
        submission_id = int(re.search(r"/submissions/(\d+)/edit", edit_url).group(1))
        choices = _form_items(parse(client.get(edit_url)))
        assert len(choices) == 9  # 3 observations, 2 + 2 feedback, 2 CPD records
        response = client.post(edit_url, data={"items": choices,
                                               "statement": "Over the year I learnt to plan with Child A first."})
        assert response.status_code == 302
        check = parse(client.get(f"/assessments/submissions/{submission_id}/check"))
        assert check.select_one("#all-met") is not None and check.select_one("#problems") is None
        assert client.post(f"/assessments/submissions/{submission_id}/submit", data={"note": ""}).status_code == 302
        assert flow.sub(submission_id).state is S.SUBMITTED and flow.sub(submission_id).agreement_at is None

        # the employer allocates; the assessor reads the sealed portfolio and marks it
        _sign_in(client, world["employer_admin"])
        assert client.post(f"/assessments/submissions/{submission_id}/allocate",
                           data={"assessor": str(world["south_assessor"].id),
                                 "due_on": ["", "", ""]}).status_code == 302
        _sign_in(client, world["south_assessor"])
        assert f'data-submission="{submission_id}"' in client.get("/assessments/queue").get_data(as_text=True)
        portfolio = parse(client.get(f"/assessments/submissions/{submission_id}/versions/1"))
        assert "Seal intact" in portfolio.select_one("#seal").get_text()
        observations = portfolio.select_one('[data-requirement="direct-observations"]')
        assert len(observations.select("li")) == 3
        assert client.post(f"/assessments/submissions/{submission_id}/marking",
                           data=marking_form(submission_id, "PASS", "A strong first year.")).status_code == 302
        assert flow.sub(submission_id).state is S.RECOMMENDED

        # moderation: the sample, the blind second mark, then confirmation
        _draw_and_second_mark(client, world, submission_id, marking_form)
        _sign_in(client, world["moderator"])
        client.post(f"/assessments/submissions/{submission_id}/moderate", data={"action": "open"})
        assert client.post(f"/assessments/submissions/{submission_id}/moderate",
                           data={"decision": "confirm", "reasons": "Both marks agree."}).status_code == 302
        assert flow.sub(submission_id).state is S.CONFIRMED

        # the employer signs the stage off: the listener hears it, the dashboard shows it
        _sign_in(client, world["employer_admin"])
        assert client.post(f"/assessments/submissions/{submission_id}/sign-off").status_code == 302
    finally:
        services.unregister_listener(listener)
    submission = flow.sub(submission_id)
    assert submission.state is S.SIGNED_OFF
    digest = session().query(StageSignOff).filter_by(submission_id=submission_id).one().manifest_digest
    assert calls == [("Y1", "PASS", digest, world["employer_admin"].id)]
    _sign_in(client, world["practitioner"])
    page = parse(client.get(f"/assessments/submissions/{submission_id}"))
    assert "A strong first year." in page.get_text() and "Signed off" in page.get_text()
    from portal.enrolments.dashboard import dashboard_for
    from portal.enrolments.models import Enrolment

    stage = dashboard_for(session().get(Enrolment, world["enrolment"].id), today()).standing.progress.stage("Y1")
    assert stage.signed_off_on == today() and stage.status.value == "met"


def test_incomplete_then_resubmission_then_pass(app, world, as_user, items, flow, marking_form):
    submission_id = flow.assessing()  # submitted with the employer's agreement (requirements not all met)
    client = app.test_client()
    _sign_in(client, world["south_assessor"])
    response = client.post(f"/assessments/submissions/{submission_id}/marking", data=marking_form(
        submission_id, "INCOMPLETE", "Good so far, but the observations are missing.",
        missing_evidence="Your three direct observations."))
    assert response.status_code == 302
    submission = flow.sub(submission_id)
    assert submission.state is S.INCOMPLETE_EVIDENCE and submission.incomplete_deadline > today()

    # the practitioner reads what is missing, adds evidence and resubmits a new sealed version
    _sign_in(client, world["practitioner"])
    page = parse(client.get(f"/assessments/submissions/{submission_id}"))
    assert "Your three direct observations." in page.get_text()
    new_item = items.reflection(reference="Case 21")
    edit = parse(client.get(f"/assessments/submissions/{submission_id}/edit"))
    chosen = [box["value"] for box in edit.select('input[name="items"][checked]')] + [f"casework:{new_item}"]
    assert client.post(f"/assessments/submissions/{submission_id}/edit",
                       data={"items": chosen, "statement": "Now with my observations."}).status_code == 302
    assert client.post(f"/assessments/submissions/{submission_id}/submit",
                       data={"note": "Added the observations."}).status_code == 302
    submission = flow.sub(submission_id)
    assert submission.state is S.RESUBMITTED and submission.version == 2

    # the assessor takes it back and passes it
    _sign_in(client, world["south_assessor"])
    assert client.post(f"/assessments/submissions/{submission_id}/reassess").status_code == 302
    assert flow.sub(submission_id).state is S.UNDER_ASSESSMENT
    soup = parse(client.get(f"/assessments/submissions/{submission_id}/marking"))
    assert "Good so far" in soup.select_one('textarea[name="feedback"]').get_text()  # starts from version 1's
    assert client.post(f"/assessments/submissions/{submission_id}/marking",
                       data=marking_form(submission_id, "PASS", "Complete now: a pass.")).status_code == 302
    _draw_and_second_mark(client, world, submission_id, marking_form)
    _sign_in(client, world["moderator"])
    client.post(f"/assessments/submissions/{submission_id}/moderate", data={"action": "open"})
    assert client.post(f"/assessments/submissions/{submission_id}/moderate",
                       data={"decision": "confirm", "reasons": "Agreed."}).status_code == 302
    _sign_in(client, world["employer_admin"])
    assert client.post(f"/assessments/submissions/{submission_id}/sign-off").status_code == 302
    submission = flow.sub(submission_id)
    assert submission.state is S.SIGNED_OFF
    from portal.assessments.queries import history, version_of

    assert session().query(StageSignOff).filter_by(submission_id=submission_id).one().manifest_digest == \
        version_of(submission, 2).digest
    # the whole history is kept and shown: both versions and both outcomes
    record = history(submission)
    assert [v.number for v in record.versions] == [1, 2]
    assert [(m.version, m.outcome.value) for m in record.markings if m.role == "first"] == [
        (1, "INCOMPLETE"), (2, "PASS")]
    _sign_in(client, world["practitioner"])
    page = parse(client.get(f"/assessments/submissions/{submission_id}"))
    assert len(page.select("#versions tbody tr")) == 2
    actions = [row["data-action"] for row in page.select("#history [data-action]")]
    assert actions.index("record_incomplete") < actions.index("resubmit") < actions.index("sign_off")

"""Moderation: the sample drawn with a stored seed (every fail, each new assessor's first few, a random share),
blind second marking, nobody moderating their own marking, the anonymised view, and the agreement figures."""
from __future__ import annotations

import pytest

from portal.assessments import sampling, services
from portal.assessments.models import SampleDraw
from portal.assessments.states import Outcome
from portal.assessments.states import SubmissionState as S
from portal.db import session
from portal.exceptions import DomainError
from portal.users.models import Role, RoleGrant

from ..conftest import parse
from .conftest import TEXTS, today


def test_every_fail_is_sampled(flow):
    submission_id = flow.drawn(Outcome.FAIL)  # drawn with 0% random and no "new assessor" share
    assert flow.sub(submission_id).sample_reasons == ["fail"]


def test_a_new_assessors_first_three_and_then_the_random_share(flow, as_user):
    ids = [flow.recommended(Outcome.PASS, stage=stage) for stage in ("Y1", "Y2", "Y3-4")]
    draw = services.draw_sample(flow.sub(ids[0]).enrolment.organisation_id, by=as_user("moderator"),
                                seed="north-1")
    session().commit()
    assert [flow.sub(i).sample_reasons for i in ids] == [["new_assessor"]] * 3
    assert (draw.seed, draw.random_percentage, draw.first_n, draw.recommendations, draw.sampled) == (
        "north-1", 10, 3, 3, 3)
    # Sam's fourth recommendation (year 5, the national panel) is no longer "new"; 10% of one, rounded up, is one
    fourth = flow.recommended(Outcome.PASS, stage="Y5")
    services.draw_sample(None, by=as_user("south_moderator"), seed="national-1")
    session().commit()
    assert flow.sub(fourth).sample_reasons == ["random"]


def test_the_stored_seed_reproduces_the_draw(flow, as_user):
    ids = [flow.recommended(Outcome.PASS, stage=stage) for stage in ("Y1", "Y2", "Y3-4")]
    config = sampling.SamplingConfig(random_percentage=34, first_n=0)
    panel = flow.sub(ids[0]).enrolment.organisation_id
    draw = services.draw_sample(panel, by=as_user("moderator"), config=config)
    session().commit()
    stored = session().get(SampleDraw, draw.id)
    picked = {i for i in ids if flow.sub(i).sample_reasons}
    assert len(picked) == 2  # 34% of 3, rounded up
    again = sampling.select_for_second_marking(
        [sampling.Recommendation(i, flow.sub(i).assessor_id, Outcome.PASS, 0) for i in ids], config,
        seed=stored.seed)
    assert set(again.ids) == picked


def test_drawing_needs_a_moderator_of_the_panel_and_something_to_draw(flow, as_user, world):
    submission_id = flow.recommended()
    with pytest.raises(DomainError, match="Only a moderator of this panel"):
        services.draw_sample(world["north"].id, by=as_user("south_moderator"))
    session().rollback()
    with pytest.raises(DomainError, match="no recommendations waiting"):
        services.draw_sample(world["south"].id, by=as_user("south_moderator"))
    session().rollback()
    assert flow.sub(submission_id).sample_draw_id is None


def test_moderation_waits_for_the_blind_second_mark(flow, as_user, client, sign_in_as, world, page):
    submission_id = flow.drawn(Outcome.FAIL)
    with pytest.raises(DomainError, match="blind second marking"):
        services.open_moderation(flow.sub(submission_id), by=as_user("moderator"))
    session().rollback()
    # the first marker cannot be the second marker
    with pytest.raises(DomainError, match="made the first mark"):
        services.allocate_second_marker(flow.sub(submission_id), as_user("south_assessor"), by=as_user("moderator"))
    session().rollback()
    services.allocate_second_marker(flow.sub(submission_id), as_user("east_assessor"), by=as_user("moderator"))
    session().commit()
    # blind: the second marker sees the sealed portfolio and their queue, never the first mark
    sign_in_as(world["east_assessor"])
    soup = page("/assessments/queue")
    assert f"/assessments/submissions/{submission_id}/second-marking" in str(soup.select_one("#second-marking"))
    soup = page(f"/assessments/submissions/{submission_id}/second-marking")
    assert "A thoughtful portfolio." not in soup.get_text()
    assert not soup.select("input[checked]") and not soup.select_one('textarea[name="feedback"]').get_text()
    assert client.get(f"/assessments/submissions/{submission_id}").status_code == 403
    assert client.get(f"/assessments/submissions/{submission_id}/versions/1").status_code == 200
    assert client.get(f"/assessments/submissions/{submission_id}/marking").status_code == 403
    marking = services.open_marking(flow.sub(submission_id), by=world_user(world, "east_assessor"), role="second")
    from portal.assessments.marking import requirements_of

    services.finish_second_marking(flow.sub(submission_id), by=world_user(world, "east_assessor"),
                                   data=services.MarkingInput(
                                       levels={r.code: ("met", "") for r in requirements_of(flow.sub(submission_id))},
                                       outcome="PASS", feedback="I would pass this."),
                                   expected_lock_version=marking.lock_version, today=today())
    session().commit()
    services.open_moderation(flow.sub(submission_id), by=as_user("moderator"))
    session().commit()
    assert flow.sub(submission_id).state is S.MODERATION


def world_user(world, name):
    from portal.users.models import User

    return session().get(User, world[name].id)


def test_nobody_moderates_their_own_marking(flow, world, as_user):
    session().add(RoleGrant(user_id=world["assessor"].id, role=Role.MODERATOR, organisation_id=world["north"].id))
    session().commit()
    session().expire_all()
    submission_id = flow.drawn(Outcome.PASS, assessor="assessor")
    with pytest.raises(DomainError, match="Ash Assessor marked this submission, so cannot moderate it"):
        services.open_moderation(flow.sub(submission_id), by=as_user("assessor"))
    session().rollback()
    assert flow.sub(submission_id).state is S.RECOMMENDED


def test_a_moderator_of_another_organisation_is_refused(flow, client, sign_in_as, world, page):
    submission_id = flow.drawn()
    sign_in_as(world["south_moderator"])
    assert f'data-submission="{submission_id}"' not in str(page("/assessments/moderation"))
    assert client.get(f"/assessments/submissions/{submission_id}/moderate").status_code == 403
    assert client.post(f"/assessments/submissions/{submission_id}/moderate",
                       data={"decision": "confirm", "reasons": "Fine."}).status_code == 403


def test_moderators_see_the_portfolio_anonymised(flow, world, items, as_user, client, sign_in_as, page):
    from portal.casework import services as casework
    from portal.casework.guard import confirm_finding, unresolved_findings
    from portal.casework.models import CaseworkItem

    texts = dict(TEXTS, analysis="Dr Patel from the health visiting team supported Parent B.")
    item_id = items.reflection(verified=False, texts=texts)
    item = session().get(CaseworkItem, item_id)
    for finding in unresolved_findings(item):  # the practitioner confirms the doctor's name is not identifying
        confirm_finding(item, finding.fingerprint, by=as_user("practitioner"))
    casework.request_verification(item, by=as_user("practitioner"))
    casework.verify_item(item, by=as_user("supervisor"), confirmed=casework.CONFIRMATIONS)
    session().commit()
    submission_id = flow.draft(with_items=False)
    services.save_working_copy(flow.sub(submission_id), by=as_user("practitioner"), chosen=[("casework", item_id)],
                               statement="Working with Parent B taught me to slow down.")
    services.record_agreement(flow.sub(submission_id), by=as_user("employer_admin"), reason="Agreed.", today=today())
    services.submit(flow.sub(submission_id), by=as_user("practitioner"), today=today())
    services.allocate_assessor(flow.sub(submission_id), as_user("south_assessor"), by=as_user("employer_admin"),
                               today=today())
    session().commit()
    flow.mark(submission_id, Outcome.PASS)
    services.draw_sample(world["north"].id, by=as_user("moderator"),
                         config=sampling.SamplingConfig(random_percentage=0, first_n=0))
    session().commit()
    sign_in_as(world["moderator"])
    client.post(f"/assessments/submissions/{submission_id}/moderate", data={"action": "open"})
    soup = page(f"/assessments/submissions/{submission_id}/moderate")
    text = soup.get_text(" ")
    for name in ("Pat Practitioner", "Northshire", "Sue Supervisor", "Dr Patel", "Emma Admin"):
        assert name not in text, name
    assert "Person C from the health visiting team" in text and f"submission {submission_id}" in text.lower()
    # the casework item's own anonymised page opens for the panel's moderator while it is in moderation
    assert client.get(f"/casework/items/{item_id}/anonymised").status_code == 200
    assert client.get(f"/casework/items/{item_id}").status_code == 403


def test_agreement_rates_per_assessor_and_overall(flow, client, sign_in_as, world, page):
    agreed = flow.in_moderation(Outcome.FAIL)  # sampled; the builder's second mark agrees (FAIL)
    disagreed = flow.drawn(Outcome.FAIL, stage="Y2")
    flow.second_mark(disagreed, Outcome.PASS)
    assert flow.sub(agreed).state is S.MODERATION
    sign_in_as(world["programme_admin"])
    soup = page("/assessments/agreement")
    assert "1 of 2 (50%)" in soup.select_one("#overall").get_text()
    row = soup.select_one(f'[data-assessor="{world["south_assessor"].id}"]')
    assert "1 of 2 (50%)" in row.get_text(" ") and "2" in row.get_text(" ")
    sign_in_as(world["moderator"])
    assert client.get("/assessments/agreement").status_code == 403


def test_confirm_and_return_need_reasons(flow, client, sign_in_as, world):
    submission_id = flow.in_moderation()
    sign_in_as(world["moderator"])
    response = client.post(f"/assessments/submissions/{submission_id}/moderate",
                           data={"decision": "return", "reasons": ""})
    assert "Enter your reasons" in parse(response).select_one(".govuk-error-summary").get_text()
    response = client.post(f"/assessments/submissions/{submission_id}/moderate",
                           data={"decision": "return", "reasons": "The CPD does not show impact."})
    assert response.status_code == 302
    assert flow.sub(submission_id).state is S.RETURNED

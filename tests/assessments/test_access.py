"""Who may open what, walked for every role over the assessment pages, including tampered URLs (someone else's
submission, an unallocated assessor, a moderator of another organisation)."""
from __future__ import annotations

import pytest

from portal.assessments.states import Outcome

PEOPLE = ["practitioner", "other_practitioner", "supervisor", "employer_admin", "south_admin", "south_assessor",
          "east_assessor", "moderator", "south_moderator", "programme_admin"]

# (state the submission is built to, url, people allowed; everyone else gets 403)
CASES = [
    ("draft", "/assessments/submissions/{id}", {"practitioner", "employer_admin", "programme_admin"}),
    ("draft", "/assessments/submissions/{id}/edit", {"practitioner"}),
    ("draft", "/assessments/submissions/{id}/check", {"practitioner"}),
    ("draft", "/assessments/submissions/{id}/agreement", {"employer_admin", "programme_admin"}),
    ("draft", "/assessments/submissions/{id}/withdraw", {"practitioner"}),
    ("submitted", "/assessments/submissions/{id}/allocate", {"employer_admin", "programme_admin"}),
    ("submitted", "/assessments/submissions/{id}/edit", set()),
    ("assessing", "/assessments/submissions/{id}",
     {"practitioner", "south_assessor", "employer_admin", "programme_admin"}),
    ("assessing", "/assessments/submissions/{id}/versions/1", {"practitioner", "south_assessor"}),
    ("assessing", "/assessments/submissions/{id}/marking", {"south_assessor"}),
    ("assessing", "/assessments/submissions/{id}/refer", {"south_assessor"}),
    ("assessing", "/assessments/submissions/{id}/second-marking", set()),
    ("assessing", "/assessments/submissions/{id}/pause", {"employer_admin", "programme_admin"}),
    ("assessing", "/assessments/submissions/{id}/allocate", set()),
    ("assessing", "/assessments/submissions/{id}/moderate", set()),
    ("moderation", "/assessments/submissions/{id}/moderate", {"moderator"}),
    ("moderation", "/assessments/submissions/{id}/marking", {"south_assessor"}),
    ("moderation", "/assessments/submissions/{id}/versions/1", {"practitioner", "south_assessor"}),
    # the casework text is the assessor's to read until the decision, not after it
    ("confirmed_fail", "/assessments/submissions/{id}/versions/1", {"practitioner"}),
    ("confirmed_pass", "/assessments/submissions/{id}/versions/1", {"practitioner"}),
    ("confirmed_fail", "/assessments/submissions/{id}/appeal", {"practitioner"}),
    ("confirmed_pass", "/assessments/submissions/{id}/sign-off", {"employer_admin", "programme_admin"}),
    ("confirmed_pass", "/assessments/submissions/{id}/appeal", set()),
    (None, "/assessments/mine", {"practitioner", "other_practitioner"}),
    (None, "/assessments/queue", {"south_assessor", "east_assessor"}),
    (None, "/assessments/moderation", {"moderator", "south_moderator"}),
    (None, "/assessments/submissions", {"employer_admin", "south_admin", "programme_admin"}),
    (None, "/assessments/agreement", {"programme_admin"}),
    (None, "/assessments/appeals", {"south_assessor", "east_assessor", "moderator", "south_moderator",
                                    "programme_admin"}),
]


def _build(flow, state):
    if state is None:
        return None
    return {"draft": lambda: flow.draft(), "submitted": lambda: flow.submitted(), "assessing": lambda: flow.assessing(),
            "moderation": lambda: flow.in_moderation(), "confirmed_fail": lambda: flow.confirmed(Outcome.FAIL),
            "confirmed_pass": lambda: flow.confirmed(Outcome.PASS)}[state]()


@pytest.mark.parametrize(("state", "url", "allowed"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_access(flow, world, client, sign_in_as, state, url, allowed):
    submission_id = _build(flow, state)
    target = url.format(id=submission_id)
    assert client.get(target).status_code == 302  # signed out: to the sign-in page
    for person in PEOPLE:
        sign_in_as(world[person])
        status = client.get(target).status_code
        assert status == (200 if person in allowed else 403), f"{person} {target}: {status}"


def test_posts_are_guarded_like_pages(flow, world, client, sign_in_as):
    """Tampering: another practitioner's submission, an unallocated assessor, another organisation's moderator."""
    draft = flow.draft()
    sign_in_as(world["other_practitioner"])
    for path in ("edit", "submit", "withdraw"):
        assert client.post(f"/assessments/submissions/{draft}/{path}", data={}).status_code == 403
    sign_in_as(world["south_admin"])
    assert client.post(f"/assessments/submissions/{draft}/agreement", data={"reason": "Sure."}).status_code == 403
    assessing = flow.assessing(stage="Y2")
    sign_in_as(world["east_assessor"])
    for path in ("marking", "refer", "reassess"):
        assert client.post(f"/assessments/submissions/{assessing}/{path}", data={}).status_code == 403
    moderated = flow.in_moderation(stage="Y3-4")
    sign_in_as(world["south_moderator"])
    assert client.post(f"/assessments/submissions/{moderated}/moderate",
                       data={"decision": "confirm", "reasons": "Fine."}).status_code == 403
    assert flow.sub(moderated).state.value == "moderation"


def test_unknown_ids_are_not_found(world, client, sign_in_as):
    sign_in_as(world["programme_admin"])
    for url in ("/assessments/submissions/999999", "/assessments/appeals/999999",
                "/assessments/submissions/999999/allocate"):
        assert client.get(url).status_code == 404


def test_a_second_marker_sees_only_the_blind_page(flow, world, client, sign_in_as):
    submission_id = flow.in_moderation(Outcome.FAIL)  # sampled; the east assessor second-marked it
    sign_in_as(world["east_assessor"])
    assert client.get(f"/assessments/submissions/{submission_id}").status_code == 403
    assert client.get(f"/assessments/submissions/{submission_id}/moderate").status_code == 403


def test_an_assessors_queue_lists_only_their_own(flow, world, client, sign_in_as, page):
    mine = flow.assessing("south_assessor")
    theirs = flow.assessing("east_assessor", stage="Y2")
    sign_in_as(world["south_assessor"])
    soup = page("/assessments/queue")
    assert soup.select_one(f'[data-submission="{mine}"]') is not None
    assert soup.select_one(f'[data-submission="{theirs}"]') is None


def test_employer_admins_list_only_their_organisation(flow, world, client, sign_in_as, page):
    submission_id = flow.submitted()
    sign_in_as(world["south_admin"])
    assert page("/assessments/submissions").select_one(f'[data-submission="{submission_id}"]') is None
    sign_in_as(world["employer_admin"])
    assert page("/assessments/submissions").select_one(f'[data-submission="{submission_id}"]') is not None


def test_the_allocated_assessor_can_open_the_live_items_and_their_files(flow, world, client, sign_in_as):
    submission_id = flow.assessing()
    chosen = {kind: item_id for kind, item_id in flow.sub(submission_id).chosen_items}
    sign_in_as(world["south_assessor"])
    assert client.get(f"/casework/items/{chosen['casework']}").status_code == 200
    assert client.get(f"/cpd/{chosen['cpd_record']}").status_code == 200
    sign_in_as(world["east_assessor"])
    assert client.get(f"/casework/items/{chosen['casework']}").status_code == 403
    assert client.get(f"/cpd/{chosen['cpd_record']}").status_code == 403

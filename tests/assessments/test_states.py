"""The submission and appeal state tables: every pair of states, allowed or refused."""
from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

from portal.assessments import states
from portal.assessments.states import (
    ACTIVE_STATES,
    APPEAL_TRANSITIONS,
    OUTCOME_TARGETS,
    PAUSABLE_STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    Action,
    AppealState,
    Outcome,
    SubmissionState,
    TransitionError,
    appeal_transition,
    available_moves,
    is_allowed,
    is_appealable,
    target_for_outcome,
    transition,
)

S = SubmissionState
ALL_ROLES = states.ROLE_ORDER


def _good_outcome(move: states.Move) -> Outcome | None:
    return None if move.outcomes is None else min(move.outcomes)


PAIRS = list(itertools.product(SubmissionState, SubmissionState))
ALLOWED = [(a, b) for a, b in PAIRS if b in TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in PAIRS if b not in TRANSITIONS[a]]


def test_the_domain_states_and_outcomes_exactly():
    assert {s.value for s in SubmissionState} == {
        "draft", "submitted", "under_assessment", "referred", "resubmitted", "recommended", "moderation",
        "confirmed", "returned", "signed_off", "certificate_issued", "incomplete_evidence", "extended", "paused",
        "withdrawn"}
    assert {s.value for s in AppealState} == {"lodged", "upheld", "dismissed"}
    assert [o.value for o in Outcome] == ["PASS", "PASS_DEV", "EXTEND", "INCOMPLETE", "FAIL"]
    assert set(TRANSITIONS) == set(SubmissionState)
    assert TERMINAL_STATES == {S.CERTIFICATE_ISSUED, S.WITHDRAWN}


def test_table_roles_are_the_portals_roles():
    from portal.users.models import Role

    assert set(ALL_ROLES) == {role.value for role in Role}
    used = {role for moves in TRANSITIONS.values() for move in moves.values() for role in move.roles}
    used |= {role for moves in APPEAL_TRANSITIONS.values() for move in moves.values() for role in move.roles}
    assert used <= set(ALL_ROLES)
    # Role members (StrEnum) work as actor roles as well as plain strings.
    assert transition(S.DRAFT, S.SUBMITTED, actor_roles=[Role.PRACTITIONER]).role == "practitioner"


def test_every_state_is_reachable_from_draft():
    seen, todo = {S.DRAFT}, [S.DRAFT]
    while todo:
        for target in TRANSITIONS[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == set(SubmissionState)


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=lambda s: s.value)
def test_allowed_moves_succeed_for_their_roles_and_only_them(current, target):
    move = TRANSITIONS[current][target]
    outcome = _good_outcome(move)
    paused_from = target if current is S.PAUSED else None
    for role in ALL_ROLES:
        if role in move.roles:
            done = transition(current, target, actor_roles=[role], outcome=outcome, paused_from=paused_from)
            assert (done.source, done.target, done.action, done.role, done.outcome) == (
                current, target, move.action, role, outcome)
        else:
            with pytest.raises(TransitionError) as refused:
                transition(current, target, actor_roles=[role], outcome=outcome, paused_from=paused_from)
            assert refused.value.kind == "role"
            assert refused.value.message.startswith("Only ")


@pytest.mark.parametrize(("current", "target"), REFUSED, ids=lambda s: s.value)
def test_every_other_move_raises_whoever_asks(current, target):
    with pytest.raises(TransitionError) as refused:
        transition(current, target, actor_roles=ALL_ROLES, outcome=Outcome.PASS, paused_from=target)
    error = refused.value
    assert error.kind == "state"
    assert (error.current, error.target) == (current, target)
    assert error.message and error.message[0].isupper() and "_" not in error.message
    assert not is_allowed(current, target)


@pytest.mark.parametrize(("current", "target", "message"), [
    (S.UNDER_ASSESSMENT, S.SIGNED_OFF, ("A submission under assessment cannot be signed off before moderation "
                                        "confirms it")),
    (S.RECOMMENDED, S.SIGNED_OFF, ("A submission waiting for moderation cannot be signed off before moderation "
                                   "confirms it")),
    (S.SUBMITTED, S.CERTIFICATE_ISSUED, ("A submission waiting for an assessor cannot be given a certificate before "
                                         "the stage is signed off")),
    (S.RECOMMENDED, S.CONFIRMED, ("A submission waiting for moderation cannot be confirmed until it reaches "
                                  "moderation")),
    (S.MODERATION, S.WITHDRAWN, ("A submission in moderation cannot be withdrawn once a recommendation has been "
                                 "made")),
    (S.WITHDRAWN, S.SUBMITTED, ("A withdrawn submission cannot be submitted: it is closed. The practitioner can "
                                "start a new submission")),
    (S.UNDER_ASSESSMENT, S.UNDER_ASSESSMENT, "This submission is already under assessment"),
    (S.SUBMITTED, S.DRAFT, ("A submission waiting for an assessor cannot be turned back into a draft once it has "
                            "been submitted: the submitted evidence is sealed")),
    (S.DRAFT, S.RECOMMENDED, ("A draft submission cannot be given a recommendation: only a submission under "
                              "assessment can")),
])
def test_refusals_say_why_in_plain_english(current, target, message):
    with pytest.raises(TransitionError, match="^" + message + "$"):
        transition(current, target, actor_roles=ALL_ROLES, outcome=Outcome.PASS)


def test_role_refusal_names_who_can():
    with pytest.raises(TransitionError, match="^Only a moderator can confirm a recommendation$"):
        transition(S.MODERATION, S.CONFIRMED, actor_roles=["assessor", "practitioner"])
    with pytest.raises(TransitionError, match="^Only an employer admin or a programme admin can allocate an "
                                              "assessor$"):
        transition(S.SUBMITTED, S.UNDER_ASSESSMENT, actor_roles=[])


def test_the_recorded_role_is_the_first_authorising_one():
    done = transition(S.SIGNED_OFF, S.CERTIFICATE_ISSUED, actor_roles=["programme_admin", "employer_admin"])
    assert done.role == "employer_admin"


@pytest.mark.parametrize(("outcome", "target"), [
    (Outcome.PASS, S.RECOMMENDED), (Outcome.PASS_DEV, S.RECOMMENDED), (Outcome.FAIL, S.RECOMMENDED),
    (Outcome.INCOMPLETE, S.INCOMPLETE_EVIDENCE), (Outcome.EXTEND, S.EXTENDED),
])
def test_outcomes_lead_where_the_domain_says(outcome, target):
    assert target_for_outcome(outcome) is target is OUTCOME_TARGETS[outcome]
    done = transition(S.UNDER_ASSESSMENT, target, actor_roles=["assessor"], outcome=outcome)
    assert done.outcome is outcome
    for other in set(OUTCOME_TARGETS.values()) - {target}:
        with pytest.raises(TransitionError) as refused:
            transition(S.UNDER_ASSESSMENT, other, actor_roles=["assessor"], outcome=outcome)
        assert refused.value.kind == "outcome"


def test_outcome_guarded_moves_need_an_outcome():
    with pytest.raises(TransitionError, match="An outcome is needed to make a recommendation"):
        transition(S.UNDER_ASSESSMENT, S.RECOMMENDED, actor_roles=["assessor"])


def test_only_a_confirmed_pass_is_signed_off_and_a_confirmed_fail_can_only_be_reassessed_on_appeal():
    for outcome in (Outcome.PASS, Outcome.PASS_DEV):
        assert transition(S.CONFIRMED, S.SIGNED_OFF, actor_roles=["employer_admin"], outcome=outcome)
    with pytest.raises(TransitionError, match="^To sign off the stage the outcome must be pass or pass with "
                                              "targeted development, not fail$"):
        transition(S.CONFIRMED, S.SIGNED_OFF, actor_roles=["employer_admin"], outcome="FAIL")
    done = transition(S.CONFIRMED, S.UNDER_ASSESSMENT, actor_roles=["programme_admin"], outcome="FAIL")
    assert done.action is Action.REASSESS_ON_APPEAL
    with pytest.raises(TransitionError):
        transition(S.CONFIRMED, S.UNDER_ASSESSMENT, actor_roles=["programme_admin"], outcome="PASS")


def test_paths_through_the_table():
    """The happy path, the INCOMPLETE -> resubmission path, a return from moderation, and a FAIL."""
    def walk(path, outcome=None):
        for current, target, role in path:
            transition(current, target, actor_roles=[role], outcome=outcome)

    walk([(S.DRAFT, S.SUBMITTED, "practitioner"), (S.SUBMITTED, S.UNDER_ASSESSMENT, "employer_admin"),
          (S.UNDER_ASSESSMENT, S.RECOMMENDED, "assessor"), (S.RECOMMENDED, S.MODERATION, "moderator"),
          (S.MODERATION, S.RETURNED, "moderator"), (S.RETURNED, S.UNDER_ASSESSMENT, "assessor"),
          (S.UNDER_ASSESSMENT, S.RECOMMENDED, "assessor"), (S.RECOMMENDED, S.MODERATION, "moderator"),
          (S.MODERATION, S.CONFIRMED, "moderator"), (S.CONFIRMED, S.SIGNED_OFF, "employer_admin"),
          (S.SIGNED_OFF, S.CERTIFICATE_ISSUED, "employer_admin")], outcome=Outcome.PASS)
    walk([(S.UNDER_ASSESSMENT, S.INCOMPLETE_EVIDENCE, "assessor")], outcome=Outcome.INCOMPLETE)
    walk([(S.INCOMPLETE_EVIDENCE, S.RESUBMITTED, "practitioner"), (S.RESUBMITTED, S.UNDER_ASSESSMENT, "assessor")])
    walk([(S.UNDER_ASSESSMENT, S.RECOMMENDED, "assessor"), (S.RECOMMENDED, S.MODERATION, "moderator"),
          (S.MODERATION, S.CONFIRMED, "moderator")], outcome=Outcome.FAIL)
    assert is_appealable(S.CONFIRMED, Outcome.FAIL)
    assert not available_moves(S.CONFIRMED, actor_roles=["employer_admin"], outcome=Outcome.FAIL)


def test_withdrawal_only_by_the_practitioner_and_only_before_a_recommendation():
    can_withdraw = {state for state, moves in TRANSITIONS.items() if S.WITHDRAWN in moves}
    assert can_withdraw == PAUSABLE_STATES | {S.DRAFT, S.PAUSED}
    assert {S.DRAFT, S.SUBMITTED, S.UNDER_ASSESSMENT} <= can_withdraw
    assert not can_withdraw & {S.RECOMMENDED, S.MODERATION, S.CONFIRMED, S.RETURNED, S.SIGNED_OFF}
    assert all(TRANSITIONS[state][S.WITHDRAWN].roles == {"practitioner"} for state in can_withdraw)


def test_a_paused_submission_resumes_only_where_it_was():
    for state in PAUSABLE_STATES:
        assert transition(state, S.PAUSED, actor_roles=["employer_admin"]).action is Action.PAUSE
    done = transition(S.PAUSED, S.UNDER_ASSESSMENT, actor_roles=["employer_admin"], paused_from="under_assessment")
    assert done.action is Action.RESUME
    with pytest.raises(TransitionError, match="goes back to where it was when it resumes: waiting for missing"):
        transition(S.PAUSED, S.UNDER_ASSESSMENT, actor_roles=["employer_admin"], paused_from=S.INCOMPLETE_EVIDENCE)
    with pytest.raises(ValueError, match="paused_from"):
        transition(S.PAUSED, S.SUBMITTED, actor_roles=["employer_admin"])
    # Withdrawing while paused needs no paused_from.
    assert transition(S.PAUSED, S.WITHDRAWN, actor_roles=["practitioner"]).target is S.WITHDRAWN


def test_available_moves_for_buttons():
    assessor = available_moves(S.UNDER_ASSESSMENT, actor_roles=["assessor"])
    assert {m.target for m in assessor} == {S.REFERRED, S.RECOMMENDED, S.INCOMPLETE_EVIDENCE, S.EXTENDED}
    assert {m.target for m in available_moves(S.UNDER_ASSESSMENT, actor_roles=["assessor"], outcome="EXTEND")} == {
        S.REFERRED, S.EXTENDED}
    assert [m.target for m in available_moves(S.PAUSED, actor_roles=["employer_admin"], paused_from="referred")] \
        == [S.REFERRED]
    assert len(available_moves(S.DRAFT)) == 2
    assert available_moves(S.WITHDRAWN) == []


def test_strings_are_accepted_and_bad_names_are_errors():
    assert transition("draft", "submitted", actor_roles=["practitioner"]).target is S.SUBMITTED
    with pytest.raises(ValueError):
        transition("drafted", "submitted", actor_roles=["practitioner"])


def test_active_states_leave_out_only_withdrawn():
    assert ACTIVE_STATES == set(SubmissionState) - {S.WITHDRAWN}


# ---------------------------------------------------------------------------------------------- appeals
A = AppealState
APPEAL_PAIRS = list(itertools.product([None, *AppealState], AppealState))


@pytest.mark.parametrize(("current", "target"), APPEAL_PAIRS, ids=str)
def test_every_appeal_pair(current, target):
    move = APPEAL_TRANSITIONS[current].get(target)
    kwargs = {"submission_state": S.CONFIRMED, "outcome": Outcome.FAIL}
    if move is None:
        with pytest.raises(TransitionError) as refused:
            appeal_transition(current, target, actor_roles=ALL_ROLES, **kwargs)
        assert refused.value.kind == "state"
        return
    for role in ALL_ROLES:
        if role in move.roles:
            assert appeal_transition(current, target, actor_roles=[role], **kwargs).action is move.action
        else:
            with pytest.raises(TransitionError, match="^Only "):
                appeal_transition(current, target, actor_roles=[role], **kwargs)


def test_only_a_decision_can_be_appealed():
    assert appeal_transition(None, A.LODGED, actor_roles=["practitioner"], submission_state=S.SIGNED_OFF,
                             outcome=Outcome.PASS_DEV).target is A.LODGED
    for state, outcome in [(S.UNDER_ASSESSMENT, None), (S.INCOMPLETE_EVIDENCE, Outcome.INCOMPLETE),
                           (S.SIGNED_OFF, Outcome.PASS), (S.RECOMMENDED, Outcome.FAIL)]:
        with pytest.raises(TransitionError, match="^Only a decision can be appealed"):
            appeal_transition(None, A.LODGED, actor_roles=["practitioner"], submission_state=state, outcome=outcome)
    with pytest.raises(TransitionError, match="already been upheld, and that is final"):
        appeal_transition(A.UPHELD, A.DISMISSED, actor_roles=["programme_admin"])


def _attribute_docstring(name: str) -> str:
    tree = ast.parse(Path(states.__file__).read_text(encoding="utf-8"))
    for node, following in itertools.pairwise(tree.body):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == name:
            assert isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
            return following.value.value
    raise AssertionError(f"no docstring after {name}")


@pytest.mark.parametrize(("name", "table"), [("TRANSITIONS", TRANSITIONS), ("APPEAL_TRANSITIONS", APPEAL_TRANSITIONS)])
def test_the_tables_docstrings_state_the_contract(name, table):
    """Each table is followed by a docstring naming every action in it, so the two cannot drift apart silently."""
    doc = _attribute_docstring(name)
    for moves in table.values():
        for move in moves.values():
            assert f" {move.action.value} " in doc, move.action

"""The life of a stage submission and of an appeal: the states, the outcomes, and the one table of allowed moves.

Pure: no database, no Flask. Services call :func:`transition` (or :func:`appeal_transition`) before they change a
state, and record the returned :class:`Transition` (action, the role it was done as, the outcome) in the audit log.
Any move that is not in the table raises :class:`TransitionError` with a plain-English message, and nothing changes.

The table knows *which kind of person* (role) may make a move. Whether this particular person may (the assessor
allocated to this submission, an admin of this practitioner's employer, the programme admin for year 5) is an
object-level rule for the ``can_<verb>`` predicates in ``portal.permissions``. Dates (an INCOMPLETE deadline, the
appeal window) are checked by the services with ``portal.assessments.calendar``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from portal.exceptions import DomainError

# Role names, as stored in ``portal.users.models.Role`` (kept as plain strings so this module needs no database;
# a test checks they match). ``Role`` members compare equal to them, so callers can pass either.
PRACTITIONER = "practitioner"
SUPERVISOR = "supervisor"
ASSESSOR = "assessor"
MODERATOR = "moderator"
EMPLOYER_ADMIN = "employer_admin"
PROGRAMME_ADMIN = "programme_admin"

#: When an actor holds several roles that may make a move, the one recorded is the first in this order.
ROLE_ORDER = (PRACTITIONER, SUPERVISOR, ASSESSOR, MODERATOR, EMPLOYER_ADMIN, PROGRAMME_ADMIN)

_ROLE_NAMES = {
    PRACTITIONER: "the practitioner",
    SUPERVISOR: "a practice supervisor",
    ASSESSOR: "the assessor",
    MODERATOR: "a moderator",
    EMPLOYER_ADMIN: "an employer admin",
    PROGRAMME_ADMIN: "a programme admin",
}


class SubmissionState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_ASSESSMENT = "under_assessment"
    REFERRED = "referred"
    RESUBMITTED = "resubmitted"
    RECOMMENDED = "recommended"
    MODERATION = "moderation"
    CONFIRMED = "confirmed"
    RETURNED = "returned"
    SIGNED_OFF = "signed_off"
    CERTIFICATE_ISSUED = "certificate_issued"
    INCOMPLETE_EVIDENCE = "incomplete_evidence"
    EXTENDED = "extended"
    PAUSED = "paused"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _STATE_LABELS.get(self) or self.value.replace("_", " ").capitalize()


_STATE_LABELS = {"referred": "Referred back", "moderation": "In moderation", "returned": "Returned to assessor"}


class AppealState(StrEnum):
    LODGED = "lodged"
    UPHELD = "upheld"
    DISMISSED = "dismissed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Outcome(StrEnum):
    """The assessor's overall recommendation for a stage."""

    PASS = "PASS"
    PASS_DEV = "PASS_DEV"
    EXTEND = "EXTEND"
    INCOMPLETE = "INCOMPLETE"
    FAIL = "FAIL"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]

    @property
    def is_pass(self) -> bool:
        return self in PASSING_OUTCOMES


_OUTCOME_LABELS = {
    Outcome.PASS: "Pass",
    Outcome.PASS_DEV: "Pass with targeted development",
    Outcome.EXTEND: "Extend (more time)",
    Outcome.INCOMPLETE: "Incomplete evidence",
    Outcome.FAIL: "Fail",
}

PASSING_OUTCOMES = frozenset({Outcome.PASS, Outcome.PASS_DEV})
#: Outcomes that go to moderation as a recommendation (INCOMPLETE and EXTEND send the submission back instead).
MODERATED_OUTCOMES = frozenset({Outcome.PASS, Outcome.PASS_DEV, Outcome.FAIL})


class RubricLevel(StrEnum):
    """The level an assessor gives each requirement or standard on the rubric."""

    NOT_MET = "not_met"
    PARTLY_MET = "partly_met"
    MET = "met"
    EXCEEDED = "exceeded"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Action(StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    ALLOCATE_ASSESSOR = "allocate_assessor"
    PAUSE = "pause"
    RESUME = "resume"
    REFER = "refer"
    RECOMMEND = "recommend"
    RECORD_INCOMPLETE = "record_incomplete"
    EXTEND = "extend"
    RESUBMIT = "resubmit"
    RESUME_ASSESSMENT = "resume_assessment"
    ASSESS_AFTER_DEADLINE = "assess_after_deadline"
    OPEN_MODERATION = "open_moderation"
    CONFIRM = "confirm"
    RETURN_TO_ASSESSOR = "return_to_assessor"
    SIGN_OFF = "sign_off"
    REASSESS_ON_APPEAL = "reassess_on_appeal"
    ISSUE_CERTIFICATE = "issue_certificate"
    LODGE_APPEAL = "lodge_appeal"
    UPHOLD_APPEAL = "uphold_appeal"
    DISMISS_APPEAL = "dismiss_appeal"

    @property
    def verb(self) -> str:
        """What the action does, after "can": "Only a moderator can confirm a recommendation"."""
        return _ACTION_VERBS[self]


_ACTION_VERBS = {
    Action.SUBMIT: "submit the portfolio",
    Action.WITHDRAW: "withdraw the submission",
    Action.ALLOCATE_ASSESSOR: "allocate an assessor",
    Action.PAUSE: "pause the submission",
    Action.RESUME: "resume the submission",
    Action.REFER: "refer the portfolio back to the practitioner",
    Action.RECOMMEND: "make a recommendation",
    Action.RECORD_INCOMPLETE: "record that evidence is missing",
    Action.EXTEND: "give more time",
    Action.RESUBMIT: "resubmit the portfolio",
    Action.RESUME_ASSESSMENT: "take the submission back into assessment",
    Action.ASSESS_AFTER_DEADLINE: "assess the portfolio once the deadline has passed",
    Action.OPEN_MODERATION: "open moderation",
    Action.CONFIRM: "confirm a recommendation",
    Action.RETURN_TO_ASSESSOR: "return a recommendation to the assessor",
    Action.SIGN_OFF: "sign off the stage",
    Action.REASSESS_ON_APPEAL: "order a fresh assessment after an upheld appeal",
    Action.ISSUE_CERTIFICATE: "issue the certificate",
    Action.LODGE_APPEAL: "lodge an appeal",
    Action.UPHOLD_APPEAL: "uphold an appeal",
    Action.DISMISS_APPEAL: "dismiss an appeal",
}


@dataclass(frozen=True)
class Move:
    """One allowed move in a table: the action, the roles that may do it and, for moves that depend on the
    assessor's outcome, which outcomes allow it (None: the outcome does not matter)."""

    action: Action
    roles: frozenset[str]
    outcomes: frozenset[Outcome] | None = None


@dataclass(frozen=True)
class Transition:
    """A move that is allowed: what to record. ``role`` is the actor's role that authorised it (None only in
    :func:`available_moves` when no roles were given)."""

    source: SubmissionState | AppealState | None
    target: SubmissionState | AppealState
    action: Action
    role: str | None
    outcome: Outcome | None = None


def _move(action: Action, *roles: str, outcomes: Iterable[Outcome] | None = None) -> Move:
    return Move(action, frozenset(roles), None if outcomes is None else frozenset(outcomes))


S = SubmissionState
_ADMINS = (EMPLOYER_ADMIN, PROGRAMME_ADMIN)
_WITHDRAW = _move(Action.WITHDRAW, PRACTITIONER)
_PAUSE = _move(Action.PAUSE, *_ADMINS)
_RESUME = _move(Action.RESUME, *_ADMINS)
_RESUBMIT = _move(Action.RESUBMIT, PRACTITIONER)
_AFTER_DEADLINE = _move(Action.ASSESS_AFTER_DEADLINE, ASSESSOR)

#: States a submission can be paused in, and so the states it can resume to (the one it was paused in).
PAUSABLE_STATES = frozenset({S.SUBMITTED, S.UNDER_ASSESSMENT, S.REFERRED, S.INCOMPLETE_EVIDENCE, S.EXTENDED,
                             S.RESUBMITTED})

TRANSITIONS: dict[SubmissionState, dict[SubmissionState, Move]] = {
    S.DRAFT: {
        S.SUBMITTED: _move(Action.SUBMIT, PRACTITIONER),
        S.WITHDRAWN: _WITHDRAW,
    },
    S.SUBMITTED: {
        S.UNDER_ASSESSMENT: _move(Action.ALLOCATE_ASSESSOR, *_ADMINS),
        S.PAUSED: _PAUSE,
        S.WITHDRAWN: _WITHDRAW,
    },
    S.UNDER_ASSESSMENT: {
        S.REFERRED: _move(Action.REFER, ASSESSOR),
        S.RECOMMENDED: _move(Action.RECOMMEND, ASSESSOR, outcomes=MODERATED_OUTCOMES),
        S.INCOMPLETE_EVIDENCE: _move(Action.RECORD_INCOMPLETE, ASSESSOR, outcomes=[Outcome.INCOMPLETE]),
        S.EXTENDED: _move(Action.EXTEND, ASSESSOR, outcomes=[Outcome.EXTEND]),
        S.PAUSED: _PAUSE,
        S.WITHDRAWN: _WITHDRAW,
    },
    S.REFERRED: {
        S.RESUBMITTED: _RESUBMIT,
        S.PAUSED: _PAUSE,
        S.WITHDRAWN: _WITHDRAW,
    },
    S.INCOMPLETE_EVIDENCE: {
        S.RESUBMITTED: _RESUBMIT,
        S.UNDER_ASSESSMENT: _AFTER_DEADLINE,
        S.PAUSED: _PAUSE,
        S.WITHDRAWN: _WITHDRAW,
    },
    S.EXTENDED: {
        S.RESUBMITTED: _RESUBMIT,
        S.UNDER_ASSESSMENT: _AFTER_DEADLINE,
        S.PAUSED: _PAUSE,
        S.WITHDRAWN: _WITHDRAW,
    },
    S.RESUBMITTED: {
        S.UNDER_ASSESSMENT: _move(Action.RESUME_ASSESSMENT, ASSESSOR),
        S.PAUSED: _PAUSE,
        S.WITHDRAWN: _WITHDRAW,
    },
    S.PAUSED: {
        **{state: _RESUME for state in sorted(PAUSABLE_STATES)},
        S.WITHDRAWN: _WITHDRAW,
    },
    S.RECOMMENDED: {
        S.MODERATION: _move(Action.OPEN_MODERATION, MODERATOR),
    },
    S.MODERATION: {
        S.CONFIRMED: _move(Action.CONFIRM, MODERATOR),
        S.RETURNED: _move(Action.RETURN_TO_ASSESSOR, MODERATOR),
    },
    S.RETURNED: {
        S.UNDER_ASSESSMENT: _move(Action.RESUME_ASSESSMENT, ASSESSOR),
    },
    S.CONFIRMED: {
        S.SIGNED_OFF: _move(Action.SIGN_OFF, *_ADMINS, outcomes=PASSING_OUTCOMES),
        S.UNDER_ASSESSMENT: _move(Action.REASSESS_ON_APPEAL, PROGRAMME_ADMIN, outcomes=[Outcome.FAIL]),
    },
    S.SIGNED_OFF: {
        S.CERTIFICATE_ISSUED: _move(Action.ISSUE_CERTIFICATE, *_ADMINS),
    },
    S.CERTIFICATE_ISSUED: {},
    S.WITHDRAWN: {},
}
"""The one table of allowed submission moves: ``TRANSITIONS[current][target] -> Move``. The domain contract:

===================  ===================  =====================  ============================  ======================
from                 to                   action                 who (role)                    outcome, note
===================  ===================  =====================  ============================  ======================
draft                submitted            submit                 practitioner                  seals the snapshot
submitted            under_assessment     allocate_assessor      employer or programme admin   conflicts refused
under_assessment     recommended          recommend              assessor                      PASS, PASS_DEV, FAIL
under_assessment     incomplete_evidence  record_incomplete      assessor                      INCOMPLETE, deadline
under_assessment     extended             extend                 assessor                      EXTEND, new due date
under_assessment     referred             refer                  assessor                      no outcome
referred             resubmitted          resubmit               practitioner                  a new sealed version
incomplete_evidence  resubmitted          resubmit               practitioner                  a new sealed version
extended             resubmitted          resubmit               practitioner                  a new sealed version
incomplete_evidence  under_assessment     assess_after_deadline  assessor                      nothing came in time
extended             under_assessment     assess_after_deadline  assessor                      nothing came in time
resubmitted          under_assessment     resume_assessment      assessor
returned             under_assessment     resume_assessment      assessor
recommended          moderation           open_moderation        moderator
moderation           confirmed            confirm                moderator                     with reasons
moderation           returned             return_to_assessor     moderator                     with reasons
confirmed            signed_off           sign_off               employer or programme admin   PASS, PASS_DEV only
confirmed            under_assessment     reassess_on_appeal     programme admin               FAIL, appeal upheld
signed_off           certificate_issued   issue_certificate      employer or programme admin
(pausable)           paused               pause                  employer or programme admin   enrolment paused
paused               (where it was)       resume                 employer or programme admin
(before a decision)  withdrawn            withdraw               practitioner
===================  ===================  =====================  ============================  ======================

(pausable) is ``PAUSABLE_STATES``: submitted, under_assessment, referred, incomplete_evidence, extended and
resubmitted. (before a decision) is draft, paused and the pausable states: every state before a recommendation.

* ``referred`` is the assessor sending the portfolio back to be put right before marking (an identifying detail
  the guard missed, an unreadable file); no outcome is recorded. ``incomplete_evidence`` is the INCOMPLETE
  outcome (as ARCP outcome 5): what is missing and a deadline (default 14 days). Both end in a resubmission,
  which seals a new version of the snapshot.
* A recommendation (PASS, PASS_DEV or FAIL) always goes through moderation; a moderator confirms it or returns it
  to the assessor, who reassesses and recommends again.
* A confirmed FAIL rests in ``confirmed``: the decision is made and can be appealed (see ``APPEAL_TRANSITIONS``).
  An upheld appeal either replaces the decision (sign_off with the new passing outcome) or orders a fresh
  assessment (reassess_on_appeal).
* A withdrawal is possible only before a recommendation is made, so no one can withdraw to avoid a FAIL.
* ``certificate_issued`` and ``withdrawn`` are terminal. A certificate's later status (suspended, revoked,
  superseded) belongs to the certificate, not to the submission.
"""

#: The outcome an assessor records while the submission is under assessment decides where it goes.
OUTCOME_TARGETS: Mapping[Outcome, SubmissionState] = {
    Outcome.PASS: S.RECOMMENDED,
    Outcome.PASS_DEV: S.RECOMMENDED,
    Outcome.FAIL: S.RECOMMENDED,
    Outcome.INCOMPLETE: S.INCOMPLETE_EVIDENCE,
    Outcome.EXTEND: S.EXTENDED,
}

TERMINAL_STATES = frozenset(state for state, moves in TRANSITIONS.items() if not moves)
#: States that count as "the" submission of an enrolment stage (for "one open submission per enrolment stage"):
#: everything but withdrawn. A decided stage is not submitted again; a change comes through an appeal.
ACTIVE_STATES = frozenset(SubmissionState) - {S.WITHDRAWN}
#: States in which the practitioner's evidence is with the service and sealed (not editable by them).
SEALED_STATES = frozenset(SubmissionState) - {S.DRAFT, S.WITHDRAWN}

A = AppealState
APPEAL_TRANSITIONS: dict[AppealState | None, dict[AppealState, Move]] = {
    None: {A.LODGED: _move(Action.LODGE_APPEAL, PRACTITIONER)},
    A.LODGED: {
        A.UPHELD: _move(Action.UPHOLD_APPEAL, PROGRAMME_ADMIN, ASSESSOR, MODERATOR),
        A.DISMISSED: _move(Action.DISMISS_APPEAL, PROGRAMME_ADMIN, ASSESSOR, MODERATOR),
    },
    A.UPHELD: {},
    A.DISMISSED: {},
}
"""The appeal table (``None`` is "no appeal yet"). The domain contract:

=========  =========  ================  ===================================================
from       to         action            who (role)
=========  =========  ================  ===================================================
(none)     lodged     lodge_appeal      practitioner, with grounds, within 20 working days
lodged     upheld     uphold_appeal     the assigned reviewer (assessor or moderator), or a programme admin
lodged     dismissed  dismiss_appeal    the assigned reviewer (assessor or moderator), or a programme admin
=========  =========  ================  ===================================================

Only a decision can be appealed (:func:`is_appealable`), within 20 working days of it
(``calendar.is_appeal_in_time``). The programme admin assigns an independent reviewer, someone not involved
before (``conflicts.reviewer_conflicts``); the predicate checks the person recording the outcome is that reviewer.
Upheld and dismissed are final. An upheld appeal replaces the decision: the submission is signed off with the new
outcome or reassessed (``reassess_on_appeal``), and the certificate is issued, reissued or revoked accordingly."""

#: (submission state, outcome) pairs that are decisions the practitioner may appeal.
APPEALABLE = frozenset({
    (S.CONFIRMED, Outcome.FAIL),
    (S.SIGNED_OFF, Outcome.PASS_DEV),
    (S.CERTIFICATE_ISSUED, Outcome.PASS_DEV),
})


class TransitionError(DomainError):
    """A move the table does not allow; nothing was changed. ``message`` is for the user (as ``DomainError``);
    ``kind`` says what was wrong: the state ("state"), the actor's roles ("role") or the outcome ("outcome")."""

    def __init__(self, message: str, *, kind: Literal["state", "role", "outcome"] = "state",
                 current: object = None, target: object = None):
        super().__init__(message)
        self.kind = kind
        self.current = current
        self.target = target


# -------------------------------------------------------------------------------------------- moves
def transition(current: SubmissionState | str, target: SubmissionState | str, *, actor_roles: Iterable[str],
               outcome: Outcome | str | None = None,
               paused_from: SubmissionState | str | None = None) -> Transition:
    """Check one submission move and return what to record, or raise :class:`TransitionError`.

    ``actor_roles`` are the roles the actor holds (``Role`` members or their values). ``outcome`` is the
    assessor's outcome, needed for the moves that depend on it (recommend, record_incomplete, extend, sign_off,
    reassess_on_appeal). ``paused_from`` is the state a paused submission was paused in (the service stores it);
    a paused submission resumes only to that state.
    """
    current, target = SubmissionState(current), SubmissionState(target)
    outcome = Outcome(outcome) if outcome is not None else None
    move = TRANSITIONS[current].get(target)
    if move is None:
        raise TransitionError(_refusal(current, target), current=current, target=target)
    if current is S.PAUSED and move.action is Action.RESUME:
        if paused_from is None:
            raise ValueError("paused_from is needed to resume a paused submission")
        if SubmissionState(paused_from) is not target:
            raise TransitionError(
                f"A paused submission goes back to where it was when it resumes: "
                f"{_STATUS[SubmissionState(paused_from)]}", current=current, target=target)
    role = _authorising_role(move, actor_roles)
    if role is None:
        raise TransitionError(f"Only {_roles_phrase(move.roles)} can {move.action.verb}", kind="role",
                              current=current, target=target)
    _check_outcome(move, outcome, current, target)
    return Transition(current, target, move.action, role, outcome)


def available_moves(current: SubmissionState | str, *, actor_roles: Iterable[str] | None = None,
                    outcome: Outcome | str | None = None,
                    paused_from: SubmissionState | str | None = None) -> list[Transition]:
    """The moves open from ``current`` (for showing buttons): those the roles allow (all when None), leaving out
    moves the given outcome rules out and, for a paused submission, resumes to another state than ``paused_from``."""
    current = SubmissionState(current)
    outcome = Outcome(outcome) if outcome is not None else None
    moves = []
    for target, move in TRANSITIONS[current].items():
        role = None if actor_roles is None else _authorising_role(move, actor_roles)
        if actor_roles is not None and role is None:
            continue
        if outcome is not None and move.outcomes is not None and outcome not in move.outcomes:
            continue
        if move.action is Action.RESUME and paused_from is not None and SubmissionState(paused_from) is not target:
            continue
        moves.append(Transition(current, target, move.action, role, outcome))
    return moves


def is_allowed(current: SubmissionState | str, target: SubmissionState | str) -> bool:
    """Whether the table has the move at all (whoever makes it)."""
    return SubmissionState(target) in TRANSITIONS[SubmissionState(current)]


def target_for_outcome(outcome: Outcome | str) -> SubmissionState:
    """Where a submission under assessment goes when the assessor records ``outcome``."""
    return OUTCOME_TARGETS[Outcome(outcome)]


def is_appealable(state: SubmissionState | str, outcome: Outcome | str | None) -> bool:
    """Whether the decision on a submission in ``state`` with ``outcome`` can be appealed: a confirmed FAIL, or a
    signed-off PASS_DEV (the development points are part of the decision)."""
    if outcome is None:
        return False
    return (SubmissionState(state), Outcome(outcome)) in APPEALABLE


def appeal_transition(current: AppealState | str | None, target: AppealState | str, *, actor_roles: Iterable[str],
                      submission_state: SubmissionState | str | None = None,
                      outcome: Outcome | str | None = None) -> Transition:
    """Check one appeal move and return what to record, or raise :class:`TransitionError`. Lodging an appeal
    needs the submission's state and outcome, to refuse an appeal against something that is not a decision.
    (The 20-working-day window is checked with ``calendar.is_appeal_in_time``.)"""
    current = AppealState(current) if current is not None else None
    target = AppealState(target)
    move = APPEAL_TRANSITIONS[current].get(target)
    if move is None:
        if current is None:
            message = "There is no appeal to decide"
        elif target is A.LODGED:
            message = "An appeal has already been lodged against this decision"
        else:
            message = f"This appeal has already been {current.value}, and that is final"
        raise TransitionError(message, current=current, target=target)
    role = _authorising_role(move, actor_roles)
    if role is None:
        raise TransitionError(f"Only {_roles_phrase(move.roles)} can {move.action.verb}", kind="role",
                              current=current, target=target)
    if target is A.LODGED and (submission_state is None or not is_appealable(submission_state, outcome)):
        raise TransitionError("Only a decision can be appealed: a confirmed fail, or a pass with targeted "
                              "development once the stage is signed off", kind="outcome",
                              current=current, target=target)
    return Transition(current, target, move.action, role, Outcome(outcome) if outcome is not None else None)


# -------------------------------------------------------------------------------------------- wording
def _authorising_role(move: Move, actor_roles: Iterable[str]) -> str | None:
    held = {str(role) for role in actor_roles}
    return next((role for role in ROLE_ORDER if role in held and role in move.roles), None)


def _roles_phrase(roles: Iterable[str]) -> str:
    return _or_list([_ROLE_NAMES[role] for role in ROLE_ORDER if role in set(roles)])


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _check_outcome(move: Move, outcome: Outcome | None, current: SubmissionState, target: SubmissionState) -> None:
    if move.outcomes is None:
        return
    allowed = _or_list([o.label.lower() for o in Outcome if o in move.outcomes])
    if outcome is None:
        raise TransitionError(f"An outcome is needed to {move.action.verb} ({allowed})", kind="outcome",
                              current=current, target=target)
    if outcome not in move.outcomes:
        raise TransitionError(f"To {move.action.verb} the outcome must be {allowed}, not "
                              f"{outcome.label.lower()}", kind="outcome", current=current, target=target)


# How to name a submission in each state, at the start of a sentence.
_SUBJECT = {
    S.DRAFT: "A draft submission",
    S.SUBMITTED: "A submission waiting for an assessor",
    S.UNDER_ASSESSMENT: "A submission under assessment",
    S.REFERRED: "A submission referred back to the practitioner",
    S.RESUBMITTED: "A resubmitted portfolio",
    S.RECOMMENDED: "A submission waiting for moderation",
    S.MODERATION: "A submission in moderation",
    S.CONFIRMED: "A submission confirmed by moderation",
    S.RETURNED: "A submission returned to its assessor",
    S.SIGNED_OFF: "A signed-off submission",
    S.CERTIFICATE_ISSUED: "A submission whose certificate has been issued",
    S.INCOMPLETE_EVIDENCE: "A submission waiting for missing evidence",
    S.EXTENDED: "A submission given more time",
    S.PAUSED: "A paused submission",
    S.WITHDRAWN: "A withdrawn submission",
}
# "This submission is ..."
_STATUS = {
    S.DRAFT: "a draft",
    S.SUBMITTED: "submitted and waiting for an assessor",
    S.UNDER_ASSESSMENT: "under assessment",
    S.REFERRED: "referred back to the practitioner",
    S.RESUBMITTED: "resubmitted",
    S.RECOMMENDED: "waiting for moderation",
    S.MODERATION: "in moderation",
    S.CONFIRMED: "confirmed by moderation",
    S.RETURNED: "returned to its assessor",
    S.SIGNED_OFF: "signed off",
    S.CERTIFICATE_ISSUED: "finished: its certificate has been issued",
    S.INCOMPLETE_EVIDENCE: "waiting for missing evidence",
    S.EXTENDED: "extended",
    S.PAUSED: "paused",
    S.WITHDRAWN: "withdrawn",
}
# "... cannot be ..."
_BECOME = {
    S.DRAFT: "turned back into a draft",
    S.SUBMITTED: "submitted",
    S.UNDER_ASSESSMENT: "put under assessment",
    S.REFERRED: "referred back to the practitioner",
    S.RESUBMITTED: "resubmitted",
    S.RECOMMENDED: "given a recommendation",
    S.MODERATION: "moderated",
    S.CONFIRMED: "confirmed",
    S.RETURNED: "returned to the assessor",
    S.SIGNED_OFF: "signed off",
    S.CERTIFICATE_ISSUED: "given a certificate",
    S.INCOMPLETE_EVIDENCE: "marked as missing evidence",
    S.EXTENDED: "given more time",
    S.PAUSED: "paused",
    S.WITHDRAWN: "withdrawn",
}
_DECIDED = frozenset({S.CONFIRMED, S.SIGNED_OFF})
_REASONS = {
    S.DRAFT: "once it has been submitted: the submitted evidence is sealed",
    S.SUBMITTED: "again: changes are sent as a resubmission",
    S.RESUBMITTED: "unless it was referred back, found incomplete or given more time",
    S.MODERATION: "until the assessor has made a recommendation",
    S.CONFIRMED: "until it reaches moderation",
    S.RETURNED: "until it reaches moderation",
    S.SIGNED_OFF: "before moderation confirms it",
    S.CERTIFICATE_ISSUED: "before the stage is signed off",
    S.PAUSED: "now: only a submission waiting for, or with, its assessor can be paused",
    S.WITHDRAWN: "once a recommendation has been made",
}
_BACK_TO_ASSESSMENT = {
    S.DRAFT: "before it is submitted",
    S.REFERRED: "until the practitioner resubmits it",
    S.RECOMMENDED: "unless moderation returns it to the assessor",
    S.MODERATION: "unless moderation returns it to the assessor",
    S.SIGNED_OFF: "once the stage is signed off",
}


def _refusal(current: SubmissionState, target: SubmissionState) -> str:
    """A plain-English reason for a move the table does not have."""
    if current is target:
        return f"This submission is already {_STATUS[current]}"
    head = f"{_SUBJECT[current]} cannot be {_BECOME[target]}"
    if current is S.WITHDRAWN:
        return f"{head}: it is closed. The practitioner can start a new submission"
    if current is S.CERTIFICATE_ISSUED:
        return f"{head}: the stage is finished. Any change to the award is made by an appeal or on the certificate"
    if target in (S.RECOMMENDED, S.INCOMPLETE_EVIDENCE, S.EXTENDED, S.REFERRED):
        return f"{head}: only a submission under assessment can"
    if target is S.UNDER_ASSESSMENT:
        return f"{head} {_BACK_TO_ASSESSMENT[current]}"
    if target in (S.MODERATION, S.CONFIRMED, S.RETURNED) and current in _DECIDED:
        return f"{head} once moderation has confirmed it"
    return f"{head} {_REASONS[target]}"

"""The assessment services in one place (each lives in the module of its step):

* ``submissions``: start, the working copy, the employer's agreement, readiness, submit, resubmit, withdraw, pause,
  resume
* ``allocation``: conflict facts, candidates with their load, allocate the assessor
* ``marking``: save and finish the marking (optimistic locking), refer, resume assessment, the blind second mark
* ``moderation``: draw the sample, allocate the second marker, open, confirm, return, agreement figures
* ``signoff``: sign off a stage, and the sign-off / decision-reversed listener registries
* ``appeals``: lodge, assign the reviewer, decide

Services take the actor as ``by``, flush and never commit; refusals raise ``DomainError``.
"""
from portal.assessments.allocation import allocate_assessor, assessor_candidates
from portal.assessments.appeals import assign_reviewer, decide_appeal, lodge_appeal, reviewer_candidates
from portal.assessments.marking import (
    MarkingConflict,
    MarkingInput,
    assess_after_deadline,
    finish_marking,
    finish_second_marking,
    open_marking,
    refer,
    resume_assessment,
    save_marking,
)
from portal.assessments.moderation import (
    agreement_figures,
    allocate_second_marker,
    confirm,
    draw_sample,
    open_moderation,
    return_to_assessor,
    second_marker_candidates,
)
from portal.assessments.signoff import (
    register_decision_reversed_listener,
    register_sign_off_listener,
    sign_off,
    unregister_listener,
)
from portal.assessments.submissions import (
    SubmissionRefused,
    pause,
    readiness,
    record_agreement,
    resubmit,
    resume,
    save_working_copy,
    start_submission,
    submit,
    withdraw,
)

__all__ = [
    "MarkingConflict", "MarkingInput", "SubmissionRefused", "agreement_figures", "allocate_assessor",
    "allocate_second_marker", "assess_after_deadline", "assessor_candidates", "assign_reviewer", "confirm",
    "decide_appeal", "draw_sample", "finish_marking", "finish_second_marking", "lodge_appeal", "open_marking",
    "open_moderation", "pause", "readiness", "record_agreement", "refer", "register_decision_reversed_listener",
    "register_sign_off_listener", "resubmit", "resume", "resume_assessment", "return_to_assessor",
    "reviewer_candidates", "save_marking", "save_working_copy", "second_marker_candidates", "sign_off",
    "start_submission", "submit", "unregister_listener", "withdraw",
]

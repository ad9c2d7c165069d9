"""The admins' submissions list (allocation, pause, sign-off) and the assessor's pages: the queue, the marking with
its optimistic lock, referral, taking a portfolio back into assessment, and the blind second mark."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.assessments import bp, marking, queries, submissions
from portal.assessments.allocation import allocate_assessor, assessor_candidates
from portal.assessments.forms import AllocateForm, marking_form, reason_form
from portal.assessments.marking import MarkingConflict, MarkingInput, requirements_of
from portal.assessments.models import MarkingRole, Submission
from portal.assessments.signoff import sign_off
from portal.assessments.views_submit import LOAD, act, submission_url
from portal.auth.forms import ActionForm
from portal.db import session
from portal.enrolments.services import london_today
from portal.exceptions import DomainError
from portal.permissions import (
    administered_organisation_ids,
    can_allocate_assessor,
    can_list_submissions,
    can_manage_submission,
    can_mark,
    can_second_mark,
    can_sign_off,
    can_view_assessor_queue,
    is_programme_admin,
    requires,
)
from portal.users.models import User

PauseForm = reason_form("Why is the submission paused?", "why the submission is paused", "Pause submission")
ResumeForm = reason_form("Note (optional)", "a note", "Resume submission", required=False)
ReferForm = reason_form("What must be put right", "what must be put right", "Refer back to the practitioner",
                        hint="For example, an identifying detail the check missed, or a file that cannot be read")


def _page_size() -> int:
    return int(current_app.config["PAGE_SIZE"])


# ------------------------------------------------------------------------------------------------------ admins
@bp.route("/submissions")
@requires(can_list_submissions)
def submissions_list() -> Any:
    status = request.args.get("status", "")
    if status not in queries.ADMIN_FILTERS:
        status = ""
    scope = None if is_programme_admin(current_user) else administered_organisation_ids(current_user)
    page = queries.admin_submissions(scope, status=status, after=request.args.get("after"),
                                     before=request.args.get("before"), size=_page_size())
    return render_template("assessments/submissions.html", page=page, status=status, filters=queries.ADMIN_FILTERS)


@bp.route("/submissions/<int:submission_id>/allocate", methods=["GET", "POST"])
@requires(can_allocate_assessor, load=LOAD)
def allocate(submission: Submission) -> Any:
    """Choose the assessor: everyone with the role, their load, and why some may not."""
    rows = assessor_candidates(submission)
    form = AllocateForm()
    form.assessor.choices = [(str(c.user.id), c.user.name) for c in rows]

    def do() -> None:
        assessor = session().get(User, int(form.assessor.data))
        allocate_assessor(submission, assessor, by=current_user, today=london_today(), due_on=form.due_on.data)

    done = act(form, do, "The assessor has been allocated", submission_url(submission), field="assessor")
    return done or render_template("assessments/allocate.html", form=form, submission=submission, rows=rows)


@bp.route("/submissions/<int:submission_id>/pause", methods=["GET", "POST"])
@requires(can_manage_submission, load=LOAD)
def pause(submission: Submission) -> Any:
    form = PauseForm()
    done = act(form, lambda: submissions.pause(submission, by=current_user, reason=form.reason.data or ""),
               "The submission has been paused", submission_url(submission), field="reason")
    return done or render_template("assessments/reason.html", form=form, submission=submission,
                                   title="Pause this submission",
                                   intro="It resumes where it was. Nothing can be marked while it is paused.")


@bp.route("/submissions/<int:submission_id>/resume", methods=["GET", "POST"])
@requires(can_manage_submission, load=LOAD)
def resume(submission: Submission) -> Any:
    form = ResumeForm()
    done = act(form, lambda: submissions.resume(submission, by=current_user, reason=form.reason.data or ""),
               "The submission has been resumed", submission_url(submission), field="reason")
    return done or render_template("assessments/reason.html", form=form, submission=submission,
                                   title="Resume this submission", intro="")


@bp.route("/submissions/<int:submission_id>/sign-off", methods=["GET", "POST"])
@requires(can_sign_off, load=LOAD)
def sign_off_stage(submission: Submission) -> Any:
    """Sign the stage off on a confirmed pass (the certificate follows)."""
    form = ActionForm()
    done = act(form, lambda: sign_off(submission, by=current_user, today=london_today()),
               "The stage has been signed off", submission_url(submission))
    return done or render_template("assessments/sign_off.html", form=form, submission=submission)


# ---------------------------------------------------------------------------------------------------- assessor
@bp.route("/queue")
@requires(can_view_assessor_queue)
def queue() -> Any:
    """The assessor's allocated submissions (sortable by due date or age) with counts, and their blind second
    marks."""
    sort = request.args.get("sort", "due")
    if sort not in queries.QUEUE_SORTS:
        sort = "due"
    page = queries.assessor_queue(current_user.id, sort=sort, after=request.args.get("after"),
                                  before=request.args.get("before"), size=_page_size())
    today = london_today()
    return render_template("assessments/queue.html", page=page, sort=sort, sorts=queries.QUEUE_SORTS,
                           counts=queries.queue_counts(current_user.id, today), today=today,
                           second=queries.second_marking_queue(current_user.id))


def _input(form: Any, requirements: list[Any]) -> MarkingInput:
    return MarkingInput(
        levels={r.code: (form[f"level_{n}"].data or None, form[f"feedback_{n}"].data or "")
                for n, r in enumerate(requirements, 1)},
        outcome=form.outcome.data or None, feedback=form.feedback.data or "",
        development_points=form.development_points.data or "", missing_evidence=form.missing_evidence.data or "",
        incomplete_deadline=form.incomplete_deadline.data, extend_to=form.extend_to.data)


def _fill(form: Any, requirements: list[Any], found: Any) -> None:
    for n, requirement in enumerate(requirements, 1):
        form[f"level_{n}"].data = found.level(requirement.code)
        form[f"feedback_{n}"].data = found.level_feedback(requirement.code)
    form.outcome.data = found.outcome.value if found.outcome else None
    for name in ("feedback", "development_points", "missing_evidence", "incomplete_deadline", "extend_to"):
        form[name].data = getattr(found, name)


def _marking_page(submission: Submission, role: str) -> Any:
    requirements = requirements_of(submission)
    form = marking_form(requirements)()
    found = marking.find_marking(submission, role, marker_id=current_user.id)
    first = role == MarkingRole.FIRST
    if request.method == "GET":
        if found is not None:
            _fill(form, requirements, found)
        form.lock_version.data = str(found.lock_version) if found else "1"
    elif form.validate_on_submit():
        try:
            expected = int(form.lock_version.data or 1)
        except ValueError:
            expected = 0
        data = _input(form, requirements)
        try:
            if form.finish.data:
                if first:
                    marking.finish_marking(submission, by=current_user, data=data, expected_lock_version=expected,
                                           today=london_today())
                else:
                    marking.finish_second_marking(submission, by=current_user, data=data,
                                                  expected_lock_version=expected, today=london_today())
            else:
                if found is None and expected == 1:
                    expected = marking.open_marking(submission, by=current_user, role=role).lock_version
                marking.save_marking(submission, by=current_user, data=data, expected_lock_version=expected,
                                     role=role)
        except MarkingConflict as conflict:
            session().rollback()
            form.fail(conflict, "feedback")
            return render_template("assessments/marking.html", form=form, submission=submission,
                                   requirements=requirements, first=first, conflict=conflict), 409
        except DomainError as error:
            session().rollback()
            form.fail(error, "outcome")
        else:
            session().commit()
            if form.finish.data:
                flash("Your marking has been recorded", "success")
                return redirect(url_for("assessments.queue"))
            flash("Your draft has been saved", "success")
            return redirect(request.path)
    return render_template("assessments/marking.html", form=form, submission=submission, requirements=requirements,
                           first=first, conflict=None, marking=found)


@bp.route("/submissions/<int:submission_id>/marking", methods=["GET", "POST"])
@requires(can_mark, load=LOAD)
def mark(submission: Submission) -> Any:
    """The allocated assessor's rubric marking of the current sealed version."""
    return _marking_page(submission, MarkingRole.FIRST)


@bp.route("/submissions/<int:submission_id>/second-marking", methods=["GET", "POST"])
@requires(can_second_mark, load=LOAD)
def second_mark(submission: Submission) -> Any:
    """The blind second mark: the same rubric, without the first mark."""
    return _marking_page(submission, MarkingRole.SECOND)


@bp.route("/submissions/<int:submission_id>/refer", methods=["GET", "POST"])
@requires(can_mark, load=LOAD)
def refer(submission: Submission) -> Any:
    form = ReferForm()
    done = act(form, lambda: marking.refer(submission, by=current_user, reason=form.reason.data or ""),
               "The portfolio has been referred back to the practitioner", url_for("assessments.queue"),
               field="reason")
    return done or render_template("assessments/reason.html", form=form, submission=submission,
                                   title="Refer the portfolio back",
                                   intro="No outcome is recorded. The practitioner puts it right and resubmits.")


@bp.route("/submissions/<int:submission_id>/reassess", methods=["POST"])
@requires(can_mark, load=LOAD)
def reassess(submission: Submission) -> Any:
    """Take a resubmitted or returned portfolio back into assessment, or assess it once the deadline has
    passed."""
    form = ActionForm()
    if form.validate_on_submit():
        try:
            if submission.state.value in ("incomplete_evidence", "extended"):
                marking.assess_after_deadline(submission, by=current_user, today=london_today())
            else:
                marking.resume_assessment(submission, by=current_user)
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
            return redirect(submission_url(submission))
        session().commit()
        return redirect(url_for("assessments.mark", submission_id=submission.id))
    return redirect(submission_url(submission))

"""The practitioner's pages (their submissions, the working copy, the check and submitting, withdrawing, appealing),
the employer's agreement, and the pages everyone with a part reads: a submission's state and history, and a sealed
version of the portfolio."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import audit
from portal.assessments import bp, calendar, portfolio, queries, submissions
from portal.assessments.appeals import lodge_appeal
from portal.assessments.forms import AppealForm, StartForm, SubmitForm, WorkingCopyForm, reason_form
from portal.assessments.models import Submission
from portal.assessments.sealing import CPD_KIND
from portal.assessments.states import SubmissionState as S
from portal.assessments.states import available_moves
from portal.auth.forms import ActionForm
from portal.db import session
from portal.enrolments.models import Enrolment, EnrolmentStatus
from portal.enrolments.queries import enrolments_of
from portal.enrolments.services import london_today
from portal.exceptions import DomainError
from portal.formatting import LONDON
from portal.forms import BaseForm
from portal.permissions import (
    can_edit_submission,
    can_lodge_appeal,
    can_record_agreement,
    can_start_submission,
    can_view_own_submissions,
    can_view_sealed_portfolio,
    can_view_submission,
    is_practitioner_of,
    requires,
)
from portal.urls import parse_id

LOAD = ("submission_id", Submission)
AgreementForm = reason_form("Why can the portfolio be assessed now?", "why the portfolio can be assessed now",
                            "Record agreement", hint="This is kept with the submission and shown to the assessor")
WithdrawForm = reason_form("Reason (optional)", "the reason", "Withdraw submission", required=False)


def act(form: BaseForm, do: Callable[[], Any], done: str, then: str, *, field: str | None = None) -> Any:
    """Run a service for a valid form: on a refusal roll back and show it on the form; else commit, flash and go
    to ``then``. Returns the redirect, or None to show the form again."""
    if not form.validate_on_submit():
        return None
    try:
        do()
    except DomainError as error:
        session().rollback()
        form.fail(error, field)
        return None
    session().commit()
    flash(done, "success")
    return redirect(then)


def submission_url(submission: Submission) -> str:
    return url_for("assessments.submission", submission_id=submission.id)


def stage_name(submission: Submission) -> str:
    try:
        return submissions.stage_of(submission.enrolment, submission.stage_code).name
    except KeyError:
        return submission.stage_code


bp.add_app_template_global(stage_name, "submission_stage_name")


@bp.app_template_filter("london_date")
def london_date(moment: Any) -> Any:
    """The day in England of a UTC timestamp (a queue's age in days)."""
    return moment.astimezone(LONDON).date()


# ---------------------------------------------------------------------------------------------- practitioner
@bp.route("/mine")
@requires(can_view_own_submissions)
def mine() -> Any:
    """The practitioner's stage submissions, and the stages they can start one for."""
    enrolments = [e for e in enrolments_of(current_user) if e.status == EnrolmentStatus.ACTIVE]
    existing = queries.submissions_of(current_user.id)
    open_stages = {(s.enrolment_id, s.stage_code) for s in existing if s.state is not S.WITHDRAWN}
    startable = [(e, stage) for e in enrolments for stage in submissions.submittable_stages(e)
                 if (e.id, stage.code) not in open_stages]
    return render_template("assessments/mine.html", submissions=existing, startable=startable, form=StartForm())


@bp.route("/enrolments/<int:enrolment_id>/start", methods=["POST"])
@requires(can_start_submission, load=("enrolment_id", Enrolment))
def start(enrolment: Enrolment) -> Any:
    form = StartForm()
    if form.validate_on_submit():
        try:
            submission = submissions.start_submission(enrolment, form.stage.data or "", by=current_user)
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
            return redirect(url_for("assessments.mine"))
        session().commit()
        return redirect(url_for("assessments.edit", submission_id=submission.id))
    return redirect(url_for("assessments.mine"))


def _item_choices(submission: Submission) -> list[tuple[str, str]]:
    choices = submissions.choices_for(submission)
    rows = [(f"casework:{i.id}", f"{i.title} ({i.occurred_on:%d/%m/%Y})") for i in choices.casework]
    rows += [(f"{CPD_KIND}:{r.id}", f"CPD: {r.title}") for r in choices.cpd]
    return rows


def _parse_items(values: list[str]) -> list[tuple[str, int]]:
    chosen = []
    for value in values:
        kind, _, item_id = value.partition(":")
        number = parse_id(item_id)
        if number is None:
            raise DomainError("Choose the evidence from the list", "items")
        chosen.append((kind, number))
    return chosen


@bp.route("/submissions/<int:submission_id>/edit", methods=["GET", "POST"])
@requires(can_edit_submission, load=LOAD)
def edit(submission: Submission) -> Any:
    """Choose the evidence and write the summary statement."""
    form = WorkingCopyForm()
    form.items.choices = _item_choices(submission)
    if request.method == "GET":
        form.items.data = [f"{kind}:{item_id}" for kind, item_id in submission.chosen_items or []]
        form.statement.data = submission.statement
    done = act(form, lambda: submissions.save_working_copy(
        submission, by=current_user, chosen=_parse_items(form.items.data or []), statement=form.statement.data or ""),
        "Your portfolio has been saved", url_for("assessments.check", submission_id=submission.id))
    return done or render_template("assessments/edit.html", form=form, submission=submission)


@bp.route("/submissions/<int:submission_id>/check")
@requires(can_edit_submission, load=LOAD)
def check(submission: Submission) -> Any:
    """Before submitting: requirements, identifying details, the agreement; and the button."""
    return render_template("assessments/check.html", submission=submission, form=SubmitForm(),
                           readiness=submissions.readiness(submission, london_today()))


@bp.route("/submissions/<int:submission_id>/submit", methods=["POST"])
@requires(can_edit_submission, load=LOAD)
def submit(submission: Submission) -> Any:
    form = SubmitForm()
    first = submission.state is S.DRAFT

    def do() -> None:
        if first:
            submissions.submit(submission, by=current_user, today=london_today())
        else:
            submissions.resubmit(submission, by=current_user, today=london_today(), note=form.note.data or "")

    done = act(form, do, "Your portfolio has been submitted" if first else "Your portfolio has been resubmitted",
               url_for("assessments.submission", submission_id=submission.id), field="note")
    return done or render_template("assessments/check.html", submission=submission, form=form,
                                   readiness=submissions.readiness(submission, london_today()))


@bp.route("/submissions/<int:submission_id>/ask-agreement", methods=["POST"])
@requires(can_edit_submission, load=LOAD)
def ask_agreement(submission: Submission) -> Any:
    """The practitioner asks their employer's admins to agree to a submission with requirements not met."""
    form = ActionForm()
    if form.validate_on_submit():
        try:
            asked = submissions.request_agreement(submission, by=current_user, today=london_today())
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
        else:
            session().commit()
            flash(f"Your employer's admin{'s have' if asked != 1 else ' has'} been asked to agree to your submission",
                  "success")
    return redirect(url_for("assessments.check", submission_id=submission.id))


@bp.route("/submissions/<int:submission_id>/withdraw", methods=["GET", "POST"])
@requires(is_practitioner_of, load=LOAD)
def withdraw(submission: Submission) -> Any:
    form = WithdrawForm()
    done = act(form, lambda: submissions.withdraw(submission, by=current_user, reason=form.reason.data or ""),
               "Your submission has been withdrawn", url_for("assessments.mine"), field="reason")
    return done or render_template("assessments/reason.html", form=form, submission=submission,
                                   title="Withdraw this submission",
                                   intro="You can start a new submission for this stage afterwards. The sealed "
                                         "versions are kept.")


@bp.route("/submissions/<int:submission_id>/agreement", methods=["GET", "POST"])
@requires(can_record_agreement, load=LOAD)
def agreement(submission: Submission) -> Any:
    """The employer agrees to a submission whose requirements are not all met."""
    form = AgreementForm()
    done = act(form, lambda: submissions.record_agreement(submission, by=current_user, reason=form.reason.data or "",
                                                          today=london_today()),
               "Your agreement has been recorded", submission_url(submission), field="reason")
    unmet = submissions.readiness(submission, london_today()).unmet
    return done or render_template("assessments/agreement.html", form=form, submission=submission, unmet=unmet)


@bp.route("/submissions/<int:submission_id>/appeal", methods=["GET", "POST"])
@requires(can_lodge_appeal, load=LOAD)
def appeal(submission: Submission) -> Any:
    form = AppealForm()
    done = act(form, lambda: lodge_appeal(submission, by=current_user, grounds=form.grounds.data or "",
                                          today=london_today()),
               "Your appeal has been lodged", submission_url(submission), field="grounds")
    deadline = calendar.appeal_deadline(submission.decided_on) if submission.decided_on else None
    return done or render_template("assessments/appeal_lodge.html", form=form, submission=submission,
                                   deadline=deadline)


# ------------------------------------------------------------------------------------------ everyone's pages
def feedback_visible(submission: Submission) -> bool:
    """The practitioner reads the assessor's outcome and feedback once moderation has decided, or when the
    portfolio came back to them (incomplete evidence, an extension)."""
    return submission.state in (S.CONFIRMED, S.SIGNED_OFF, S.CERTIFICATE_ISSUED, S.INCOMPLETE_EVIDENCE, S.EXTENDED)


@bp.route("/submissions/<int:submission_id>")
@requires(can_view_submission, load=LOAD)
def submission(submission: Submission) -> Any:
    """State, sealed versions, decisions and history; the actions the viewer may take."""
    history = queries.history(submission)
    moves = {m.target for m in available_moves(submission.state, actor_roles=submissions.roles_for(
        current_user, submission), paused_from=submission.paused_from)}
    is_practitioner = submission.practitioner_id == current_user.id
    show_marks = not is_practitioner or feedback_visible(submission)
    markings = [m for m in history.markings if m.role == "first" and m.finished_at and show_marks]
    return render_template("assessments/submission.html", submission=submission, history=history,
                           markings=markings, is_practitioner=is_practitioner, moves=moves, appeal=queries.appeal_of(submission),
                           deadline=calendar.appeal_deadline(submission.decided_on) if submission.decided_on else None,
                           today=london_today())


@bp.route("/submissions/<int:submission_id>/versions/<int:number>")
@requires(can_view_sealed_portfolio, load=LOAD)
def portfolio_version(submission: Submission, number: int) -> Any:
    """A sealed version in full, requirement by requirement and standard by standard. Every view is audited."""
    version = queries.version_of(submission, number)
    if version is None:
        abort(404)
    audit.record(current_user, "assessment.portfolio_viewed", submission, version=number,
                 ip_address=request.remote_addr)
    session().commit()
    return render_template("assessments/portfolio.html", view=portfolio.build(submission, version))

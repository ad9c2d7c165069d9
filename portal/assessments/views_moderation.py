"""Moderation pages: the queue with each panel's sample draw, a recommendation moderated on the anonymised
portfolio, the blind second marker's allocation, and the agreement figures (programme admins)."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import audit
from portal.assessments import bp, moderation, portfolio, queries
from portal.assessments.forms import ChoosePersonForm, DrawForm, ModerateForm
from portal.assessments.marking import find_marking, requirements_of
from portal.assessments.models import MarkingRole, Submission
from portal.assessments.states import SubmissionState as S
from portal.assessments.views_submit import LOAD, act
from portal.auth.forms import ActionForm
from portal.db import session
from portal.enrolments.services import london_today
from portal.exceptions import DomainError
from portal.permissions import (
    can_allocate_second_marker,
    can_moderate,
    can_view_agreement,
    can_view_moderation_queue,
    requires,
)
from portal.urls import parse_id
from portal.users.models import User


@bp.route("/moderation")
@requires(can_view_moderation_queue)
def moderation_queue() -> Any:
    """Recommendations waiting for, or in, moderation on the moderator's panels (anonymised)."""
    rows = queries.moderation_queue(current_user)
    panels = moderation.panels_of(current_user)
    waiting = {p.key: len(moderation.waiting_to_draw(p.organisation_id)) for p in panels}
    return render_template("assessments/moderation.html", rows=rows, panels=panels, waiting=waiting,
                           second_done=queries.finished_second_marks([s.id for s in rows]), form=DrawForm(),
                           describe=moderation.describe_reasons)


@bp.route("/moderation/draw", methods=["POST"])
@requires(can_view_moderation_queue)
def draw() -> Any:
    form = DrawForm()
    if form.validate_on_submit():
        panel = None if form.panel.data == moderation.NATIONAL else (parse_id(form.panel.data) or -1)
        try:
            result = moderation.draw_sample(panel, by=current_user)
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
        else:
            session().commit()
            flash(f"Sample drawn: {result.sampled} of {result.recommendations} recommendations will be second-marked "
                  f"blind", "success")
    return redirect(url_for("assessments.moderation_queue"))


@bp.route("/submissions/<int:submission_id>/moderate", methods=["GET", "POST"])
@requires(can_moderate, load=LOAD)
def moderate(submission: Submission) -> Any:
    """The recommendation, the blind second mark (if sampled) and the anonymised sealed portfolio: open it, then
    confirm or return it with reasons."""
    form = ModerateForm()
    if request.method == "POST" and request.form.get("action") == "open":
        action = ActionForm()
        if action.validate_on_submit():
            try:
                moderation.open_moderation(submission, by=current_user)
            except DomainError as error:
                session().rollback()
                flash(error.message, "error")
            else:
                session().commit()
        return redirect(request.path)

    def do() -> None:
        if form.decision.data == "confirm":
            moderation.confirm(submission, by=current_user, reasons=form.reasons.data or "", today=london_today())
        else:
            moderation.return_to_assessor(submission, by=current_user, reasons=form.reasons.data or "")

    if submission.state is S.MODERATION:
        done = act(form, do, "Your decision has been recorded", url_for("assessments.moderation_queue"),
                   field="reasons")
        if done:
            return done
    version = queries.version_of(submission)
    if version is None:
        abort(404)
    audit.record(current_user, "assessment.portfolio_viewed_anonymised", submission, version=version.number,
                 ip_address=request.remote_addr)
    session().commit()
    return render_template("assessments/moderate.html", form=form, submission=submission,
                           view=portfolio.build(submission, version, anonymised=True),
                           first=find_marking(submission), second=find_marking(submission, MarkingRole.SECOND),
                           requirements=requirements_of(submission), action_form=ActionForm(),
                           describe=moderation.describe_reasons)


@bp.route("/submissions/<int:submission_id>/second-marker", methods=["GET", "POST"])
@requires(can_allocate_second_marker, load=LOAD)
def second_marker(submission: Submission) -> Any:
    rows = moderation.second_marker_candidates(submission)
    form = ChoosePersonForm()
    form.person.choices = [(str(c.user.id), c.user.name) for c in rows]
    done = act(form, lambda: moderation.allocate_second_marker(
        submission, session().get(User, int(form.person.data)), by=current_user),
        "The second marker has been chosen", url_for("assessments.moderation_queue"), field="person")
    return done or render_template("assessments/choose_person.html", form=form, submission=submission, rows=rows,
                                   title="Choose the blind second marker",
                                   intro="They mark the same sealed version without seeing the first mark.")


@bp.route("/agreement")
@requires(can_view_agreement)
def agreement_rates() -> Any:
    """How often the blind second mark agreed with the first, per assessor and overall."""
    rows, overall = moderation.agreement_figures()
    return render_template("assessments/agreement_rates.html", rows=rows, overall=overall)

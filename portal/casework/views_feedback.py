"""Feedback links: the practitioner sends one; the respondent, who has no account, answers through it."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from portal.auth.forms import ActionForm
from portal.casework import bp, feedback_bp
from portal.casework.feedback import (
    LINK_LIFETIME,
    FeedbackLinkError,
    request_feedback,
    resolve_link,
    submit_feedback,
    withdraw_link,
)
from portal.casework.forms import FamilyRespondentForm, FeedbackRequestForm, ProfessionalRespondentForm
from portal.casework.models import CaseworkKind, FeedbackRequest
from portal.casework.views import LOAD_ENROLMENT
from portal.db import session
from portal.enrolments.models import Enrolment
from portal.exceptions import DomainError
from portal.extensions import limiter
from portal.permissions import can_add_casework, can_withdraw_feedback_link, public, requires

LINK_PROBLEMS = {
    "invalid": "The link is not right. Check you copied the whole link from the email.",
    "used": "This link has already been used to send feedback. Each link works only once. Thank you if that was "
            "you.",
    "expired": f"This link has expired. Links work for {LINK_LIFETIME.days} days.",
    "withdrawn": "This link is no longer needed: the social worker withdrew it.",
}


@bp.route("/enrolments/<int:enrolment_id>/feedback/request", methods=["GET", "POST"])
@requires(can_add_casework, load=LOAD_ENROLMENT)
def request_link(enrolment: Enrolment) -> Any:
    form = FeedbackRequestForm()
    if form.validate_on_submit():
        try:
            request_feedback(enrolment, by=current_user, kind=CaseworkKind(form.kind.data), email=form.email.data,
                             case_reference=form.case_reference.data,
                             respondent_description=form.respondent_description.data)
        except DomainError as error:
            session().rollback()
            form.fail(error)
        else:
            session().commit()
            flash(f"A feedback link has been sent. It works once, for {LINK_LIFETIME.days} days", "success")
            return redirect(url_for("casework.enrolment", enrolment_id=enrolment.id))
    return render_template("casework/form.html", form=form, title="Ask for feedback", caption="Feedback",
                           intro="We will email a link to a short form. They do not need an account. The link works "
                                 f"once and for {LINK_LIFETIME.days} days. For a child or family member, you can send "
                                 "it to an adult who will help them answer.",
                           back=url_for("casework.enrolment", enrolment_id=enrolment.id), item=None,
                           multipart=False)


@bp.route("/feedback-links/<int:link_id>/withdraw", methods=["POST"])
@requires(can_withdraw_feedback_link, load=("link_id", FeedbackRequest))
def withdraw_feedback_link(feedbackrequest: FeedbackRequest) -> Any:
    form = ActionForm()
    if form.validate_on_submit():
        try:
            withdraw_link(feedbackrequest, by=current_user)
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
        else:
            session().commit()
            flash("The link has been withdrawn and no longer works", "success")
    return redirect(url_for("casework.enrolment", enrolment_id=feedbackrequest.enrolment_id))


# ------------------------------------------------------------------------------------- the respondent's pages
def _problem(error: FeedbackLinkError) -> Any:
    return render_template("casework/feedback_link_problem.html", reason=error.reason,
                           message=LINK_PROBLEMS.get(error.reason, LINK_PROBLEMS["invalid"])), \
        410 if error.reason in {"used", "expired", "withdrawn"} else 404


@feedback_bp.route("/<token>", methods=["GET", "POST"])
@public
@limiter.limit("30 per minute", methods=["POST"])
def respond(token: str) -> Any:
    """The respondent's form: no sign-in; the link is the only key, and it works once."""
    try:
        link = resolve_link(token)
    except FeedbackLinkError as error:
        return _problem(error)
    family = link.kind == CaseworkKind.CHILD_FAMILY_FEEDBACK
    form = FamilyRespondentForm() if family else ProfessionalRespondentForm()
    if form.validate_on_submit():
        try:
            submit_feedback(token, texts={"respondent": form.respondent.data, "went_well": form.went_well.data,
                                          "even_better": form.even_better.data or ""})
        except FeedbackLinkError as error:
            session().rollback()
            return _problem(error)
        except DomainError as error:
            session().rollback()
            form.fail(error)
        else:
            session().commit()
            return render_template("casework/feedback_thanks.html", practitioner=link.practitioner)
    return render_template("casework/feedback_respond.html", form=form, link=link, family=family,
                           practitioner=link.practitioner)

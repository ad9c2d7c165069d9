"""Appeal pages: the list (programme admins: all open appeals; reviewers: theirs), an appeal, assigning the
independent reviewer, and recording the outcome."""
from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_login import current_user

from portal.assessments import appeals, bp, queries
from portal.assessments.allocation import people_with_role
from portal.assessments.forms import ChoosePersonForm, DecideAppealForm
from portal.assessments.models import Appeal
from portal.assessments.views_submit import act
from portal.db import session
from portal.enrolments.services import london_today
from portal.permissions import (
    can_assign_reviewer,
    can_decide_appeal,
    can_list_appeals,
    can_view_appeal,
    is_programme_admin,
    requires,
)
from portal.urls import parse_id
from portal.users.models import Role, User

LOAD_APPEAL = ("appeal_id", Appeal)


@bp.route("/appeals")
@requires(can_list_appeals)
def appeals_list() -> Any:
    show_all = request.args.get("show") == "all"
    rows = queries.appeals_for(current_user, is_admin=is_programme_admin(current_user), open_only=not show_all)
    return render_template("assessments/appeals.html", rows=rows, show_all=show_all)


@bp.route("/appeals/<int:appeal_id>")
@requires(can_view_appeal, load=LOAD_APPEAL)
def appeal_view(appeal: Appeal) -> Any:
    return render_template("assessments/appeal.html", appeal=appeal, submission=appeal.submission)


@bp.route("/appeals/<int:appeal_id>/reviewer", methods=["GET", "POST"])
@requires(can_assign_reviewer, load=LOAD_APPEAL)
def assign_reviewer(appeal: Appeal) -> Any:
    rows = appeals.reviewer_candidates(appeal)
    form = ChoosePersonForm()
    form.person.choices = [(str(c.user.id), c.user.name) for c in rows]
    done = act(form, lambda: appeals.assign_reviewer(appeal, session().get(User, int(form.person.data)),
                                                     by=current_user),
               "The reviewer has been assigned", url_for("assessments.appeal_view", appeal_id=appeal.id),
               field="person")
    return done or render_template("assessments/choose_person.html", form=form, submission=appeal.submission,
                                   rows=rows, title="Assign the independent reviewer",
                                   intro="Someone not involved in the decision and without a conflict of interest.")


@bp.route("/appeals/<int:appeal_id>/decide", methods=["GET", "POST"])
@requires(can_decide_appeal, load=LOAD_APPEAL)
def decide(appeal: Appeal) -> Any:
    form = DecideAppealForm()
    assessors = [u for u in people_with_role(Role.ASSESSOR) if u.id != appeal.submission.assessor_id]
    form.assessor.choices = [("", "Choose an assessor")] + [(str(u.id), u.name) for u in assessors]

    def do() -> None:
        new_assessor = session().get(User, number) if (number := parse_id(form.assessor.data)) else None
        appeals.decide_appeal(appeal, by=current_user, upheld=form.result.data == "upheld",
                              reasons=form.reasons.data or "", today=london_today(),
                              replacement=form.replacement.data or None, new_assessor=new_assessor)

    done = act(form, do, "The outcome of the appeal has been recorded",
               url_for("assessments.appeal_view", appeal_id=appeal.id), field="reasons")
    return done or render_template("assessments/appeal_decide.html", form=form, appeal=appeal,
                                   submission=appeal.submission)

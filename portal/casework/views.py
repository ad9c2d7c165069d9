"""Casework pages shared by every kind: lists, an item, the anonymisation check, verification, comments, the
supervisors' queue and the employer's counts. Adding and editing each kind: ``views_kinds.py``; feedback links:
``views_feedback.py``."""
from __future__ import annotations

from collections import Counter
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal import audit
from portal.auth.forms import ActionForm
from portal.casework import bp, queries, services
from portal.casework.forms import CommentForm, CosignForm, DeclineForm, VerifyForm
from portal.casework.guard import anonymised_content, confirm_finding, unresolved_findings
from portal.casework.kinds import Writer, category_label, fields_for, missing_for_request, role_label, text_fields
from portal.casework.models import CaseworkItem, CaseworkKind, FeedbackRequest, VerificationStatus, activity_label
from portal.db import session, utcnow
from portal.enrolments.models import Enrolment, EnrolmentStatus
from portal.enrolments.queries import enrolments_of
from portal.evidence.access import register_file_owner
from portal.evidence.services import files_for
from portal.exceptions import DomainError
from portal.pagination import keyset_page
from portal.permissions import (
    can_comment_on_casework,
    can_list_casework,
    can_request_verification,
    can_use_account,
    can_verify_casework,
    can_view_casework,
    can_view_casework_anonymised,
    can_view_casework_summary,
    can_view_verification_queue,
    requires,
)
from portal.users.models import Organisation, User

LOAD_ITEM = ("item_id", CaseworkItem)
# files attached to an item are downloaded by whoever may see the item (through /files/<id>, audited there)
register_file_owner(services.FILE_OWNER, load=lambda item_id: session().get(CaseworkItem, item_id),
                    can_view=can_view_casework)
LOAD_ENROLMENT = ("enrolment_id", Enrolment)


def page_size() -> int:
    return current_app.config["PAGE_SIZE"]


def item_url(item: CaseworkItem) -> str:
    return url_for("casework.item", item_id=item.id)


def _enum_arg(enum: Any, name: str) -> Any:
    try:
        return enum(request.args[name]) if request.args.get(name) else None
    except ValueError:
        return None


# ----------------------------------------------------------------------------------------------------- lists
@bp.route("/")
@requires(can_use_account)
def index() -> Any:
    """Where "Casework" in the navigation leads: your own evidence, or your verification queue."""
    enrolments = enrolments_of(current_user, active_only=True)
    if enrolments:
        return redirect(url_for("casework.enrolment", enrolment_id=enrolments[0].id))
    if can_view_verification_queue(current_user):
        return redirect(url_for("casework.queue"))
    flash("You are not enrolled on a programme, so you have no casework evidence yet", "info")
    return redirect(url_for("main.index"))


@bp.route("/enrolments/<int:enrolment_id>")
@requires(can_list_casework, load=LOAD_ENROLMENT)
def enrolment(enrolment: Enrolment) -> Any:
    kind = _enum_arg(CaseworkKind, "kind")
    status = _enum_arg(VerificationStatus, "status")
    page = queries.list_items(enrolment, kind=kind, status=status, after=request.args.get("after"),
                              before=request.args.get("before"), size=page_size())
    counts = queries.status_counts([enrolment.id])[enrolment.id]
    is_own = enrolment.practitioner_id == current_user.id
    return render_template(
        "casework/list.html", enrolment=enrolment, page=page, kind=kind, status=status, kinds=list(CaseworkKind),
        statuses=list(VerificationStatus), counts=counts, is_own=is_own,
        links=queries.feedback_links(enrolment) if is_own else [],
        cosign=queries.cosign_queue(current_user) if is_own else [],
        stamps=queries.stamps_for(page.items), action_form=ActionForm(), now=utcnow())


@bp.app_template_global("casework_recent_for")
def casework_recent_for(user: Any, limit: int = 5) -> list[CaseworkItem]:
    """The latest casework of ``user``'s own enrolments, for ``casework/_recent.html`` on their dashboard (one
    query, plus one for the enrolments; kinds, references, dates and statuses only)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return queries.recent_items([e.id for e in enrolments_of(user)], limit=limit)


# ------------------------------------------------------------------------------------------------------ item
def _view_context(item: CaseworkItem) -> dict[str, Any]:
    texts = text_fields(item)
    fields = [(spec, texts[spec.name]) for spec in fields_for(item.kind)]
    discussed: list[CaseworkItem] = []
    if item.kind == CaseworkKind.SUPERVISION_RECORD:
        ids = services.discussed_ids(item)
        discussed = list(session().execute(select(CaseworkItem).where(CaseworkItem.id.in_(ids or [-1]))
                                           .order_by(CaseworkItem.occurred_on, CaseworkItem.id)).scalars())
    feedback_from = None
    if item.kind.is_feedback:
        feedback_from = session().execute(select(FeedbackRequest.respondent_description)
                                          .where(FeedbackRequest.item_id == item.id)).scalar()
    writers = services.writers_for(current_user, item)
    reflecting = (writers == {Writer.PRACTITIONER} and item.kind != CaseworkKind.CASE_REFLECTION
                  and not (item.content or {}).get("reflection"))
    return {
        "item": item, "fields": fields, "edit_label": "Add your reflection" if reflecting else "Change", "files": files_for(services.FILE_OWNER, [item.id])[item.id],
        "stamps": queries.stamps_for([item])[item.id], "events": queries.history(item), "discussed": discussed,
        "statement_titles": dict(services.statement_choices(item.enrolment)), "feedback_from": feedback_from,
        "writers": writers, "verifier": services.verifier_of(item),
        "activity_label": activity_label, "category_label": category_label, "role_label": role_label,
        "comment_form": CommentForm(), "action_form": ActionForm(),
    }


@bp.route("/items/<int:item_id>")
@requires(can_view_casework, load=LOAD_ITEM)
def item(caseworkitem: CaseworkItem) -> Any:
    """An item in full. Every view of its text is audited, whoever looks."""
    audit.record(current_user, "casework.viewed", caseworkitem, ip_address=request.remote_addr,
                 own=caseworkitem.practitioner_id == current_user.id)
    session().commit()
    return render_template("casework/item.html", **_view_context(caseworkitem))


@bp.route("/items/<int:item_id>/anonymised")
@requires(can_view_casework_anonymised, load=LOAD_ITEM)
def anonymised(caseworkitem: CaseworkItem) -> Any:
    """The moderators' view: every suspected identifier replaced, no names of the practitioner or observer.
    Nobody is granted it until moderation registers its hook (``register_casework_viewer(..., anonymised=True)``)."""
    audit.record(current_user, "casework.viewed_anonymised", caseworkitem, ip_address=request.remote_addr)
    session().commit()
    content = anonymised_content(caseworkitem)
    fields = [(spec, content[spec.name]) for spec in fields_for(caseworkitem.kind)]
    return render_template("casework/anonymised.html", item=caseworkitem, fields=fields,
                           statement_titles=dict(services.statement_choices(caseworkitem.enrolment)),
                           activity_label=activity_label, category_label=category_label, role_label=role_label)


@bp.route("/items/<int:item_id>/comments", methods=["POST"])
@requires(can_comment_on_casework, load=LOAD_ITEM)
def comment(caseworkitem: CaseworkItem) -> Any:
    form = CommentForm()
    if form.validate_on_submit():
        services.add_comment(caseworkitem, by=current_user, text=form.comment.data)
        session().commit()
        flash("Your comment has been added", "success")
        return redirect(item_url(caseworkitem) + "#history")
    audit.record(current_user, "casework.viewed", caseworkitem, ip_address=request.remote_addr)
    session().commit()
    context = _view_context(caseworkitem)
    context["comment_form"] = form
    return render_template("casework/item.html", form=form, **{k: v for k, v in context.items() if k != "form"})


# --------------------------------------------------------------------------------- anonymisation check, request
@bp.route("/items/<int:item_id>/check")
@requires(can_request_verification, load=LOAD_ITEM)
def check(caseworkitem: CaseworkItem) -> Any:
    """Before asking for verification: what is missing, and every possible identifying detail in context."""
    if caseworkitem.status not in (VerificationStatus.DRAFT, VerificationStatus.DECLINED):
        flash(f"This item is {caseworkitem.status.label.lower()}", "info")
        return redirect(item_url(caseworkitem))
    return render_template("casework/check.html", item=caseworkitem, findings=unresolved_findings(caseworkitem),
                           missing=missing_for_request(caseworkitem), verifier=services.verifier_of(caseworkitem),
                           action_form=ActionForm())


def _finding_action(item: CaseworkItem, do: Any, done: str) -> Any:
    form = ActionForm()
    if form.validate_on_submit():
        try:
            do()
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
        else:
            session().commit()
            flash(done, "success")
    return redirect(url_for("casework.check", item_id=item.id))


@bp.route("/items/<int:item_id>/findings/redact", methods=["POST"])
@requires(can_request_verification, load=LOAD_ITEM)
def redact(caseworkitem: CaseworkItem) -> Any:
    field, fingerprint = request.form.get("field", ""), request.form.get("fingerprint", "")
    return _finding_action(caseworkitem, lambda: services.redact_finding(
        caseworkitem, field=field, fingerprint=fingerprint, by=current_user), "The suggested replacement was applied")


@bp.route("/items/<int:item_id>/findings/confirm", methods=["POST"])
@requires(can_request_verification, load=LOAD_ITEM)
def confirm(caseworkitem: CaseworkItem) -> Any:
    fingerprint = request.form.get("fingerprint", "")
    return _finding_action(caseworkitem, lambda: confirm_finding(caseworkitem, fingerprint, by=current_user),
                           "You confirmed that this does not identify anyone")


@bp.route("/items/<int:item_id>/request", methods=["POST"])
@requires(can_request_verification, load=LOAD_ITEM)
def request_verification(caseworkitem: CaseworkItem) -> Any:
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.request_verification(caseworkitem, by=current_user)
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
            return redirect(url_for("casework.check", item_id=caseworkitem.id))
        session().commit()
        verifier = services.verifier_of(caseworkitem)
        flash(f"{verifier.name if verifier else 'Your supervisor'} has been asked to "
              f"{'co-sign' if caseworkitem.kind == CaseworkKind.SUPERVISION_RECORD else 'verify'} it", "success")
    return redirect(item_url(caseworkitem))


@bp.route("/items/<int:item_id>/withdraw", methods=["POST"])
@requires(can_request_verification, load=LOAD_ITEM)
def withdraw(caseworkitem: CaseworkItem) -> Any:
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.withdraw_request(caseworkitem, by=current_user)
        except DomainError as error:
            session().rollback()
            flash(error.message, "error")
        else:
            session().commit()
            flash("Your request for verification has been withdrawn", "success")
    return redirect(item_url(caseworkitem))


# ----------------------------------------------------------------------------------------------- verification
@bp.route("/items/<int:item_id>/verify", methods=["GET", "POST"])
@requires(can_verify_casework, load=LOAD_ITEM)
def verify(caseworkitem: CaseworkItem) -> Any:
    cosign = caseworkitem.kind == CaseworkKind.SUPERVISION_RECORD
    form = CosignForm() if cosign else VerifyForm()
    if not cosign:
        form.confirmed.choices = services.confirmations_for(caseworkitem.kind)  # type: ignore[attr-defined]
    if caseworkitem.status != VerificationStatus.REQUESTED:
        flash(f"This item is {caseworkitem.status.label.lower()}, so there is nothing to "
              f"{'co-sign' if cosign else 'verify'}", "info")
        return redirect(item_url(caseworkitem))
    if form.validate_on_submit():
        try:
            confirmed = [] if cosign else form.confirmed.data  # type: ignore[attr-defined]
            services.verify_item(caseworkitem, by=current_user, confirmed=confirmed, comment=form.comment.data or "")
        except DomainError as error:
            session().rollback()
            form.fail(error)
        else:
            session().commit()
            flash("You co-signed the supervision record" if cosign else "You verified this item", "success")
            return redirect(url_for("casework.enrolment", enrolment_id=caseworkitem.enrolment_id) if cosign
                            else url_for("casework.queue"))
    audit.record(current_user, "casework.viewed", caseworkitem, ip_address=request.remote_addr)
    session().commit()
    return render_template("casework/verify.html", form=form, cosign=cosign,
                           **{k: v for k, v in _view_context(caseworkitem).items() if k != "form"})


@bp.route("/items/<int:item_id>/decline", methods=["GET", "POST"])
@requires(can_verify_casework, load=LOAD_ITEM)
def decline(caseworkitem: CaseworkItem) -> Any:
    form = DeclineForm()
    if caseworkitem.status != VerificationStatus.REQUESTED:
        flash(f"This item is {caseworkitem.status.label.lower()}, so it cannot be declined", "info")
        return redirect(item_url(caseworkitem))
    if form.validate_on_submit():
        try:
            services.decline_item(caseworkitem, by=current_user, reason=form.reason.data)
        except DomainError as error:
            session().rollback()
            form.fail(error)
        else:
            session().commit()
            flash("You declined this item. The practitioner has been told why", "success")
            return redirect(url_for("casework.queue") if caseworkitem.kind != CaseworkKind.SUPERVISION_RECORD
                            else item_url(caseworkitem))
    return render_template("casework/decline.html", form=form, item=caseworkitem)


@bp.route("/verifications")
@requires(can_view_verification_queue)
def queue() -> Any:
    """The supervisor's queue: items waiting for them, oldest request first, with counts."""
    page = queries.verification_queue(current_user, after=request.args.get("after"),
                                      before=request.args.get("before"), size=page_size())
    return render_template("casework/queue.html", page=page, counts=queries.queue_counts(current_user))


# ------------------------------------------------------------------------------------------- employer counts
@bp.route("/organisations/<int:org_id>")
@requires(can_view_casework_summary, load=("org_id", Organisation))
def summary(organisation: Organisation) -> Any:
    """Per practitioner: how many items of each kind, and their statuses. Never the text."""
    query = (select(Enrolment).join(User, User.id == Enrolment.practitioner_id)
             .where(Enrolment.organisation_id == organisation.id, Enrolment.status == EnrolmentStatus.ACTIVE)
             .options(contains_eager(Enrolment.practitioner)))
    page = keyset_page(query, [User.name, Enrolment.id], after=request.args.get("after"),
                       before=request.args.get("before"), size=page_size(),
                       key=lambda e: [e.practitioner.name, e.id])
    totals = {}
    for enrolment_id, counts in queries.status_counts([e.id for e in page.items]).items():
        by_kind: Counter[str] = Counter()
        by_status: Counter[str] = Counter()
        for (kind, status), count in counts.items():
            by_kind[kind] += count
            by_status[status] += count
        totals[enrolment_id] = {"kind": by_kind, "status": by_status}
    return render_template("casework/summary.html", organisation=organisation, page=page, totals=totals,
                           kinds=list(CaseworkKind), statuses=list(VerificationStatus))

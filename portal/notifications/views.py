"""Notification pages: your list (newest first, unread marked), opening or marking one read, marking all read, and
your e-mail settings (linked from /account)."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.db import session
from portal.notifications import bp, services
from portal.notifications.forms import EmailPreferencesForm, MarkReadForm
from portal.notifications.kinds import KINDS
from portal.notifications.models import Notification
from portal.pagination import keyset_page
from portal.permissions import can_read_notification, can_use_notifications, requires

LOAD = ("notification_id", Notification)


def unread_for_current_user() -> int:
    """The signed-in user's unread count, read once per request (the navigation shows it on every page)."""
    if "unread_notifications" not in g:
        g.unread_notifications = services.unread_count(current_user) if current_user.is_authenticated else 0
    return int(g.unread_notifications)


@bp.route("/notifications")
@requires(can_use_notifications)
def index() -> Any:
    query = select(Notification).where(Notification.user_id == current_user.id)
    page = keyset_page(query, [Notification.id], after=request.args.get("after"), before=request.args.get("before"),
                       size=int(current_app.config["PAGE_SIZE"]), descending=True)
    return render_template("notifications/index.html", page=page, unread=unread_for_current_user(),
                           form=MarkReadForm(), kinds=KINDS)


@bp.route("/notifications/<int:notification_id>/open")
@requires(can_read_notification, load=LOAD)
def open_notification(notification: Notification) -> Any:
    """Follow a notification's link, marking it read (reading it is the only change, so a GET is fine)."""
    services.mark_read(notification, by=current_user)
    session().commit()
    if services.is_internal_link(notification.link):
        return redirect(notification.link)  # type: ignore[arg-type]
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@requires(can_read_notification, load=LOAD)
def mark_read(notification: Notification) -> Any:
    if MarkReadForm().validate_on_submit():
        services.mark_read(notification, by=current_user)
        session().commit()
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/read-all", methods=["POST"])
@requires(can_use_notifications)
def mark_all_read() -> Any:
    if MarkReadForm().validate_on_submit():
        count = services.mark_all_read(current_user)
        session().commit()
        if count:
            flash(f"{count} notification{'s' if count != 1 else ''} marked as read", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/account/notifications", methods=["GET", "POST"])
@requires(can_use_notifications)
def settings() -> Any:
    kinds = services.settings_kinds(current_user)
    form = EmailPreferencesForm()
    form.email.choices = [(kind.code, kind.label[:1].upper() + kind.label[1:]) for kind in kinds]
    if request.method == "GET":
        current = services.email_preferences(current_user)
        form.email.data = [kind.code for kind in kinds if current[kind.code]]
    elif form.validate_on_submit():
        chosen = set(form.email.data or [])
        services.set_email_preferences(current_user, {kind.code: kind.code in chosen for kind in kinds},
                                       by=current_user)
        session().commit()
        flash("Your e-mail settings have been saved", "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form, kinds=kinds)

"""Sign in and out, two-factor authentication, invitations, password resets and the user's own account."""
from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from portal import audit, clock
from portal.auth import bp, services, sessions
from portal.auth.access import can_end_session
from portal.auth.forms import (
    ActionForm,
    ChangePasswordForm,
    EnableTwoFactorForm,
    ForgotPasswordForm,
    PasswordConfirmForm,
    RoleInvitationForm,
    SetPasswordForm,
    SignInForm,
    TwoFactorForm,
)
from portal.auth.models import UserSession
from portal.auth.services import ReconfirmOutcome, SignInOutcome
from portal.auth.tokens import TokenError
from portal.db import session as db_session
from portal.exceptions import DomainError
from portal.extensions import limiter, sign_in_limit
from portal.permissions import can_respond_to_role_invitation, can_use_account, public, requires
from portal.users.models import User, UserStatus

PENDING_2FA_SECONDS = 300
#: endpoints a signed-in user who still has to set up two-factor authentication may reach
SETUP_ALLOWED = {"auth.two_factor_setup", "auth.two_factor_new_key", "auth.sign_out", "static", "main.favicon",
                 "main.healthz", "main.readyz", "main.accessibility", "main.privacy", "main.cookies"}

TOKEN_MESSAGES = {
    "invalid": "This link is not valid. Check you copied the whole link from the email.",
    "expired": "This link has expired.",
    "used": "This link has already been used.",
    "replaced": "This link has been replaced by a newer one. Use the link in the most recent email.",
}
OTHER_ACCOUNT = ("This invitation was sent to another account. Sign out, then sign in with the email address the "
                 "invitation was sent to.")


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _client_ip() -> str | None:
    return request.remote_addr


def _start_session(user: User, message: str | None = None) -> Response:
    """Sign in: a new server session, and a fresh cookie that holds only its id."""
    next_url = _safe_next(session.get("next_after_sign_in"))
    session.clear()  # a fresh session on every sign-in
    session.permanent = True
    token, _ = sessions.start_session(user, user_agent=request.headers.get("User-Agent"), ip_address=_client_ip())
    session[sessions.COOKIE_KEY] = token
    if message:
        flash(message, "success")
    db_session().commit()
    return redirect(next_url or url_for("main.index"))


@bp.before_app_request
def require_two_factor_setup() -> Response | None:
    """Holders of assessor, moderator or programme admin roles must set up two-factor authentication first."""
    # An address that matches no page (request.endpoint is None) is left to answer 404 rather than redirected.
    if (request.endpoint is not None and request.endpoint not in SETUP_ALLOWED and current_user.is_authenticated
            and current_user.needs_two_factor and not current_user.has_two_factor):
        flash("Your role needs two-factor authentication. Set it up to continue.", "info")
        return redirect(url_for("auth.two_factor_setup"))
    return None


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(sign_in_limit, methods=["POST"])
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignInForm()
    if request.method == "GET" and _safe_next(request.args.get("next")):
        session["next_after_sign_in"] = request.args["next"]
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data, ip_address=_client_ip())
        if result.outcome == SignInOutcome.OK:
            return _start_session(result.user)
        if result.outcome == SignInOutcome.NEEDS_SECOND_FACTOR:
            db_session().commit()
            session["pending_2fa"] = {"uid": result.user.id, "ver": result.user.session_version,
                                      "at": clock.epoch_seconds()}
            return redirect(url_for("auth.two_factor"))
        db_session().commit()  # keep the failed-attempt count and the audit entry
        if result.outcome == SignInOutcome.DISABLED:  # only after the right password: reveals nothing new
            form.email.errors = ["Your account has been disabled. Contact your employer admin"]
        else:
            # A locked account gets the same answer as an unknown address or a wrong password, so nobody can
            # find out which addresses have accounts by locking them; the page explains locking to everyone.
            form.email.errors = ["Enter a correct email address and password"]
        form.password.errors = []
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-in/security-code", methods=["GET", "POST"])
@public
@limiter.limit(sign_in_limit, methods=["POST"])
def two_factor() -> Any:
    pending = session.get("pending_2fa")
    user = db_session().get(User, pending["uid"]) if isinstance(pending, dict) else None
    if (user is None or pending.get("ver") != user.session_version
            or clock.epoch_seconds() - pending.get("at", 0) > PENDING_2FA_SECONDS or user.status != UserStatus.ACTIVE):
        session.pop("pending_2fa", None)
        flash("Your sign-in timed out. Sign in again.", "info")
        return redirect(url_for("auth.sign_in"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        if services.is_locked(user):
            form.code.errors = ["Too many failed attempts. Try again later"]
        elif services.verify_second_factor(user, form.code.data, ip_address=_client_ip()):
            return _start_session(user)
        else:
            db_session().commit()
            form.code.errors = ["The security code is not correct or has already been used"]
    return render_template("auth/two_factor.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@requires(can_use_account)
def sign_out() -> Any:
    form = ActionForm()
    if form.validate_on_submit():
        services.record_sign_out(current_user, session_id=sessions.current_session_id())
        db_session().commit()
        logout_user()
        session.clear()
        flash("You have signed out", "success")
    return redirect(url_for("main.index"))


# ---------------------------------------------------------------------------------------------------- links
def _token_problem(error: TokenError) -> str:
    return render_template("auth/link_problem.html", message=TOKEN_MESSAGES.get(error.reason,
                                                                                 TOKEN_MESSAGES["invalid"]),
                           reason=error.reason)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> Any:
    try:
        invited = services.invitation_user(token)
    except TokenError as error:
        return _token_problem(error), 410 if error.reason in {"expired", "used", "replaced"} else 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.password.data)
        except TokenError as error:
            db_session().rollback()
            return _token_problem(error), 410
        except DomainError as error:
            db_session().rollback()
            form.fail(error, "password")
        else:
            logout_user()
            return _start_session(user, "Your password is set and your account is ready")
    return render_template("auth/accept_invitation.html", form=form, invited=invited)


@bp.route("/invitation/role/<token>", methods=["GET", "POST"])
@requires(can_use_account)
def role_invitation(token: str) -> Any:
    """An existing account's invitation to a role in an organisation: shown to, and answered by, only the person
    invited, signed in as themselves."""
    from portal.users import services as user_services

    try:
        invitation = user_services.role_invitation(token)
    except TokenError as error:
        return _token_problem(error), 410 if error.reason in {"expired", "used", "replaced"} else 404
    if not can_respond_to_role_invitation(current_user, invitation):
        return render_template("auth/link_problem.html", message=OTHER_ACCOUNT, reason="other_account"), 403
    form = RoleInvitationForm()
    if form.validate_on_submit():
        accept = form.decision.data == "accept"
        where = invitation.organisation.name if invitation.organisation else "the national programme"
        label = invitation.role.label if invitation.role else ""
        try:
            user_services.respond_to_role_invitation(token, accept=accept, by=current_user)
        except TokenError as problem:
            db_session().rollback()
            return _token_problem(problem), 410
        except DomainError as problem:
            db_session().rollback()
            form.fail(problem, "decision")
        else:
            db_session().commit()
            flash(f"You now have the role {label} at {where}" if accept
                  else f"You have declined the invitation to {where}", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/role_invitation.html", invitation=invitation, form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit(sign_in_limit, methods=["POST"])
def forgot_password() -> Any:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, ip_address=_client_ip())
        db_session().commit()
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> Any:
    try:
        from portal.auth.models import TokenPurpose
        from portal.auth.tokens import resolve_token

        resolve_token(token, TokenPurpose.PASSWORD_RESET)
    except TokenError as error:
        return _token_problem(error), 410 if error.reason in {"expired", "used", "replaced"} else 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except TokenError as error:
            db_session().rollback()
            return _token_problem(error), 410
        except DomainError as error:
            db_session().rollback()
            form.fail(error, "password")
        else:
            db_session().commit()
            logout_user()
            session.clear()
            flash("Your password has been changed. Sign in with your new password", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)


# ---------------------------------------------------------------------------------------------------- account
@bp.route("/account")
@requires(can_use_account)
def account() -> Any:
    return render_template("auth/account.html", recovery_left=services.unused_recovery_codes(current_user)
                           if current_user.has_two_factor else 0, action_form=ActionForm())


def _password_again(field: Any, wrong: str = "Your password is incorrect") -> Response | bool:
    """Check the password a signed-in person typed again: True when right; False (with the field's error) when
    wrong; when that locks the account (or it already was), every session has ended: sign out here and say so."""
    outcome = services.reconfirm_password(current_user, field.data, ip_address=_client_ip())
    if outcome == ReconfirmOutcome.OK:
        return True
    db_session().commit()  # keep the count (and the lock, and the ended sessions)
    if outcome == ReconfirmOutcome.LOCKED:
        logout_user()
        session.clear()
        minutes = current_app.config["LOCKOUT_MINUTES"]
        flash(f"You entered a wrong password too many times, so we have signed you out and locked your account for "
              f"{minutes} minutes. Sign in again after that, or reset your password.", "info")
        return redirect(url_for("auth.sign_in"))
    field.errors = [wrong]
    return False


@bp.route("/account/password", methods=["GET", "POST"])
@requires(can_use_account)
@limiter.limit(sign_in_limit, methods=["POST"])
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        confirmed = _password_again(form.current_password, "Your current password is incorrect")
        if isinstance(confirmed, Response):
            return confirmed
        if confirmed:
            try:
                services.change_password(current_user, form.password.data,
                                         keep_session=sessions.current_session_id())
            except DomainError as error:
                db_session().rollback()
                form.fail(error, "password")
            else:
                db_session().commit()
                flash("Your password has been changed. You have been signed out everywhere else", "success")
                return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@requires(can_use_account)
def sign_out_everywhere() -> Any:
    form = ActionForm()
    if form.validate_on_submit():
        services.record_sign_out(current_user, session_id=None, everywhere=True)
        db_session().commit()
        logout_user()
        session.clear()
        flash("You have been signed out on every device", "success")
    return redirect(url_for("auth.sign_in"))


def _qr_svg(data: str) -> Markup:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True,
                                     title="QR code to add this service to your authenticator app",
                                     svgclass="app-qr-code")
    return Markup(buffer.getvalue().decode().replace("<svg ", '<svg role="img" ', 1))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@requires(can_use_account)
def two_factor_setup() -> Any:
    if current_user.has_two_factor:
        return redirect(url_for("auth.account"))
    form = EnableTwoFactorForm()
    if form.validate_on_submit():
        try:
            codes = services.enable_two_factor(current_user, form.code.data)
        except DomainError as error:
            db_session().rollback()
            form.fail(error, "code")
        else:
            db_session().commit()
            return render_template("auth/recovery_codes.html", codes=codes, just_enabled=True)
    secret = services.pending_totp_secret(current_user)
    db_session().commit()  # the key is kept until confirmed or renewed, whoever asks for the page
    uri = services.totp_uri(current_user, secret)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("auth/two_factor_setup.html", form=form, qr=_qr_svg(uri), secret=grouped)


@bp.route("/account/two-factor/new-key", methods=["POST"])
@requires(can_use_account)
def two_factor_new_key() -> Any:
    if current_user.has_two_factor:
        return redirect(url_for("auth.account"))
    if ActionForm().validate_on_submit():
        services.renew_pending_totp_secret(current_user, by=current_user)
        db_session().commit()
        flash("You have a new key. Remove the old entry from your authenticator app and add this one", "success")
    return redirect(url_for("auth.two_factor_setup"))


@bp.route("/account/two-factor/turn-off", methods=["GET", "POST"])
@requires(can_use_account)
@limiter.limit(sign_in_limit, methods=["POST"])
def two_factor_disable() -> Any:
    if not current_user.has_two_factor:
        return redirect(url_for("auth.account"))
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        confirmed = _password_again(form.password)
        if isinstance(confirmed, Response):
            return confirmed
        if confirmed:
            try:
                services.disable_two_factor(current_user, by=current_user,
                                            keep_session=sessions.current_session_id())
            except DomainError as error:
                db_session().rollback()
                form.fail(error, "password")
            else:
                db_session().commit()
                flash("Two-factor authentication is turned off", "success")
                return redirect(url_for("auth.account"))
    return render_template("auth/two_factor_disable.html", form=form)


@bp.route("/account/recovery-codes", methods=["GET", "POST"])
@requires(can_use_account)
@limiter.limit(sign_in_limit, methods=["POST"])
def recovery_codes() -> Any:
    if not current_user.has_two_factor:
        return redirect(url_for("auth.account"))
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        confirmed = _password_again(form.password)
        if isinstance(confirmed, Response):
            return confirmed
        if confirmed:
            codes = services.regenerate_recovery_codes(current_user)
            audit.record(current_user, "auth.recovery_codes_regenerated", current_user)
            db_session().commit()
            return render_template("auth/recovery_codes.html", codes=codes, just_enabled=False)
    return render_template("auth/recovery_codes_confirm.html", form=form)


# ---------------------------------------------------------------------------------------------------- sessions
@bp.route("/account/sessions")
@requires(can_use_account)
def sessions_list() -> Any:
    return render_template("auth/sessions.html", sessions=sessions.live_sessions(current_user),
                           this_session=sessions.current_session_id(), action_form=ActionForm())


@bp.route("/account/sessions/<int:session_id>/sign-out", methods=["POST"])
@requires(can_end_session, load=("session_id", UserSession))
def end_session(usersession: UserSession) -> Any:
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.sessions_list"))
    this_one = usersession.id == sessions.current_session_id()
    sessions.revoke_session(usersession, "signed_out_from_sessions_page")
    audit.record(current_user, "auth.session_ended", current_user, session_id=usersession.id)
    db_session().commit()
    if this_one:
        logout_user()
        session.clear()
        flash("You have signed out", "success")
        return redirect(url_for("auth.sign_in"))
    flash(f"You have signed out {usersession.device}", "success")
    return redirect(url_for("auth.sessions_list"))

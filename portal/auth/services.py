"""Signing in, passwords, two-factor authentication and the account links that set them."""
from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
from dataclasses import dataclass

import pyotp
from flask import current_app
from sqlalchemy import func, select, update

from portal import audit
from portal.auth.models import RecoveryCode, TokenPurpose
from portal.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from portal.auth.sessions import revoke_all_sessions
from portal.auth.tokens import consume_token, issue_token, random_code, resolve_token
from portal.db import session, utcnow
from portal.exceptions import DomainError
from portal.mail import queue_email
from portal.urls import external_url
from portal.users.models import User, UserStatus, normalise_email

RECOVERY_CODE_COUNT = 10
TOTP_ISSUER = "Expert practitioner pathway"


class SignInOutcome(enum.Enum):
    OK = "ok"
    NEEDS_SECOND_FACTOR = "needs_second_factor"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    DISABLED = "disabled"


class ReconfirmOutcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None
    locked_until: dt.datetime | None = None


def find_user_by_email(email: str) -> User | None:
    return session().execute(select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


def authenticate(email: str, password: str, *, ip_address: str | None = None) -> SignInResult:
    """Check a password sign-in. Unknown e-mail, wrong password and a locked account must look the same to the
    person signing in (same message, same work): the view shows one message for BAD_CREDENTIALS and LOCKED."""
    user = find_user_by_email(email)
    now = utcnow()
    if user is None or user.status == UserStatus.INVITED:
        verify_password(None, password)  # same cost as a real check
        audit.record(None, "auth.sign_in_failed", ip_address=ip_address, reason="unknown_account")
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now:
        verify_password(None, password)
        audit.record(user, "auth.sign_in_refused", user, ip_address=ip_address, reason="locked")
        return SignInResult(SignInOutcome.LOCKED, locked_until=user.locked_until)
    if not verify_password(user.password_hash, password):
        # Counted atomically so parallel guesses cannot slip past the threshold.
        _count_failure(user)
        audit.record(None, "auth.sign_in_failed", user, ip_address=ip_address, reason="wrong_password")
        if user.locked_until is not None and user.locked_until > now:
            return SignInResult(SignInOutcome.LOCKED, locked_until=user.locked_until)
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    if user.status == UserStatus.DISABLED:
        audit.record(user, "auth.sign_in_refused", user, ip_address=ip_address, reason="disabled")
        return SignInResult(SignInOutcome.DISABLED, user)
    user.failed_sign_ins = 0
    user.locked_until = None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.has_two_factor:
        return SignInResult(SignInOutcome.NEEDS_SECOND_FACTOR, user)
    complete_sign_in(user, ip_address=ip_address, method="password")
    return SignInResult(SignInOutcome.OK, user)


def complete_sign_in(user: User, *, ip_address: str | None, method: str) -> None:
    user.last_sign_in_at = utcnow()
    audit.record(user, "auth.signed_in", user, ip_address=ip_address, method=method)
    session().flush()


def record_sign_out(user: User, *, session_id: int | None, everywhere: bool = False) -> None:
    """End the session ``session_id`` on the server (a copy of its cookie stops working), or every session."""
    from portal.auth.models import UserSession

    if everywhere:
        user.session_version += 1
        revoke_all_sessions(user, "signed_out_everywhere")
    elif session_id is not None:
        session().execute(update(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id,
                                                    UserSession.revoked_at.is_(None))
                          .values(revoked_at=utcnow(), revoked_reason="signed_out")
                          .execution_options(synchronize_session=False))
    audit.record(user, "auth.signed_out_everywhere" if everywhere else "auth.signed_out", user)
    session().flush()


def set_password(user: User, new_password: str, *, by: User | None, reason: str = "password_set",
                 keep_session: int | None = None) -> None:
    """Set a new password; every session but ``keep_session`` ends."""
    problems = password_problems(new_password, email=user.email, name=user.name)
    if problems:
        raise DomainError(problems[0], "password")
    user.password_hash = hash_password(new_password)
    user.session_version += 1  # a pending two-factor step started with the old password ends too
    revoke_all_sessions(user, reason, keep=keep_session)
    user.failed_sign_ins = 0
    user.locked_until = None
    session().flush()


def reconfirm_password(user: User, password: str, *, ip_address: str | None = None) -> ReconfirmOutcome:
    """A signed-in person types their password again before something sensitive (new recovery codes, a new
    password, two-factor turned off). Wrong passwords count towards the same lockout as failed sign-ins; when the
    account is (or becomes) locked, every one of its sessions ends: the caller signs this one out and says why."""
    if is_locked(user):
        verify_password(None, password)  # same work either way
        outcome = ReconfirmOutcome.LOCKED
    elif verify_password(user.password_hash, password):
        user.failed_sign_ins = 0
        session().flush()
        return ReconfirmOutcome.OK
    else:
        _count_failure(user)
        audit.record(user, "auth.reconfirm_failed", user, ip_address=ip_address)
        outcome = ReconfirmOutcome.LOCKED if is_locked(user) else ReconfirmOutcome.WRONG
    if outcome == ReconfirmOutcome.LOCKED:
        revoke_all_sessions(user, "locked_out")
        audit.record(user, "auth.signed_out_locked", user, ip_address=ip_address)
        session().flush()
    return outcome


def change_password(user: User, new_password: str, *, keep_session: int | None) -> None:
    """Change a signed-in user's password (they have re-confirmed the current one); their other sessions end."""
    set_password(user, new_password, by=user, reason="password_changed", keep_session=keep_session)
    audit.record(user, "auth.password_changed", user)


# ------------------------------------------------------------------------------------------------ account links
def send_invitation(user: User, *, by: User | None, role_label: str, organisation_name: str) -> None:
    """E-mail ``user`` a link to set their password and activate their account."""
    days = current_app.config["INVITATION_DAYS"]
    issued = issue_token(user, TokenPurpose.INVITATION, lifetime=dt.timedelta(days=days), by=by)
    queue_email(user.email, "You have been invited to the expert practitioner pathway", "invitation",
                user=user, link=external_url("auth.accept_invitation", token=issued.signed), days=days,
                role_label=role_label, organisation_name=organisation_name, inviter=by)
    audit.record(by, "auth.invitation_sent", user, token_id=issued.token.id)


def invitation_user(signed: str) -> User:
    """The invited person behind a link (raises TokenError when the link cannot be used)."""
    return resolve_token(signed, TokenPurpose.INVITATION).user


def accept_invitation(signed: str, password: str) -> User:
    """Set the password of an invited user and activate the account; the link then stops working."""
    token = resolve_token(signed, TokenPurpose.INVITATION, for_update=True)
    user = token.user
    if user.status == UserStatus.DISABLED:
        raise DomainError("This account has been disabled. Contact your employer admin.")
    set_password(user, password, by=user)
    consume_token(token)
    user.status = UserStatus.ACTIVE
    audit.record(user, "auth.invitation_accepted", user)
    session().flush()
    return user


def request_password_reset(email: str, *, ip_address: str | None = None) -> None:
    """Send a reset link if an active account has that address; otherwise do nothing (say the same either way)."""
    user = find_user_by_email(email)
    if user is None or user.status != UserStatus.ACTIVE:
        audit.record(None, "auth.password_reset_unknown", ip_address=ip_address)
        return
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    issued = issue_token(user, TokenPurpose.PASSWORD_RESET, lifetime=dt.timedelta(minutes=minutes), by=None)
    queue_email(user.email, "Reset your password", "password_reset", user=user, minutes=minutes,
                link=external_url("auth.reset_password", token=issued.signed))
    audit.record(None, "auth.password_reset_requested", user, ip_address=ip_address)


def reset_password(signed: str, password: str) -> User:
    token = resolve_token(signed, TokenPurpose.PASSWORD_RESET, for_update=True)
    user = token.user
    if user.status != UserStatus.ACTIVE:
        raise DomainError("This account is not active. Contact your employer admin.")
    set_password(user, password, by=user, reason="password_reset")
    consume_token(token)
    audit.record(user, "auth.password_reset", user)
    return user


# ---------------------------------------------------------------------------------------------------- two-factor
def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def _matching_timestep(secret: str, code: str, at: dt.datetime | None = None) -> int | None:
    """The time-step a code belongs to (allowing one step of clock drift either way), or None."""
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = (at or utcnow()).timestamp()
    current = int(now // totp.interval)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def pending_totp_secret(user: User) -> str:
    """The key offered to ``user`` to set up two-factor authentication. It is made once per attempt and kept on the
    user until it is confirmed or the person asks for a new one, so a reload, a second tab or any other request
    shows the same key as the app was given. When two requests make the first key at once, one wins and both
    return it."""
    if user.totp_pending_secret is None:
        session().execute(update(User).where(User.id == user.id, User.totp_pending_secret.is_(None))
                          .values(totp_pending_secret=new_totp_secret())
                          .execution_options(synchronize_session=False))
        session().refresh(user, ["totp_pending_secret"])
    assert user.totp_pending_secret is not None
    return user.totp_pending_secret


def renew_pending_totp_secret(user: User, *, by: User) -> str:
    """Replace the key offered to ``user`` (they asked for a new one); the old key stops working for set-up."""
    if user.has_two_factor:
        raise DomainError("Two-factor authentication is already turned on")
    user.totp_pending_secret = new_totp_secret()
    audit.record(by, "auth.two_factor_key_renewed", user)
    session().flush()
    return user.totp_pending_secret


def enable_two_factor(user: User, code: str) -> list[str]:
    """Turn on TOTP after the user proves their app has the pending key (see ``pending_totp_secret``); returns fresh
    recovery codes (shown once)."""
    if user.has_two_factor:
        raise DomainError("Two-factor authentication is already turned on", "code")
    secret = user.totp_pending_secret
    step = _matching_timestep(secret, code) if secret else None
    if secret is None or step is None:
        raise DomainError("The code is not correct – check your authenticator app and try again", "code")
    user.totp_secret = secret
    user.totp_pending_secret = None
    user.totp_enabled_at = utcnow()
    user.totp_last_timestep = step
    codes = regenerate_recovery_codes(user)
    audit.record(user, "auth.two_factor_enabled", user)
    return codes


def disable_two_factor(user: User, *, by: User, keep_session: int | None = None) -> None:
    """Turn two-factor authentication off; every session but ``keep_session`` ends (one started with the second
    factor must not outlive it)."""
    if user.needs_two_factor and by.id == user.id:
        raise DomainError("Your role needs two-factor authentication, so you cannot turn it off")
    revoke_all_sessions(user, "two_factor_turned_off", keep=keep_session)
    user.totp_secret = None
    user.totp_pending_secret = None  # turning it on again starts with a fresh key
    user.totp_enabled_at = None
    user.totp_last_timestep = None
    session().execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                      .values(used_at=utcnow()).execution_options(synchronize_session=False))
    audit.record(by, "auth.two_factor_disabled", user)
    session().flush()


def _code_hash(user: User, code: str) -> str:
    normalised = "".join(code.lower().split()).replace("-", "")
    return hashlib.sha256(f"{user.id}:{normalised}".encode()).hexdigest()


def regenerate_recovery_codes(user: User) -> list[str]:
    sess = session()
    sess.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                 .values(used_at=utcnow()).execution_options(synchronize_session=False))
    codes = [random_code(10) for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        sess.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(user, code)))
    sess.flush()
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def unused_recovery_codes(user: User) -> int:
    return session().execute(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).scalar_one()


def verify_second_factor(user: User, code: str, *, ip_address: str | None = None) -> bool:
    """Accept a TOTP code once (a replayed or older code is refused) or an unused recovery code."""
    if not user.has_two_factor or not user.totp_secret:
        return False
    step = _matching_timestep(user.totp_secret, code)
    if step is not None:
        # Compare-and-set on the last accepted step: two requests with one code cannot both pass.
        result = session().execute(
            update(User).where(User.id == user.id,
                               (User.totp_last_timestep.is_(None)) | (User.totp_last_timestep < step))
            .values(totp_last_timestep=step).execution_options(synchronize_session=False))
        if result.rowcount == 1:
            session().refresh(user)
            complete_sign_in(user, ip_address=ip_address, method="totp")
            return True
        audit.record(user, "auth.two_factor_replay_refused", user, ip_address=ip_address)
        return False
    result = session().execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
                                   RecoveryCode.code_hash == _code_hash(user, code))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if result.rowcount == 1:
        complete_sign_in(user, ip_address=ip_address, method="recovery_code")
        return True
    _count_failure(user)
    audit.record(user, "auth.two_factor_failed", user, ip_address=ip_address)
    return False


def _count_failure(user: User) -> None:
    """A wrong second factor counts towards the same lockout as a wrong password."""
    cfg = current_app.config
    session().execute(
        update(User).where(User.id == user.id).values(failed_sign_ins=User.failed_sign_ins + 1)
        .execution_options(synchronize_session=False))
    session().refresh(user)
    if user.failed_sign_ins >= cfg["LOCKOUT_THRESHOLD"]:
        user.locked_until = utcnow() + dt.timedelta(minutes=cfg["LOCKOUT_MINUTES"])
        user.failed_sign_ins = 0
        audit.record(None, "auth.account_locked", user)
        # The sign-in page answers a locked account like an unknown address; the owner hears it by e-mail.
        queue_email(user.email, "Your account has been locked", "account_locked", user=user,
                    threshold=cfg["LOCKOUT_THRESHOLD"], minutes=cfg["LOCKOUT_MINUTES"],
                    link=external_url("auth.forgot_password"))
    session().flush()


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()

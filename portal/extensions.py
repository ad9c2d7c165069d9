"""Unbound extension objects, initialised in create_app."""
from __future__ import annotations

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue"
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"

csrf = CSRFProtect()


def _limiter_key() -> str:
    return get_remote_address() or request.remote_addr or "unknown"


limiter = Limiter(key_func=_limiter_key, default_limits=[], headers_enabled=True)


def sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]

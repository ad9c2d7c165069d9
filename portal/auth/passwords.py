"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 12
MAX_LENGTH = 256

# The commonest choices people make; NCSC advice is three random words instead.
_COMMON = {
    "password1234", "password12345", "password123!", "qwertyuiop12", "123456789012", "iloveyou1234",
    "socialworker", "socialwork123", "welcome12345", "letmein12345", "changeme1234", "passwordpassword",
    "qwerty123456", "abc123456789", "111111111111", "000000000000", "administrator",
}


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    key = "portal_password_hasher"
    if key not in current_app.extensions:
        current_app.extensions[key] = PasswordHasher(
            time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"],
            parallelism=cfg["ARGON2_PARALLELISM"],
        )
    return current_app.extensions[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-ish time: an absent hash is still checked against a dummy so timing does not reveal accounts."""
    hasher = _hasher()
    target = password_hash or _dummy_hash()
    try:
        ok = hasher.verify(target, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def _dummy_hash() -> str:
    key = "portal_dummy_hash"
    if key not in current_app.extensions:
        current_app.extensions[key] = _hasher().hash("not-a-real-password-but-same-cost")
    return current_app.extensions[key]


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """GOV.UK-worded reasons a new password is refused (empty when it is acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Password must be {MIN_LENGTH} characters or more")
    elif len(password) > MAX_LENGTH:
        problems.append(f"Password must be {MAX_LENGTH} characters or fewer")
    lowered = password.lower()
    if lowered in _COMMON or len(set(password)) < 4:
        problems.append("Password is too easy to guess – try 3 random words")
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in lowered:
        problems.append("Password must not contain your email address")
    return problems

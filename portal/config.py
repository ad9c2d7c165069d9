"""Configuration classes. Secrets and URLs come only from the environment (see the README's table)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from portal.serving import check_worker_count, rate_limit_storage_uri

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def instance_path() -> Path:
    return Path(os.environ.get("PORTAL_INSTANCE_PATH", PROJECT_ROOT / "instance"))


def _development_secret() -> str:
    """A secret generated once into instance/ so sessions survive restarts in development."""
    path = instance_path() / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    ENV_NAME = "base"
    TESTING = False
    DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path() / 'portal.sqlite3'}"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    EXTERNAL_URL = os.environ.get("EXTERNAL_URL", "http://127.0.0.1:5000").rstrip("/")
    SERVICE_NAME = "Expert practitioner pathway"

    # Mail: messages go into the outbox table and are delivered by `portal mail send`.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")  # console | file | smtp
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_FROM = os.environ.get("MAIL_FROM", "Expert practitioner pathway <no-reply@pathway.example>")
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(instance_path() / "mail"))

    # Rate limits (memory is per process: use Redis in production, e.g. redis://127.0.0.1:6379/0).
    RATELIMIT_STORAGE_URI = rate_limit_storage_uri()  # memory:// unless set; see portal/serving.py
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "portal")
    SIGN_IN_RATE_LIMIT = os.environ.get("SIGN_IN_RATE_LIMIT", "10 per minute;100 per hour")
    # also on the pages that ask a signed-in person for their password again (recovery codes, password, 2FA off)

    # Accounts
    LOCKOUT_THRESHOLD = _int("LOCKOUT_THRESHOLD", 5)
    LOCKOUT_MINUTES = _int("LOCKOUT_MINUTES", 15)
    INVITATION_DAYS = _int("INVITATION_DAYS", 7)
    PASSWORD_RESET_MINUTES = _int("PASSWORD_RESET_MINUTES", 60)
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    # Cookies and forms
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = _int("SESSION_HOURS", 12) * 3600  # absolute: however busy, sign in again after
    # Sessions live on the server (portal/auth/sessions.py); the cookie only names one. 30 minutes idle is the
    # common choice for GOV.UK services holding personal data (and what NCSC-style guidance for such services uses).
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    SESSION_STORE = os.environ.get("SESSION_STORE", "database")  # the user_sessions table (the only store so far)
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # long reflective forms must not expire mid-writing
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 105 * 1024 * 1024)  # a request may carry several files
    EVIDENCE_STORAGE_URL = os.environ.get("EVIDENCE_STORAGE_URL", f"file://{instance_path() / 'evidence'}")
    EVIDENCE_MAX_BYTES = _int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
    EVIDENCE_MAX_FILES_PER_ITEM = _int("EVIDENCE_MAX_FILES_PER_ITEM", 10)
    PREFERRED_URL_SCHEME = "https"
    TRUST_PROXY = _int("TRUST_PROXY", 0)  # number of proxies in front (enables ProxyFix and HSTS)
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # text | json
    PAGE_SIZE = _int("PAGE_SIZE", 25)

    # Oversight: at-risk flags (see portal/oversight/atrisk.py), reminders and retention
    AT_RISK_MONTHS_LEFT = _int("AT_RISK_MONTHS_LEFT", 3)
    AT_RISK_TOLERANCE = _float("AT_RISK_TOLERANCE", 0.5)
    DUE_SOON_DAYS = _int("DUE_SOON_DAYS", 30)
    REVIEW_REMINDER_DAYS = _int("REVIEW_REMINDER_DAYS", 14)
    VERIFICATION_REMINDER_DAYS = _int("VERIFICATION_REMINDER_DAYS", 7)
    REMINDER_LOOKBACK_DAYS = _int("REMINDER_LOOKBACK_DAYS", 30)
    RETENTION_YEARS = _int("RETENTION_YEARS", 6)
    MAIL_GIVE_UP_HOURS = _int("MAIL_GIVE_UP_HOURS", 72)

    # Certificates and verifiable credentials
    CREDENTIAL_KEY_DIR = os.environ.get("CREDENTIAL_KEY_DIR", "")  # default: instance/credential-keys
    CREDENTIAL_ISSUER_NAME = os.environ.get(
        "CREDENTIAL_ISSUER_NAME", "Expert practitioner pathway for child and family social workers")
    STATUS_LIST_LENGTH = _int("STATUS_LIST_LENGTH", 131_072)  # bits per status list; only ever raise it
    STATUS_LIST_MAX_AGE = _int("STATUS_LIST_MAX_AGE", 60)  # seconds verifiers and proxies may cache a list
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute;300 per hour")
    # API look-ups per token: every registration number or code looked up counts (a bulk check of 1,000 numbers is
    # 1,000), so a minute's limit fits one full bulk check; and a daily quota (429 saying when it resets).
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "1000 per minute;5000 per hour")
    API_DAILY_QUOTA = _int("API_DAILY_QUOTA", 10_000)
    API_MAX_TOKENS_PER_ORGANISATION = _int("API_MAX_TOKENS_PER_ORGANISATION", 5)

    def __init__(self) -> None:
        # Re-read the environment when the class is instantiated (tests and CLI set variables late).
        self.DATABASE_URL = os.environ.get("DATABASE_URL") or self.DATABASE_URL
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or self.SECRET_KEY
        self.CREDENTIAL_KEY_DIR = os.environ.get("CREDENTIAL_KEY_DIR") or str(instance_path() / "credential-keys")
        self.RATELIMIT_STORAGE_URI = rate_limit_storage_uri()
        # A browser test moves the clock of the server it drives through this file (portal.clock); never in production.
        self.TEST_CLOCK_FILE = os.environ.get("PORTAL_TEST_CLOCK_FILE") or None


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    # Chromium and Firefox treat http://127.0.0.1 as a secure context, so Secure cookies still work locally.

    def __init__(self) -> None:
        super().__init__()
        if not self.SECRET_KEY:
            self.SECRET_KEY = _development_secret()


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production-0123456789"
    DATABASE_URL = "sqlite://"
    MAIL_BACKEND = "memory"
    SIGN_IN_RATE_LIMIT = "100000 per minute"  # tests that check the limit set their own
    VERIFY_RATE_LIMIT = "100000 per minute"
    API_RATE_LIMIT = "100000 per minute"
    API_DAILY_QUOTA = 10_000_000
    RATELIMIT_STORAGE_URI = "memory://"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    EXTERNAL_URL = "https://portal.test"
    SERVER_NAME = None
    PROPAGATE_EXCEPTIONS_IN_TESTS = True

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = TestConfig.SECRET_KEY
        self.DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
        self.RATELIMIT_STORAGE_URI = TestConfig.RATELIMIT_STORAGE_URI
        self.EVIDENCE_STORAGE_URL = f"file://{instance_path() / 'evidence'}"


class ProductionConfig(Config):
    ENV_NAME = "production"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")

    def __init__(self) -> None:
        super().__init__()
        if not self.SECRET_KEY or len(self.SECRET_KEY) < 32 or "change" in self.SECRET_KEY.lower():
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if self.TEST_CLOCK_FILE:
            raise RuntimeError("PORTAL_TEST_CLOCK_FILE moves the service's clock for tests: unset it in production")
        # gunicorn.conf.py checks the final worker count; this catches WEB_CONCURRENCY without that file.
        check_worker_count(_int("WEB_CONCURRENCY", 1), storage_uri=self.RATELIMIT_STORAGE_URI, production=True)


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> Config:
    name = os.environ.get("PORTAL_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"PORTAL_ENV must be one of {', '.join(CONFIGS)}; got {name!r}") from None

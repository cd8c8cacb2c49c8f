"""Settings: read once from environment variables, with safe embedded defaults."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def database_url(raw: str | None, instance_path: str) -> str:
    """DATABASE_URL as given, with PostgreSQL routed through psycopg 3."""
    if not raw:
        return "sqlite:///" + str(Path(instance_path) / "clinic.db")
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def _instance_secret(instance_path: str) -> str:
    """A development secret kept in the instance folder so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(instance_path: str) -> dict:
    """Every setting of the application, with its default. README.md lists them."""
    env = os.environ.get("CLINIC_ENV", "development")
    production = env == "production"
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        if production:
            raise RuntimeError("SECRET_KEY must be set when CLINIC_ENV=production.")
        secret = _instance_secret(instance_path)
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    if production and storage.startswith("memory://") and _bool("RATELIMIT_ENABLED", True) \
            and not _bool("RATELIMIT_ALLOW_MEMORY", False):
        raise RuntimeError(
            "RATELIMIT_STORAGE_URI is memory:// with CLINIC_ENV=production: each worker would count failed "
            "sign-ins on its own and forget them at every reload. Set RATELIMIT_STORAGE_URI=redis://HOST:6379 "
            "(see README, Production), or RATELIMIT_ALLOW_MEMORY=1 if exactly one process serves the app.")
    return {
        "CLINIC_ENV": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL"), instance_path),
        # pre-ping: a dropped database connection is replaced, not handed to a request. hide_parameters:
        # the values of a failed statement are patient data; its error message is logged.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "CLINIC_NAME": os.environ.get("CLINIC_NAME", "Second Opinion Clinic"),
        # In every mail's header and footer: how a patient reaches the clinic (demo values by default).
        "CLINIC_ADDRESS": os.environ.get("CLINIC_ADDRESS", "200 Example Avenue, Suite 300, Boston, MA 02115"),
        "CLINIC_PHONE": os.environ.get("CLINIC_PHONE", "+1 617 555 0142"),
        "CLINIC_TIMEZONE": os.environ.get("CLINIC_TIMEZONE", "America/New_York"),
        "IDLE_TIMEOUT_MINUTES": _int("IDLE_TIMEOUT_MINUTES", 15),
        "SESSION_LIFETIME_HOURS": _int("SESSION_LIFETIME_HOURS", 12),
        "LOGIN_FAILURE_LIMIT": os.environ.get("LOGIN_FAILURE_LIMIT", "5 per minute"),
        "LOGIN_ACCOUNT_LIMIT": os.environ.get("LOGIN_ACCOUNT_LIMIT", "20 per hour;50 per day"),
        "LOGIN_ADDRESS_LIMIT": os.environ.get("LOGIN_ADDRESS_LIMIT", "20 per minute"),
        "PUBLIC_REQUEST_LIMIT": os.environ.get("PUBLIC_REQUEST_LIMIT", "20 per hour"),
        "RATELIMIT_STORAGE_URI": storage,
        # X-Forwarded-For is believed only from this many proxies in front of the app (0: none).
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "INDEPENDENCE_LOOKBACK_YEARS": _int("INDEPENDENCE_LOOKBACK_YEARS", 5),
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_MB", 50) * 1024 * 1024,
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(Path(instance_path) / "uploads")),
        "UPLOAD_LINK_DAYS": _int("UPLOAD_LINK_DAYS", 14),
        # The patient's status page: each link works this many days, and this long after the case ends.
        "STATUS_LINK_DAYS": _int("STATUS_LINK_DAYS", 365),
        "STATUS_AFTER_END_DAYS": _int("STATUS_AFTER_END_DAYS", 90),
        "STATUS_PAGE_LIMIT": os.environ.get("STATUS_PAGE_LIMIT", "120 per hour"),
        # A patient moves their consultation on the status page at least this long before it.
        "PATIENT_MOVE_NOTICE_HOURS": _int("PATIENT_MOVE_NOTICE_HOURS", 24),
        "DECISION_FOLLOW_UP_DAYS": _int("DECISION_FOLLOW_UP_DAYS", 30),
        # Reminders before a consultation, in hours (comma-separated), sent by `clinic worker` or cron.
        "REMINDER_HOURS": os.environ.get("REMINDER_HOURS", "48,2"),
        "WORKER_INTERVAL_SECONDS": _int("WORKER_INTERVAL_SECONDS", 30),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "scheduling@clinic.example"),
        "MAIL_FOLDER": os.environ.get("MAIL_FOLDER", str(Path(instance_path) / "mail")),
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        # The mailbox replies to invites come back to (MAIL_FROM's), read by `clinic mail fetch`.
        "INBOX_IMAP_HOST": os.environ.get("INBOX_IMAP_HOST", ""),
        "INBOX_IMAP_PORT": _int("INBOX_IMAP_PORT", 993),
        "INBOX_IMAP_USER": os.environ.get("INBOX_IMAP_USER", ""),
        "INBOX_IMAP_PASSWORD": os.environ.get("INBOX_IMAP_PASSWORD", ""),
        "INBOX_IMAP_SSL": _bool("INBOX_IMAP_SSL", True),
        "INBOX_IMAP_STARTTLS": _bool("INBOX_IMAP_STARTTLS", False),
        "INBOX_IMAP_FOLDER": os.environ.get("INBOX_IMAP_FOLDER", "INBOX"),
        "PASSWORD_HASH_METHOD": "scrypt",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("SESSION_LIFETIME_HOURS", 12)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "QUEUE_PAGE_SIZE": _int("QUEUE_PAGE_SIZE", 25),
        # Rows per roster file through the admin page; `clinic directory import --max-rows` takes more.
        "ROSTER_MAX_ROWS": _int("ROSTER_MAX_ROWS", 100_000),
    }

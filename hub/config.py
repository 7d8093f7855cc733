"""Settings for the hub, read from the environment.

Order of precedence (lowest first): the defaults below, ``DATABASE_URL``/``SECRET_KEY``/``HUB_*`` environment
variables, then the ``config`` mapping passed to :func:`hub.create_app` (used by tests).
"""

from __future__ import annotations

import os
from pathlib import Path


class ConfigError(RuntimeError):
    """Raised when the configuration is unsafe or incomplete (e.g. no SECRET_KEY in production)."""


DEV_SECRET_KEY = "dev-only-not-secret"  # used only when HUB_ENV is development/testing


def _normalise_db_url(url: str) -> str:
    """Accept the URLs people paste (``postgres://``, ``postgresql://``) and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def base_config(instance_path: str) -> dict:
    """The defaults: embedded SQLite in the instance folder, outbox mail, Japanese first."""
    env = os.environ.get("HUB_ENV", "production")
    db_url = os.environ.get("DATABASE_URL") or "sqlite:///" + str(Path(instance_path) / "hub.sqlite3")
    return {
        "ENV_NAME": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": _normalise_db_url(db_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "UPLOAD_FOLDER": str(Path(instance_path) / "uploads"),
        "DEMO_ACCOUNTS_FILE": str(Path(instance_path) / "demo-accounts.txt"),
        "PHOTO_MAX_BYTES": 8 * 1024 * 1024,
        "PHOTO_MAX_PIXELS": 40_000_000,
        "PHOTO_MAX_SIDE": 1600,
        "ATTACHMENT_MAX_BYTES": 15 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
        "LANGUAGES": ["ja", "en"],
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BOOTSTRAP_BOOTSWATCH_THEME": None,
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_LOGIN": "10 per minute",
        "RATELIMIT_API": "120 per minute",
        "RATELIMIT_MATCH": "60 per minute",
        "RATELIMIT_SIGNUP": "20 per hour",
        "RATELIMIT_BOOKING": "30 per minute",  # public Open Factory bookings, per client
        "RATELIMIT_DEALS_INQUIRY": "20 per hour",  # new inquiries, per user
        # Open Factory bookings lock the slot row before counting seats. Only the control test switches it off
        # (with a small pause between counting and inserting, so that the race it proves shows up reliably).
        "EVENTS_BOOKING_LOCK": True,
        "EVENTS_RACE_DELAY": 0,
        # Absolute links in emails sent outside a request (reminders, digests).
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "MAIL_SERVER": None,
        "MAIL_PORT": 587,
        "MAIL_USE_TLS": True,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": "Machi-Koba Hub <no-reply@machikoba-hub.example>",
        "MAIL_TIMEOUT": 10,
        "PASSWORD_RESET_MAX_AGE": 3600,
        "EMAIL_VERIFY_MAX_AGE": 3 * 24 * 3600,  # signup confirmation links, and factory-domain claim links
        "API_TOKEN_MAX_AGE_DAYS": 30,
        "DIRECTORY_PER_PAGE": 24,
        "PREFERRED_URL_SCHEME": "http",
        "SERVER_NAME": None,
    }


def finalise(config: dict) -> None:
    """Refuse unsafe settings: production needs a real SECRET_KEY."""
    if not config.get("SECRET_KEY"):
        if config.get("TESTING") or config.get("ENV_NAME") in {"development", "testing"}:
            config["SECRET_KEY"] = DEV_SECRET_KEY
        else:
            raise ConfigError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
                "(or HUB_ENV=development for a local demo)."
            )
    config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(config["SQLALCHEMY_DATABASE_URI"])

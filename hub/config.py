"""Settings for the hub, read from the environment.

Order of precedence (lowest first): the defaults below, ``DATABASE_URL``/``SECRET_KEY``/``HUB_*`` environment
variables, then the ``config`` mapping passed to :func:`hub.create_app` (used by tests).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """Raised when the configuration is unsafe or incomplete (e.g. no SECRET_KEY in production)."""


DEV_ENVS = {"development", "testing"}
DEV_HOSTS = ("localhost", "127.0.0.1")  # trusted as well in development and tests


# Test-only switches: honoured only when passed to ``create_app(config)`` together with ``TESTING=True``; never
# read from the environment (``HUB_EVENTS_BOOKING_LOCK=false`` must not switch the booking lock off in a running
# site). These are their safe values.
TEST_ONLY_SWITCHES = {"EVENTS_BOOKING_LOCK": True, "EVENTS_RACE_DELAY": 0}


def reset_test_switches(config) -> None:
    """Put every test-only switch back to its safe value (after reading ``HUB_*``, and outside tests)."""
    config.update(TEST_ONLY_SWITCHES)


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
        # Development keeps a random key here (made on first run, mode 0600); never a key shipped in the code.
        "SECRET_KEY_FILE": str(Path(instance_path) / "secret_key"),
        "SQLALCHEMY_DATABASE_URI": _normalise_db_url(db_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "UPLOAD_FOLDER": str(Path(instance_path) / "uploads"),
        "DEMO_ACCOUNTS_FILE": str(Path(instance_path) / "demo-accounts.txt"),
        "PHOTO_MAX_BYTES": 8 * 1024 * 1024,
        "PHOTO_MAX_PIXELS": 40_000_000,
        "PHOTO_MAX_SIDE": 1600,
        "ATTACHMENT_MAX_BYTES": 15 * 1024 * 1024,
        "VIDEO_MAX_BYTES": 15 * 1024 * 1024,  # a know-how card's short clip (below MAX_CONTENT_LENGTH)
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
        "LANGUAGES": ["ja", "en"],
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BOOTSTRAP_BOOTSWATCH_THEME": None,
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_ENABLED": True,
        "REDIS_URL": os.environ.get("REDIS_URL"),
        # None: REDIS_URL when set (shared by every worker on every host), else memory:// (per process).
        "RATELIMIT_STORAGE_URI": None,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # a Redis outage degrades to per-process limits, not 500s
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_LOGIN": "10 per minute",
        "RATELIMIT_API": "120 per minute",
        "RATELIMIT_MATCH": "60 per minute",
        "RATELIMIT_SIGNUP": "20 per hour",
        "RATELIMIT_BOOKING": "30 per minute",  # public Open Factory bookings, per client
        "RATELIMIT_DEALS_INQUIRY": "20 per hour",  # new inquiries, per user
        # Open Factory bookings lock the slot row before counting seats. Only the control test switches it off
        # (with a small pause between counting and inserting, so that the race it proves shows up reliably):
        # see TEST_ONLY_SWITCHES.
        **TEST_ONLY_SWITCHES,
        # Bookings made without an account wait for an emailed link (None: on in production, off in development
        # and tests); the link's lifetime; seats one mailbox may hold on one slot. See docs/events.md.
        "EVENTS_BOOKING_EMAIL_CONFIRMATION": None,
        "EVENTS_CONFIRMATION_MAX_AGE": 24 * 3600,
        "EVENTS_MAX_SEATS_PER_EMAIL": 10,
        # Every absolute link (emails, QR codes) is built on it, never on the request's Host header. Required in
        # production; TRUSTED_HOSTS (None: derived from it) are the only Host headers answered.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL"),
        "TRUSTED_HOSTS": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": None,  # None: on in production
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": None,  # None: on in production
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "HSTS_MAX_AGE": None,  # seconds; None: a year in production, off elsewhere; sent only for https
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
        # Flask-Caching (see hub/core/cache.py): None picks RedisCache when REDIS_URL is set, else SimpleCache.
        # CACHE_PAGES=False renders every public page afresh (e.g. to measure the uncached path).
        "CACHE_TYPE": None,
        "CACHE_PAGES": True,
        # A public succession listing must fit at least this many published directory entries (k-anonymity).
        "SUCCESSION_K_ANONYMITY": 5,
        "PREFERRED_URL_SCHEME": "http",
        "SERVER_NAME": None,
    }


def is_development(config: dict) -> bool:
    """Development, testing or a test run: the only settings where defaults may stand in for real values."""
    return bool(config.get("TESTING")) or config.get("ENV_NAME") in DEV_ENVS


def finalise(config: dict) -> None:
    """Fill the derived settings and refuse unsafe ones: production needs a real SECRET_KEY and PUBLIC_BASE_URL."""
    development = is_development(config)
    if not config.get("SECRET_KEY"):
        if config.get("TESTING"):
            config["SECRET_KEY"] = secrets.token_urlsafe(32)  # a new key for every test app
        elif development:
            config["SECRET_KEY"] = instance_secret_key(Path(config["SECRET_KEY_FILE"]))
        else:
            raise ConfigError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
                "(or HUB_ENV=development for a local demo)."
            )
    config["PUBLIC_BASE_URL"] = _public_base_url(config, development)
    if config.get("TRUSTED_HOSTS") is None:
        config["TRUSTED_HOSTS"] = default_trusted_hosts(config, development)
    elif isinstance(config["TRUSTED_HOSTS"], str):  # HUB_TRUSTED_HOSTS="a.example, b.example"
        config["TRUSTED_HOSTS"] = [h.strip() for h in config["TRUSTED_HOSTS"].split(",") if h.strip()]
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if config.get(key) is None:
            config[key] = not development
    if config.get("HSTS_MAX_AGE") is None:
        config["HSTS_MAX_AGE"] = 0 if development else 365 * 24 * 3600
    if not config.get("RATELIMIT_STORAGE_URI"):
        config["RATELIMIT_STORAGE_URI"] = config.get("REDIS_URL") or "memory://"
    config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(config["SQLALCHEMY_DATABASE_URI"])
    configure_cache(config)
    if not config.get("TESTING"):
        reset_test_switches(config)


def configure_cache(config: dict) -> None:
    """Flask-Caching settings (hub/core/cache.py): Redis when ``REDIS_URL`` is set (shared by every worker on every
    host), else a bounded in-process cache (the generation kept in the database keeps the workers consistent)."""
    if not config.get("CACHE_TYPE"):
        config["CACHE_TYPE"] = "RedisCache" if config.get("REDIS_URL") else "SimpleCache"
    if config["CACHE_TYPE"] == "RedisCache":
        config.setdefault("CACHE_REDIS_URL", config.get("REDIS_URL"))
    config.setdefault("CACHE_KEY_PREFIX", "hub:")
    config.setdefault("CACHE_DEFAULT_TIMEOUT", 600)
    config.setdefault("CACHE_THRESHOLD", 1000)


def instance_secret_key(path: Path) -> str:
    """The development key kept in ``path``; made with :func:`secrets.token_urlsafe` on first use (mode 0600).

    Written to a temporary file and linked into place, so that processes starting together (``make run``'s
    workers) never read a half-written key and all end up with the same one.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process was first: use its key
        finally:
            tmp.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise ConfigError(f"{path} holds no usable secret key: delete it to make a new one.")
    return key


def _public_base_url(config: dict, development: bool) -> str:
    """The configured public origin, checked; a local default in development and tests."""
    url = (config.get("PUBLIC_BASE_URL") or "").strip()
    if not url:
        if not development:
            raise ConfigError(
                "PUBLIC_BASE_URL is not set. Set it to the address people use, e.g. https://hub.example.jp "
                "(every link in an email is built from it)."
            )
        if config.get("SERVER_NAME"):
            url = f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}"
        else:
            url = f"http://127.0.0.1:{os.environ.get('PORT') or 5000}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"PUBLIC_BASE_URL must be an http(s) address such as https://hub.example.jp, not {url!r}.")
    return url.rstrip("/")


def default_trusted_hosts(config: dict, development: bool) -> list[str]:
    """The public base URL's host (and SERVER_NAME's); plus localhost in development and tests."""
    hosts = [urlsplit(config["PUBLIC_BASE_URL"]).hostname]
    if config.get("SERVER_NAME"):
        hosts.append(config["SERVER_NAME"].partition(":")[0])
    if development:
        hosts.extend(DEV_HOSTS)
    return list(dict.fromkeys(hosts))

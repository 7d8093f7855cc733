"""The Machi-Koba Co-Creation Hub: a Flask application for Tokyo's small factories and their partners."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, has_request_context, request, session
from flask_babel import format_datetime, get_locale, lazy_gettext
from sqlalchemy import event
from sqlalchemy.engine import Engine

from hub import config as config_module
from hub.domains import DOMAINS, nav_domains, translation_dirs
from hub.extensions import babel, bootstrap, cache, csrf, db, limiter, login_manager, migrate

__all__ = ["DOMAINS", "create_app", "domain_modules"]


class HubFlask(Flask):
    """Flask whose absolute URLs always start with ``PUBLIC_BASE_URL``, never with the request's Host header."""

    def url_for(self, /, endpoint: str, *, _anchor: str | None = None, _method: str | None = None,
                _scheme: str | None = None, _external: bool | None = None, **values) -> str:
        """As :meth:`Flask.url_for`; inside a request an external URL is the public base URL plus the path."""
        if not (has_request_context() and (_external or _scheme is not None)):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        path = super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False, **values)
        return public_url(self.config["PUBLIC_BASE_URL"], path)


def public_url(base: str, path: str) -> str:
    """``path`` (as url_for builds it, with the script root) on the public base URL, without doubling a prefix."""
    parts = urlsplit(base)
    prefix = parts.path.rstrip("/")
    if prefix and not (path == prefix or path.startswith(prefix + "/")):
        path = prefix + path
    return f"{parts.scheme}://{parts.netloc}{path}"


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` keys override the environment (``DATABASE_URL``, ``SECRET_KEY``, ``HUB_*``)."""
    app = HubFlask(__name__, instance_relative_config=True)
    app.config.from_mapping(config_module.base_config(app.instance_path))
    app.config.from_prefixed_env("HUB")
    config_module.reset_test_switches(app.config)  # test-only switches never come from the environment
    if config:
        app.config.update(config)
    config_module.finalise(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)

    from hub.core.params import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    register_extensions(app)
    register_blueprints(app)
    init_domains(app)
    register_errorhandlers(app)
    register_cli(app)
    register_request_hooks(app)
    return app


def select_locale() -> str:
    """Japanese unless the visitor chose English (``?lang=``, their account, or the session)."""
    from flask_login import current_user

    supported = ("ja", "en")
    chosen = request.args.get("lang")
    if chosen in supported:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in supported:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    return "ja"


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions from :mod:`hub.extensions` to this app."""
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    from hub.core.forms import install_field_rendering

    install_field_rendering()
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=";".join(translation_dirs()))
    bootstrap.init_app(app)
    cache.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please sign in to see this page.")
    login_manager.login_message_category = "warning"

    from hub.auth.models import User

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        from hub.core.params import int_or_none

        user_id, _sep, _stamp = (session_id or "").partition(":")
        user_id = int_or_none(user_id)
        user = db.session.get(User, user_id) if user_id else None
        return user if user is not None and user.get_id() == session_id else None

    # Import every model so that metadata is complete for migrations.
    import hub.models  # noqa: F401


def configure_engine(engine: Engine) -> None:
    """Settings of the app's own engine: on SQLite, wait up to 15 s for the write lock instead of failing at once
    (SQLite serialises writers; :func:`hub.core.locking.run_locked` also retries). Other databases are left alone."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_busy_timeout(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 15000")
        # Read the file through the OS page cache (shared by every connection and worker) instead of copying pages
        # into each connection's small private cache: a 100,000-factory directory reads as fast as a small one.
        cursor.execute("PRAGMA mmap_size = 1073741824")
        cursor.close()


def domain_modules(name: str) -> list:
    """The ``hub.<domain>.<name>`` modules that exist, in DOMAINS order (so each domain plugs itself in)."""
    import importlib
    import importlib.util

    modules = []
    for domain in DOMAINS:
        if importlib.util.find_spec(f"hub.{domain}") and importlib.util.find_spec(f"hub.{domain}.{name}"):
            modules.append(importlib.import_module(f"hub.{domain}.{name}"))
    return modules


def register_blueprints(app: Flask) -> None:
    """One blueprint per domain; the JSON API is CSRF-exempt because it authenticates with bearer tokens only."""
    from hub.api import bp as api_bp

    for module in domain_modules("routes"):
        app.register_blueprint(module.bp)
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)


def init_domains(app: Flask) -> None:
    """Each domain's optional ``init_app(app)`` (e.g. registering what it offers in :mod:`hub.core.providers`)."""
    import importlib

    for domain in DOMAINS:
        init_app = getattr(importlib.import_module(f"hub.{domain}"), "init_app", None)
        if init_app is not None:
            init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from hub.core.errors import register

    register(app)


def register_cli(app: Flask) -> None:
    from hub.cli import register

    register(app)


def tokyo_filter(value, fmt: str = "yyyy-MM-dd (EEE) HH:mm") -> str:
    """The ``tokyo`` template filter: a naive UTC datetime in Tokyo time, in the visitor's language."""
    return format_datetime(value, fmt) if value else ""


def register_request_hooks(app: Flask) -> None:
    from hub.core.security import reject_hostile_request, set_security_headers

    app.before_request(reject_hostile_request)
    app.after_request(set_security_headers)
    from hub.core.cache import private_by_default

    app.after_request(private_by_default)

    from hub.core.i18n import fit_lines, join_list, lang_ja
    from hub.core.labels import capability_label, select_options, ward_label

    # Globals (not a context processor) so that imported macros see them too.
    app.add_template_global(capability_label)
    app.add_template_global(ward_label)
    app.add_template_global(select_options)
    app.add_template_global(lambda endpoint: endpoint in app.view_functions, "has_endpoint")
    app.add_template_filter(tokyo_filter, "tokyo")
    app.add_template_filter(join_list, "join_list")
    from hub.core.forms import field_id

    app.add_template_global(field_id)
    app.add_template_global(fit_lines)
    app.add_template_filter(lang_ja, "lang_ja")

    navbar = nav_domains()

    @app.context_processor
    def inject_globals() -> dict:
        return {"current_locale": str(get_locale()), "nav_domains": navbar}


"""Fixtures in the Flask tutorial's shape, with Indico-style isolation: every test runs inside a transaction
that is rolled back afterwards, so tests never see each other's rows.

The schema is made by the real migrations (``flask db upgrade``) once per run, on SQLite (a temporary file) or
on PostgreSQL when ``DATABASE_URL`` names a database.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from hub import create_app
from hub.extensions import db

PASSWORD = "correct horse battery"


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    return url if url else f"sqlite:///{tmp_root / 'test.sqlite3'}"


def is_postgres() -> bool:
    return (os.environ.get("DATABASE_URL") or "").startswith("postgres")


def reset_schema(app) -> None:
    """Drop whatever a previous run left, then build the schema with the migrations."""
    with app.app_context():
        from sqlalchemy import text

        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


def fix_sqlite_savepoints(engine) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINTs; let SQLAlchemy emit BEGIN itself."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def tmp_root():
    path = Path(tempfile.mkdtemp(prefix="hub-tests-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def make_config(tmp_root: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_root),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "UPLOAD_FOLDER": str(tmp_root / "uploads"),
        "DEMO_ACCOUNTS_FILE": str(tmp_root / "demo-accounts.txt"),
        "SERVER_NAME": "localhost.localdomain",
    }
    config.update(overrides)
    return config


def demo_app(root: Path, name: str, password: str, **overrides):
    """An app on its own SQLite file (``root/<name>.sqlite3``) with the demo data loaded and committed for real, every
    demo account's password ``password`` (for the tests that sign in to the demo as each role)."""
    app = create_app(make_config(root, SQLALCHEMY_DATABASE_URI=f"sqlite:///{root / f'{name}.sqlite3'}",
                                 SERVER_NAME=None, UPLOAD_FOLDER=str(root / f"{name}-uploads"), **overrides))
    reset_schema(app)
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        patch.setenv("DEMO_PASSWORD", password)
        from seeds import load_demo

        load_demo()
    return app


def dispose_engines(app) -> None:
    """Close an app's pooled connections (psycopg warns about connections left to the garbage collector)."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def make_app(tmp_root):
    """make_app(**config) → another app on the same database (e.g. with CSRF or rate limits switched on)."""
    made = []

    def make(**overrides):
        made.append(create_app(make_config(tmp_root, **overrides)))
        return made[-1]

    yield make
    for other in made:
        dispose_engines(other)


@pytest.fixture(autouse=True)
def _reset_limiter():
    """The limiter is one shared extension object: creating any other app (with its default RATELIMIT_ENABLED)
    switches it on for every app, so put it back for the session's app after each test."""
    yield
    from hub.extensions import limiter

    if limiter.initialized:
        limiter.enabled = False
        limiter.reset()


@pytest.fixture(scope="session")
def app(tmp_root):
    app = create_app(make_config(tmp_root))
    reset_schema(app)
    with app.app_context():
        fix_sqlite_savepoints(db.engine)
        db.engine.dispose()
    yield app
    dispose_engines(app)


@pytest.fixture(autouse=True)
def _db_transaction(request):
    """Bind the session to one outer transaction and roll it back after the test (views' commits are savepoints)."""
    if "live_server_app" in request.fixturenames or "matching" in request.node.nodeid.split("/")[:2]:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        engine = db.engine
    # No app context stays pushed during the test: each request must get its own (and its own g).
    connection = engine.connect()
    outer = connection.begin()
    original = db.session
    # A plain SQLAlchemy session: Flask-SQLAlchemy's own Session.get_bind() would pick the engine, not
    # this connection. Scoped to the app context, as Flask-SQLAlchemy does.
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    db.session = scoped_session(factory, scopefunc=_app_ctx_id)
    try:
        yield
    finally:
        db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def ctx(app):
    """An application context with a request context (for url_for and Babel)."""
    with app.test_request_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """make_user(role="organiser", email=None, factory=<factory id>, verified=True) → a committed user's id
    (password: PASSWORD; ``verified=False`` for an account that has not confirmed its email address)."""
    from hub.auth.models import Organisation
    from hub.auth.services import create_user
    from hub.factories.models import Factory

    counter = {"n": 0}

    def make(role: str = "seeker", email: str | None = None, factory=None, locale: str = "ja", name=None,
             verified: bool = True):
        counter["n"] += 1
        email = email or f"{role}{counter['n']}@example.jp"
        with app.app_context():
            user = create_user(email, PASSWORD, name=name or f"{role.title()} {counter['n']}", role=role,
                               locale=locale, email_verified=verified)
            if factory is not None:
                factory = db.session.get(Factory, factory)
                if factory.organisation_id is None:
                    factory.organisation = Organisation(kind="factory", name=factory.name)
                    db.session.flush()
                user.organisation_id = factory.organisation_id
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def make_factory(app):
    """make_factory(name=..., processes=[...], ward="ota", ...) → a committed factory's id."""
    from hub.factories.models import Factory
    from hub.factories.services import update_profile

    counter = {"n": 0}

    def make(**fields):
        counter["n"] += 1
        data = {"name": f"テスト製作所{counter['n']}", "ward": "ota", "description": "", "processes": [],
                "materials": [], "equipment": [], "certifications": []}
        data.update(fields)
        with app.app_context():
            factory = update_profile(Factory(external_id=data.pop("external_id", None)), data)
            db.session.commit()
            return factory.id

    return make


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = PASSWORD):
        return self._client.post("/auth/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def login_as(app, client, make_user):
    """login_as(role, factory=None) → user id, with the test client signed in as that new user."""
    from hub.auth.models import User

    def login(role: str = "seeker", factory=None, **kwargs) -> int:
        user_id = make_user(role=role, factory=factory, **kwargs)
        with app.app_context():
            email = db.session.get(User, user_id).email
        response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.data[:500]
        return user_id

    return login


@pytest.fixture
def api_token(app, client, make_user):
    """api_token(role, factory=None) → (user id, bearer header dict)."""
    from hub.auth.models import User

    def issue(role: str = "seeker", factory=None) -> tuple[int, dict]:
        user_id = make_user(role=role, factory=factory)
        with app.app_context():
            email = db.session.get(User, user_id).email
        response = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.get_json()
        return user_id, {"Authorization": f"Bearer {response.get_json()['token']}"}

    return issue


@pytest.fixture
def rendered(app):
    """The names of the templates rendered during the test, in order."""
    from flask import template_rendered

    seen: list[str] = []

    def record(sender, template, context, **extra):
        seen.append(template.name)

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)

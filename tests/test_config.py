"""Configuration per the contract: env-driven, overridable, and refusing to run without a secret in production."""

from __future__ import annotations

import pytest

from hub import create_app
from hub.config import ConfigError, _normalise_db_url
from tests.conftest import dispose_engines


def test_missing_secret_key_outside_development_is_an_error(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("HUB_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


def test_missing_public_base_url_in_production_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("HUB_ENV", "production")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("HUB_PUBLIC_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "PUBLIC_BASE_URL": "hub.example.jp"})
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://hub.example.jp/")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["PUBLIC_BASE_URL"] == "https://hub.example.jp"
    assert app.config["TRUSTED_HOSTS"] == ["hub.example.jp"]
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    dispose_engines(app)


def _dev_app(monkeypatch, tmp_path, key_dir):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("HUB_ENV", "development")
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                       "SECRET_KEY_FILE": str(tmp_path / key_dir / "secret_key")})


def test_development_makes_a_random_key_once_and_keeps_it_in_the_instance_folder(monkeypatch, tmp_path):
    """Finding 6: no fixed key; two fresh instance folders get different keys; a restart keeps its key."""
    first = _dev_app(monkeypatch, tmp_path, "one")
    second = _dev_app(monkeypatch, tmp_path, "two")
    again = _dev_app(monkeypatch, tmp_path, "one")
    keys = [app.config["SECRET_KEY"] for app in (first, second, again)]
    assert keys[0] != keys[1] and keys[0] == keys[2] and len(keys[0]) >= 32
    assert "dev-only-not-secret" not in keys
    path = tmp_path / "one" / "secret_key"
    assert path.read_text().strip() == keys[0] and path.stat().st_mode & 0o777 == 0o600
    assert first.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    assert set(first.config["TRUSTED_HOSTS"]) == {"127.0.0.1", "localhost"}
    for app in (first, second, again):
        dispose_engines(app)


def test_tests_get_a_random_key_per_app(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    apps = [create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
            for _ in range(2)]
    assert apps[0].config["SECRET_KEY"] != apps[1].config["SECRET_KEY"]
    for app in apps:
        dispose_engines(app)


def test_a_key_file_too_short_to_be_a_key_is_refused(monkeypatch, tmp_path):
    (tmp_path / "short").mkdir()
    (tmp_path / "short" / "secret_key").write_text("dev\n")
    with pytest.raises(ConfigError, match="secret_key"):
        _dev_app(monkeypatch, tmp_path, "short")


def test_things_signed_with_the_old_fixed_development_key_are_refused(make_app, make_user, tmp_path):
    """Finding 6: a session cookie or reset token forged with ``dev-only-not-secret`` gets nowhere on a
    development app (as ``make run`` starts it)."""
    from flask import Flask
    from itsdangerous import URLSafeTimedSerializer

    from hub.auth.models import User
    from hub.extensions import db

    dev = make_app(TESTING=False, ENV_NAME="development", SECRET_KEY=None,
                   SECRET_KEY_FILE=str(tmp_path / "dev" / "secret_key"))
    user_id = make_user(role="organiser", email="forged@example.jp")
    with dev.app_context():
        user = db.session.get(User, user_id)
        session_id, password_hash = user.get_id(), user.password_hash
    forger = Flask("forger")
    forger.secret_key = "dev-only-not-secret"
    cookie = forger.session_interface.get_signing_serializer(forger).dumps(
        {"_user_id": session_id, "_fresh": True})
    client = dev.test_client()
    client.set_cookie("session", cookie, domain="localhost.localdomain")
    response = client.get("/organiser/outbox/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    token = URLSafeTimedSerializer("dev-only-not-secret", salt="password-reset").dumps(
        {"uid": user_id, "ph": password_hash[-16:]})
    response = dev.test_client().get(f"/auth/reset/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/reset")
    # The same forgery with the app's real key would have worked: the test can tell the difference.
    genuine = dev.session_interface.get_signing_serializer(dev).dumps({"_user_id": session_id, "_fresh": True})
    client = dev.test_client()
    client.set_cookie("session", genuine, domain="localhost.localdomain")
    assert client.get("/organiser/outbox/").status_code == 200


def test_rate_limits_use_redis_when_redis_url_is_set(tmp_path):
    from hub.config import base_config, finalise

    for redis_url, expected in ((None, "memory://"), ("redis://127.0.0.1:6379/5", "redis://127.0.0.1:6379/5")):
        config = {**base_config(str(tmp_path)), "TESTING": True, "REDIS_URL": redis_url}
        finalise(config)
        assert config["RATELIMIT_STORAGE_URI"] == expected


def test_prefixed_environment_and_explicit_config_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://hub.example.jp")
    monkeypatch.setenv("HUB_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("HUB_DIRECTORY_PER_PAGE", "7")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    app = create_app()
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["DIRECTORY_PER_PAGE"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    assert app.config["SECRET_KEY"] == "from-env"
    dispose_engines(app)
    app = create_app({"DIRECTORY_PER_PAGE": 3, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cfg.db'}"})
    assert app.config["DIRECTORY_PER_PAGE"] == 3
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("cfg.db")
    dispose_engines(app)


def test_default_database_is_sqlite_in_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + app.instance_path + "/hub.sqlite3"
    dispose_engines(app)


@pytest.mark.parametrize(("given", "expected"), [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_urls_are_normalised(given, expected):
    assert _normalise_db_url(given) == expected


@pytest.mark.parametrize(("base", "path", "expected"), [
    ("https://hub.example.jp", "/auth/reset/t", "https://hub.example.jp/auth/reset/t"),
    ("https://hub.example.jp/hub", "/auth/reset/t", "https://hub.example.jp/hub/auth/reset/t"),
    ("https://hub.example.jp/hub", "/hub/auth/reset/t", "https://hub.example.jp/hub/auth/reset/t"),
    ("http://127.0.0.1:5000", "/openfactory/my/x?y=1", "http://127.0.0.1:5000/openfactory/my/x?y=1"),
])
def test_public_urls_join_the_base_and_the_path(base, path, expected):
    from hub import public_url

    assert public_url(base, path) == expected

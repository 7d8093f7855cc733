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


def test_development_gets_a_dev_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("HUB_ENV", "development")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["SECRET_KEY"]
    dispose_engines(app)


def test_prefixed_environment_and_explicit_config_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
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

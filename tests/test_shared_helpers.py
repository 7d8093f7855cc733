"""The helpers every domain shares, defined once: the user's factory, "signed in", the request locale, API
timestamps and the OpenAPI error responses."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

from flask_login import AnonymousUserMixin

from hub.extensions import db

HUB = Path(__file__).resolve().parent.parent / "hub"


def test_the_users_factory_for_members_only(app, make_user, make_factory):
    from hub.auth.models import User
    from hub.factories.access import user_factory, user_factory_id

    factory = make_factory(name="一社製作所")
    other = make_factory(name="二社製作所")
    member = make_user("factory", factory=factory)
    seeker_same_org = make_user("seeker", factory=factory)  # an organisation, but not the factory role
    lone = make_user("factory")
    with app.app_context():
        user = db.session.get(User, member)
        assert user_factory(user).id == factory and user_factory_id(user) == factory
        assert user_factory(db.session.get(User, seeker_same_org)) is None
        assert user_factory_id(db.session.get(User, lone)) is None
        assert user_factory(None) is None and user_factory_id(AnonymousUserMixin()) is None
        # The remembered id follows the organisation: moving the user answers for the new factory.
        from hub.factories.models import Factory

        user.organisation_id = db.session.get(Factory, other).organisation_id or _organise(other)
        assert user_factory_id(user) == other
        db.session.rollback()


def _organise(factory_id: int) -> int:
    from hub.auth.models import Organisation
    from hub.factories.models import Factory

    factory = db.session.get(Factory, factory_id)
    factory.organisation = Organisation(kind="factory", name=factory.name)
    db.session.flush()
    return factory.organisation_id


def test_request_locale_honours_lang_then_babel(app):
    from hub.core.i18n import request_locale

    with app.test_request_context("/?lang=en"):
        assert request_locale() == "en"
    with app.test_request_context("/?lang=fr"):
        assert request_locale() == "ja"


def test_api_timestamps_are_utc_with_z():
    from hub.core.timeutil import iso_utc

    assert iso_utc(datetime(2026, 11, 3, 1, 0, 0, 123456)) == "2026-11-03T01:00:00Z"
    assert iso_utc(None) is None


def _defined_functions() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in HUB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.setdefault(node.name, []).append(str(path.relative_to(HUB)))
    return found


def test_each_shared_helper_is_defined_once():
    defined = _defined_functions()
    for twin in ("_authenticated", "_locale", "_errors", "_iso", "factory_id_of", "_user_factory_id",
                 "owner_factory", "factory_for_user", "own_profile", "_lang", "_commit_and_deliver", "_commit_and_mail",
                 "_flash_form_errors", "_flash_errors"):
        assert twin not in defined, f"{twin} is defined again in {defined[twin]}"
    for one in ("user_factory", "user_factory_id", "is_signed_in", "request_locale", "current_locale", "iso_utc",
                "error_responses", "commit_and_deliver", "flash_form_errors"):
        assert len(defined.get(one, [])) == 1, (one, defined.get(one))

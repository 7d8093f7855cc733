"""Caches (issue 11): public pages and JSON are kept per generation, every edit moves the generation for every
worker (database row, or Redis), HTTP validators answer 304, signed-in pages are private."""

from __future__ import annotations

import uuid

import pytest

from hub.extensions import db
from hub.factories.models import Factory
from tests.conftest import make_config


def _rename(app, factory_id: int, name: str) -> None:
    from hub.factories.services import update_profile

    with app.app_context():
        update_profile(db.session.get(Factory, factory_id), {"name": name})
        db.session.commit()


def test_public_json_has_validators_and_answers_304(app, client, make_factory):
    factory_id = make_factory(name="検証製作所")
    first = client.get("/api/v1/factories?per_page=5")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status_code == 200 and etag and modified
    assert "public" in first.headers["Cache-Control"] and "no-cache" in first.headers["Cache-Control"]
    again = client.get("/api/v1/factories?per_page=5", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/api/v1/factories?per_page=5", headers={"If-Modified-Since": modified}).status_code == 304
    one = client.get(f"/api/v1/factories/{factory_id}")
    assert one.status_code == 200 and one.headers["ETag"] != etag

    _rename(app, factory_id, "検証製作所・改")
    changed = client.get("/api/v1/factories?per_page=5", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert [f["name"] for f in changed.get_json()["factories"]] == ["検証製作所・改"]


@pytest.mark.parametrize("path", ["/", "/factories/", "/factories/{id}"])
def test_anonymous_pages_are_shared_and_signed_in_pages_private(app, client, make_factory, login_as, path):
    factory_id = make_factory(name="共有ページ製作所")
    path = path.format(id=factory_id)
    anonymous = client.get(path)
    assert anonymous.status_code == 200
    assert "public" in anonymous.headers["Cache-Control"] and "Cookie" in anonymous.headers["Vary"]
    assert "csrf_token" not in anonymous.get_data(as_text=True)  # a shared page carries nobody's form token
    assert client.get(path, headers={"If-None-Match": anonymous.headers["ETag"]}).status_code == 304

    user_id = login_as("seeker", name="署名済み利用者")
    signed_in = client.get(path)
    assert "private" in signed_in.headers["Cache-Control"] and "ETag" not in signed_in.headers
    assert "署名済み利用者" in signed_in.get_data(as_text=True)
    assert user_id
    other = app.test_client()
    assert "署名済み利用者" not in other.get(path).get_data(as_text=True)


def test_api_with_a_token_is_private(client, api_token):
    _user, headers = api_token("seeker")
    assert "private" in client.get("/api/v1/deals", headers=headers).headers["Cache-Control"]


def test_a_flashed_message_is_never_served_from_the_cache(app, client):
    client.get("/factories/")  # cached for visitors
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "一度だけの知らせ")]
    assert "一度だけの知らせ" in client.get("/factories/").get_data(as_text=True)
    assert "一度だけの知らせ" not in client.get("/factories/").get_data(as_text=True)


def test_quiet_writes_keep_the_generation_and_directory_writes_move_it(app, make_user, make_factory):
    from hub.core.cache import generation

    def now() -> str:
        with app.test_request_context():
            return generation()

    before = now()
    make_user(role="seeker")  # an account is on no public page
    assert now() == before
    make_factory(name="世代製作所")
    assert now() != before


def test_quiet_tables_are_tables_of_the_hub(app):
    from hub.core.cache import QUIET_TABLES

    assert QUIET_TABLES <= set(db.metadata.tables)
    assert not QUIET_TABLES & {"factories", "factory_capabilities", "factory_photos", "capability_aliases",
                               "deal_ratings", "needs", "factory_name_keys"}


def test_the_match_api_keeps_an_answer_until_the_directory_changes(client, make_factory):
    need = {"text": "アルマイト処理をお願いしたい", "limit": 5}
    make_factory(name="第一アルマイト", processes=["アルマイト"])
    first = client.post("/api/v1/match/factories", json=need).get_json()
    assert client.post("/api/v1/match/factories", json=need).get_json() == first
    newcomer = make_factory(name="第二アルマイト", processes=["アルマイト", "硬質アルマイト"])
    after = client.post("/api/v1/match/factories", json=need).get_json()
    assert newcomer in {r["id"] for r in after["results"]}


# --- two app instances, as two workers: one database file (and Redis) -------------------------------------------

@pytest.fixture
def live_server_app(tmp_path):
    """Named like the browser tests' fixture so that conftest's rolled-back transaction stays out of the way:
    these apps commit for real, to their own SQLite file."""
    from flask_migrate import upgrade

    from hub import create_app
    from tests.conftest import dispose_engines

    url = f"sqlite:///{tmp_path / 'two-workers.sqlite3'}"
    made = []

    def make(**overrides):
        made.append(create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=url, **overrides)))
        return made[-1]

    first = make()
    with first.app_context():
        upgrade()
    yield make
    for one in made:
        dispose_engines(one)


def _redis_config() -> dict | None:
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return None
    return {"REDIS_URL": url, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url,
            "CACHE_KEY_PREFIX": f"hub-test-speed-{uuid.uuid4().hex[:8]}:"}


@pytest.mark.parametrize("store", ["database", "redis"])
def test_an_edit_through_one_instance_is_seen_by_the_other(live_server_app, store):
    extra = {}
    if store == "redis":
        extra = _redis_config()
        if extra is None:
            pytest.skip("Redis at 127.0.0.1:6379 is not reachable")
    one, two = live_server_app(**extra), live_server_app(**extra)
    from hub.factories.services import update_profile

    with one.app_context():
        factory = update_profile(Factory(), {"name": "二つ目の工場", "ward": "ota", "processes": ["旋盤"]})
        db.session.commit()
        factory_id = factory.id
    reader = two.test_client()
    paths = ["/api/v1/factories?per_page=10", "/factories/", f"/factories/{factory_id}", "/",
             f"/api/v1/factories/{factory_id}"]
    def shown(path: str) -> str:
        response = reader.get(path)
        assert response.status_code == 200, path
        return str(response.get_json()) if response.is_json else response.get_data(as_text=True)

    for path in paths:  # the second instance caches what it shows
        assert "二つ目の工場" in shown(path), path
        assert "二つ目の工場" in shown(path), path

    with one.app_context():
        update_profile(db.session.get(Factory, factory_id), {"name": "改名した工場"})
        db.session.commit()
    for path in paths:  # its next request sees the edit made through the first
        body = shown(path)
        assert "改名した工場" in body and "二つ目の工場" not in body, path
    if store == "redis":
        with two.app_context():
            from hub.extensions import cache

            cache.clear()

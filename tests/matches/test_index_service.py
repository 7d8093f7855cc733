"""The hub's index: built from the database, rebuilt when the stamp moves (as another worker would see it)."""

from __future__ import annotations

from sqlalchemy import text

from hub.auth.models import User
from hub.extensions import db
from hub.matches import services
from hub.matches.models import CapabilityAlias


def _stamp(app):
    with app.app_context():
        return services.current_stamp()


def test_changing_a_factory_moves_the_stamp_once_per_transaction(app, make_factory):
    before = _stamp(app)
    make_factory(name="スタンプ工業", processes=["MC加工"])
    after = _stamp(app)
    assert after != before
    version_before, version_after = int(before.split(":")[0]), int(after.split(":")[0])
    assert version_after == version_before + 1  # many flushes in one transaction, one move


def test_unrelated_writes_do_not_move_the_stamp(app, make_user):
    before = _stamp(app)
    make_user(role="seeker")
    assert _stamp(app) == before


def test_index_follows_the_database(app, make_factory):
    with app.test_request_context():
        first = services.current_index()
        assert services.current_index() is first  # unchanged stamp: same object, no rebuild
    factory_id = make_factory(name="新顔ワイヤー", processes=["ワイヤーカット"], ward="ota")
    with app.test_request_context():
        second = services.current_index()
        assert second is not first and factory_id in second
        ranked = services.rank_for_text("ワイヤー放電加工をお願いしたい", "ja", limit=5)
        assert factory_id in [m.factory_id for m in ranked.result.results]


def test_a_change_made_by_another_process_is_noticed(app, make_factory):
    """Another gunicorn worker writes through its own connection: this process rebuilds on its next query."""
    factory_id = make_factory(name="別プロセス工業", processes=["NC旋盤"])
    with app.test_request_context():
        assert factory_id in services.current_index()
        # What another worker's flush hook would do inside its transaction:
        db.session.execute(text("UPDATE factories SET is_published = :no WHERE id = :id"),
                           {"no": False, "id": factory_id})
        db.session.execute(text("UPDATE index_states SET version = version + 1, token = 'other-worker'"))
        db.session.commit()
        assert factory_id not in services.current_index()


def test_organiser_alias_is_merged_into_the_index(app, make_factory, make_user):
    factory_id = make_factory(name="方言工業", processes=["ぐるぐる回し"])
    with app.test_request_context():
        assert "ぐるぐる回し" in services.current_index().unresolved_terms
        before = services.rank_for_text("ぐるぐる回し", "ja").result
        assert not before.query_processes
        organiser = db.session.get(User, make_user(role="organiser"))
        services.add_alias("ぐるぐる回し", "process", "turning", organiser)
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(CapabilityAlias.id))) == 1
        after = services.rank_for_text("ぐるぐる回し", "ja").result
        assert [r.code for r in after.query_processes] == ["turning"]
        assert factory_id in [m.factory_id for m in after.results]

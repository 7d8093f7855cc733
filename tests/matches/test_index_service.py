"""The hub's index: built from the database, brought up to date in place from the change log (as another worker
would see it), rebuilt only when it cannot catch up."""

from __future__ import annotations

from sqlalchemy import text

from hub.auth.models import User
from hub.extensions import db
from hub.factories.models import Factory
from hub.matches import live_index, services
from hub.matches.models import CapabilityAlias, IndexState


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
        builds = live_index.status().builds
    factory_id = make_factory(name="新顔ワイヤー", processes=["ワイヤーカット"], ward="ota")
    with app.test_request_context():
        second = services.current_index()
        assert second is first and factory_id in second  # updated in place
        assert live_index.status().builds == builds
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


def test_a_version_written_without_its_change_row_means_a_rebuild(app, make_factory):
    """The control for the log: a change nobody described (a gap in the versions) is never skipped."""
    factory_id = make_factory(name="隙間工業", processes=["NC旋盤"])
    with app.test_request_context():
        assert factory_id in services.current_index()
        builds = live_index.status().builds
        db.session.execute(text("UPDATE factories SET is_published = :no WHERE id = :id"),
                           {"no": False, "id": factory_id})
        db.session.execute(text("UPDATE index_states SET version = version + 1"))
        db.session.commit()
        assert factory_id not in services.current_index()
        assert live_index.status().builds == builds + 1


def test_the_log_names_what_a_transaction_touched(app, make_factory):
    from hub.matches.models import IndexChange

    factory_id = make_factory(name="記録工業", processes=["MC加工"])
    with app.app_context():
        row = db.session.scalars(db.select(IndexChange).order_by(IndexChange.version.desc())).first()
        version = db.session.scalar(db.select(IndexState.version))
        assert row.version == version and factory_id in row.factory_ids and not row.is_full
        assert row.token == db.session.scalar(db.select(IndexState.token))


def test_a_hidden_or_deleted_factory_leaves_the_index_without_a_rebuild(app, make_factory):
    keep = make_factory(name="残る工業", processes=["NC旋盤"])
    hide = make_factory(name="隠す工業", processes=["NC旋盤"])
    with app.test_request_context():
        index = services.current_index()
        builds = live_index.status().builds
        assert hide in index
        db.session.get(Factory, hide).is_published = False
        db.session.commit()
        assert hide not in services.current_index() and keep in services.current_index()
        db.session.delete(db.session.get(Factory, keep))
        db.session.commit()
        assert keep not in services.current_index()
        assert services.current_index() is index and live_index.status().builds == builds


def test_a_rebuild_on_demand_is_a_change_row_every_worker_reads(app, make_factory):
    with app.test_request_context():
        services.current_index()
        builds = live_index.status().builds
        live_index.request_rebuild(db.session)
        db.session.commit()
        services.current_index()
        assert live_index.status().builds == builds + 1


def test_two_apps_on_one_database_see_an_edit_through_either_without_a_rebuild(app, make_app, make_factory):
    """Two app instances stand for two workers: each keeps its own index; an edit made through one is in the
    other's next match, applied from the change log (no build)."""
    from hub.factories import services as factory_services

    other = make_app()
    factory_id = make_factory(name="二刀流工業", processes=["NC旋盤"], ward="ota")
    query = "ワイヤー放電加工をお願いしたい"
    indexes, builds = [], []
    for instance in (app, other):
        with instance.test_request_context():
            assert factory_id not in [m.factory_id for m in services.rank_for_text(query, "ja").result.results]
            indexes.append(services.current_index())
            builds.append(live_index.status().builds)
    assert indexes[0] is not indexes[1]
    with app.test_request_context():
        factory_services.update_profile(db.session.get(Factory, factory_id), {
            "processes": ["ワイヤーカット"], "description": "ワイヤー放電加工の専門工場です。"})
        db.session.commit()
    for instance, index, before in zip((other, app), indexes[::-1], builds[::-1], strict=True):
        with instance.test_request_context():
            assert factory_id in [m.factory_id for m in services.rank_for_text(query, "ja").result.results]
            assert services.current_index() is index
            status = live_index.status()
            assert status.builds == before and status.updates >= 1


def test_the_rebuild_command_writes_a_change_row_that_asks_for_a_build(app, runner):
    from hub.matches.models import IndexChange

    result = runner.invoke(args=["match-index", "rebuild"])
    assert result.exit_code == 0 and "rebuild requested" in result.output
    with app.app_context():
        row = db.session.scalars(db.select(IndexChange).order_by(IndexChange.version.desc())).first()
        assert row.is_full and row.version == db.session.scalar(db.select(IndexState.version))

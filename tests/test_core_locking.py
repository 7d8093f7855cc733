"""hub.core.locking: lock_objects refuses to run outside a transaction (pretix's rule), locks inside one, and
run_locked commits, retries on "database is locked" and gives up with Busy; the app's own engine waits for
SQLite's write lock (busy_timeout), engines the app did not make are left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from hub.core import locking
from hub.core.timeutil import utcnow
from hub.extensions import db


def _slot(app) -> int:
    from hub.events.models import Slot

    with app.app_context():
        start = utcnow().replace(microsecond=0) + timedelta(days=1)
        slot = Slot(starts_at=start, ends_at=start + timedelta(hours=1), capacity=5)
        db.session.add(slot)
        db.session.commit()
        return slot.id


def test_lock_objects_refuses_to_run_outside_a_transaction(app):
    from hub.events.models import Slot

    slot_id = _slot(app)
    with app.app_context():
        assert not db.session().in_transaction()
        with pytest.raises(locking.NoTransaction):
            locking.lock_objects(Slot, [slot_id])


def test_lock_objects_locks_and_returns_fresh_rows_inside_a_transaction(app):
    from hub.events.models import Slot

    slot_id = _slot(app)
    with app.app_context():
        before = db.session.get(Slot, slot_id).lock_version
        (locked,) = locking.lock_objects(Slot, [slot_id, slot_id])
        assert locked.id == slot_id
        if db.engine.dialect.name == "sqlite":  # the write that takes SQLite's write lock
            assert locked.lock_version == before + 1
        assert locking.lock_objects(Slot, []) == []
        db.session.rollback()


def test_run_locked_commits_retries_on_a_locked_database_then_gives_up(app, monkeypatch):
    from hub.events.models import Slot

    slot_id = _slot(app)
    pauses = []
    monkeypatch.setattr(locking.time, "sleep", pauses.append)
    calls = {"n": 0}

    def work():
        calls["n"] += 1
        if calls["n"] < 3:
            raise OperationalError("UPDATE event_slots …", {}, Exception("database is locked"))
        return locking.lock_objects(Slot, [slot_id])[0].capacity

    with app.app_context():
        assert locking.run_locked(work) == 5 and calls["n"] == 3 and len(pauses) == 2
        assert not db.session().in_transaction()  # committed

        def always_locked():
            raise OperationalError("UPDATE event_slots …", {}, Exception("database is locked"))

        with pytest.raises(locking.Busy):
            locking.run_locked(always_locked, attempts=3)

        def broken():
            raise OperationalError("SELECT …", {}, Exception("no such table: nothing"))

        with pytest.raises(OperationalError):  # anything but a lock is not retried
            locking.run_locked(broken)


def test_race_window_sleeps_only_in_a_testing_app(make_app, monkeypatch):
    pauses = []
    monkeypatch.setattr(locking.time, "sleep", pauses.append)
    app = make_app(EVENTS_RACE_DELAY=5)
    with app.app_context():
        locking.race_window("EVENTS_RACE_DELAY")
    assert pauses == [2.0]  # capped
    app.testing = False
    with app.app_context():
        locking.race_window("EVENTS_RACE_DELAY")
    assert pauses == [2.0]


def test_busy_timeout_is_set_on_the_apps_own_sqlite_engine_only(make_app, tmp_path):
    app = make_app()
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("busy_timeout is a SQLite setting")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
    other = sa.create_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    with other.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() != 15000
    other.dispose()


def test_the_tokyo_filter_is_registered_by_the_app_factory(app):
    from hub import tokyo_filter

    assert app.jinja_env.filters["tokyo"] is tokyo_filter

"""The capacity invariant under real concurrency (pretix's way): gunicorn with several workers on 127.0.0.1,
many simultaneous booking requests, then the database is counted. The control runs switch the slot lock off
(EVENTS_BOOKING_LOCK=false) and must show the race — otherwise the invariant test would prove nothing.

Both runs widen the window between counting and inserting to 50 ms (EVENTS_RACE_DELAY), so the race is easy to
hit without the lock; with the lock the same window is harmless. SQLite always runs (a file of its own);
PostgreSQL runs when DATABASE_URL names one (in a schema of its own, dropped afterwards)."""

from __future__ import annotations

import os

import pytest

from bench.booking_concurrency import run

PG_URL = os.environ.get("DATABASE_URL", "")
IS_PG = PG_URL.startswith("postgres")
needs_pg = pytest.mark.skipif(not IS_PG, reason="row locks under concurrency are a PostgreSQL matter: set "
                                                "DATABASE_URL=postgresql+psycopg://… to run this test")

REQUESTS = 32
CAPACITY = 8


def _check_invariant(result) -> None:
    assert result.confirmed_seats <= result.capacity, result.line()
    # Nothing lost: every request got exactly one answer, every 201 is one row, every row was answered with 201.
    assert sum(result.outcomes.values()) == result.requests, result.line()
    assert result.rows == result.created, result.line()
    assert set(result.outcomes) <= {"confirmed", "waitlisted"}, result.line()
    # The slot was filled as far as the parties allowed (the lock serialises, it does not refuse).
    assert result.confirmed_seats >= result.capacity - 2, result.line()


def _control(database_url, tmp_path) -> None:
    results = []
    for seed in (11, 12, 13):  # the race is probabilistic: up to three rounds to observe it
        result = run(database_url, lock=False, capacity=CAPACITY, requests=REQUESTS, seed=seed, workdir=tmp_path)
        results.append(result.line())
        if result.overbooked:
            return
    pytest.fail("no overbooking without the lock — the concurrency test would not catch a broken lock:\n"
                + "\n".join(results))


def test_sqlite_never_overbooks_with_several_gunicorn_workers(tmp_path):
    _check_invariant(run(None, lock=True, capacity=CAPACITY, requests=REQUESTS, workdir=tmp_path))


def test_sqlite_email_confirmations_pressed_at_once_never_overbook(tmp_path):
    """With EVENTS_BOOKING_EMAIL_CONFIRMATION on, requests hold no seat; every link pressed at the same moment
    books through the same lock (issue 10, finding 3)."""
    _check_invariant(run(None, lock=True, capacity=CAPACITY, requests=REQUESTS, workdir=tmp_path, confirm=True))


def test_sqlite_control_without_the_lock_overbooks(tmp_path):
    _control(None, tmp_path)


@pytest.mark.postgres_only
@needs_pg
def test_postgresql_never_overbooks_with_several_gunicorn_workers(tmp_path):
    _check_invariant(run(PG_URL, lock=True, capacity=CAPACITY, requests=REQUESTS, workdir=tmp_path))


@pytest.mark.postgres_only
@needs_pg
def test_postgresql_email_confirmations_pressed_at_once_never_overbook(tmp_path):
    _check_invariant(run(PG_URL, lock=True, capacity=CAPACITY, requests=REQUESTS, workdir=tmp_path, confirm=True))


@pytest.mark.postgres_only
@needs_pg
def test_postgresql_control_without_the_lock_overbooks(tmp_path):
    _control(PG_URL, tmp_path)

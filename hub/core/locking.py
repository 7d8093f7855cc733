"""Row locks for check-then-write rules (pretix's ``lock_objects``), and the commit loop that retries on
SQLite's "database is locked".

:func:`lock_objects` locks rows for the rest of the current transaction — ``SELECT … FOR UPDATE`` (in id order,
so two lockers never deadlock) on PostgreSQL; on SQLite a write to each row (``version_column`` + 1), which takes
the database's write lock before the caller reads anything it decides on. It REFUSES to run outside a
transaction: a lock that a commit has already released protects nothing. :func:`run_locked` begins that
transaction, runs the work, commits, and retries when SQLite stayed locked; it raises :class:`Busy` (the edges
answer "try again in a moment", never a 5xx) when every attempt failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, OperationalError

from hub.extensions import db

T = TypeVar("T")


class NoTransaction(RuntimeError):
    """:func:`lock_objects` was called with no transaction active."""


class Busy(Exception):
    """The database stayed locked through every retry."""


def lock_objects(model: type[T], ids: Iterable[int], version_column: str = "lock_version") -> list[T]:
    """Lock the rows of ``model`` with these ids until the transaction ends; return them, freshly loaded."""
    session = db.session()  # the scoped session's current Session
    if not session.in_transaction():
        raise NoTransaction("lock_objects() needs an active transaction (begin one, e.g. with run_locked()).")
    ids = sorted(set(ids))
    if not ids:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(db.select(model).where(model.id.in_(ids)).order_by(model.id)
                                    .with_for_update().execution_options(populate_existing=True)))
    version = getattr(model, version_column)
    session.execute(update(model).where(model.id.in_(ids)).values({version: version + 1})
                    .execution_options(synchronize_session=False))
    return list(session.scalars(db.select(model).where(model.id.in_(ids)).order_by(model.id)
                                .execution_options(populate_existing=True)))


def is_locked_error(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" (and similar busy answers)."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "database table is locked" in text or "busy" in text


def run_locked(work: Callable[[], T], attempts: int = 8) -> T:
    """Run ``work()`` in a transaction and commit; on "database is locked" (or a unique-constraint race) roll back
    and run it again after a growing pause. Returns ``work()``'s result after the commit; raises :class:`Busy`."""
    for attempt in range(attempts):
        try:
            session = db.session()
            if not session.in_transaction():
                session.begin()
            result = work()
            db.session.commit()
            return result
        except IntegrityError:
            # A twin request committed first (only possible without the lock): run again to find its row.
            db.session.rollback()
            if attempt == attempts - 1:
                raise
        except OperationalError as exc:
            db.session.rollback()
            if not is_locked_error(exc):
                raise
            time.sleep(min(0.05 * (2 ** attempt), 1.0))
    raise Busy()


def race_window(config_key: str) -> None:
    """The test sleep hook: in a ``TESTING`` app, sleep ``config[config_key]`` seconds (at most 2) between a check
    and its write, so that a control run without the lock shows the race reliably. Never sleeps in production."""
    delay = float(current_app.config.get(config_key, 0) or 0) if current_app.testing else 0.0
    if delay > 0:
        time.sleep(min(delay, 2.0))

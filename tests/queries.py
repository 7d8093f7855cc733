"""Counting the SQL statements a piece of work sends (for the tests that pages do not grow with the data)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event

from hub.extensions import db


@contextmanager
def recorded_statements(app) -> Iterator[list[str]]:
    """Every statement sent to the app's engine inside the block, in order."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def count_queries(app, fn: Callable[[], object]) -> int:
    """How many statements ``fn()`` sends."""
    with recorded_statements(app) as statements:
        fn()
    return len(statements)

"""Telling other domains that the public directory changed, without the directory knowing who listens.

Any flush that adds, deletes, publishes, unpublishes or edits a factory (or its capability rows) marks the session;
at commit :data:`directory_changed` is sent once, inside the transaction, so listeners' changes are committed with it.
Bulk writes that bypass the ORM (the importer) call :func:`mark_changed` themselves. Listeners take the session as
the sender and must only add and flush (never commit).
"""

from __future__ import annotations

from blinker import Namespace
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from hub.factories.models import Factory, FactoryCapability

directory_changed = Namespace().signal("directory-changed")
_FLAG = "hub.directory_changed"
# Edits of these columns can change who a public listing could be (what the directory shows).
_WATCHED = ("ward", "processes", "materials", "equipment", "certifications", "employees", "founded", "is_published")


def mark_changed(session: Session) -> None:
    """Note that the directory changed in this transaction (sent at commit)."""
    session.info[_FLAG] = True


def _changed(obj) -> bool:
    if isinstance(obj, FactoryCapability):
        return True
    if not isinstance(obj, Factory):
        return False
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in _WATCHED)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    if any(isinstance(obj, (Factory, FactoryCapability)) for obj in (*session.new, *session.deleted)) \
            or any(_changed(obj) for obj in session.dirty):
        mark_changed(session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    session.flush()
    if session.info.pop(_FLAG, False):
        directory_changed.send(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous) -> None:
    session.info.pop(_FLAG, None)

"""What the matcher needs from the database besides factories: a version stamp, aliases, import jobs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.statuses import check_in
from hub.core.timeutil import utcnow
from hub.extensions import db


class IndexState(db.Model):
    """One row per in-memory index. ``version`` and ``token`` change in every transaction that changes what the
    index is built from (the row lock orders those transactions), and :class:`IndexChange` says what each version
    touched, so every worker process applies just that (a rolled-back change restores the old version and token)."""

    __tablename__ = "index_states"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    token: Mapped[str] = mapped_column(String(32), default="")
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class IndexChange(db.Model):
    """What one transaction that moved an index's version touched, so that workers apply only that: the factories
    whose rows must be read again (edited, rated, added, deleted, hidden), the organisers' alias terms that changed
    (their factories are found by ``search_text``), new factories by id (``new_after_id``: a bulk import), or
    ``is_full`` (a rebuild on demand, or a change nobody could attribute). One row per version; ``token`` equals
    the ``IndexState`` token of that version, so a worker notices a history it did not see (a rolled-back version
    number used again). Old rows are pruned (``MATCH_INDEX_LOG_KEEP``)."""

    __tablename__ = "index_changes"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
    factory_ids: Mapped[list] = mapped_column(JSON, default=list)
    terms: Mapped[list] = mapped_column(JSON, default=list)
    new_after_id: Mapped[int | None]
    is_full: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CapabilityAlias(db.Model):
    """An organiser's mapping of a term people write to a taxonomy code (merged when the index is built)."""

    __tablename__ = "capability_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    alias: Mapped[str] = mapped_column(String(100), unique=True)  # folded text
    kind: Mapped[str] = mapped_column(String(10))  # "process" | "material"
    code: Mapped[str] = mapped_column(String(60))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by = relationship("User")


class ImportStatus(StrEnum):
    PREVIEW = "preview"  # uploaded and previewed; nothing written until the organiser confirms
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportJob(db.Model):
    """An organiser's upload of a factory directory file, processed in the background with progress."""

    __tablename__ = "import_jobs"
    __table_args__ = (check_in("status", ImportStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), default=ImportStatus.QUEUED)
    rows_total: Mapped[int | None]
    rows_read: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list] = mapped_column(JSON, default=list)  # the first 500 row errors
    message: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    undone_at: Mapped[datetime | None]  # the organiser undid this import (its changes are reverted)

    user = relationship("User")


class ImportAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"


class ImportChange(db.Model):
    """What one import did to one factory, so that the last import can be undone: a created factory is removed, an
    updated one gets back ``before`` (its imported fields and capability rows as they were)."""

    __tablename__ = "import_changes"
    __table_args__ = (check_in("action", ImportAction),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"), index=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    before: Mapped[dict | None] = mapped_column(JSON)

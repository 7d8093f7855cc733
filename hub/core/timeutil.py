"""UTC time helpers. Columns named ``*_at`` hold naive UTC datetimes filled by callables, never import-time values."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (portable between SQLite and PostgreSQL ``timestamp`` columns)."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso_utc(moment: datetime | None) -> str | None:
    """A naive UTC datetime as ISO 8601 to the second with a ``Z`` (``2026-11-03T01:00:00Z``): every API
    timestamp is written this way. ``None`` stays ``None``."""
    return moment.isoformat(timespec="seconds") + "Z" if moment is not None else None

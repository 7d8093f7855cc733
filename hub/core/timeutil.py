"""UTC time helpers. Columns named ``*_at`` hold naive UTC datetimes filled by callables, never import-time values."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (portable between SQLite and PostgreSQL ``timestamp`` columns)."""
    return datetime.now(UTC).replace(tzinfo=None)

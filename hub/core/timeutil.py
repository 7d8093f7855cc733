"""Time helpers. Columns named ``*_at`` hold naive UTC datetimes filled by callables, never import-time values;
pages show them in Tokyo time (:func:`to_tokyo`), forms take Tokyo wall-clock time (:func:`from_tokyo`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (portable between SQLite and PostgreSQL ``timestamp`` columns)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_tokyo(value: datetime | None) -> datetime | None:
    """A naive UTC datetime as Tokyo wall-clock time (naive)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(TOKYO).replace(tzinfo=None)


def from_tokyo(value: datetime | None) -> datetime | None:
    """A Tokyo wall-clock time (as typed in a form) as naive UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=TOKYO).astimezone(UTC).replace(tzinfo=None)


def tokyo_today() -> date:
    """Today's date in Tokyo."""
    return to_tokyo(utcnow()).date()


def iso_utc(moment: datetime | None) -> str | None:
    """A naive UTC datetime as ISO 8601 to the second with a ``Z`` (``2026-11-03T01:00:00Z``): every API
    timestamp is written this way. ``None`` stays ``None``."""
    return moment.isoformat(timespec="seconds") + "Z" if moment is not None else None

"""Status columns: one ``enum.StrEnum`` per column, and the CHECK constraint that holds the database to it.

Members are ``str`` (``DealStatus.OPEN == "open"``), so rows read back as plain strings compare equal to them and
templates, JSON and forms see the same values as before. The constraint is named by the metadata's naming
convention: ``ck_<table>_<column>`` (see :data:`hub.extensions.NAMING`).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import CheckConstraint


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    """The enum's values, in declaration order (what forms and the API list)."""
    return tuple(member.value for member in enum)


def check_in(column: str, allowed: type[StrEnum] | Iterable[str]) -> CheckConstraint:
    """``CHECK (<column> IN (...))`` named ``ck_<table>_<column>``; NULL passes (nullable columns stay nullable)."""
    items = values(allowed) if isinstance(allowed, type) else tuple(allowed)
    quoted = ", ".join("'" + item.replace("'", "''") + "'" for item in items)
    return CheckConstraint(f"{column} IN ({quoted})", name=column)

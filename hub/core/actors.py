"""Who is acting: the one test for "a signed-in user" used by every domain's permission functions."""

from __future__ import annotations

from typing import Any


def is_signed_in(user: Any) -> bool:
    """True for a signed-in user; False for None and for Flask-Login's anonymous user."""
    return user is not None and bool(getattr(user, "is_authenticated", False))

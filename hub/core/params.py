"""Reading numbers from URLs and forms without trusting them: ASCII digits only (``"²".isdigit()`` is True, and
``int("²")`` raises), and bounded so that no database ever sees an integer it cannot store."""

from __future__ import annotations

import re

from flask import request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL integer
_DIGITS = re.compile(r"[0-9]{1,10}")


def int_or_none(raw: object, low: int = 0, high: int = MAX_ID) -> int | None:
    """The integer written in ``raw`` when it is plain ASCII digits within [low, high]; otherwise None."""
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def is_index(raw: object) -> bool:
    """A small non-negative number, as used in form field names such as ``steps-3-factory``."""
    return int_or_none(raw, 0, 10_000) is not None


def page_arg(name: str = "page", high: int = 100_000) -> int:
    """The requested page number for HTML lists: 1 when missing or not a sensible number."""
    return int_or_none(request.args.get(name), 1, high) or 1


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in every route: at most MAX_ID, so a huge id is a 404 instead of a database overflow."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

"""CSV downloads that open correctly in Japanese Excel and cannot run formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> object:
    """Text a user typed must not start a formula when Excel opens the file (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(rows: Iterable[Iterable], filename: str) -> Response:
    """UTF-8 with a byte-order mark (Excel in Japan reads it as UTF-8), CRLF line ends, every text cell escaped."""
    out = io.StringIO()
    writer = csv.writer(out, dialect="excel")
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return Response(("\ufeff" + out.getvalue()).encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})

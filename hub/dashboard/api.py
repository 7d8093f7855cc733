"""GET /api/v1/kpis: the programme's indicators for organisers."""

from __future__ import annotations

from datetime import date

from flask import jsonify

from hub.api import bp
from hub.api.auth import token_required
from hub.api.validation import query_int
from hub.dashboard import services


@bp.route("/kpis")
@token_required("organiser")
def kpis():
    """The indicators of a year with their targets (organiser token)."""
    year = query_int("year", date.today().year, 2000, 2100)
    return jsonify({"year": year, "indicators": services.indicators(year)})


OPENAPI_PATHS = {
    "/kpis": {"get": {
        "summary": "Programme indicators of a year with targets (organiser token)",
        "security": [{"bearer": []}],
        "parameters": [{"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 2000,
                                                                   "maximum": 2100}}],
        "responses": {
            "200": {"description": "Indicators", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "year": {"type": "integer"},
                    "indicators": {"type": "array", "items": {"type": "object", "properties": {
                        "key": {"type": "string"}, "label": {"type": "string"}, "value": {"type": "integer"},
                        "target": {"type": "integer"}}}}}}}}},
            **{str(code): {"description": "Error", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}} for code in (400, 401, 403)},
        },
    }},
}

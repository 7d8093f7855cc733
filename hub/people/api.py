"""GET /api/v1/certificates/<code>: anyone (an employer, a school) checks a Meister Junior certificate's code."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from hub.api import bp
from hub.api.docs import error_responses
from hub.api.errors import ApiError
from hub.core.labels import capability_label
from hub.people import training


@bp.route("/certificates/<code>")
def certificate(code: str):
    """What a certificate says, when its verification code is genuine (public; typed loosely: case, spaces)."""
    found = training.find_certificate(code[:40])
    if found is None:
        raise ApiError(404, "not_found", _("No certificate has this code."))
    return jsonify({"code": found.code, "valid": True, "junior": found.junior_name, "master": found.master_name,
                    "process": {"code": found.process_code, "label": capability_label(found.process_code)},
                    "milestone": found.milestone_title, "milestone_en": found.milestone_title_en or "",
                    "certified_on": found.certified_on.isoformat()})


OPENAPI_PATHS = {
    "/certificates/{code}": {"get": {
        "summary": "Check a Meister Junior certificate's verification code (public)",
        "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                        "example": "MJ-7K3Q-XW9D-2HPN"}],
        "responses": {
            "200": {"description": "The certificate is genuine", "content": {"application/json": {"schema": {
                "type": "object", "required": ["code", "valid", "junior", "master", "process", "certified_on"],
                "properties": {
                    "code": {"type": "string"}, "valid": {"type": "boolean"}, "junior": {"type": "string"},
                    "master": {"type": "string"},
                    "process": {"type": "object", "properties": {"code": {"type": "string"},
                                                                 "label": {"type": "string"}}},
                    "milestone": {"type": "string"}, "milestone_en": {"type": "string"},
                    "certified_on": {"type": "string", "format": "date"}}}}}},
            **error_responses(404),
        },
    }},
}

"""The one JSON error shape of the API: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from flask import jsonify


class ApiError(Exception):
    """Raise inside an API handler to answer with a JSON error."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    """Build the JSON error response used by every API handler and error handler."""
    response = jsonify({"error": {"code": code, "message": str(message), "fields": fields or {}}})
    response.status_code = status
    return response

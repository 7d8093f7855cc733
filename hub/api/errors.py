"""The one JSON error shape of the API: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from hub.core.errors import error_response

__all__ = ["ApiError", "error_response"]


class ApiError(Exception):
    """Raise inside an API handler to answer with a JSON error."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None, extra: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}
        self.extra = extra or {}  # more members of the error object, e.g. the choices of a booking conflict


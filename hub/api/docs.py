"""Building blocks of the OpenAPI document, shared by hub/api and every domain's ``api.py``."""

from __future__ import annotations

ERROR = {"$ref": "#/components/schemas/Error"}
TIMESTAMP_NOTE = "UTC, ISO 8601 to the second with a trailing Z (e.g. 2026-11-03T01:00:00Z)"


def json_content(schema: dict) -> dict:
    """The ``content`` of a JSON request body or response with this schema."""
    return {"content": {"application/json": {"schema": schema}}}


def error_responses(*codes: int) -> dict:
    """Responses for these HTTP error codes, each with the shared ``Error`` body."""
    return {str(code): {"description": "Error", **json_content(ERROR)} for code in codes}


def timestamp(nullable: bool = False) -> dict:
    """The schema of an API timestamp (see :data:`TIMESTAMP_NOTE`)."""
    schema = {"type": "string", "format": "date-time", "description": TIMESTAMP_NOTE}
    return {**schema, "nullable": True} if nullable else schema

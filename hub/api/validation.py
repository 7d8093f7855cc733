"""Small, strict validators for JSON bodies and query strings (clear 4xx messages, never a 5xx)."""

from __future__ import annotations

import math

from flask import request
from flask_babel import gettext as _

from hub.api.errors import ApiError


def json_body(max_keys: int = 50) -> dict:
    """The request's JSON object, or a 400/415 that says what is wrong."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", _("Send JSON with Content-Type: application/json."))
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # e.g. '[' * 100000: the decoder gives up before silent= can help
        data = None
    if data is None:
        raise ApiError(400, "invalid_json", _("The body is not valid JSON."))
    if _has_lone_surrogate(data):
        # JSON may spell "\ud800" but no database or encoder takes it: refuse it here, for every endpoint.
        raise ApiError(400, "invalid_json", _("The body contains text that is not valid Unicode."))
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", _("The body must be a JSON object."))
    if len(data) > max_keys:
        raise ApiError(400, "invalid_json", _("Too many fields."))
    return data


def _has_lone_surrogate(data) -> bool:
    """True when a string (value or key) anywhere in a parsed JSON document holds a UTF-16 surrogate on its own
    (valid JSON, ``"\\ud800"``, but not valid Unicode text). Iterative: deep documents cannot exhaust the stack."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")  # at C speed; only lone surrogates fail (pairs were joined by the decoder)
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _fail(field: str, message: str):
    raise ApiError(400, "validation_failed", _("Some fields are not valid."), {field: message})


def get_str(data: dict, field: str, *, required: bool = False, max_len: int = 200) -> str | None:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            _fail(field, _("This field is required."))
        return None
    if not isinstance(value, str):
        _fail(field, _("Expected text."))
    if "\x00" in value:
        _fail(field, _("Contains a character that is not allowed."))
    if len(value) > max_len:
        _fail(field, _("At most %(n)s characters.", n=max_len))
    return value.strip()


def get_int(data: dict, field: str, *, required: bool = False, low: int | None = None,
            high: int | None = None, default: int | None = None) -> int | None:
    value = data.get(field)
    if value is None:
        if required:
            _fail(field, _("This field is required."))
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(field, _("Expected a whole number."))
    if (low is not None and value < low) or (high is not None and value > high):
        _fail(field, _("Must be between %(low)s and %(high)s.", low=low, high=high))
    return value


def get_float(data: dict, field: str, *, low: float, high: float) -> float | None:
    value = data.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        _fail(field, _("Expected a number."))
    if not low <= value <= high:
        _fail(field, _("Must be between %(low)s and %(high)s.", low=low, high=high))
    return float(value)


def get_str_list(data: dict, field: str, *, max_items: int = 50, max_len: int = 200) -> list[str]:
    value = data.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _fail(field, _("Expected a list of text."))
    if len(value) > max_items:
        _fail(field, _("At most %(n)s entries.", n=max_items))
    if any(len(v) > max_len or "\x00" in v for v in value):
        _fail(field, _("Each entry can be at most %(n)s characters.", n=max_len))
    return [v.strip() for v in value if v.strip()]


def query_int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "validation_failed", _("Some fields are not valid."),
                       {name: _("Expected a whole number.")}) from None
    if not low <= value <= high:
        raise ApiError(400, "validation_failed", _("Some fields are not valid."),
                       {name: _("Must be between %(low)s and %(high)s.", low=low, high=high)})
    return value

"""The locale of the current request, for pages and the JSON API alike."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale

SUPPORTED_LOCALES = ("ja", "en")


def request_locale() -> str:
    """``?lang=ja|en`` when given, else the locale Flask-Babel chose for this request (Japanese by default)."""
    lang = request.args.get("lang")
    return lang if lang in SUPPORTED_LOCALES else str(get_locale() or "ja")


def current_locale(locale: str | None = None) -> str:
    """``locale`` when the caller names one, else Flask-Babel's choice for this request (Japanese outside one)."""
    return locale or str(get_locale() or "ja")

"""The locale of the current request, for pages and the JSON API alike; lists and Japanese names in the reader's
language."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import request
from flask_babel import get_locale
from markupsafe import Markup

SUPPORTED_LOCALES = ("ja", "en")


def request_locale() -> str:
    """``?lang=ja|en`` when given, else the locale Flask-Babel chose for this request (Japanese by default)."""
    lang = request.args.get("lang")
    return lang if lang in SUPPORTED_LOCALES else str(get_locale() or "ja")


def current_locale(locale: str | None = None) -> str:
    """``locale`` when the caller names one, else Flask-Babel's choice for this request (Japanese outside one)."""
    return locale or str(get_locale() or "ja")


# Kana, CJK ideographs and the full-width forms: text in these scripts is Japanese for a screen reader.
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def join_list(items: Iterable, locale: str | None = None) -> str:
    """A list as its reader writes one: 「切削、研削、めっき」 in Japanese, "turning, grinding, plating" in English.
    The one helper for every page and email (a template filter, ``join_list``)."""
    words = [str(item) for item in items or () if item is not None and str(item) != ""]
    return ("、" if current_locale(locale) == "ja" else ", ").join(words)


def is_japanese(text: str | None) -> bool:
    """True when the text holds kana or kanji (a name as registered in Japanese)."""
    return bool(text) and _JAPANESE.search(str(text)) is not None


def lang_ja(text: str | None, locale: str | None = None) -> Markup:
    """Japanese text on a page in another language, marked ``<span lang="ja">`` so that screen readers pronounce it
    and browsers pick a Japanese font (a template filter, ``lang_ja``); unchanged on Japanese pages."""
    if text is None:
        return Markup("")
    if current_locale(locale) != "ja" and is_japanese(text):
        return Markup('<span lang="ja">{}</span>').format(text)
    return Markup("{}").format(text)

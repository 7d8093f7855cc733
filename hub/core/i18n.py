"""The locale of the current request, for pages and the JSON API alike; lists and Japanese names in the reader's
language."""

from __future__ import annotations

import re
import unicodedata
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


def fit_lines(text: str | None, columns: int, max_lines: int = 2) -> list[str]:
    """``text`` in at most ``max_lines`` lines of ``columns`` columns (a Japanese character takes two), words kept
    whole where there are spaces, the last line ending in … when it had to be cut — for chart labels (a template
    global), which must fit their column in either language."""
    words = str(text or "").split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if _columns(candidate) <= columns:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while _columns(current) > columns:  # a word longer than a line (Japanese has no spaces): cut it
            cut = _cut(current, columns)
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = lines[:max_lines - 1] + [last[:_cut(last, columns - 1)] + "…"]
    return lines


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _cut(text: str, columns: int) -> int:
    """How many characters of ``text`` fit in ``columns`` (at least one)."""
    used = 0
    for index, ch in enumerate(text):
        used += _columns(ch)
        if used > columns:
            return max(1, index)
    return len(text)

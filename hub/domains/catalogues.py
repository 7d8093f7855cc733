"""Which catalogue holds each msgid, for ``make messages``: one translation per msgid, in one catalogue.

A msgid used by the shared sources, or by the sources of two or more domains with their own catalogue, belongs
to the shared catalogue (hub/translations); a msgid used by one such domain only belongs to that domain's
catalogue. Flask-Babel merges all catalogues, so a msgid in two of them could only ever show one wording anyway;
``tests/test_i18n.py`` fails when a msgid appears in two catalogues.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import write_po

from hub.domains import ROOT, catalogue_domains, shared_i18n_sources

REPO = ROOT.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
METHODS = {".py": "python", ".html": "jinja2", ".txt": "jinja2"}
SHARED = "translations"


def _files(paths: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = REPO / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in METHODS and p.is_file()))
    return found


def _extract(paths: Iterable[str]) -> dict:
    """msgid (a str, or a (singular, plural) tuple) → the flags and auto comments of its first occurrence."""
    found: dict = {}
    for path in _files(paths):
        for _lineno, message, comments, context in extract_from_file(METHODS[path.suffix], str(path),
                                                                   keywords=KEYWORDS):
            if context is None:
                found.setdefault(message, comments)
    return found


def sources() -> dict[str, list[str]]:
    """Catalogue folder (relative to hub/) → the paths extracted for it."""
    out = {SHARED: shared_i18n_sources()}
    for name in catalogue_domains():
        out[f"{name}/translations"] = [f"hub/{name}", f"hub/templates/{name}"]
    return out


def assignment() -> dict[str, dict]:
    """Catalogue folder → the msgids it holds (see the module docstring)."""
    extracted = {folder: _extract(paths) for folder, paths in sources().items()}
    owners: dict = {}
    for folder, messages in extracted.items():
        for msgid in messages:
            owners.setdefault(_key(msgid), []).append(folder)
    result: dict[str, dict] = {folder: {} for folder in extracted}
    for folder, messages in extracted.items():
        for msgid, comments in messages.items():
            where = owners[_key(msgid)]
            target = SHARED if SHARED in where or len(where) > 1 else folder
            result[target].setdefault(msgid, comments)
    return result


def _key(msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def write_templates() -> list[Path]:
    """Write hub/<folder>/messages.pot for every catalogue (what ``pybabel update`` then merges into the .po)."""
    written = []
    for folder, messages in assignment().items():
        catalogue = Catalog(fuzzy=False)
        for msgid, comments in messages.items():
            catalogue.add(msgid, auto_comments=comments)
        target = ROOT / folder / "messages.pot"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            write_po(handle, catalogue, no_location=True, omit_header=True, sort_output=True)
        written.append(target)
    return written

"""Labels for taxonomy codes and wards in the visitor's language (data from the matching library)."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import gettext as _
from markupsafe import Markup, escape

from hub.core.i18n import current_locale
from matching import WARDS, Taxonomy


def ward_label(key: str | None, locale: str | None = None) -> str:
    """'ota' → '大田区' or 'Ota'."""
    if not key:
        return ""
    ward = WARDS.get(key)
    if ward is None:
        return key
    return ward.name_en if current_locale(locale) == "en" else ward.name_ja


def ward_choices(locale: str | None = None) -> list[tuple[str, str]]:
    """Wards for a select box, in the visitor's language."""
    return list(_ward_choices(current_locale(locale)))


@lru_cache(maxsize=4)
def _ward_choices(lang: str) -> tuple[tuple[str, str], ...]:
    return tuple((key, ward_label(key, lang)) for key in WARDS)


def capability_label(code: str, locale: str | None = None) -> str:
    """A process or material code as a person reads it."""
    return Taxonomy.default().label(code, current_locale(locale))


def process_choices(locale: str | None = None) -> list[tuple[str, str]]:
    """Processes for a select box, sorted by their label in the visitor's language."""
    return list(_choices("process", current_locale(locale)))


def material_choices(locale: str | None = None) -> list[tuple[str, str]]:
    """Materials for a select box, sorted by their label in the visitor's language."""
    return list(_choices("material", current_locale(locale)))


@lru_cache(maxsize=8)
def _choices(kind: str, lang: str) -> tuple[tuple[str, str], ...]:
    """The taxonomy is static data: its sorted labels are worked out once per process and language."""
    taxonomy = Taxonomy.default()
    codes = taxonomy.processes if kind == "process" else taxonomy.materials
    return tuple(sorted(((code, taxonomy.label(code, lang)) for code in codes), key=lambda c: c[1]))


def select_options(kind: str, selected: str | None = None, locale: str | None = None) -> Markup:
    """The ``<option>`` elements of a directory filter (``ward``, ``process`` or ``material``), first "all", with
    ``selected`` marked: one cached string per kind and language instead of rendering ~150 options per request."""
    html = _options_html(kind, current_locale(locale))
    if selected:
        marker = f' value="{escape(selected)}">'
        html = html.replace(marker, f' value="{escape(selected)}" selected>', 1)
    return Markup(html)


@lru_cache(maxsize=8)
def _options_html(kind: str, lang: str) -> str:
    everything = {"ward": _("All wards"), "process": _("All processes"), "material": _("All materials")}[kind]
    choices = _ward_choices(lang) if kind == "ward" else _choices(kind, lang)
    return "".join([f'<option value="">{escape(everything)}</option>',
                    *(f'<option value="{escape(code)}">{escape(label)}</option>' for code, label in choices)])

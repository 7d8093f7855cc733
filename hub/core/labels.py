"""Labels for taxonomy codes and wards in the visitor's language (data from the matching library)."""

from __future__ import annotations

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
    return [(key, ward_label(key, locale)) for key in WARDS]


def capability_label(code: str, locale: str | None = None) -> str:
    """A process or material code as a person reads it."""
    return Taxonomy.default().label(code, current_locale(locale))


def process_choices(locale: str | None = None) -> list[tuple[str, str]]:
    taxonomy = Taxonomy.default()
    lang = current_locale(locale)
    return sorted(((code, taxonomy.label(code, lang)) for code in taxonomy.processes), key=lambda c: c[1])


def material_choices(locale: str | None = None) -> list[tuple[str, str]]:
    taxonomy = Taxonomy.default()
    lang = current_locale(locale)
    return sorted(((code, taxonomy.label(code, lang)) for code in taxonomy.materials), key=lambda c: c[1])

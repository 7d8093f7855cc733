"""What successors see of a listing: its public (generalised) form, in the reader's language, and the owner's
preview of it with the reason for every generalisation. Nothing here reads the listing's exact ward, processes,
machines or bands except to build the form (see :mod:`hub.succession.kanon`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub.core.i18n import current_locale, join_list
from hub.succession import kanon
from hub.succession.labels import EMPLOYEE_LABELS, WIDE_EMPLOYEE_LABELS, WIDE_YEARS_LABELS, YEARS_LABELS, label
from hub.succession.models import ListingStatus
from matching import WARDS, Taxonomy, fold

if TYPE_CHECKING:
    from hub.succession.models import SuccessionListing

FIELD_LABELS = {
    "machines": _l("Main machines"), "bands": _l("Employees and years in business"), "area": _l("Area"),
    "processes": _l("Processes"),
}
LEVEL_TEXT = {
    ("machines", "category"): _l("shown only as kinds of machine"),
    ("machines", "hidden"): _l("not shown"),
    ("bands", "wide"): _l("shown as wider bands"),
    ("bands", "hidden"): _l("not shown"),
    ("area", "area"): _l("shown as an area of several wards"),
    ("area", "tokyo"): _l("shown as Tokyo only"),
    ("processes", "family"): _l("shown as process families"),
}


def view_of(listing: SuccessionListing) -> dict:
    """The stored public form; a listing checked before this feature gets its most general form (never the exact
    one) until it is checked again."""
    if listing.public_view:
        return listing.public_view
    levels = {field: options[-1] for field, options in kanon.LEVELS.items()}
    return {**kanon.form_for(listing, levels, {"processes": [], "materials": [], "certifications": []}),
            "k": None, "candidates": None, "steps": [], "blocked": None}


def area_label(view: dict, locale: str | None = None) -> str:
    area = view["area"]
    lang = current_locale(locale)
    with force_locale(lang):
        if area["level"] == "ward" and area["key"] in WARDS:
            ward = WARDS[area["key"]]
            return ward.name_en if lang == "en" else ward.name_ja
        if area["level"] == "area" and area["key"] in kanon.AREAS:
            return str(kanon.AREAS[area["key"]][0])
        return _("Tokyo")


def area_wards(view: dict) -> list[str] | None:
    """The ward keys the shown area covers (None: all of Tokyo)."""
    return view["area"]["wards"]


def family_label(code: str, locale: str | None = None) -> str:
    """A process family's name ("machining" is also a process: the family is 切削・機械加工)."""
    family = Taxonomy.default().families.get(code)
    if family is None:
        return code
    return family.label_en if current_locale(locale) == "en" else family.label_ja


def process_items(view: dict, locale: str | None = None) -> list[dict]:
    """[{"code", "label", "kind"}] with kind "process" or "family"."""
    taxonomy = Taxonomy.default()
    return [{"code": p["code"], "kind": p["kind"],
             "label": taxonomy.label(p["code"], current_locale(locale)) if p["kind"] == "process"
             else family_label(p["code"], locale)} for p in view["processes"]]


def machine_lines(view: dict, locale: str | None = None) -> list[str]:
    """The machines as shown: the owner's lines, or kinds of machine."""
    machines = view["machines"]
    if machines["level"] == "text":
        return list(machines["items"])
    if machines["level"] == "category":
        with force_locale(current_locale(locale)):
            return [_("%(family)s machines", family=family_label(code, locale)) for code in machines["items"]]
    return []


def band_labels(view: dict, locale: str | None = None) -> tuple[str, str]:
    """(employees, years in business) as shown, in the reader's language."""
    with force_locale(current_locale(locale)):
        hidden = _("Not shown (keeps the listing anonymous)")
        employees = label({**EMPLOYEE_LABELS, **WIDE_EMPLOYEE_LABELS}, view["employees_band"]) \
            if view["employees_band"] else hidden
        years = label({**YEARS_LABELS, **WIDE_YEARS_LABELS}, view["years_band"]) if view["years_band"] else hidden
    return employees, years


def headline(listing: SuccessionListing, locale: str | None = None) -> str:
    """A title made only from the public form (area and processes): owners never write the title themselves."""
    view = view_of(listing)
    lang = current_locale(locale)
    labels = [p["label"] for p in process_items(view, lang)[:3]]
    processes = join_list(labels, lang)
    with force_locale(lang):
        if not processes:
            return _("Workshop in %(ward)s looking for a successor", ward=area_label(view, lang))
        return _("%(processes)s workshop in %(ward)s looking for a successor", processes=processes,
                 ward=area_label(view, lang))


def search_text(listing: SuccessionListing) -> str:
    """Only what anonymous readers see (the public form and the owner's checked text)."""
    view = view_of(listing)
    parts = [listing.reason_text, listing.description]
    for lang in ("ja", "en"):
        parts.extend(p["label"] for p in process_items(view, lang))
        parts.extend(machine_lines(view, lang))
        parts.append(area_label(view, lang))
    return fold(" ".join(p for p in parts if p))[:20000]


def shows_ward(listing: SuccessionListing, ward: str) -> bool:
    """Does the listing's shown area cover ``ward``? (Filters never reveal more than the area shown.)"""
    wards = area_wards(view_of(listing))
    return wards is None or ward in wards


def process_credit(wanted: str, shown: dict) -> float:
    """Credit a shown process or process family gives a wanted process code."""
    taxonomy = Taxonomy.default()
    if shown["kind"] == "process":
        return taxonomy.process_similarity(wanted, shown["code"])
    process = taxonomy.processes.get(wanted)
    return 0.5 if process is not None and process.family == shown["code"] else 0.0


def public_fields(listing: SuccessionListing, locale: str | None = None) -> dict:
    """The anonymous fields of the API's listing object (area, processes, machines, bands)."""
    view = view_of(listing)
    area = view["area"]
    return {
        "ward": area["key"] if area["level"] == "ward" else None,
        "ward_label": area_label(view, locale),
        "area": {"level": area["level"], "key": area["key"], "label": area_label(view, locale),
                 "wards": area["wards"]},
        "processes": process_items(view, locale),
        "machines": machine_lines(view, locale) if view["machines"]["level"] == "text" else [],
        "machine_categories": [{"code": c, "label": family_label(c, locale)}
                               for c in view["machines"]["items"]] if view["machines"]["level"] == "category" else [],
        "employees_band": view["employees_band"],
        "years_band": view["years_band"],
        "generalised": sorted({step["field"] for step in view.get("steps", [])}),
    }


def explanations(view: dict, locale: str | None = None) -> list[str]:
    """Why each field was generalised, for the owner's preview and the reviewer."""
    lang = current_locale(locale)
    out = []
    with force_locale(lang):
        for step in view.get("steps", []):
            out.append(_("%(field)s: %(change)s, because shown one step more exactly only %(n)s published factories "
                         "in the directory would share everything the listing shows (at least %(k)s are needed).",
                         field=str(FIELD_LABELS[step["field"]]),
                         change=str(LEVEL_TEXT[(step["field"], step["level"])]), n=step["candidates"], k=view["k"]))
    return out


def blocked_reason(view: dict, locale: str | None = None) -> str | None:
    """Why a listing cannot be published (or was held), in the reader's language; None when it can."""
    if not view.get("blocked"):
        return None
    lang = current_locale(locale)
    with force_locale(lang):
        if view["blocked"] == "text":
            taxonomy = Taxonomy.default()
            terms = view["text_terms"]
            named = [taxonomy.label(c, lang) for c in terms["processes"] + terms["materials"]] + terms["certifications"]
            return _("Your text names %(terms)s; with this, only %(n)s published factories fit the listing (at least "
                     "%(k)s are needed). Describe these in general terms.", terms=join_list(named, lang),
                     n=view["candidates"], k=view["k"])
        return _("Even shown as generally as possible (process families, all of Tokyo, no sizes), only %(n)s "
                 "published factories fit the listing (at least %(k)s are needed), so it would point to your "
                 "factory. The organisers can advise you.", n=view["candidates"], k=view["k"])


def hold_message(listing: SuccessionListing, locale: str | None = None) -> str | None:
    """Why a listing is held (hidden from successors), in the reader's language."""
    if listing.status != ListingStatus.HELD:
        return None
    view = view_of(listing)
    if listing.hold_reason != "directory_changed":
        return blocked_reason(view, locale) or ""
    with force_locale(current_locale(locale)):
        return _("The public directory changed: only %(n)s published factories now share what this listing shows "
                 "(at least %(k)s are needed), so successors could tell which factory it is. It is hidden from "
                 "successors. Edit it and submit it again: it will be shown more generally.",
                 n=view.get("candidates"), k=view.get("k") or kanon.k_value())


def display(listing: SuccessionListing) -> dict:
    """The listing's public form for templates (area, processes, machines, bands) in the visitor's language."""
    view = view_of(listing)
    employees, years = band_labels(view)
    return {"area": area_label(view), "processes": process_items(view), "machines": machine_lines(view),
            "employees": employees, "years": years}


def preview(listing: SuccessionListing) -> dict:
    """For the owner and reviewers: exactly what successors will see (or see), and why each field is generalised.
    Drafts are checked live against the directory; submitted and public listings show their stored form."""
    drafting = listing.status in (ListingStatus.DRAFT, ListingStatus.RETURNED)
    view = listing.public_view if not drafting and listing.public_view else None
    if view is None:
        view = kanon.generalise(listing)
    employees, years = band_labels(view)
    return {"area": area_label(view), "processes": process_items(view), "machines": machine_lines(view),
            "employees": employees, "years": years, "candidates": view["candidates"], "k": view["k"],
            "reasons": explanations(view), "blocked": blocked_reason(view), "held": hold_message(listing)}

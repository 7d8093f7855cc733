"""k-anonymity of succession listings against the public directory.

A listing is anonymous only if the attributes it shows (area, processes, machines, employee and founding bands, and
the processes, materials and certifications its free text names) fit at least *k* published directory entries:
otherwise one directory query (``/api/v1/factories?ward=…&process=…``) names the factory.
:func:`generalise` counts every combination of levels — machines as written / as categories / hidden; bands exact /
widened / hidden; ward / area of several wards / Tokyo; processes / process families — and shows the one that loses
least while at least *k* entries remain, saying for each generalised field how few the more exact form would leave.

The count is strict (an entry matches only if it has every shown attribute; an unknown employee count or founding
year does not match), so any looser join an attacker tries finds at least as many candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from itertools import product
from typing import TYPE_CHECKING

import numpy as np
from flask import current_app
from flask_babel import lazy_gettext as _l

from hub.extensions import db
from hub.factories.models import Factory, FactoryCapability
from hub.factories.services import normaliser
from hub.succession.anonymity import norm
from matching import WARDS, Taxonomy

if TYPE_CHECKING:
    from hub.succession.models import SuccessionListing

DEFAULT_K = 5

# Areas of neighbouring wards (and the Tama cities): what a generalised listing shows instead of its ward.
AREAS: dict[str, tuple[object, tuple[str, ...]]] = {
    "jonan": (_l("Jōnan area (Ota, Shinagawa, Meguro, Setagaya)"), ("ota", "shinagawa", "meguro", "setagaya")),
    "joto": (_l("Jōtō area (Sumida, Koto, Katsushika, Edogawa, Adachi, Arakawa, Taito)"),
             ("sumida", "koto", "katsushika", "edogawa", "adachi", "arakawa", "taito")),
    "johoku": (_l("Jōhoku area (Kita, Itabashi, Toshima, Nerima)"), ("kita", "itabashi", "toshima", "nerima")),
    "josai": (_l("Jōsai area (Shinjuku, Shibuya, Nakano, Suginami)"), ("shinjuku", "shibuya", "nakano", "suginami")),
    "toshin": (_l("Central Tokyo (Chiyoda, Chuo, Minato, Bunkyo)"), ("chiyoda", "chuo", "minato", "bunkyo")),
    "tama": (_l("Tama area"), ("hachioji", "tachikawa", "musashino", "mitaka", "fuchu", "chofu", "machida")),
}
AREA_OF = {ward: key for key, (_label, wards) in AREAS.items() for ward in wards}

# Bands as (lowest, highest) with None for "no upper limit"; the widened bands join neighbours.
EMPLOYEE_RANGES = {"1_4": (0, 4), "5_9": (5, 9), "10_19": (10, 19), "20_49": (20, 49), "50_plus": (50, None),
                   "1_9": (0, 9), "10_49": (10, 49), "20_plus": (20, None)}
EMPLOYEE_WIDER = {"1_4": "1_9", "5_9": "1_9", "10_19": "10_49", "20_49": "10_49", "50_plus": "20_plus"}
YEARS_RANGES = {"under_10": (0, 9), "10_29": (10, 29), "30_49": (30, 49), "50_plus": (50, None),
                "under_30": (0, 29), "30_plus": (30, None)}
YEARS_WIDER = {"under_10": "under_30", "10_29": "under_30", "30_49": "30_plus", "50_plus": "30_plus"}

START = {"machines": "text", "bands": "exact", "area": "ward", "processes": "process"}


def k_value() -> int:
    """The configured k (``SUCCESSION_K_ANONYMITY``, at least 1)."""
    return max(1, int(current_app.config.get("SUCCESSION_K_ANONYMITY", DEFAULT_K)))


def _family(code: str) -> str | None:
    process = Taxonomy.default().processes.get(code)
    return process.family if process is not None else None


@lru_cache(maxsize=20_000)
def machine_categories(line: str) -> frozenset[str]:
    """The process families a machine name points to ("センタレス研削盤" → machining): the category shown instead."""
    found = normaliser().extract(line[:200], outcomes=False)
    return frozenset(f for f in (_family(hit.code) for hit in found.processes) if f)


def machine_key(line: str) -> str:
    """A machine line compared as written (NFKC, case and spaces folded)."""
    return norm(line)


@dataclass(frozen=True)
class Entry:
    """One published directory entry, reduced to what the public directory shows of it."""

    id: int
    ward: str | None
    processes: frozenset[str]
    families: frozenset[str]
    materials: frozenset[str]
    machines: frozenset[str]
    machine_categories: frozenset[str]
    certifications: frozenset[str]
    employees: int | None
    founded: int | None


def directory_entries() -> list[Entry]:
    """Every published factory as the directory API shows it (two queries, whatever the directory's size)."""
    caps: dict[int, tuple[set[str], set[str]]] = {}
    rows = db.session.execute(db.select(FactoryCapability.factory_id, FactoryCapability.kind, FactoryCapability.code)
                              .join(Factory, Factory.id == FactoryCapability.factory_id)
                              .where(Factory.is_public, FactoryCapability.is_capability))
    for factory_id, kind, code in rows:
        processes, materials = caps.setdefault(factory_id, (set(), set()))
        (processes if kind == "process" else materials).add(code)
    out = []
    for row in db.session.execute(db.select(Factory.id, Factory.ward, Factory.equipment, Factory.certifications,
                                            Factory.employees, Factory.founded).where(Factory.is_public)):
        processes, materials = caps.get(row.id, (set(), set()))
        equipment = [line for line in row.equipment or [] if isinstance(line, str)]
        out.append(Entry(
            id=row.id, ward=row.ward, processes=frozenset(processes),
            families=frozenset(f for f in map(_family, processes) if f), materials=frozenset(materials),
            machines=frozenset(machine_key(line) for line in equipment),
            machine_categories=frozenset().union(*(machine_categories(line) for line in equipment)),
            certifications=frozenset(norm(c) for c in row.certifications or [] if isinstance(c, str) and norm(c)),
            employees=row.employees, founded=row.founded))
    return out


@dataclass(frozen=True)
class Shown:
    """What a public form of a listing lets a reader join on."""

    wards: frozenset[str] | None  # None: all of Tokyo
    processes: frozenset[str]
    families: frozenset[str]
    machines: frozenset[str]
    machine_categories: frozenset[str]
    employees: tuple[int, int | None] | None
    years: tuple[int, int | None] | None
    text_processes: frozenset[str]
    text_materials: frozenset[str]
    certifications: frozenset[str]


def _in(value: int | None, bounds: tuple[int, int | None] | None) -> bool:
    if bounds is None:
        return True
    if value is None:
        return False
    low, high = bounds
    return value >= low and (high is None or value <= high)


def matches(entry: Entry, shown: Shown, year: int) -> bool:
    """True when ``entry`` has every attribute ``shown`` (strict: unknown values do not match)."""
    if shown.wards is not None and entry.ward not in shown.wards:
        return False
    if not (shown.processes | shown.text_processes) <= entry.processes or not shown.families <= entry.families:
        return False
    if not shown.text_materials <= entry.materials or not shown.certifications <= entry.certifications:
        return False
    if not shown.machines <= entry.machines or not shown.machine_categories <= entry.machine_categories:
        return False
    if not _in(entry.employees, shown.employees):
        return False
    years = year - entry.founded if entry.founded is not None else None
    return _in(years, shown.years)


def count(shown: Shown, entries: list[Entry], year: int | None = None) -> int:
    """How many directory entries a reader of this public form cannot tell apart."""
    year = year or date.today().year
    return sum(1 for entry in entries if matches(entry, shown, year))


def factory_terms(factory: Factory) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(process codes, material codes, certifications) the directory shows for one factory."""
    processes = frozenset(factory.codes("process"))
    materials = frozenset(factory.codes("material"))
    certifications = frozenset(norm(c) for c in factory.certifications or [] if isinstance(c, str) and norm(c))
    return processes, materials, certifications


def text_terms(texts: list[str], factory: Factory | None) -> dict[str, list[str]]:
    """Processes, materials and certifications the owner's free text names *and* the directory shows for the factory:
    a reader can join on those too. (A term the directory does not show for it leads a reader away from it.)"""
    text = "\n".join(t for t in texts if t)
    if not text.strip() or factory is None:
        return {"processes": [], "materials": [], "certifications": []}
    processes, materials, certifications = factory_terms(factory)
    found = normaliser().extract(text, outcomes=False)
    folded = norm(text)
    return {"processes": sorted({h.code for h in found.processes} & processes),
            "materials": sorted({h.code for h in found.materials} & materials),
            "certifications": sorted(c for c in certifications if len(c) >= 3 and c in folded)}


def form_for(listing: SuccessionListing, levels: dict[str, str], terms: dict[str, list[str]]) -> dict:
    """The public fields of ``listing`` at the given generalisation levels (JSON-ready)."""
    ward = listing.ward if listing.ward in WARDS else None
    area = {"level": "tokyo", "key": None, "wards": None}
    if levels["area"] == "ward" and ward:
        area = {"level": "ward", "key": ward, "wards": [ward]}
    elif levels["area"] in ("ward", "area") and ward and ward in AREA_OF:
        key = AREA_OF[ward]
        area = {"level": "area", "key": key, "wards": list(AREAS[key][1])}
    codes = [c for c in listing.processes or [] if c in Taxonomy.default().processes]
    if levels["processes"] == "process":
        processes = [{"kind": "process", "code": c} for c in codes]
    else:
        processes = [{"kind": "family", "code": f} for f in dict.fromkeys(_family(c) for c in codes)]
    lines = [m for m in listing.machines or [] if m and m.strip()]
    if levels["machines"] == "text":
        machines = {"level": "text", "items": lines}
    elif levels["machines"] == "category":
        cats = sorted(set().union(*(machine_categories(m) for m in lines))) if lines else []
        machines = {"level": "category", "items": cats}
    else:
        machines = {"level": "hidden", "items": []}
    bands = levels["bands"]
    employees = listing.employees_band if bands == "exact" else (
        EMPLOYEE_WIDER.get(listing.employees_band) if bands == "wide" else None)
    years = listing.years_band if bands == "exact" else (
        YEARS_WIDER.get(listing.years_band) if bands == "wide" else None)
    return {"area": area, "processes": processes, "machines": machines, "employees_band": employees,
            "years_band": years, "text_terms": terms, "levels": dict(levels)}


def shown_of(form: dict) -> Shown:
    """What a reader can join on in a public form (see :func:`form_for`)."""
    wards = form["area"]["wards"]
    machines = form["machines"]
    terms = form.get("text_terms") or {}
    return Shown(
        wards=frozenset(wards) if wards is not None else None,
        processes=frozenset(p["code"] for p in form["processes"] if p["kind"] == "process"),
        families=frozenset(p["code"] for p in form["processes"] if p["kind"] == "family"),
        machines=frozenset(machine_key(m) for m in machines["items"]) if machines["level"] == "text" else frozenset(),
        machine_categories=frozenset(machines["items"]) if machines["level"] == "category" else frozenset(),
        employees=EMPLOYEE_RANGES.get(form["employees_band"] or ""),
        years=YEARS_RANGES.get(form["years_band"] or ""),
        text_processes=frozenset(terms.get("processes", [])),
        text_materials=frozenset(terms.get("materials", [])),
        certifications=frozenset(terms.get("certifications", [])))


LEVELS = {"machines": ("text", "category", "hidden"), "bands": ("exact", "wide", "hidden"),
          "area": ("ward", "area", "tokyo"), "processes": ("process", "family")}
# How much a successor loses at each level: the least costly form that fits k entries is shown.
LOSS = {"machines": (0, 1, 2), "bands": (0, 1, 2.5), "area": (0, 1.5, 4), "processes": (0, 3)}
_EMPTY = Shown(None, frozenset(), frozenset(), frozenset(), frozenset(), None, None, frozenset(), frozenset(),
               frozenset())
_PARTS = {"machines": ("machines", "machine_categories"), "bands": ("employees", "years"), "area": ("wards",),
          "processes": ("processes", "families"), "text": ("text_processes", "text_materials", "certifications")}


def _mask(entries: list[Entry], shown: Shown, field: str, year: int) -> np.ndarray:
    """Which entries have what ``shown`` shows of one field (the other fields left out)."""
    only = replace(_EMPTY, **{name: getattr(shown, name) for name in _PARTS[field]})
    return np.fromiter((matches(entry, only, year) for entry in entries), dtype=bool, count=len(entries))


def generalise(listing: SuccessionListing, entries: list[Entry] | None = None, k: int | None = None) -> dict:
    """The public form of ``listing`` that loses least while fitting at least *k* directory entries.

    Every combination of levels is counted (the count only grows as a field gets more general). Returns the form plus
    ``k``, ``candidates`` (entries it fits), ``steps`` (each generalised field with the number of entries that would
    remain were it one level more exact — always below *k*) and ``blocked``: None, ``"text"`` (the free text names
    processes, materials or certifications that few entries share: only the owner can reword it) or ``"directory"``
    (even the most general form fits fewer than *k* entries).
    """
    entries = directory_entries() if entries is None else entries
    k = k or k_value()
    year = date.today().year
    terms = text_terms([listing.reason_text, listing.description], listing.factory)
    masks: dict[tuple[str, str], np.ndarray] = {}
    for field, levels in LEVELS.items():
        for level in levels:
            shown = shown_of(form_for(listing, {**START, field: level}, terms))
            masks[field, level] = _mask(entries, shown, field, year)
    text_mask = _mask(entries, shown_of(form_for(listing, START, terms)), "text", year)

    def counted(levels: dict[str, str], with_text: bool = True) -> int:
        mask = text_mask.copy() if with_text else np.ones(len(entries), dtype=bool)
        for field, level in levels.items():
            mask &= masks[field, level]
        return int(mask.sum())

    fields = list(LEVELS)
    combos = [dict(zip(fields, combo, strict=True)) for combo in product(*(LEVELS[f] for f in fields))]
    scored = sorted(((sum(LOSS[f][LEVELS[f].index(c[f])] for f in fields), -counted(c), i, c)
                     for i, c in enumerate(combos)))
    fitting = [row for row in scored if -row[1] >= k]
    most_general = {f: LEVELS[f][-1] for f in fields}
    levels = fitting[0][3] if fitting else most_general
    steps = []
    for field in fields:
        index = LEVELS[field].index(levels[field])
        if index:
            steps.append({"field": field, "level": levels[field],
                          "candidates": counted({**levels, field: LEVELS[field][index - 1]})})
    n = counted(levels)
    blocked = None
    if n < k:
        blocked = "text" if any(terms.values()) and counted(levels, with_text=False) >= k else "directory"
    form = form_for(listing, levels, terms)
    return {**form, "k": k, "candidates": n, "steps": steps, "blocked": blocked}

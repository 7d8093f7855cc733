"""Query compilation: a need (text, named processes and materials, place, quantity) read into the steps the
matcher requires, the context steps that only add credit, and the materials, as taxonomy columns."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ._geo import WARDS, normalise_ward
from ._normalise import MAX_TEXT, Normaliser, implied_material
from ._taxonomy import Taxonomy
from ._types import Extraction, MatchingInputError, NeedQuery, Resolved

MAX_STEPS = 12
MAX_LIST = 50

_INSTEAD = re.compile(r"\binstead\b|代わりに|かわりに|ではなく|じゃなく", re.I)
# a repair request names its fix; the damage words ("the cracked bracket re-welded") add no step of their own
_REPAIR = re.compile(r"\b(?:repair\w*|fix|fixed|mend\w*|re-[a-z]+)\b|修理|補修|直して|直し", re.I)
_MAKE_WORD = re.compile(r"作り|作っ|作る|作れ|製作|\bmake\b|\bmade\b|\bbuild\b", re.I)

OutcomeGroup = tuple[tuple[Resolved, ...], str]  # the alternatives of one outcome / problem / shape, its strength


@dataclass(frozen=True)
class StepGroup:
    """One step of a need: its acceptable processes as (process column, weight in (0, 1]) and as resolutions,
    and how it was asked for ("explicit", "context", "problem", "shape", ...)."""

    alts: tuple[tuple[int, float], ...]
    resolved: tuple[Resolved, ...]
    strength: str


@dataclass(frozen=True)
class CompiledQuery:
    """A need as the matcher scores it."""

    processes: list[Resolved]
    materials: list[Resolved]
    unresolved: list[str]
    suggestions: dict[str, tuple[str, ...]]
    required: tuple[StepGroup, ...]
    soft: tuple[StepGroup, ...]
    material_cols: tuple[int, ...]
    text: str
    lat: float | None
    lon: float | None
    quantity: int | None


@dataclass
class _NeedReading:
    """What the need's lists and text name, before the steps are decided."""

    explicit: dict[str, Resolved]  # processes the need names as steps
    materials: dict[str, Resolved]
    context: dict[str, Resolved]  # processes mentioned only as the object's history / part
    outcome_groups: list[OutcomeGroup] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    suggestions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extraction: Extraction | None = None


# --- input checks ---------------------------------------------------------------------------------------


def check_str_list(value: object, name: str) -> tuple[str, ...]:
    """``value`` as a tuple of at most MAX_LIST strings (a single string counts as one); None gives ()."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, (list, tuple)):
        raise MatchingInputError(f"{name} must be a list of strings")
    if len(value) > MAX_LIST:
        raise MatchingInputError(f"{name}: at most {MAX_LIST} items")
    for v in value:
        if not isinstance(v, str):
            raise MatchingInputError(f"{name} must be a list of strings")
    return tuple(value)


def check_coord(lat: object, lon: object) -> tuple[float | None, float | None]:
    """A (lat, lon) pair given together as finite numbers in range, or (None, None)."""
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        raise MatchingInputError("lat and lon must be given together")
    if (
        isinstance(lat, bool)
        or isinstance(lon, bool)
        or not isinstance(lat, (int, float))
        or not isinstance(lon, (int, float))
    ):
        raise MatchingInputError("lat/lon must be numbers")
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise MatchingInputError("lat/lon out of range")
    return float(lat), float(lon)


def query_place(query: NeedQuery) -> tuple[float | None, float | None]:
    """The need's place: its coordinates, else its ward's centre, else (None, None)."""
    lat, lon = check_coord(query.lat, query.lon)
    if query.ward is not None and not isinstance(query.ward, str):
        raise MatchingInputError("ward must be a string")
    if lat is None and query.ward:
        key = normalise_ward(query.ward)
        if key:
            lat, lon = WARDS[key].lat, WARDS[key].lon
    return lat, lon


def _checked_text(query: NeedQuery) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The need's text (cut to MAX_TEXT), named processes and named materials, checked; never all empty."""
    if not isinstance(query, NeedQuery):
        raise MatchingInputError("query must be a NeedQuery")
    text = query.text if query.text is not None else ""
    if not isinstance(text, str):
        raise MatchingInputError("text must be a string")
    text = text[:MAX_TEXT]
    processes = check_str_list(query.processes, "processes")
    materials = check_str_list(query.materials, "materials")
    return text, processes, materials


def _checked_quantity(query: NeedQuery) -> int | None:
    """The need's quantity: None or a positive integer up to 10⁹."""
    quantity = query.quantity
    if quantity is not None and (
        isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1 or quantity > 10**9
    ):
        raise MatchingInputError("quantity must be a positive integer")
    return quantity


# --- compilation ----------------------------------------------------------------------------------------


class QueryCompiler:
    """Compiles needs against one taxonomy, its normaliser and the index's column numbering."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        normaliser: Normaliser,
        process_column: Mapping[str, int],
        material_column: Mapping[str, int],
    ) -> None:
        self.taxonomy = taxonomy
        self.normaliser = normaliser
        self.process_column = process_column
        self.material_column = material_column

    def compile(self, query: NeedQuery) -> CompiledQuery:
        """Read a need into required steps, context steps and materials (see :class:`CompiledQuery`)."""
        text, plist, mlist = _checked_text(query)
        lat, lon = query_place(query)
        quantity = _checked_quantity(query)
        if not text.strip() and not any(p.strip() for p in plist) and not any(m.strip() for m in mlist):
            raise MatchingInputError("empty query: give a text, processes or materials")
        reading = self._read_need(text, plist, mlist)
        self._apply_exclusions(query, reading)
        reading.outcome_groups = self._applicable_outcomes(reading)
        if not reading.explicit and not any(st == "problem" for _g, st in reading.outcome_groups):
            reading.explicit, reading.context = reading.context, {}  # no problem left: the context is the request
        required = self._required_steps(text, reading)
        soft = [self._group((r,), "context") for r in reading.context.values()]
        required_sets = [g.resolved for g in required]
        for g, s in reading.outcome_groups:
            if g not in required_sets:
                soft.append(self._group(g, s))
        required = _distinct_steps(required)[:MAX_STEPS]
        return CompiledQuery(
            _all_processes(reading.explicit, required, soft),
            list(reading.materials.values()),
            reading.unresolved,
            reading.suggestions,
            tuple(required),
            tuple(soft),
            tuple(self.material_column[c] for c in reading.materials),
            " ".join((text[:2000], *plist, *mlist)),
            lat,
            lon,
            quantity,
        )

    def _read_need(self, text: str, plist: tuple[str, ...], mlist: tuple[str, ...]) -> _NeedReading:
        """Resolve the named processes and materials, and read the text: its named steps, context-only
        steps, materials and outcome groups. When the need names nothing but context, the context is the
        request; unresolved text words are kept only when nothing else was understood."""
        norm = self.normaliser
        named_processes, unresolved_processes = norm.resolve_list(plist, "process")
        named_materials, unresolved_materials = norm.resolve_list(mlist, "material")
        ex = (
            norm.extract(text, outcomes=True, material_codes=[r.code for r in named_materials])
            if text.strip()
            else None
        )
        unresolved = unresolved_processes + unresolved_materials
        reading = _NeedReading(
            explicit={r.code: r for r in named_processes},
            materials={r.code: r for r in named_materials},
            context={},
            unresolved=unresolved,
            suggestions={u: norm.suggest(u) for u in unresolved[:20]},
            extraction=ex,
        )
        if ex is None:
            return reading
        context_codes = set(ex.context)
        for r in ex.processes:
            if r.via == "outcome":
                continue
            if r.code in context_codes and r.code not in reading.explicit:
                reading.context.setdefault(r.code, r)
            else:
                reading.explicit.setdefault(r.code, r)
        has_problem = any(st == "problem" for st in ex.group_strength)
        if not reading.explicit and not has_problem:  # nothing but context: then the context words are the request
            reading.explicit, reading.context = reading.context, {}
        for r in ex.materials:
            reading.materials.setdefault(r.code, r)
        for g, strength in zip(ex.groups, ex.group_strength, strict=True):
            if strength != "explicit" and not any(r.code in reading.explicit for r in g):
                reading.outcome_groups.append((g, strength))
        if ex.unresolved and not reading.explicit and not reading.materials and not reading.outcome_groups:
            reading.unresolved += ex.unresolved
            for u in ex.unresolved:
                reading.suggestions[u] = norm.suggest(u)
        return reading

    def _apply_exclusions(self, query: NeedQuery, reading: _NeedReading) -> None:
        """Drop the excluded processes from every step; where an outcome loses one ("no mould"), offer the
        alternatives that fit the same need without it, also when nothing else is left."""
        excluded, alternatives = self.excluded_codes(query, reading.extraction)
        if not excluded:
            return
        norm = self.normaliser
        reading.explicit = {c: r for c, r in reading.explicit.items() if c not in excluded}
        reading.context = {c: r for c, r in reading.context.items() if c not in excluded}
        pruned: list[OutcomeGroup] = []
        for g, s in reading.outcome_groups:
            kept = tuple(r for r in g if r.code not in excluded)
            if alternatives and len(kept) < len(g):  # "no mould": the same need without the tooling
                src = g[0].source
                have = {r.code for r in kept}
                kept += tuple(
                    norm.make_resolved("process", c, conf, src, "outcome") for c, conf in alternatives if c not in have
                )
            if kept:
                pruned.append((kept, s))
        reading.outcome_groups = pruned
        if alternatives and not reading.explicit and not reading.outcome_groups:
            src = next(iter(getattr(reading.extraction, "excluded", ())), None)
            alts = tuple(
                norm.make_resolved("process", c, conf, src.source if src else c, "outcome")
                for c, conf in alternatives
            )
            reading.outcome_groups = [(alts, "problem")]

    def excluded_codes(self, query: NeedQuery, ex: object) -> tuple[set[str], list[tuple[str, float]]]:
        """Process codes that must never be required: removed by the seeker or negated in the text
        ("金型は作りたくない", "no mould"), with their more specific kinds and the processes that depend on
        them; and the alternatives that fit the same need without them (urethane casting for no mould)."""
        raw = check_str_list(query.exclude, "exclude")
        base = {c for c in raw if c in self.process_column}
        base |= {r.code for r in getattr(ex, "excluded", ())}
        if not base:
            return set(), []
        tax = self.taxonomy
        out = {c for c in tax.process_codes if any(tax.is_descendant(c, b) for b in base)}
        instead: dict[str, float] = {}
        for b in base:
            needs, alts = tax.without.get(b, ((), ()))
            out.update(c for c in needs if c in self.process_column)
            for c, conf in alts:
                instead[c] = max(instead.get(c, 0.0), conf)
        alts_left = [(c, conf) for c, conf in sorted(instead.items(), key=lambda kv: -kv[1]) if c not in out]
        return out, alts_left

    def _applicable_outcomes(self, reading: _NeedReading) -> list[OutcomeGroup]:
        """Per outcome group, the alternatives that suit the need's materials (a process only for some
        material families is dropped for others); a group none of whose alternatives suits is dropped."""
        families = {self.taxonomy.materials[c].family for c in reading.materials}
        if not families:  # "rubber seals": the named process says the material
            implied = {implied_material(c) for c in (*reading.explicit, *reading.context)} - {None}
            families = {self.taxonomy.materials[c].family for c in implied if c in self.taxonomy.materials}

        def applicable(r: Resolved) -> bool:
            only = self.taxonomy.material_only.get(r.code)
            return not (families and only and not families.intersection(only))

        out = [(tuple(r for r in g if applicable(r)), s) for g, s in reading.outcome_groups]
        # a problem none of whose processes applies to the named material (rubber seals that crack: no heat
        # treatment) is left out; with no material named every group stays whole
        return [(kept or g, s) for (kept, s), (g, _s) in zip(out, reading.outcome_groups, strict=True)
                if kept or not families]

    def _group(self, alts: Sequence[Resolved], strength: str) -> StepGroup:
        """A step of alternatives, each weighted by its confidence relative to the most confident one."""
        top = max(r.confidence for r in alts) or 1.0
        return StepGroup(
            tuple((self.process_column[r.code], r.confidence / top) for r in alts), tuple(alts), strength
        )

    def _required_steps(self, text: str, reading: _NeedReading) -> list[StepGroup]:
        """The steps the need requires: its named steps (made specific by its outcomes) and the problems they
        leave open; with no named step, its problems (and the default process of a named cast material), else
        its shapes."""
        if not reading.explicit:
            problems = [self._group(g, s) for g, s in reading.outcome_groups if s == "problem"]
            problems += self._material_default_steps(reading, lambda pcode: True)
            return problems or [self._group(g, s) for g, s in reading.outcome_groups if s == "shape"]
        required = [self._named_step(r, reading.outcome_groups) for r in reading.explicit.values()]
        required += self._open_problems(text, reading)
        if _MAKE_WORD.search(text):
            # "鋳鉄で機械のベースを作り、取付面の加工まで": making it in a cast material is a step of its own
            tax = self.taxonomy
            required += self._material_default_steps(
                reading,
                lambda pcode: not any(
                    tax.processes[e].family == tax.processes[pcode].family for e in reading.explicit
                ),
            )
        return required

    def _named_step(self, named: Resolved, outcome_groups: list[OutcomeGroup]) -> StepGroup:
        """A step the need names, with the more specific kinds its outcomes or shapes point to as the better
        alternatives ("削り出し" + 「複雑形状」 → 5-axis); the named process itself then weighs 0.7."""
        tax = self.taxonomy
        finer_alts: list[Resolved] = []
        for g, _s in outcome_groups:
            finer = [x for x in g if x.code != named.code and tax.is_descendant(x.code, named.code)]
            finer_alts.extend(x for x in finer if all(y.code != x.code for y in finer_alts))
        if not finer_alts:
            return self._group((named,), "explicit")
        top = max(x.confidence for x in finer_alts)
        cols = [(self.process_column[x.code], x.confidence / top) for x in finer_alts]
        cols.append((self.process_column[named.code], 0.7))
        return StepGroup(tuple(cols), (*finer_alts, named), "explicit")

    def _open_problems(self, text: str, reading: _NeedReading) -> list[StepGroup]:
        """A problem the named steps do not address is one more step ("matte texture … before anodising"),
        unless the need says the named step replaces the old way ("machined from one block instead")."""
        if _INSTEAD.search(text) or (reading.explicit and _REPAIR.search(text)):
            return []
        tax = self.taxonomy
        return [
            self._group(g, s)
            for g, s in reading.outcome_groups
            if s == "problem"
            and not any(
                tax.is_descendant(x.code, e) or tax.is_descendant(e, x.code) for x in g for e in reading.explicit
            )
        ]

    def _material_default_steps(
        self, reading: _NeedReading, wanted: Callable[[str], bool]
    ) -> list[StepGroup]:
        """A "problem" step for the default process of each named material that has one (cast iron →
        casting), where ``wanted(process_code)`` agrees."""
        steps: list[StepGroup] = []
        for code, pcode in self.taxonomy.material_defaults.items():
            if code in reading.materials and pcode in self.process_column and wanted(pcode):
                r = self.normaliser.make_resolved("process", pcode, 0.6, reading.materials[code].source, "material")
                steps.append(self._group((r,), "problem"))
        return steps


def _distinct_steps(required: list[StepGroup]) -> list[StepGroup]:
    """The steps without repeats (the same set of process columns), in order."""
    seen: set[frozenset[int]] = set()
    out: list[StepGroup] = []
    for g in required:
        key = frozenset(c for c, _ in g.alts)
        if key not in seen:
            seen.add(key)
            out.append(g)
    return out


def _all_processes(
    explicit: dict[str, Resolved], required: list[StepGroup], soft: list[StepGroup]
) -> list[Resolved]:
    """The processes the need was read as: the named ones, then every other alternative of its steps."""
    processes = list(explicit.values())
    for g in (*required, *soft):
        for r in g.resolved:
            if r.code not in explicit and all(p.code != r.code for p in processes):
                processes.append(r)
    return processes

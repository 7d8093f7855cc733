"""The in-memory capability index and the ranking of factories for needs (and needs for factories)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._geo import WARDS, haversine_km, normalise_ward
from ._normalise import MAX_TEXT, Normaliser, fold
from ._taxonomy import Taxonomy
from ._types import (
    Capabilities,
    FactoryProfile,
    Match,
    MatchingInputError,
    MatchResult,
    NeedFit,
    NeedQuery,
    ProfileReading,
    Resolved,
)

COVER = 0.8  # credit at which a factory counts as truly doing a step
MAX_STEPS = 12
MAX_LIST = 50
MAX_LIMIT = 1000
_EARTH_KM = 6371.0088


class UnknownFactoryError(MatchingInputError, KeyError):
    """The factory id is not in the index."""


# --- residual text similarity -------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"[a-z][a-z0-9]+|[0-9]+[a-z][a-z0-9]*|[^\x00-\x7f\s、。，．「」『』（）()・！？：；…/]+"
)


def _analyze(text: str) -> list[str]:
    """Word tokens for Latin script, character bigrams for Japanese (no spaces there)."""
    out: list[str] = []
    for t in _TOKEN_RE.findall(fold(text[:2000])):
        if t.isascii():
            if len(t) > 4 and t.endswith("s") and not t.endswith("ss"):
                t = t[:-1]
            out.append(t)
        elif len(t) == 1:
            out.append(t)
        else:
            out.extend(t[i : i + 2] for i in range(len(t) - 1))
    return out


# --- compiled query -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    alts: tuple[tuple[int, float], ...]  # (process column, weight in (0, 1])
    resolved: tuple[Resolved, ...]
    strength: str


@dataclass(frozen=True)
class _Compiled:
    processes: list[Resolved]
    materials: list[Resolved]
    unresolved: list[str]
    suggestions: dict[str, tuple[str, ...]]
    required: tuple[_Group, ...]
    soft: tuple[_Group, ...]
    material_cols: tuple[int, ...]
    text: str
    lat: float | None
    lon: float | None
    quantity: int | None


_INSTEAD = re.compile(r"\binstead\b|代わりに|かわりに|ではなく|じゃなく", re.I)
_MAKE_WORD = re.compile(r"作り|作っ|作る|作れ|製作|\bmake\b|\bmade\b|\bbuild\b", re.I)


def _check_str_list(value: object, name: str) -> tuple[str, ...]:
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


def _check_coord(lat: object, lon: object) -> tuple[float | None, float | None]:
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


def _check_limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise MatchingInputError(f"limit must be an integer from 1 to {MAX_LIMIT}")
    return limit


def _lang(lang: object) -> str:
    return "en" if isinstance(lang, str) and lang.lower().startswith("en") else "ja"


class MatchIndex:
    """Capability vectors of all factories, precomputed so that a query is a few column operations."""

    def __init__(self) -> None:  # use MatchIndex.build
        self.taxonomy: Taxonomy
        self.normaliser: Normaliser
        self.ids: np.ndarray = np.zeros(0, dtype=np.int64)

    # -- build ------------------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        profiles: Iterable[FactoryProfile],
        *,
        taxonomy: Taxonomy | None = None,
        extra_aliases: Mapping[str, tuple[str, str]] | None = None,
    ) -> MatchIndex:
        """Build the index. Repeated raw strings are resolved once; per-profile work is a few dict lookups
        and one scan of the description."""
        self = cls()
        tax = taxonomy or Taxonomy.default()
        if taxonomy is None and not extra_aliases:
            norm = Normaliser.default()
        else:
            norm = Normaliser(tax, extra_aliases)
        self.taxonomy, self.normaliser = tax, norm
        pcodes, mcodes = tax.process_codes, tax.material_codes
        self._pcol = {c: i for i, c in enumerate(pcodes)}
        self._mcol = {c: i for i, c in enumerate(mcodes)}

        ids: list[int] = []
        ext: list[str | None] = []
        names: list[str] = []
        lat: list[float] = []
        lon: list[float] = []
        approx: list[bool] = []
        lot_min: list[float] = []
        lot_max: list[float] = []
        track: list[float] = []
        docs: list[str] = []
        caps_p: list[tuple[Resolved, ...]] = []
        caps_m: list[tuple[Resolved, ...]] = []
        prow: list[int] = []
        pcol: list[int] = []
        pval: list[float] = []
        mrow: list[int] = []
        mcol: list[int] = []
        unresolved_counts: dict[str, int] = {}
        readings: list = []
        blocked: list[frozenset[str]] = []
        seen: dict[int, int] = {}
        for prof in profiles:
            if not isinstance(prof, FactoryProfile):
                raise MatchingInputError("profiles must be FactoryProfile instances")
            if prof.id in seen:
                raise MatchingInputError(f"duplicate factory id {prof.id}")
            row = len(ids)
            seen[prof.id] = row
            reading, unres = norm._read_profile(
                tuple(prof.processes or ()),
                tuple(prof.materials or ()),
                prof.description if isinstance(prof.description, str) else "",
                tuple(prof.equipment or ()),
                tuple(prof.confirmed or ()),
                tuple(prof.rejected or ()),
            )
            for u in unres:
                unresolved_counts[u] = unresolved_counts.get(u, 0) + 1
            equipment = " / ".join(e for e in (prof.equipment or ()) if isinstance(e, str))
            desc = prof.description if isinstance(prof.description, str) else ""
            readings.append(reading)
            blocked.append(
                frozenset(
                    (*(r.code for r in reading.outsourced), *(r.code for r in reading.not_done), *prof.rejected)
                )
            )
            pdedup: dict[str, Resolved] = {}
            mdedup: dict[str, Resolved] = {}
            for ev in reading.capabilities:
                r = Resolved(ev.kind, ev.code, ev.label_ja, ev.label_en, ev.confidence, _source(ev), (), ev.level)
                if ev.kind == "process":
                    pdedup[ev.code] = r
                else:
                    mdedup[ev.code] = r
            caps_p.append(tuple(pdedup.values()))
            caps_m.append(tuple(mdedup.values()))
            for code, r in pdedup.items():
                prow.append(row)
                pcol.append(self._pcol[code])
                pval.append(r.confidence)
            for code in mdedup:
                mrow.append(row)
                mcol.append(self._mcol[code])
            ids.append(int(prof.id))
            ext.append(prof.external_id)
            names.append(prof.name)
            la, lo, ap = _locate(prof.lat, prof.lon, prof.ward)
            lat.append(la)
            lon.append(lo)
            approx.append(ap)
            lot_min.append(_num(prof.lot_min))
            lot_max.append(_num(prof.lot_max))
            tr = _num(prof.track_record)
            track.append(min(1.0, max(0.0, tr)) if not math.isnan(tr) else math.nan)
            raw_terms = " ".join(t for t in (*prof.processes, *prof.materials) if isinstance(t, str))
            docs.append(f"{raw_terms} {equipment} {desc[:1500]}")

        n = len(ids)
        self.ids = np.asarray(ids, dtype=np.int64)
        self.external_ids = ext
        self.names = names
        self._row = seen
        self.lat = np.asarray(lat, dtype=np.float64)
        self.lon = np.asarray(lon, dtype=np.float64)
        self.approx_location = np.asarray(approx, dtype=bool)
        self.lot_min = np.asarray(lot_min, dtype=np.float64)
        self.lot_max = np.asarray(lot_max, dtype=np.float64)
        self.track = np.asarray(track, dtype=np.float64)
        self._caps_p = caps_p
        self._caps_m = caps_m
        self._readings = readings
        self._blocked = blocked
        self.unresolved_terms = dict(sorted(unresolved_counts.items(), key=lambda kv: -kv[1]))

        # process credit matrix: E[f, w] = max_o F[f, o] * S[w, o]  (family-level partial credit)
        npc, nmc = len(pcodes), len(mcodes)
        S = np.array([[tax.process_similarity(w, o) for o in pcodes] for w in pcodes], dtype=np.float32)
        F = sp.csc_matrix((np.asarray(pval, dtype=np.float32), (prow, pcol)), shape=(n, npc))
        E = np.zeros((n, npc), dtype=np.float32)
        for o in range(npc):
            rows = F.indices[F.indptr[o] : F.indptr[o + 1]]
            if rows.size:
                vals = F.data[F.indptr[o] : F.indptr[o + 1]]
                E[rows] = np.maximum(E[rows], vals[:, None] * S[:, o][None, :])
        self._E = np.asfortranarray(E)
        self._S = S
        SM = np.array(
            [[tax.material_similarity(w, o) for o in mcodes] for w in mcodes], dtype=np.float32
        )
        M = sp.csc_matrix((np.ones(len(mrow), dtype=np.float32), (mrow, mcol)), shape=(n, nmc))
        EM = np.zeros((n, nmc), dtype=np.float32)
        for o in range(nmc):
            rows = M.indices[M.indptr[o] : M.indptr[o + 1]]
            if rows.size:
                EM[rows] = np.maximum(EM[rows], SM[:, o][None, :])
        self._EM = np.asfortranarray(EM)
        self._has_mats = np.diff(M.tocsr().indptr) > 0

        from sklearn.feature_extraction.text import (
            TfidfVectorizer,
        )  # imported lazily: keeps import light

        self._vectorizer = TfidfVectorizer(analyzer=_analyze, sublinear_tf=True, dtype=np.float32)
        if n and any(d.strip() for d in docs):
            try:
                X = self._vectorizer.fit_transform(docs)
            except ValueError:  # empty vocabulary
                X = None
        else:
            X = None
        self._X = X.tocsc() if X is not None else None
        return self

    # -- basic access -----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.ids.size)

    def __contains__(self, factory_id: object) -> bool:
        return factory_id in self._row

    def _row_of(self, factory_id: int) -> int:
        try:
            return self._row[factory_id]
        except (KeyError, TypeError):
            raise UnknownFactoryError(f"unknown factory id {factory_id!r}") from None

    def location(self, factory_id: int) -> tuple[float, float] | None:
        r = self._row_of(factory_id)
        if math.isnan(self.lat[r]):
            return None
        return float(self.lat[r]), float(self.lon[r])

    def profile_capabilities(self, factory_id: int) -> Capabilities:
        """What the index understood of a factory (processes and materials with their source text)."""
        r = self._row_of(factory_id)
        return Capabilities(list(self._caps_p[r]), list(self._caps_m[r]))

    def profile_reading(self, factory_id: int) -> ProfileReading:
        """What the index believes of one factory: capabilities with evidence, outsourced and not-done steps,
        hints."""
        return self._readings[self._row_of(factory_id)]

    def outsourced(self, factory_id: int) -> tuple[str, ...]:
        """Process codes this factory says it buys from partners (協力工場へ, 外注, "we outsource")."""
        return tuple(r.code for r in self._readings[self._row_of(factory_id)].outsourced)

    def does(self, factory_id: int, process_code: str) -> bool:
        """True when the factory truly does ``process_code`` (or a more specific kind of it); never for a
        step it sends out, says it does not do, or that its owner rejected."""
        c = self._pcol.get(process_code)
        if c is None:
            return False
        row = self._row_of(factory_id)
        if process_code in self._blocked[row]:
            return False
        return bool(self._E[row, c] >= COVER)

    def has_process(self, process_code: str) -> bool:
        """True when ``process_code`` is a process code of this index's taxonomy."""
        return process_code in self._pcol

    def capable_rows(self, process_code: str) -> np.ndarray:
        """A boolean mask over the index's rows (aligned with ``ids``): the factories that truly do
        ``process_code`` (or a more specific kind of it), as :meth:`does` says for each one, vectorised: never a
        factory that sends the step out, says it does not do it, or whose owner rejected it. An unknown code
        gives an all-False mask."""
        c = self._pcol.get(process_code)
        if c is None:
            return np.zeros(len(self), dtype=bool)
        mask = self._E[:, c] >= COVER
        blocked = self._blocked_rows().get(process_code)
        if blocked is not None:
            mask[blocked] = False
        return mask

    def _blocked_rows(self) -> dict[str, np.ndarray]:
        """Per process code, the rows that say they send it out, do not do it or rejected it (built once)."""
        cached = getattr(self, "_blocked_by_code", None)
        if cached is None:
            acc: dict[str, list[int]] = {}
            for row, codes in enumerate(self._blocked):
                for code in codes:
                    acc.setdefault(code, []).append(row)
            cached = self._blocked_by_code = {k: np.asarray(v, dtype=np.int64) for k, v in acc.items()}
        return cached

    def required_steps(self, query: NeedQuery) -> tuple[tuple[str, ...], ...]:
        """The steps a need requires, as the matcher compiled them: per step, the process codes that satisfy it,
        the step's own code first (the code the seeker named, or the best-fitting alternative of an outcome or
        a shape), then the other acceptable codes. Excluded steps are never in it; () when nothing is required."""
        out = []
        for g in self.compile(query).required:
            codes = [r.code for r in g.resolved]
            head = codes[-1] if g.strength == "explicit" else codes[0]
            out.append((head, *(c for c in codes if c != head)))
        return tuple(out)

    def missing_processes(self, factory_id: int, common_with: Sequence[str]) -> list[str]:
        """The process codes among ``common_with`` (codes or raw terms) that the factory does not do."""
        r = self._row_of(factory_id)
        out: list[str] = []
        for code in self._codes_from(common_with):
            if self._E[r, self._pcol[code]] < COVER and code not in out:
                out.append(code)
        return out

    def _codes_from(self, terms: Sequence[str]) -> list[str]:
        terms = _check_str_list(list(terms) if not isinstance(terms, str) else terms, "process_codes")
        codes: list[str] = []
        for t in terms:
            if t in self._pcol:
                codes.append(t)
                continue
            r = self.normaliser.resolve(t, "process")
            if r is not None:
                codes.append(r.code)
        return codes

    # -- query compilation ------------------------------------------------------------------------------

    def compile(self, query: NeedQuery) -> _Compiled:
        if not isinstance(query, NeedQuery):
            raise MatchingInputError("query must be a NeedQuery")
        text = query.text if query.text is not None else ""
        if not isinstance(text, str):
            raise MatchingInputError("text must be a string")
        text = text[:MAX_TEXT]
        plist = _check_str_list(query.processes, "processes")
        mlist = _check_str_list(query.materials, "materials")
        lat, lon = query_place(query)
        qty = query.quantity
        if qty is not None and (
            isinstance(qty, bool) or not isinstance(qty, int) or qty < 1 or qty > 10**9
        ):
            raise MatchingInputError("quantity must be a positive integer")
        if not text.strip() and not any(p.strip() for p in plist) and not any(m.strip() for m in mlist):
            raise MatchingInputError("empty query: give a text, processes or materials")
        norm = self.normaliser
        lp, lu = norm.resolve_list(plist, "process")
        lm, lmu = norm.resolve_list(mlist, "material")
        ex = (
            norm.extract(text, outcomes=True, material_codes=[r.code for r in lm])
            if text.strip()
            else None
        )
        unresolved = lu + lmu
        suggestions = {u: norm.suggest(u) for u in unresolved[:20]}
        explicit: dict[str, Resolved] = {r.code: r for r in lp}
        materials: dict[str, Resolved] = {r.code: r for r in lm}
        outcome_groups: list[tuple[tuple[Resolved, ...], str]] = []
        context: dict[str, Resolved] = {}  # mentioned only as the object's history / part
        if ex is not None:
            ctx_codes = set(ex.context)
            for r in ex.processes:
                if r.via == "outcome":
                    continue
                if r.code in ctx_codes and r.code not in explicit:
                    context.setdefault(r.code, r)
                else:
                    explicit.setdefault(r.code, r)
            has_problem = any(st == "problem" for st in ex.group_strength)
            if not explicit and not has_problem:  # nothing but context: then the context words are the request
                explicit, context = context, {}
            for r in ex.materials:
                materials.setdefault(r.code, r)
            for g, strength in zip(ex.groups, ex.group_strength, strict=True):
                if strength != "explicit" and not any(r.code in explicit for r in g):
                    outcome_groups.append((g, strength))
            if ex.unresolved and not explicit and not materials and not outcome_groups:
                unresolved += ex.unresolved
                for u in ex.unresolved:
                    suggestions[u] = norm.suggest(u)

        excluded, instead = self._excluded_codes(query, ex)
        if excluded:
            explicit = {c: r for c, r in explicit.items() if c not in excluded}
            context = {c: r for c, r in context.items() if c not in excluded}
            pruned: list[tuple[tuple[Resolved, ...], str]] = []
            for g, s in outcome_groups:
                kept = tuple(r for r in g if r.code not in excluded)
                if instead and len(kept) < len(g):  # "no mould": the same need without the tooling
                    src = g[0].source
                    have = {r.code for r in kept}
                    kept += tuple(
                        norm._resolved("process", c, conf, src, "outcome") for c, conf in instead if c not in have
                    )
                if kept:
                    pruned.append((kept, s))
            outcome_groups = pruned
            if instead and not explicit and not outcome_groups:
                src = next(iter(getattr(ex, "excluded", ())), None)
                alts = tuple(
                    norm._resolved("process", c, conf, src.source if src else c, "outcome") for c, conf in instead
                )
                outcome_groups = [(alts, "problem")]
        fams = {self.taxonomy.materials[c].family for c in materials}

        def applicable(r: Resolved) -> bool:
            only = self.taxonomy.material_only.get(r.code)
            return not (fams and only and not fams.intersection(only))

        outcome_groups = [(tuple(r for r in g if applicable(r)) or g, s) for g, s in outcome_groups]

        def group(alts: Sequence[Resolved], strength: str) -> _Group:
            top = max(r.confidence for r in alts) or 1.0
            return _Group(
                tuple((self._pcol[r.code], r.confidence / top) for r in alts), tuple(alts), strength
            )

        tax = self.taxonomy
        required: list[_Group] = []
        for r in explicit.values():
            # a generic step made specific by the outcome / shape ("削り出し" + 「複雑形状」 → 5-axis)
            alts: list[Resolved] = []
            for g, _s in outcome_groups:
                finer = [x for x in g if x.code != r.code and tax.is_descendant(x.code, r.code)]
                alts.extend(x for x in finer if all(y.code != x.code for y in alts))
            if alts:
                top = max(x.confidence for x in alts)
                cols = [(self._pcol[x.code], x.confidence / top) for x in alts]
                cols.append((self._pcol[r.code], 0.7))
                required.append(_Group(tuple(cols), (*alts, r), "explicit"))
            else:
                required.append(group((r,), "explicit"))
        soft: list[_Group] = [group((r,), "context") for r in context.values()]
        if required:
            # a problem the named steps do not address is one more step ("matte texture … before anodising"),
            # unless the need says the named step replaces the old way ("machined from one block instead")
            instead = bool(_INSTEAD.search(text))
            for g, s in outcome_groups:
                if s == "problem" and not instead and not any(
                    tax.is_descendant(x.code, e) or tax.is_descendant(e, x.code)
                    for x in g
                    for e in explicit
                ):
                    required.append(group(g, s))
            # "鋳鉄で機械のベースを作り、取付面の加工まで": making it in a cast material is a step of its own
            if _MAKE_WORD.search(text):
                for code, pcode in tax.material_defaults.items():
                    if code in materials and pcode in self._pcol and not any(
                        tax.processes[e].family == tax.processes[pcode].family for e in explicit
                    ):
                        r = norm._resolved("process", pcode, 0.6, materials[code].source, "material")
                        required.append(group((r,), "problem"))
        else:
            problems = [group(g, s) for g, s in outcome_groups if s == "problem"]
            for code, pcode in self.taxonomy.material_defaults.items():
                if code in materials and pcode in self._pcol:
                    src = materials[code].source
                    r = norm._resolved("process", pcode, 0.6, src, "material")
                    problems.append(group((r,), "problem"))
            required = problems or [group(g, s) for g, s in outcome_groups if s == "shape"]
        req_sets = [gg.resolved for gg in required]
        for g, s in outcome_groups:
            if g not in req_sets:
                soft.append(group(g, s))
        # drop duplicate steps, keep order, cap the number of steps
        seen_sets: set[frozenset[int]] = set()
        dedup: list[_Group] = []
        for g in required:
            key = frozenset(c for c, _ in g.alts)
            if key not in seen_sets:
                seen_sets.add(key)
                dedup.append(g)
        required = dedup[:MAX_STEPS]
        processes = list(explicit.values())
        for g in (*required, *soft):
            for r in g.resolved:
                if r.code not in explicit and all(p.code != r.code for p in processes):
                    processes.append(r)
        return _Compiled(
            processes,
            list(materials.values()),
            unresolved,
            suggestions,
            tuple(required),
            tuple(soft),
            tuple(self._mcol[c] for c in materials),
            " ".join((text[:2000], *plist, *mlist)),
            lat,
            lon,
            qty,
        )

    def _excluded_codes(self, query: NeedQuery, ex: object) -> tuple[set[str], list[tuple[str, float]]]:
        """Process codes that must never be required: removed by the seeker or negated in the text
        ("金型は作りたくない", "no mould"), with their more specific kinds and the processes that depend on
        them; and the alternatives that fit the same need without them (urethane casting for no mould)."""
        raw = _check_str_list(query.exclude, "exclude")
        base = {c for c in raw if c in self._pcol}
        base |= {r.code for r in getattr(ex, "excluded", ())}
        if not base:
            return set(), []
        tax = self.taxonomy
        out = {c for c in tax.process_codes if any(tax.is_descendant(c, b) for b in base)}
        instead: dict[str, float] = {}
        for b in base:
            needs, alts = tax.without.get(b, ((), ()))
            out.update(c for c in needs if c in self._pcol)
            for c, conf in alts:
                instead[c] = max(instead.get(c, 0.0), conf)
        alts_left = [(c, conf) for c, conf in sorted(instead.items(), key=lambda kv: -kv[1]) if c not in out]
        return out, alts_left

    # -- scoring ----------------------------------------------------------------------------------------

    def _group_credit(self, g: _Group, rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        credit = None
        covered = None
        for col, w in g.alts:
            colv = self._E[:, col] if rows is None else self._E[rows, col]
            c = colv * w
            cov = colv >= COVER
            credit = c if credit is None else np.maximum(credit, c)
            covered = cov if covered is None else covered | cov
        assert credit is not None and covered is not None
        return credit, covered

    def _distances(self, lat: float, lon: float, rows: np.ndarray | None) -> np.ndarray:
        la = self.lat if rows is None else self.lat[rows]
        lo = self.lon if rows is None else self.lon[rows]
        dlat = np.radians(la - lat)
        dlon = np.radians(lo - lon) * math.cos(math.radians(lat))
        return _EARTH_KM * np.sqrt(dlat * dlat + dlon * dlon)

    def _score(
        self,
        q: _Compiled,
        rows: np.ndarray | None,
        *,
        distance_weight: float = 0.15,
        require_cover: bool = False,
    ) -> dict:
        n = self.ids.size if rows is None else rows.size
        nreq = len(q.required)
        ncov = np.zeros(n, dtype=np.float32)
        step_credit = np.zeros(n, dtype=np.float32)
        cov_list: list[np.ndarray] = []
        for g in q.required:
            credit, covered = self._group_credit(g, rows)
            ncov += covered
            step_credit += credit
            cov_list.append(covered)
        parts: list[tuple[float, np.ndarray]] = []
        if nreq:
            parts.append((0.35, step_credit / nreq))
        if q.soft:
            soft = np.zeros(n, dtype=np.float32)
            for g in q.soft:
                soft += self._group_credit(g, rows)[0]
            parts.append((0.08, soft / len(q.soft)))
        mat = None
        if q.material_cols:
            mat = np.zeros(n, dtype=np.float32)
            for c in q.material_cols:
                mat += self._EM[:, c] if rows is None else self._EM[rows, c]
            mat /= len(q.material_cols)
            has = self._has_mats if rows is None else self._has_mats[rows]
            mat = np.where(has, mat, 0.3).astype(np.float32)
            parts.append((0.2, mat))
        text = None
        if self._X is not None and q.text.strip():
            qv = self._vectorizer.transform([q.text])
            if qv.nnz:
                X = self._X[:, qv.indices]
                sim = X @ qv.data
                if rows is not None:
                    sim = sim[rows]
                top = float(sim.max()) if sim.size else 0.0
                if top > 0:
                    text = sim / top
                    parts.append((0.15 if (nreq or mat is not None) else 0.6, text.astype(np.float32)))
        dist = None
        if q.lat is not None and q.lon is not None:
            dist = self._distances(q.lat, q.lon, rows)
            near = np.where(np.isnan(dist), 0.2, 1.0 / (1.0 + np.nan_to_num(dist) / 10.0))
            parts.append((distance_weight, near.astype(np.float32)))
        if q.quantity is not None:
            parts.append((0.05, self._lot_fit(q.quantity, rows)))
        tr = self.track if rows is None else self.track[rows]
        parts.append((0.05, np.where(np.isnan(tr), 0.5, tr).astype(np.float32)))
        wsum = sum(w for w, _ in parts)
        r = np.zeros(n, dtype=np.float64)
        for w, v in parts:
            r += w * v
        r = np.clip(r / wsum, 0.0, 1.0) * 0.999
        if nreq:
            score = (ncov + r) / (nreq + 1)
            relevant = ncov > 0 if require_cover else (ncov > 0) | (step_credit >= 0.4)
        else:
            score = r
            relevant = np.zeros(n, dtype=bool)
            if mat is not None:
                relevant |= mat >= 0.6
            if text is not None:
                relevant |= text > 0.05
            for g in q.soft:
                relevant |= self._group_credit(g, rows)[0] > 0
        return {"score": score, "relevant": relevant, "ncov": ncov, "covered": cov_list, "dist": dist}

    def _lot_fit(self, qty: int, rows: np.ndarray | None) -> np.ndarray:
        lo = self.lot_min if rows is None else self.lot_min[rows]
        hi = self.lot_max if rows is None else self.lot_max[rows]
        q = float(qty)
        below = np.where(np.isnan(lo), 0.0, np.log10(np.maximum(lo, 1.0) / q))
        above = np.where(np.isnan(hi), 0.0, np.log10(q / np.maximum(hi, 1.0)))
        miss = np.maximum(np.maximum(below, above), 0.0)
        fit = 1.0 / (1.0 + 2.0 * miss)
        unknown = np.isnan(lo) & np.isnan(hi)
        return np.where(unknown, 0.5, fit).astype(np.float32)

    # -- ranking ----------------------------------------------------------------------------------------

    def match(
        self, query: NeedQuery, *, limit: int = 10, lang: str = "ja", exclude_ids: Iterable[int] = ()
    ) -> MatchResult:
        """Rank factories for a need: coverage of the required steps first, then material, distance, text
        and track record. Reasons are written in ``lang`` ("ja" or "en")."""
        limit = _check_limit(limit)
        lang = _lang(lang)
        q = self.compile(query)
        return self._rank(q, limit=limit, lang=lang, exclude_ids=exclude_ids)

    def _rank(
        self,
        q: _Compiled,
        *,
        limit: int,
        lang: str,
        exclude_ids: Iterable[int] = (),
        distance_weight: float = 0.15,
        require_cover: bool = False,
    ) -> MatchResult:
        results: list[Match] = []
        if self.ids.size and (q.required or q.material_cols or q.text.strip() or q.soft):
            s = self._score(q, None, distance_weight=distance_weight, require_cover=require_cover)
            mask = s["relevant"].copy()
            for fid in exclude_ids or ():
                r = self._row.get(fid)
                if r is not None:
                    mask[r] = False
            cand = np.flatnonzero(mask)
            if cand.size:
                sc = s["score"][cand]
                if cand.size > limit:
                    part = np.argpartition(-sc, limit - 1)[:limit]
                    cand, sc = cand[part], sc[part]
                order = np.lexsort((self.ids[cand], -sc))
                for i in order:
                    results.append(self._explain(q, int(cand[i]), float(sc[i]), lang))
        return MatchResult(
            q.processes,
            q.materials,
            q.unresolved,
            results,
            q.suggestions,
            tuple(tuple(r.code for r in g.resolved) for g in q.required),
        )

    def _covering_source(self, row: int, col: int) -> tuple[Resolved | None, float]:
        best: tuple[Resolved | None, float] = (None, 0.0)
        for r in self._caps_p[row]:
            c = self._S[col, self._pcol[r.code]] * r.confidence
            if c > best[1]:
                best = (r, float(c))
        return best

    def _explain(self, q: _Compiled, row: int, score: float, lang: str) -> Match:
        tax = self.taxonomy
        en = lang == "en"
        covers: list[str] = []
        missing: list[str] = []
        cov_items: list[str] = []
        miss_items: list[str] = []
        for g in q.required:
            best: tuple[float, int, Resolved | None, Resolved] | None = None
            for (col, w), gr in zip(g.alts, g.resolved, strict=True):
                src, credit = self._covering_source(row, col)
                value = credit * w
                if (
                    best is None
                    or (credit >= COVER) > (best[0] >= COVER)
                    or ((credit >= COVER) == (best[0] >= COVER) and value > best[0] * best[1])
                ):
                    best = (credit, col, src, gr)
            assert best is not None
            credit, col, src, gr = best
            code = tax.process_codes[col]
            label = tax.label(code, lang)
            inferred = gr.via in ("outcome", "material")
            named = g.resolved[-1].code if g.strength == "explicit" else None  # refined named step
            if credit >= COVER:
                covers.append(named or code)
                item = label
                if src is not None and fold(src.source) != fold(label):
                    item += f" (from '{src.source}')" if en else f" ('{src.source}' より)"
                if inferred:
                    item += f" [inferred from '{gr.source}']" if en else f"［「{gr.source}」から推定］"
                cov_items.append(item)
            else:
                top_code = named or tax.process_codes[g.alts[0][0]]
                missing.append(top_code)
                item = tax.label(top_code, lang)
                if inferred and len(g.alts) > 1:
                    item += " etc." if en else " など"
                if src is not None and credit >= 0.4:
                    near = tax.label(src.code, lang)
                    item += (
                        f" (close: {near} from '{src.source}')"
                        if en
                        else f"（近い: {near} ('{src.source}' より)）"
                    )
                miss_items.append(item)
        reasons: list[str] = []
        n = len(q.required)
        if n:
            k = len(covers)
            if en:
                reasons.append(
                    f"Covers {k}/{n} steps" + (": " + ", ".join(cov_items) if cov_items else "")
                )
                if miss_items:
                    reasons.append("Missing: " + ", ".join(miss_items))
            else:
                reasons.append(
                    f"{k}/{n} 工程に対応" + (": " + ", ".join(cov_items) if cov_items else "")
                )
                if miss_items:
                    reasons.append("未対応: " + ", ".join(miss_items))
        if q.material_cols:
            mitems: list[str] = []
            for qm in q.materials:
                col = self._mcol[qm.code]
                best_m: tuple[float, Resolved | None] = (0.0, None)
                for r in self._caps_m[row]:
                    v = self.taxonomy.material_similarity(qm.code, r.code)
                    if v > best_m[0]:
                        best_m = (v, r)
                v, r = best_m
                if r is None or v <= 0 or col < 0:
                    continue
                label = tax.label(qm.code, lang)
                if r.code != qm.code:
                    label += (
                        f" (close: {tax.label(r.code, lang)})"
                        if en
                        else f"（近い: {tax.label(r.code, lang)}）"
                    )
                if fold(r.source) != fold(tax.label(r.code, lang)):
                    label += f" (from '{r.source}')" if en else f" ('{r.source}' より)"
                mitems.append(label)
            if mitems:
                reasons.append(("Material: " if en else "材質: ") + ", ".join(mitems))
        dist_km = None
        if q.lat is not None and q.lon is not None and not math.isnan(self.lat[row]):
            dist_km = round(haversine_km(q.lat, q.lon, float(self.lat[row]), float(self.lon[row])), 1)
            approx = bool(self.approx_location[row])
            if en:
                reasons.append(f"{'about ' if approx else ''}{dist_km:.1f} km")
            else:
                reasons.append(f"{'約' if approx else ''}{dist_km:.1f} km")
        if q.quantity is not None:
            lo, hi = self.lot_min[row], self.lot_max[row]
            if not (math.isnan(lo) and math.isnan(hi)):
                ok = (math.isnan(lo) or lo <= q.quantity) and (math.isnan(hi) or q.quantity <= hi)
                rng = f"{'' if math.isnan(lo) else int(lo)}–{'' if math.isnan(hi) else int(hi)}"
                if en:
                    reasons.append(f"Lot {q.quantity} {'fits' if ok else 'outside'} ({rng})")
                else:
                    reasons.append(f"ロット {q.quantity} 個: {'対応範囲' if ok else '範囲外'} ({rng})")
        tr = self.track[row]
        if not math.isnan(tr) and tr > 0:
            reasons.append(f"Track record {tr:.0%}" if en else f"実績評価 {tr:.0%}")
        if not n and not q.material_cols:
            reasons.append("Description matches the need" if en else "説明文がニーズに近い")
        return Match(
            int(self.ids[row]),
            round(min(1.0, max(0.0, score)), 4),
            tuple(covers),
            tuple(missing),
            tuple(reasons),
            dist_km,
        )

    # -- nakama-mawashi partners ------------------------------------------------------------------------

    def partners_for(
        self, factory_id: int, process_codes: Sequence[str], *, limit: int = 5, lang: str = "ja"
    ) -> list[Match]:
        """Near partners for the steps this factory lacks among ``process_codes`` (codes or raw terms).
        When it lacks none, partners for all of them. Distance counts more than in :meth:`match`."""
        limit = _check_limit(limit)
        lang = _lang(lang)
        row = self._row_of(factory_id)
        codes = list(dict.fromkeys(self._codes_from(process_codes)))
        if len(codes) > MAX_STEPS:
            raise MatchingInputError(f"at most {MAX_STEPS} processes")
        if not codes:
            return []
        lacking = [c for c in codes if self._E[row, self._pcol[c]] < COVER] or codes
        groups = []
        for c in lacking:
            r = self.normaliser._resolved("process", c, 1.0, c, "code")
            groups.append(_Group(((self._pcol[c], 1.0),), (r,), "explicit"))
        la = None if math.isnan(self.lat[row]) else float(self.lat[row])
        lo = None if math.isnan(self.lon[row]) else float(self.lon[row])
        q = _Compiled(
            [g.resolved[0] for g in groups], [], [], {}, tuple(groups), (), (), "", la, lo, None
        )
        res = self._rank(
            q, limit=limit, lang=lang, exclude_ids=(factory_id,), distance_weight=0.5, require_cover=True
        )
        return res.results

    # -- needs that fit a factory -----------------------------------------------------------------------

    def needs_for(
        self,
        factory_id: int,
        needs: Sequence[tuple[object, NeedQuery]],
        *,
        limit: int = 10,
        lang: str = "ja",
    ) -> list[NeedFit]:
        """Rank needs for one factory ("案件 that fit you"): needs it fully covers first."""
        limit = _check_limit(limit)
        lang = _lang(lang)
        row = self._row_of(factory_id)
        rows = np.array([row])
        scored: list[tuple[tuple, NeedFit]] = []
        for item in needs:
            try:
                need_id, query = item
            except (TypeError, ValueError):
                raise MatchingInputError("needs must be (need_id, NeedQuery) pairs") from None
            try:
                q = self.compile(query)
            except MatchingInputError:
                continue
            s = self._score(q, rows)
            if not bool(s["relevant"][0]):
                continue
            score = float(s["score"][0])
            m = self._explain(q, row, score, lang)
            nreq = len(q.required)
            frac = (len(m.covers) / nreq) if nreq else 0.0
            fit = NeedFit(need_id, round(score, 4), m.reasons, m.covers, m.missing)
            scored.append(((nreq > 0 and len(m.covers) == nreq, frac, score), fit))
        scored.sort(key=lambda t: t[0], reverse=True)
        return [f for _, f in scored[:limit]]


def rank_needs(
    index: MatchIndex,
    factory_id: int,
    needs: Sequence[tuple[object, NeedQuery]],
    *,
    limit: int = 10,
    lang: str = "ja",
) -> list[NeedFit]:
    """Needs that fit a factory, best first (see :meth:`MatchIndex.needs_for`)."""
    return index.needs_for(factory_id, needs, limit=limit, lang=lang)


def _source(ev: object) -> str:
    """The text a capability is shown as coming from: the list item, or the words of the prose clause."""
    return getattr(ev, "source", "") or getattr(ev, "phrase", "") or getattr(ev, "label_ja", "")


def _num(v: object) -> float:
    if v is None or isinstance(v, bool):
        return math.nan
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return f if math.isfinite(f) else math.nan


def query_place(query: NeedQuery) -> tuple[float | None, float | None]:
    """The need's place: its coordinates, else its ward's centre, else (None, None)."""
    lat, lon = _check_coord(query.lat, query.lon)
    if query.ward is not None and not isinstance(query.ward, str):
        raise MatchingInputError("ward must be a string")
    if lat is None and query.ward:
        key = normalise_ward(query.ward)
        if key:
            lat, lon = WARDS[key].lat, WARDS[key].lon
    return lat, lon


def _locate(lat: object, lon: object, ward: object) -> tuple[float, float, bool]:
    la, lo = _num(lat), _num(lon)
    if not math.isnan(la) and not math.isnan(lo) and -90 <= la <= 90 and -180 <= lo <= 180:
        return la, lo, False
    key = normalise_ward(ward) if isinstance(ward, str) else None
    if key:
        w = WARDS[key]
        return w.lat, w.lon, True
    return math.nan, math.nan, False

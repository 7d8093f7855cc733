"""The in-memory capability index and the ranking of factories for needs (and needs for factories)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ._build import ProfileTable, add_profile, material_credit, process_credit, text_matrix
from ._geo import haversine_km
from ._messages import message
from ._normalise import Normaliser, fold
from ._query import MAX_STEPS, CompiledQuery, QueryCompiler, StepGroup, check_str_list
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
MAX_LIMIT = 1000
_EARTH_KM = 6371.0088


class UnknownFactoryError(MatchingInputError, KeyError):
    """The factory id is not in the index."""


def check_limit(limit: object) -> int:
    """``limit`` checked: an integer from 1 to MAX_LIMIT."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise MatchingInputError(f"limit must be an integer from 1 to {MAX_LIMIT}")
    return limit


def reply_language(lang: object) -> str:
    """The language reasons are written in: "en" for any English locale, else "ja"."""
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
        self._set_vocabulary(taxonomy, extra_aliases)
        table = ProfileTable()
        for profile in profiles:
            add_profile(table, profile, self.normaliser, self._process_column, self._material_column)
        self._store_rows(table)
        self._credit, self._process_similarity = process_credit(self.taxonomy, table)
        self._material_credit, self._has_materials = material_credit(self.taxonomy, table)
        self._vectorizer, self._text_matrix = text_matrix(table.documents)
        return self

    def _set_vocabulary(
        self, taxonomy: Taxonomy | None, extra_aliases: Mapping[str, tuple[str, str]] | None
    ) -> None:
        """Choose the taxonomy and normaliser (the shared default ones unless given) and number their codes."""
        tax = taxonomy or Taxonomy.default()
        if taxonomy is None and not extra_aliases:
            norm = Normaliser.default()
        else:
            norm = Normaliser(tax, extra_aliases)
        self.taxonomy, self.normaliser = tax, norm
        self._process_column = {c: i for i, c in enumerate(tax.process_codes)}
        self._material_column = {c: i for i, c in enumerate(tax.material_codes)}
        self._compiler = QueryCompiler(tax, norm, self._process_column, self._material_column)

    def _store_rows(self, table: ProfileTable) -> None:
        """Keep the per-factory columns of ``table`` as arrays (one row per factory, in input order)."""
        self.ids = np.asarray(table.ids, dtype=np.int64)
        self.external_ids = table.external_ids
        self.names = table.names
        self._row = table.row_of
        self.lat = np.asarray(table.lat, dtype=np.float64)
        self.lon = np.asarray(table.lon, dtype=np.float64)
        self.approx_location = np.asarray(table.approx, dtype=bool)
        self.lot_min = np.asarray(table.lot_min, dtype=np.float64)
        self.lot_max = np.asarray(table.lot_max, dtype=np.float64)
        self.track = np.asarray(table.track, dtype=np.float64)
        self._process_capabilities = table.process_capabilities
        self._material_capabilities = table.material_capabilities
        self._readings = table.readings
        self._blocked = table.blocked
        self.unresolved_terms = dict(sorted(table.unresolved_counts.items(), key=lambda kv: -kv[1]))

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
        return Capabilities(list(self._process_capabilities[r]), list(self._material_capabilities[r]))

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
        c = self._process_column.get(process_code)
        if c is None:
            return False
        row = self._row_of(factory_id)
        if process_code in self._blocked[row]:
            return False
        return bool(self._credit[row, c] >= COVER)

    def has_process(self, process_code: str) -> bool:
        """True when ``process_code`` is a process code of this index's taxonomy."""
        return process_code in self._process_column

    def capable_rows(self, process_code: str) -> np.ndarray:
        """A boolean mask over the index's rows (aligned with ``ids``): the factories that truly do
        ``process_code`` (or a more specific kind of it), as :meth:`does` says for each one, vectorised: never a
        factory that sends the step out, says it does not do it, or whose owner rejected it. An unknown code
        gives an all-False mask."""
        c = self._process_column.get(process_code)
        if c is None:
            return np.zeros(len(self), dtype=bool)
        mask = self._credit[:, c] >= COVER
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
            if self._credit[r, self._process_column[code]] < COVER and code not in out:
                out.append(code)
        return out

    def _codes_from(self, terms: Sequence[str]) -> list[str]:
        terms = check_str_list(list(terms) if not isinstance(terms, str) else terms, "process_codes")
        codes: list[str] = []
        for t in terms:
            if t in self._process_column:
                codes.append(t)
                continue
            r = self.normaliser.resolve(t, "process")
            if r is not None:
                codes.append(r.code)
        return codes

    # -- query compilation ------------------------------------------------------------------------------

    def compile(self, query: NeedQuery) -> CompiledQuery:
        """Read a need into the steps it requires, its context steps and materials, in this index's columns."""
        return self._compiler.compile(query)

    # -- scoring ----------------------------------------------------------------------------------------

    def _group_credit(self, g: StepGroup, rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        credit = None
        covered = None
        for col, w in g.alts:
            colv = self._credit[:, col] if rows is None else self._credit[rows, col]
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
        q: CompiledQuery,
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
                mat += self._material_credit[:, c] if rows is None else self._material_credit[rows, c]
            mat /= len(q.material_cols)
            has = self._has_materials if rows is None else self._has_materials[rows]
            mat = np.where(has, mat, 0.3).astype(np.float32)
            parts.append((0.2, mat))
        text = None
        if self._text_matrix is not None and q.text.strip():
            query_vector = self._vectorizer.transform([q.text])
            if query_vector.nnz:
                sim = self._text_matrix[:, query_vector.indices] @ query_vector.data
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
        limit = check_limit(limit)
        lang = reply_language(lang)
        q = self.compile(query)
        return self._rank(q, limit=limit, lang=lang, exclude_ids=exclude_ids)

    def _rank(
        self,
        q: CompiledQuery,
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
        for r in self._process_capabilities[row]:
            c = self._process_similarity[col, self._process_column[r.code]] * r.confidence
            if c > best[1]:
                best = (r, float(c))
        return best

    def _explain(self, q: CompiledQuery, row: int, score: float, lang: str) -> Match:
        """The match of one factory row for a compiled need: covered and missing steps and the reasons."""
        covers, missing, reasons = self._step_reasons(q, row, lang)
        reasons.extend(self._material_reasons(q, row, lang))
        dist_km, distance_reasons = self._distance_reasons(q, row, lang)
        reasons.extend(distance_reasons)
        reasons.extend(self._lot_reasons(q, row, lang))
        track_record = self.track[row]
        if not math.isnan(track_record) and track_record > 0:
            reasons.append(message("track_record", lang, rate=track_record))
        if not q.required and not q.material_cols:
            reasons.append(message("description_matches", lang))
        return Match(
            int(self.ids[row]),
            round(min(1.0, max(0.0, score)), 4),
            tuple(covers),
            tuple(missing),
            tuple(reasons),
            dist_km,
        )

    def _best_alternative(self, group: StepGroup, row: int) -> tuple[float, int, Resolved | None, Resolved]:
        """The alternative of a required step that this factory row fits best: a covered one first, then the
        highest weighted credit. Gives (credit, process column, the factory's capability behind the credit,
        the step's alternative)."""
        best: tuple[float, int, Resolved | None, Resolved] | None = None
        for (col, weight), alternative in zip(group.alts, group.resolved, strict=True):
            source, credit = self._covering_source(row, col)
            value = credit * weight
            if (
                best is None
                or (credit >= COVER) > (best[0] >= COVER)
                or ((credit >= COVER) == (best[0] >= COVER) and value > best[0] * best[1])
            ):
                best = (credit, col, source, alternative)
        assert best is not None
        return best

    def _step_reasons(self, q: CompiledQuery, row: int, lang: str) -> tuple[list[str], list[str], list[str]]:
        """Per required step, whether the factory row covers it (with where that was read) or misses it (with a
        close capability). Gives the covered codes, the missing codes and the steps reasons."""
        tax = self.taxonomy
        covers: list[str] = []
        missing: list[str] = []
        covered_items: list[str] = []
        missing_items: list[str] = []
        for group in q.required:
            credit, col, source, alternative = self._best_alternative(group, row)
            code = tax.process_codes[col]
            label = tax.label(code, lang)
            inferred = alternative.via in ("outcome", "material")
            named = group.resolved[-1].code if group.strength == "explicit" else None  # refined named step
            if credit >= COVER:
                covers.append(named or code)
                item = label
                if source is not None and fold(source.source) != fold(label):
                    item += message("from_source", lang, source=source.source)
                if inferred:
                    item += message("inferred_from", lang, source=alternative.source)
                covered_items.append(item)
            else:
                top_code = named or tax.process_codes[group.alts[0][0]]
                missing.append(top_code)
                item = tax.label(top_code, lang)
                if inferred and len(group.alts) > 1:
                    item += message("and_others", lang)
                if source is not None and credit >= 0.4:
                    near = tax.label(source.code, lang)
                    item += message("close_from_source", lang, near=near, source=source.source)
                missing_items.append(item)
        reasons: list[str] = []
        total = len(q.required)
        if total:
            if covered_items:
                reasons.append(
                    message("covers_steps_list", lang, covered=len(covers), total=total, items=", ".join(covered_items))
                )
            else:
                reasons.append(message("covers_steps", lang, covered=len(covers), total=total))
            if missing_items:
                reasons.append(message("missing_steps", lang, items=", ".join(missing_items)))
        return covers, missing, reasons

    def _material_reasons(self, q: CompiledQuery, row: int, lang: str) -> list[str]:
        """The need's materials this factory row works (or a close one of), with where that was read."""
        if not q.material_cols:
            return []
        tax = self.taxonomy
        items: list[str] = []
        for wanted in q.materials:
            col = self._material_column[wanted.code]
            best: tuple[float, Resolved | None] = (0.0, None)
            for r in self._material_capabilities[row]:
                similarity = tax.material_similarity(wanted.code, r.code)
                if similarity > best[0]:
                    best = (similarity, r)
            similarity, worked = best
            if worked is None or similarity <= 0 or col < 0:
                continue
            label = tax.label(wanted.code, lang)
            if worked.code != wanted.code:
                label += message("close", lang, near=tax.label(worked.code, lang))
            if fold(worked.source) != fold(tax.label(worked.code, lang)):
                label += message("from_source", lang, source=worked.source)
            items.append(label)
        return [message("materials", lang, items=", ".join(items))] if items else []

    def _distance_reasons(self, q: CompiledQuery, row: int, lang: str) -> tuple[float | None, list[str]]:
        """The distance from the need's place to the factory row (km, one decimal) and its reason, when both
        places are known."""
        if q.lat is None or q.lon is None or math.isnan(self.lat[row]):
            return None, []
        dist_km = round(haversine_km(q.lat, q.lon, float(self.lat[row]), float(self.lon[row])), 1)
        key = "distance_approx" if bool(self.approx_location[row]) else "distance"
        return dist_km, [message(key, lang, km=dist_km)]

    def _lot_reasons(self, q: CompiledQuery, row: int, lang: str) -> list[str]:
        """Whether the need's quantity falls in the factory row's lot range, when both are known."""
        if q.quantity is None:
            return []
        lot_min, lot_max = self.lot_min[row], self.lot_max[row]
        if math.isnan(lot_min) and math.isnan(lot_max):
            return []
        fits = (math.isnan(lot_min) or lot_min <= q.quantity) and (math.isnan(lot_max) or q.quantity <= lot_max)
        lot_range = f"{'' if math.isnan(lot_min) else int(lot_min)}–{'' if math.isnan(lot_max) else int(lot_max)}"
        return [message("lot_fits" if fits else "lot_outside", lang, quantity=q.quantity, lot_range=lot_range)]

    # -- nakama-mawashi partners ------------------------------------------------------------------------

    def partners_for(
        self, factory_id: int, process_codes: Sequence[str], *, limit: int = 5, lang: str = "ja"
    ) -> list[Match]:
        """Near partners for the steps this factory lacks among ``process_codes`` (codes or raw terms).
        When it lacks none, partners for all of them. Distance counts more than in :meth:`match`."""
        limit = check_limit(limit)
        lang = reply_language(lang)
        row = self._row_of(factory_id)
        codes = list(dict.fromkeys(self._codes_from(process_codes)))
        if len(codes) > MAX_STEPS:
            raise MatchingInputError(f"at most {MAX_STEPS} processes")
        if not codes:
            return []
        lacking = [c for c in codes if self._credit[row, self._process_column[c]] < COVER] or codes
        groups = []
        for c in lacking:
            r = self.normaliser.make_resolved("process", c, 1.0, c, "code")
            groups.append(StepGroup(((self._process_column[c], 1.0),), (r,), "explicit"))
        la = None if math.isnan(self.lat[row]) else float(self.lat[row])
        lo = None if math.isnan(self.lon[row]) else float(self.lon[row])
        q = CompiledQuery(
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
        limit = check_limit(limit)
        lang = reply_language(lang)
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

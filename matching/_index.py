"""The in-memory capability index and the ranking of factories for needs (and needs for factories)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ._build import Row, analyze, credit_rows, read_row, similarities
from ._geo import haversine_km
from ._messages import message
from ._normalise import Normaliser, fold
from ._query import MAX_STEPS, CompiledQuery, QueryCompiler, StepGroup, check_str_list
from ._store import Records, TextIndex, grow
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
BATCH = 2000  # profiles read before their credit rows are computed together
# Per-row columns: dtype and the value of an empty row (a removed factory).
_COLUMNS = {
    "ids": (np.int64, -1),
    "lat": (np.float64, math.nan),
    "lon": (np.float64, math.nan),
    "approx": (bool, False),
    "lot_min": (np.float64, math.nan),
    "lot_max": (np.float64, math.nan),
    "track": (np.float64, math.nan),
    "has_materials": (bool, False),
}
# A row's record: interned reading parts, capabilities as resolved terms, unresolved items, blocked codes.
_SEGMENTS = ("capabilities", "outsourced", "not_done", "hints", "processes", "materials", "unresolved", "blocked")


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
    """Capability vectors of all factories, precomputed so that a query is a few column operations.

    Rows can be replaced, added and removed in place (:meth:`update`, :meth:`set_aliases`); the result ranks and
    scores exactly as a fresh :meth:`build` over the same profiles. Per factory the index keeps numbers only:
    rows of float32 credit matrices, a few scalars, and a record of integers naming interned readings."""

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
        and one scan of the description. Profiles are read in batches (bounded memory at 100k)."""
        self = cls()
        self._set_vocabulary(taxonomy, extra_aliases)
        self._process_similarity, self._material_similarity = similarities(self.taxonomy)
        self._init_storage()
        docs: list = []
        batch: list[FactoryProfile] = []
        for profile in profiles:
            batch.append(profile)
            if len(batch) >= BATCH:
                docs.extend(self._append(batch))
                batch = []
        docs.extend(self._append(batch))
        self._text.build(docs, self._n)
        for name, values in self._columns.items():  # no spare capacity after a build
            if values.shape[0] > self._n:
                self._columns[name] = np.array(values[: self._n], order="F" if values.ndim == 2 else "C")
        self._refresh_views()
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

    def _init_storage(self) -> None:
        """Empty row arrays (with spare capacity), records, and the text index."""
        self._n = 0
        self._row: dict[int, int] = {}
        self._free: list[int] = []  # rows of removed factories, reused by the next new ones
        self._columns = {name: np.full(0, fill, dtype=dtype) for name, (dtype, fill) in _COLUMNS.items()}
        self._columns["credit"] = np.zeros((0, len(self._process_column)), dtype=np.float32, order="F")
        self._columns["material"] = np.zeros((0, len(self._material_column)), dtype=np.float32, order="F")
        self.external_ids: list[str | None] = []
        self.names: list[str] = []
        self._records = Records(len(_SEGMENTS))
        self._blocked_by: dict[str, set[int]] = {}
        self._blocked_by_code: dict[str, np.ndarray] = {}
        self._unresolved: Counter[str] = Counter()
        self._text = TextIndex(analyze)

    def _refresh_views(self) -> None:
        """The public row arrays as views of the first ``n`` rows of their (larger) storage."""
        n, cols = self._n, self._columns
        self.ids = cols["ids"][:n]
        self.lat, self.lon, self.approx_location = cols["lat"][:n], cols["lon"][:n], cols["approx"][:n]
        self.lot_min, self.lot_max, self.track = cols["lot_min"][:n], cols["lot_max"][:n], cols["track"][:n]
        self._credit, self._material_credit = cols["credit"][:n], cols["material"][:n]
        self._has_materials = cols["has_materials"][:n]

    def _read(self, profiles: Iterable[FactoryProfile]) -> list[Row]:
        rows = [read_row(p, self.normaliser, self._process_column, self._material_column) for p in profiles]
        seen: set[int] = set()
        for r in rows:
            if r.id in seen:
                raise MatchingInputError(f"duplicate factory id {r.id}")
            seen.add(r.id)
        return rows

    def _append(self, profiles: list[FactoryProfile]) -> list:
        """Build step: read profiles into new rows at the end; gives their documents for the text index."""
        rows = self._read(profiles)
        for r in rows:
            if r.id in self._row:
                raise MatchingInputError(f"duplicate factory id {r.id}")
        targets = list(range(self._n, self._n + len(rows)))
        self._write(rows, targets)
        return [self._text.encode(r.document) for r in rows]

    def _write(self, rows: list[Row], targets: list[int]) -> None:
        """Store read profiles at the given row numbers (new rows at the end, or rows being replaced)."""
        if not rows:
            return
        self._n = max(self._n, max(targets) + 1)
        cols = self._columns
        for name, (_dtype, fill) in _COLUMNS.items():
            cols[name] = grow(cols[name], self._n, fill)
        cols["credit"] = grow(cols["credit"], self._n, 0.0)
        cols["material"] = grow(cols["material"], self._n, 0.0)
        at = np.asarray(targets, dtype=np.int64)
        credit, material, has_materials = credit_rows(rows, self._process_similarity, self._material_similarity)
        cols["credit"][at], cols["material"][at], cols["has_materials"][at] = credit, material, has_materials
        for name, values in (("ids", [r.id for r in rows]), ("lat", [r.lat for r in rows]),
                             ("lon", [r.lon for r in rows]), ("approx", [r.approx for r in rows]),
                             ("lot_min", [r.lot_min for r in rows]), ("lot_max", [r.lot_max for r in rows]),
                             ("track", [r.track for r in rows])):
            cols[name][at] = values
        for r, row in zip(rows, targets, strict=True):
            self._row[r.id] = row
            self._put_record(row, r)
            if row == len(self.names):
                self.names.append(r.name)
                self.external_ids.append(r.external_id)
            else:
                self.names[row], self.external_ids[row] = r.name, r.external_id

    def _put_record(self, row: int, r: Row | None) -> None:
        """The row's interned record, blocked codes and unresolved terms (None: the row is now empty)."""
        if row < len(self._records):
            old = self._records.get(row)
            self._unresolved.subtract(old[6])
            for code in old[7]:
                self._blocked_by[code].discard(row)
                self._blocked_by_code.pop(code, None)
        if r is None:
            self._records.put(row, ((),) * len(_SEGMENTS))
            return
        reading = r.reading
        blocked = sorted(c for c in r.blocked if c in self._process_column)
        self._records.put(row, (reading.capabilities, reading.outsourced, reading.not_done, reading.hints,
                                r.processes, r.materials, r.unresolved, blocked))
        self._unresolved.update(r.unresolved)
        for code in blocked:
            self._blocked_by.setdefault(code, set()).add(row)
            self._blocked_by_code.pop(code, None)

    # -- updates ----------------------------------------------------------------------------------------

    def update(self, profiles: Iterable[FactoryProfile] = (), removed: Iterable[int] = ()) -> None:
        """Bring the index up to date in place: the ``removed`` factory ids leave it (unknown ids are ignored),
        then each profile replaces its factory's row or takes a new one. The result equals a fresh build over
        the profiles the index then holds (same rankings, scores and statistics)."""
        rows = self._read(profiles)
        changes: dict[int, tuple | None] = {}
        live_before: set[int] = set()
        for factory_id in removed:
            row = self._row.pop(factory_id, None) if not isinstance(factory_id, bool) else None
            if row is not None:
                self._clear(row)
                changes[row], _ = None, live_before.add(row)
                self._free.append(row)
        targets = []
        for r in rows:
            row = self._row.get(r.id)
            if row is None:
                row = self._free.pop() if self._free else self._n + sum(1 for t in targets if t >= self._n)
            if row in changes or row < self._n and self.ids_at(row) >= 0:
                live_before.add(row)
            targets.append(row)
        self._write(rows, targets)
        for r, row in zip(rows, targets, strict=True):
            changes[row] = self._text.encode(r.document)
        self._text.apply(changes, live_before)
        self._refresh_views()

    def ids_at(self, row: int) -> int:
        return int(self._columns["ids"][row])

    def _clear(self, row: int) -> None:
        """Empty one row (its factory left the index): no credit, no place, never ranked."""
        cols = self._columns
        for name, (_dtype, fill) in _COLUMNS.items():
            cols[name][row] = fill
        cols["credit"][row] = 0.0
        cols["material"][row] = 0.0
        self._put_record(row, None)
        self.names[row], self.external_ids[row] = "", None

    def set_aliases(
        self, extra_aliases: Mapping[str, tuple[str, str]] | None, profiles: Iterable[FactoryProfile] = ()
    ) -> None:
        """Read with a new set of organisers' aliases from now on (queries and profiles), and re-read the given
        profiles with it: the caller passes every indexed factory whose own words contain a changed alias."""
        self._set_vocabulary(None if self.taxonomy is Taxonomy.default() else self.taxonomy, extra_aliases)
        self.update(profiles)

    @property
    def unresolved_terms(self) -> dict[str, int]:
        """Raw list items that resolved to nothing, with how many factories wrote each, most frequent first."""
        return dict(sorted(((t, c) for t, c in self._unresolved.items() if c > 0), key=lambda kv: (-kv[1], kv[0])))

    # -- basic access -----------------------------------------------------------------------------------

    def __len__(self) -> int:
        """Rows (aligned with ``ids``; a removed factory's row stays, empty, until a new one takes it)."""
        return int(self.ids.size)

    @property
    def factory_count(self) -> int:
        """How many factories the index holds."""
        return len(self._row)

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
        record = self._records.get(self._row_of(factory_id))
        return Capabilities(list(record[4]), list(record[5]))

    def profile_reading(self, factory_id: int) -> ProfileReading:
        """What the index believes of one factory: capabilities with evidence, outsourced and not-done steps,
        hints."""
        record = self._records.get(self._row_of(factory_id))
        return ProfileReading(record[0], record[1], record[2], record[3])

    def outsourced(self, factory_id: int) -> tuple[str, ...]:
        """Process codes this factory says it buys from partners (協力工場へ, 外注, "we outsource")."""
        return tuple(r.code for r in self._records.get(self._row_of(factory_id))[1])

    def does(self, factory_id: int, process_code: str) -> bool:
        """True when the factory truly does ``process_code`` (or a more specific kind of it); never for a
        step it sends out, says it does not do, or that its owner rejected."""
        c = self._process_column.get(process_code)
        if c is None:
            return False
        row = self._row_of(factory_id)
        if row in self._blocked_by.get(process_code, ()):
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
        """Per process code, the rows that say they send it out, do not do it or rejected it (kept per code)."""
        for code, rows in self._blocked_by.items():
            if code not in self._blocked_by_code:
                self._blocked_by_code[code] = np.asarray(sorted(rows), dtype=np.int64)
        return self._blocked_by_code

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
        if q.text.strip():
            sim = self._text.similarity(q.text, self.ids.size)
            if sim is not None:
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
            mask = s["relevant"] & (self.ids >= 0)
            for fid in exclude_ids or ():
                r = self._row.get(fid)
                if r is not None:
                    mask[r] = False
            cand = np.flatnonzero(mask)
            if cand.size:
                sc = s["score"][cand]
                if cand.size > limit:  # the best ``limit``, ties at the cut decided by id (not by row order)
                    keep = sc >= np.partition(sc, cand.size - limit)[cand.size - limit]
                    cand, sc = cand[keep], sc[keep]
                order = np.lexsort((self.ids[cand], -sc))[:limit]
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
        for r in self._records.get(row)[4]:
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
            for r in self._records.get(row)[5]:
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

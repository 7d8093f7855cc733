"""Nakama-mawashi routing: an ordered list of steps through peer factories, shortest route from the start."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._geo import WARDS, haversine_km, normalise_ward
from ._index import COVER, MAX_STEPS, MatchIndex, _check_coord
from ._types import ChainPlan, ChainStep, MatchingInputError, Resolved

MAX_CANDIDATES = 600  # per step; above this the nearest (and multi-step) factories are kept


def _hav(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _resolve_step(index: MatchIndex, text: str) -> tuple[tuple[Resolved, ...], tuple[int, ...]]:
    norm = index.normaliser
    if text in index._pcol:
        r = norm._resolved("process", text, 1.0, text, "code")
        return (r,), (index._pcol[text],)
    r = norm.resolve(text, "process")
    if r is not None:
        r = Resolved(
            r.kind, r.code, r.label_ja, r.label_en, r.confidence, text.strip(), r.suggestions, r.via
        )
        return (r,), (index._pcol[r.code],)
    ex = norm.extract(text, outcomes=True)
    if ex.groups:
        g = ex.groups[0]
        return g, tuple(index._pcol[x.code] for x in g)
    return (), ()


def plan_chain(
    index: MatchIndex,
    steps: Sequence[str],
    *,
    start: tuple[float, float] | str | None = None,
    lang: str = "ja",
    alternatives: int = 3,
) -> ChainPlan:
    """Route 1–12 ordered steps through factories that truly do them, minimising the route length from
    ``start`` (lat, lon; a ward name is accepted too) through each step's factory. Exact dynamic programming
    over the candidates of each step; consecutive steps stay in one factory (0 km) when it can do both.
    A step that resolves to no process, or that no factory does, gets ``factory_id=None``."""
    if isinstance(steps, str) or not isinstance(steps, Sequence):
        raise MatchingInputError("steps must be a list of strings")
    if not 1 <= len(steps) <= MAX_STEPS:
        raise MatchingInputError(f"a chain has 1 to {MAX_STEPS} steps, got {len(steps)}")
    for s in steps:
        if not isinstance(s, str):
            raise MatchingInputError("steps must be strings")
    if (
        isinstance(alternatives, bool)
        or not isinstance(alternatives, int)
        or not 0 <= alternatives <= 20
    ):
        raise MatchingInputError("alternatives must be an integer from 0 to 20")
    s_lat: float | None = None
    s_lon: float | None = None
    if isinstance(start, str):
        key = normalise_ward(start)
        if key is None:
            raise MatchingInputError(f"unknown ward {start[:40]!r}")
        s_lat, s_lon = WARDS[key].lat, WARDS[key].lon
    elif start is not None:
        try:
            a, b = start  # type: ignore[misc]
        except (TypeError, ValueError):
            raise MatchingInputError("start must be (lat, lon)") from None
        s_lat, s_lon = _check_coord(a, b)

    n_steps = len(steps)
    resolved: list[tuple[Resolved, ...]] = []
    cands: list[np.ndarray] = []
    E = index._E
    for text in steps:
        alts, cols = _resolve_step(index, text[:2000])
        resolved.append(alts)
        if not cols or not len(index):
            cands.append(np.zeros(0, dtype=np.int64))
            continue
        mask = np.zeros(len(index), dtype=bool)
        for c in cols:
            mask |= E[:, c] >= COVER
        cands.append(np.flatnonzero(mask))

    located = ~np.isnan(index.lat)
    # candidates used in routing: located ones; a step with only unlocated candidates is assigned apart
    route_c: list[np.ndarray] = []
    for c in cands:
        lc = c[located[c]] if c.size else c
        route_c.append(lc)
    # prune very large candidate sets, keeping factories useful for several steps and the nearest ones
    counts = np.zeros(len(index), dtype=np.int32)
    for c in route_c:
        counts[c] += 1
    if s_lat is not None:
        ref_lat, ref_lon = s_lat, s_lon
    else:
        allc = np.concatenate([c for c in route_c if c.size]) if any(c.size for c in route_c) else None
        ref_lat = float(np.median(index.lat[allc])) if allc is not None else 0.0
        ref_lon = float(np.median(index.lon[allc])) if allc is not None else 0.0
    for i, c in enumerate(route_c):
        if c.size > MAX_CANDIDATES:
            d = _hav(index.lat[c], index.lon[c], np.full(c.size, ref_lat), np.full(c.size, ref_lon))
            key = d - 1000.0 * (counts[c] > 1)
            route_c[i] = c[np.argsort(key, kind="stable")[:MAX_CANDIDATES]]

    # Viterbi over the routed steps
    order = [i for i in range(n_steps) if route_c[i].size]
    chosen: dict[int, int] = {}
    total = 0.0
    if order:
        first = route_c[order[0]]
        if s_lat is not None:
            cost = _hav(
                np.full(first.size, s_lat),
                np.full(first.size, s_lon),
                index.lat[first],
                index.lon[first],
            )
        else:
            cost = np.zeros(first.size)
        back: list[np.ndarray] = []
        prev = first
        for i in order[1:]:
            cur = route_c[i]
            D = _hav(
                index.lat[prev][:, None],
                index.lon[prev][:, None],
                index.lat[cur][None, :],
                index.lon[cur][None, :],
            )
            D[prev[:, None] == cur[None, :]] = 0.0
            tot = cost[:, None] + D
            arg = np.argmin(tot, axis=0)
            cost = tot[arg, np.arange(cur.size)]
            back.append(arg)
            prev = cur
        j = int(np.argmin(cost))
        total = float(cost[j])
        for k in range(len(order) - 1, -1, -1):
            chosen[order[k]] = int(route_c[order[k]][j])
            if k > 0:
                j = int(back[k - 1][j])
    # steps whose candidates are all unlocated: the one with the best track record
    for i in range(n_steps):
        if i not in chosen and cands[i].size:
            tr = np.nan_to_num(index.track[cands[i]], nan=0.5)
            chosen[i] = int(cands[i][int(np.argmax(tr))])

    # legs, alternatives and the report
    out: list[ChainStep] = []
    points: list[tuple[float, float] | None] = []
    for i in range(n_steps):
        r = chosen.get(i)
        points.append(
            None if r is None or not located[r] else (float(index.lat[r]), float(index.lon[r]))
        )
    prev_pt = (s_lat, s_lon) if s_lat is not None and s_lon is not None else None
    total_km = 0.0
    for i in range(n_steps):
        row = chosen.get(i)
        alts = resolved[i]
        process = None
        if alts:
            process = alts[0]
            if row is not None:
                for a in alts:
                    if E[row, index._pcol[a.code]] >= COVER:
                        process = a
                        break
            process = Resolved(
                process.kind,
                process.code,
                process.label_ja,
                process.label_en,
                process.confidence,
                steps[i].strip()[:200],
                process.suggestions,
                process.via,
            )
        leg = None
        pt = points[i]
        if row is not None and pt is not None:
            leg = haversine_km(prev_pt[0], prev_pt[1], pt[0], pt[1]) if prev_pt is not None else 0.0
            total_km += leg
        nxt = next((points[k] for k in range(i + 1, n_steps) if points[k] is not None), None)
        alt_ids: tuple[int, ...] = ()
        if alternatives and cands[i].size > 1:
            others = cands[i][cands[i] != row] if row is not None else cands[i]
            lo_ok = located[others]
            cost_alt = np.zeros(others.size)
            if prev_pt is not None:
                cost_alt += np.where(
                    lo_ok,
                    _hav(
                        np.full(others.size, prev_pt[0]),
                        np.full(others.size, prev_pt[1]),
                        index.lat[others],
                        index.lon[others],
                    ),
                    1e6,
                )
            if nxt is not None:
                cost_alt += np.where(
                    lo_ok,
                    _hav(
                        index.lat[others],
                        index.lon[others],
                        np.full(others.size, nxt[0]),
                        np.full(others.size, nxt[1]),
                    ),
                    1e6,
                )
            cost_alt = np.nan_to_num(cost_alt, nan=1e6)
            k = min(alternatives, others.size)
            part = np.argpartition(cost_alt, k - 1)[:k] if others.size > k else np.arange(others.size)
            part = part[np.lexsort((index.ids[others[part]], cost_alt[part]))]
            alt_ids = tuple(int(index.ids[others[p]]) for p in part)
        out.append(
            ChainStep(
                steps[i],
                process,
                None if row is None else int(index.ids[row]),
                alt_ids,
                None if leg is None else round(leg, 3),
            )
        )
        if pt is not None:
            prev_pt = pt
    del total
    return ChainPlan(out, round(total_km, 3) if math.isfinite(total_km) else 0.0)

"""Nakama-mawashi routing: an ordered list of steps through peer factories that really do them.

The route is the shortest one from the start through factories that do each step themselves (a factory that
says it sends a step to partners, does not do it, or whose owner said "not us" is never assigned it). With no
other preference the planner may keep consecutive steps in one workshop, or pick a factory with a better track
record, when that lengthens the route by at most ``max_detour`` (10 %); each such step says so in ``reason``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._geo import WARDS, haversine_km, normalise_ward
from ._index import MAX_STEPS, MatchIndex
from ._messages import message
from ._query import check_coord
from ._types import ChainPlan, ChainStep, MatchingInputError, Resolved

MAX_CANDIDATES = 600  # per step; above this the nearest (and multi-step) factories are kept


def _hav(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _does_any(index: MatchIndex, row: int, codes: Sequence[str]) -> bool:
    fid = int(index.ids[row])
    return any(index.does(fid, code) for code in codes)


def _resolve_step(index: MatchIndex, text: str) -> tuple[Resolved, ...]:
    """How one step is read: a process code, a term, or the first group of a phrase (its alternatives)."""
    norm = index.normaliser
    if index.has_process(text):
        return (norm.make_resolved("process", text, 1.0, text, "code"),)
    r = norm.resolve(text, "process")
    if r is not None:
        return (Resolved(r.kind, r.code, r.label_ja, r.label_en, r.confidence, text.strip(), r.suggestions, r.via),)
    ex = norm.extract(text, outcomes=True)
    return tuple(ex.groups[0]) if ex.groups else ()


def _check_args(steps: Sequence[str], alternatives: int, max_detour: float) -> None:
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
    if isinstance(max_detour, bool) or not isinstance(max_detour, int | float) or not 0 <= max_detour <= 1:
        raise MatchingInputError("max_detour must be a number from 0 to 1")


def _start_point(start: tuple[float, float] | str | None) -> tuple[float | None, float | None]:
    if isinstance(start, str):
        key = normalise_ward(start)
        if key is None:
            raise MatchingInputError(f"unknown ward {start[:40]!r}")
        return WARDS[key].lat, WARDS[key].lon
    if start is not None:
        try:
            a, b = start  # type: ignore[misc]
        except (TypeError, ValueError):
            raise MatchingInputError("start must be (lat, lon)") from None
        return check_coord(a, b)
    return None, None


def _candidates(index: MatchIndex, steps: Sequence[str]) -> tuple[list[tuple[Resolved, ...]], list[np.ndarray]]:
    """Per step: how it was read, and the rows of the factories that really do it (never one that sends the
    step out, does not do it, or whose owner rejected it)."""
    resolved: list[tuple[Resolved, ...]] = []
    cands: list[np.ndarray] = []
    for text in steps:
        alts = _resolve_step(index, text[:2000])
        resolved.append(alts)
        mask = np.zeros(len(index), dtype=bool)
        for a in alts:
            mask |= index.capable_rows(a.code)
        cands.append(np.flatnonzero(mask).astype(np.int64))
    return resolved, cands


def _prune(index: MatchIndex, cands: list[np.ndarray], s_lat: float | None, s_lon: float | None) -> list[np.ndarray]:
    """Located candidates per step; very large sets keep factories useful for several steps and the nearest."""
    located = ~np.isnan(index.lat)
    route_c = [c[located[c]] if c.size else c for c in cands]
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
    return route_c


def _route(
    index: MatchIndex,
    layers: list[np.ndarray],
    s_lat: float | None,
    s_lon: float | None,
    handoff: float = 0.0,
    record: float = 0.0,
) -> tuple[list[int], float]:
    """Exact dynamic programming over the layers: minimise distance + ``handoff`` per change of workshop +
    ``record`` × (1 − track record). Returns the rows chosen and the route's length in km."""
    track = np.nan_to_num(index.track, nan=0.5)
    first = layers[0]
    if s_lat is not None:
        dist0 = _hav(np.full(first.size, s_lat), np.full(first.size, s_lon), index.lat[first], index.lon[first])
    else:
        dist0 = np.zeros(first.size)
    cost = dist0 + record * (1.0 - track[first])
    back: list[np.ndarray] = []
    prev = first
    for cur in layers[1:]:
        step_km = _hav(
            index.lat[prev][:, None], index.lon[prev][:, None], index.lat[cur][None, :], index.lon[cur][None, :]
        )
        same = prev[:, None] == cur[None, :]
        step_km[same] = 0.0
        tot = cost[:, None] + step_km + handoff * ~same + record * (1.0 - track[cur])[None, :]
        arg = np.argmin(tot, axis=0)
        cost = tot[arg, np.arange(cur.size)]
        back.append(arg)
        prev = cur
    j = int(np.argmin(cost))
    rows = [0] * len(layers)
    for k in range(len(layers) - 1, -1, -1):
        rows[k] = int(layers[k][j])
        if k > 0:
            j = int(back[k - 1][j])
    return rows, _length(index, rows, s_lat, s_lon)


def _length(index: MatchIndex, rows: list[int], s_lat: float | None, s_lon: float | None) -> float:
    pts = [(float(index.lat[r]), float(index.lon[r])) for r in rows]
    if s_lat is not None and s_lon is not None:
        pts.insert(0, (s_lat, s_lon))
    return sum(haversine_km(*a, *b) for a, b in zip(pts, pts[1:], strict=False))


def _handoffs(rows: list[int]) -> int:
    return sum(1 for a, b in zip(rows, rows[1:], strict=False) if a != b)


def _preferred(
    index: MatchIndex, layers: list[np.ndarray], s_lat: float | None, s_lon: float | None, max_detour: float
) -> tuple[list[int], list[int], float, float]:
    """(shortest rows, chosen rows, shortest km, chosen km): the chosen route keeps consecutive steps in one
    workshop or prefers a better track record only while it stays within ``max_detour`` of the shortest."""
    shortest, d_min = _route(index, layers, s_lat, s_lon)
    if max_detour <= 0:
        return shortest, shortest, d_min, d_min
    track = np.nan_to_num(index.track, nan=0.5)
    base = max(d_min, 1.0) / len(layers)
    budget = d_min * (1.0 + max_detour) + 1e-9
    if s_lat is not None and s_lon is not None:
        # a route within budget never visits a factory farther than the budget from the start (exact pruning)
        near = []
        for layer, row in zip(layers, shortest, strict=True):
            d = _hav(np.full(layer.size, s_lat), np.full(layer.size, s_lon), index.lat[layer], index.lon[layer])
            kept = layer[d <= budget]
            near.append(kept if kept.size else np.asarray([row]))
        layers = near
    for m in (1.0, 0.5, 0.25, 0.1):
        rows, d = _route(index, layers, s_lat, s_lon, handoff=m * base, record=m * base)
        if d > budget or rows == shortest:
            continue
        fewer = _handoffs(rows) < _handoffs(shortest)
        better = float(track[rows].sum()) > float(track[shortest].sum()) + 1e-9
        if fewer or better:
            return shortest, rows, d_min, d
    return shortest, shortest, d_min, d_min


def _trade_reason(index: MatchIndex, k: int, rows: list[int], shortest: list[int], extra_km: float,
                  lang: str) -> str:
    """Why step ``k`` went to a factory other than the one on the shortest route."""
    extra = f"+{extra_km:.1f} km"
    if k > 0 and rows[k] == rows[k - 1] and shortest[k] != shortest[k - 1]:
        return message("chain_same_workshop", lang, extra=extra)
    mine, other = float(index.track[rows[k]]), float(index.track[shortest[k]])
    if not math.isnan(mine) and (math.isnan(other) or mine > other):
        if math.isnan(other):
            return message("chain_better_track", lang, mine=mine, extra=extra)
        return message("chain_better_track_than", lang, mine=mine, other=other, extra=extra)
    return message("chain_fewer_handoffs", lang, extra=extra)


def plan_chain(
    index: MatchIndex,
    steps: Sequence[str],
    *,
    start: tuple[float, float] | str | None = None,
    lang: str = "ja",
    alternatives: int = 3,
    max_detour: float = 0.10,
) -> ChainPlan:
    """Route 1–12 ordered steps through factories that truly do them, from ``start`` (lat, lon; a ward name is
    accepted too) through each step's factory. Exact dynamic programming over the candidates of each step;
    consecutive steps stay in one factory (0 km) when it can do both. A factory that sends a step to partners is
    never assigned that step. The route is at most ``max_detour`` longer than the shortest one (0 gives the
    shortest); a step placed off the shortest route says why in ``reason``. A step that resolves to no process,
    or that no factory does, gets ``factory_id=None``."""
    _check_args(steps, alternatives, max_detour)
    lang = "en" if lang == "en" else "ja"
    s_lat, s_lon = _start_point(start)
    n_steps = len(steps)
    resolved, cands = _candidates(index, steps)
    route_c = _prune(index, cands, s_lat, s_lon)
    located = ~np.isnan(index.lat)

    order = [i for i in range(n_steps) if route_c[i].size]
    chosen: dict[int, int] = {}
    reasons: dict[int, str] = {}
    if order:
        shortest, rows, d_min, d = _preferred(index, [route_c[i] for i in order], s_lat, s_lon, float(max_detour))
        for k, i in enumerate(order):
            chosen[i] = rows[k]
            if rows[k] != shortest[k]:
                reasons[i] = _trade_reason(index, k, rows, shortest, d - d_min, lang)
    # steps whose candidates are all unlocated: the one with the best track record
    for i in range(n_steps):
        if i not in chosen and cands[i].size:
            tr = np.nan_to_num(index.track[cands[i]], nan=0.5)
            chosen[i] = int(cands[i][int(np.argmax(tr))])
    return _report(index, steps, resolved, cands, chosen, reasons, located, (s_lat, s_lon), alternatives)


def _report(index, steps, resolved, cands, chosen, reasons, located, start, alternatives) -> ChainPlan:
    """Legs, alternatives and the process each chosen factory does, step by step."""
    n_steps = len(steps)
    out: list[ChainStep] = []
    points: list[tuple[float, float] | None] = []
    for i in range(n_steps):
        r = chosen.get(i)
        points.append(
            None if r is None or not located[r] else (float(index.lat[r]), float(index.lon[r]))
        )
    prev_pt = start if start[0] is not None and start[1] is not None else None
    total_km = 0.0
    for i in range(n_steps):
        row = chosen.get(i)
        alts = resolved[i]
        process = None
        if alts:
            process = alts[0]
            if row is not None:
                for a in alts:
                    if _does_any(index, row, (a.code,)):
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
        alt_ids = _alternatives(index, cands[i], row, prev_pt, nxt, located, alternatives)
        out.append(
            ChainStep(
                steps[i],
                process,
                None if row is None else int(index.ids[row]),
                alt_ids,
                None if leg is None else round(leg, 3),
                reasons.get(i, ""),
            )
        )
        if pt is not None:
            prev_pt = pt
    return ChainPlan(out, round(total_km, 3) if math.isfinite(total_km) else 0.0)


def _alternatives(index, cand: np.ndarray, row, prev_pt, nxt, located, alternatives: int) -> tuple[int, ...]:
    """Other factories that do the step, nearest to the route's neighbouring points first."""
    if not alternatives or not cand.size:
        return ()
    others = cand[cand != row] if row is not None else cand
    if not others.size:
        return ()
    lo_ok = located[others]
    cost_alt = np.zeros(others.size)
    for pt in (prev_pt, nxt):
        if pt is not None:
            cost_alt += np.where(
                lo_ok,
                _hav(np.full(others.size, pt[0]), np.full(others.size, pt[1]), index.lat[others], index.lon[others]),
                1e6,
            )
    cost_alt = np.nan_to_num(cost_alt, nan=1e6)
    k = min(alternatives, others.size)
    part = np.argpartition(cost_alt, k - 1)[:k] if others.size > k else np.arange(others.size)
    part = part[np.lexsort((index.ids[others[part]], cost_alt[part]))]
    return tuple(int(index.ids[others[p]]) for p in part)

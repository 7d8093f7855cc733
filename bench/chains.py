"""Nakama-mawashi chains: correctness of every step and route length against the exact optimum."""

from __future__ import annotations

import itertools
import traceback

from bench.common import haversine_km


def route_km(start, points) -> float:
    total, prev = 0.0, start
    for p in points:
        total += haversine_km(prev, p)
        prev = p
    return total


def optimum(start, cand_sets: list[list[tuple[int, tuple[float, float]]]]) -> tuple[float, list[int]]:
    """Exact minimum route over ground-truth-capable factories (DP; brute-force check when small)."""
    # DP: best[f] = (km, path) for paths ending at factory f after step i
    best = {fid: (haversine_km(start, xy), [fid]) for fid, xy in cand_sets[0]}
    pos = {fid: xy for s in cand_sets for fid, xy in s}
    for step in cand_sets[1:]:
        nxt = {}
        for fid, xy in step:
            nxt[fid] = min(
                ((km + haversine_km(pos[pf], xy), path + [fid]) for pf, (km, path) in best.items()),
                key=lambda t: t[0],
            )
        best = nxt
    km, path = min(best.values(), key=lambda t: t[0])
    size = 1
    for s in cand_sets:
        size *= len(s)
    if size <= 200_000:  # brute force, as a check of the DP
        bf = min(
            route_km(start, [pos[f] for f in combo])
            for combo in itertools.product(*[[f for f, _ in s] for s in cand_sets])
        )
        assert abs(bf - km) < 1e-6, (bf, km)
    return km, path


def evaluate(index, records, truth, chains) -> list[dict]:
    import matching

    pos = {r["id"]: (r["lat"], r["lon"]) for r in records}
    rows = []
    for ch in chains:
        start = tuple(ch["start"])
        cand = [
            [(int(f), pos[int(f)]) for f, t in truth.items() if set(t["processes"]) & set(acc)]
            for acc in ch["truth"]
        ]
        row = dict(id=ch["id"], steps=ch["steps"], n=len(ch["steps"]))
        if any(not c for c in cand):
            row["error"] = "no ground-truth-capable factory for some step (eval-set bug)"
            rows.append(row)
            continue
        opt_km, opt_path = optimum(start, cand)
        row.update(opt_km=opt_km, opt_path=opt_path)
        try:
            plan = matching.plan_chain(index, ch["steps"], start=start)
        except Exception as e:
            row["error"] = f"{type(e).__name__}: {e}"
            row["trace"] = traceback.format_exc(limit=3)
            rows.append(row)
            continue
        assigned = [s.factory_id for s in plan.steps]
        ok = [
            fid is not None and int(fid) in truth_ids(truth, acc)
            for fid, acc in zip(assigned, ch["truth"], strict=False)
        ]
        ok += [False] * (len(ch["truth"]) - len(ok))
        km = (
            route_km(start, [pos[int(f)] for f in assigned if f is not None])
            if all(f is not None for f in assigned)
            else float("nan")
        )
        row.update(
            assigned=assigned,
            steps_ok=sum(ok),
            all_ok=all(ok) and len(assigned) == len(ch["truth"]),
            km=km,
            reported_km=float(plan.total_km),
            ratio=km / opt_km if opt_km > 0 else float("nan"),
            resolved=[(s.process.code if s.process else None) for s in plan.steps],
        )
        row["pass"] = bool(row["all_ok"] and row["ratio"] <= 1.10 + 1e-9)
        rows.append(row)
    return rows


def truth_ids(truth, acc) -> set[int]:
    return {int(f) for f, t in truth.items() if set(t["processes"]) & set(acc)}

"""Teams when no single factory fits: two or three nearby factories that together cover every step of a need.

A pure function over a built :class:`MatchIndex`. Members are factories that really do their steps (never one
that sends the step out, does not do it, or whose owner said "not us"); every member takes at least one step
(no passengers). Teams are ranked by coverage first, then by a score of distance (between the members and to
the need's place) and track record.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np

from ._geo import haversine_km
from ._index import MatchIndex, check_limit, reply_language
from ._messages import message
from ._query import query_place
from ._types import MatchingInputError, NeedQuery, Team

POOL = 24  # candidates kept in all (nearest first, shared out between the steps): C(24, 3) = 2,024 teams at most
UNLOCATED_KM = 20.0  # what an unknown distance counts as in the score


def _coverers(index: MatchIndex, codes: tuple[str, ...]) -> np.ndarray:
    """Rows of the factories that really do this step (any of its alternative codes)."""
    mask = np.zeros(len(index), dtype=bool)
    for code in codes:
        mask |= index.capable_rows(code)
    return np.flatnonzero(mask).astype(np.int64)


def _dist(index: MatchIndex, a: int, b: int) -> float | None:
    if math.isnan(index.lat[a]) or math.isnan(index.lat[b]):
        return None
    return haversine_km(float(index.lat[a]), float(index.lon[a]), float(index.lat[b]), float(index.lon[b]))


def _near(index: MatchIndex, rows: np.ndarray, lat: float | None, lon: float | None, n_steps: int) -> np.ndarray:
    """The candidates of one step, nearest to the need's place first (best track record when no place)."""
    keep = max(2, POOL // n_steps)
    if rows.size <= keep:
        return rows
    if lat is not None and lon is not None:
        d = np.array([UNLOCATED_KM * 10 if math.isnan(index.lat[r]) else
                      haversine_km(lat, lon, float(index.lat[r]), float(index.lon[r])) for r in rows])
        order = np.lexsort((index.ids[rows], d))
    else:
        tr = np.nan_to_num(index.track[rows], nan=0.5)
        order = np.lexsort((index.ids[rows], -tr))
    return rows[order[:keep]]


def propose_teams(
    index: MatchIndex, query: NeedQuery, *, limit: int = 5, max_size: int = 3, lang: str = "ja"
) -> list[Team]:
    """Teams of 2..``max_size`` factories that together cover the need's required steps, best first: more
    steps covered first, then the score (0..1: coverage, closeness of the members to each other and to the
    need's place, track record). Reasons are written in ``lang``. Returns [] when the need names no step."""
    limit = check_limit(limit)
    lang = reply_language(lang)
    if isinstance(max_size, bool) or not isinstance(max_size, int) or not 2 <= max_size <= 3:
        raise MatchingInputError("max_size must be 2 or 3")
    groups = index.required_steps(query)
    if not groups or not len(index):
        return []
    lat, lon = query_place(query)
    steps = [g[0] for g in groups]
    covers = [set(map(int, _coverers(index, g))) for g in groups]
    pool = sorted({int(r) for c in covers
                   for r in _near(index, np.asarray(sorted(c), dtype=np.int64), lat, lon, len(groups))})
    teams: list[tuple[tuple, Team]] = []
    for size in range(2, max_size + 1):
        for combo in itertools.combinations(pool, size):
            team = _team(index, combo, steps, covers, lat, lon, lang)
            if team is not None:
                key = (-len(team.assignments), -team.score, team.factory_ids)
                teams.append((key, team))
    teams.sort(key=lambda t: t[0])
    return [t for _k, t in teams[:limit]]


def _assign(index: MatchIndex, combo: tuple[int, ...], steps: list[str], covers: list[set[int]]
            ) -> dict[int, int] | None:
    """Step position → member row, every member taking at least one step; None when that is impossible (the
    team would carry a passenger). Each member first gets a step of its own (distinct representatives, found
    by trying the few orders of at most three members); every other step goes to the member who did the step
    before when it can (one hand-off less), else to the first member who can."""
    covered = [i for i in range(len(steps)) if any(r in covers[i] for r in combo)]
    seed: dict[int, int] | None = None
    for picks in itertools.permutations(covered, len(combo)):
        if all(r in covers[i] for r, i in zip(combo, picks, strict=True)):
            seed = dict(zip(picks, combo, strict=True))
            break
    if seed is None:
        return None
    out: dict[int, int] = {}
    for i in covered:
        if i in seed:
            out[i] = seed[i]
            continue
        prev = out.get(i - 1)
        out[i] = prev if prev is not None and prev in covers[i] else next(r for r in combo if r in covers[i])
    return out


def _team(index: MatchIndex, combo: tuple[int, ...], steps: list[str], covers: list[set[int]],
          lat: float | None, lon: float | None, lang: str) -> Team | None:
    assigned = _assign(index, combo, steps, covers)
    if assigned is None:
        return None
    pairs = [_dist(index, a, b) for a, b in itertools.combinations(combo, 2)]
    known = [d for d in pairs if d is not None]
    total = sum(d if d is not None else UNLOCATED_KM for d in pairs)
    need_km = None
    if lat is not None and lon is not None:
        far = [haversine_km(lat, lon, float(index.lat[r]), float(index.lon[r])) if not math.isnan(index.lat[r])
               else UNLOCATED_KM for r in combo]
        need_km = max(far)
    coverage = len(assigned) / len(steps)
    spread = total / len(pairs)
    closeness = 1.0 / (1.0 + spread / 5.0)
    reach = 1.0 / (1.0 + (need_km if need_km is not None else spread) / 5.0)
    track = float(np.mean(np.nan_to_num(index.track[list(combo)], nan=0.5)))
    # a good record does not make up for a team across town: closeness and reach weigh more than the record
    score = coverage * (0.55 + 0.15 * closeness + 0.2 * reach + 0.1 * track)
    ids = tuple(int(index.ids[r]) for r in combo)
    assignments = tuple((steps[i], int(index.ids[assigned[i]])) for i in sorted(assigned))
    missing = tuple(steps[i] for i in range(len(steps)) if i not in assigned)
    team = Team(ids, assignments, missing, round(sum(known), 2) if len(known) == len(pairs) else None,
                round(max(known), 2) if len(known) == len(pairs) else None,
                round(need_km, 2) if need_km is not None else None, round(min(1.0, score), 4), ())
    return replace(team, reasons=_reasons(index, team, combo, lang))


def _reasons(index: MatchIndex, team: Team, combo: tuple[int, ...], lang: str) -> tuple[str, ...]:
    tax = index.taxonomy
    total = len(team.assignments) + len(team.missing)
    out = [message("team_covers", lang, covered=len(team.assignments), total=total)]
    if team.max_pair_km is not None:
        out.append(message("team_spread", lang, km=team.max_pair_km))
    else:
        out.append(message("team_location_unknown", lang))
    if team.need_km is not None:
        out.append(message("team_farthest", lang, km=team.need_km))
    for r in combo:
        rate = index.track[r]
        if not math.isnan(rate) and rate > 0:
            out.append(message("team_track_record", lang, name=index.names[r], rate=rate))
    if team.missing:
        out.append(message("team_still_missing", lang, items=", ".join(tax.label(c, lang) for c in team.missing)))
    return tuple(out)

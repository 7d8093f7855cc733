"""The chain planner's choices (issue 9): never a factory that sends the step out; within 10 % of the shortest
route through factories that really do each step; a step placed off the shortest route says why.

Hand-checkable map: every factory sits on the meridian 139.70 E, so distances are 111.2 km per degree of latitude
(0.01° ≈ 1.11 km). The start is at 35.50.
"""

from __future__ import annotations

import itertools
import math
import random

import pytest

from matching import FactoryProfile, MatchIndex, haversine_km, plan_chain

START = (35.50, 139.70)
KM = haversine_km(35.50, 139.70, 35.51, 139.70)  # one grid step


def _at(fid: int, name: str, lat: float, **kw) -> FactoryProfile:
    return FactoryProfile(fid, name, lat=lat, lon=139.70, **kw)


def test_owner_rejection_keeps_a_step_away_from_a_factory():
    idx = MatchIndex.build([
        _at(1, "here", 35.50, processes=("旋盤", "焼入れ"), rejected=("hardening",)),
        _at(2, "heat", 35.52, processes=("焼入れ",)),
    ])
    plan = plan_chain(idx, ["旋盤", "焼入れ"], start=START)
    assert [s.factory_id for s in plan.steps] == [1, 2]


def test_outsourced_step_is_never_assigned_to_the_factory_that_sends_it_out():
    lathe = _at(1, "lathe", 35.50, processes=("旋盤",),
                description="精密旋削が得意です。焼入れ・研削は協力工場へ出しています。")
    idx = MatchIndex.build([lathe, _at(2, "heat", 35.53, processes=("焼入れ",)),
                            _at(3, "grind", 35.54, processes=("円筒研削",))])
    assert "hardening" in idx.outsourced(1)
    plan = plan_chain(idx, ["旋盤", "焼入れ", "研削"], start=START)
    assert [s.factory_id for s in plan.steps] == [1, 2, 3]
    assert 1 not in plan.steps[1].alternatives


def test_keeps_consecutive_steps_in_one_workshop_within_ten_percent():
    # shortest: turn (1 step) then grind (1 more step) = 2 steps; "both" does the two at 2.1 steps (+5 %)
    idx = MatchIndex.build([
        _at(1, "turn", 35.51, processes=("旋盤",)),
        _at(2, "grind", 35.52, processes=("円筒研削",)),
        _at(3, "both", 35.521, processes=("旋盤", "円筒研削")),
    ])
    plan = plan_chain(idx, ["旋盤", "研削"], start=START, lang="en")
    assert [s.factory_id for s in plan.steps] == [3, 3]
    assert plan.total_km == pytest.approx(2.1 * KM, rel=1e-3)
    assert plan.total_km <= 1.1 * 2 * KM
    assert "same workshop" in plan.steps[1].reason and "+0.1 km" in plan.steps[1].reason
    assert plan.steps[0].reason  # moved off the shortest route too: it says so
    exact = plan_chain(idx, ["旋盤", "研削"], start=START, max_detour=0)
    assert [s.factory_id for s in exact.steps] == [1, 2] and not any(s.reason for s in exact.steps)
    assert exact.total_km == pytest.approx(2 * KM, rel=1e-3)


def test_does_not_trade_more_than_ten_percent():
    idx = MatchIndex.build([
        _at(1, "turn", 35.51, processes=("旋盤",)),
        _at(2, "grind", 35.52, processes=("円筒研削",)),
        _at(3, "both", 35.53, processes=("旋盤", "円筒研削")),  # 3 steps: +50 %
    ])
    plan = plan_chain(idx, ["旋盤", "研削"], start=START)
    assert [s.factory_id for s in plan.steps] == [1, 2]
    assert not any(s.reason for s in plan.steps)


def test_prefers_a_better_track_record_and_says_so():
    idx = MatchIndex.build([
        _at(1, "near", 35.51, processes=("旋盤",), track_record=0.2),
        _at(2, "good", 35.5105, processes=("旋盤",), track_record=0.95),  # +5 %
        _at(3, "best-far", 35.53, processes=("旋盤",), track_record=1.0),  # +200 %
    ])
    plan = plan_chain(idx, ["旋盤"], start=START)
    assert plan.steps[0].factory_id == 2
    assert "実績評価" in plan.steps[0].reason and "95%" in plan.steps[0].reason
    en = plan_chain(idx, ["旋盤"], start=START, lang="en")
    assert "track record" in en.steps[0].reason


def _shortest(idx: MatchIndex, profiles, codes) -> float:
    options = [[f for f in profiles if idx.does(f.id, c)] for c in codes]
    best = math.inf
    for combo in itertools.product(*options):
        pts = [START] + [(f.lat, f.lon) for f in combo]
        best = min(best, sum(haversine_km(*a, *b) for a, b in itertools.pairwise(pts)))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_route_stays_within_ten_percent_of_the_shortest(seed: int):
    rng = random.Random(seed)
    words = {"turning": "旋盤", "hardening": "焼入れ", "grinding": "円筒研削", "plating": "めっき"}
    profiles = []
    for fid in range(1, 13):
        does = rng.sample(list(words), rng.choice((1, 1, 2)))
        profiles.append(FactoryProfile(
            fid, f"f{fid}", lat=35.50 + rng.uniform(0, 0.08), lon=139.70 + rng.uniform(0, 0.08),
            processes=tuple(words[c] for c in does),
            track_record=rng.choice((None, rng.random()))))
    idx = MatchIndex.build(profiles)
    codes = [c for c in words if any(idx.does(f.id, c) for f in profiles)]
    plan = plan_chain(idx, [words[c] for c in codes], start=START)
    best = _shortest(idx, profiles, codes)
    assert plan.total_km <= 1.1 * best + 1e-3
    for step, code in zip(plan.steps, codes, strict=True):
        assert idx.does(step.factory_id, code)
    if plan.total_km > best + 1e-3:
        assert any(step.reason for step in plan.steps)

from __future__ import annotations

import itertools
import math

import pytest

from matching import FactoryProfile, MatchIndex, MatchingInputError, haversine_km, plan_chain

# a hand-checkable map on a 0.01° grid around Ota
MAP = (
    FactoryProfile(10, "turn-a", lat=35.56, lon=139.70, processes=("旋盤",)),
    FactoryProfile(11, "turn-b", lat=35.60, lon=139.70, processes=("NC旋盤",)),
    FactoryProfile(12, "heat-a", lat=35.57, lon=139.70, processes=("焼入れ",)),
    FactoryProfile(13, "heat-b", lat=35.61, lon=139.70, processes=("高周波焼入れ",)),
    FactoryProfile(14, "grind-a", lat=35.62, lon=139.70, processes=("円筒研削",)),
    FactoryProfile(15, "grind-b", lat=35.55, lon=139.70, processes=("平面研削",)),
    FactoryProfile(16, "plate-a", lat=35.58, lon=139.70, processes=("めっき",)),
    FactoryProfile(17, "turn+grind", lat=35.64, lon=139.70, processes=("旋盤", "研削")),
    FactoryProfile(18, "nowhere", processes=("めっき",)),
)
STEPS = ["旋盤", "焼入れ", "研削", "めっき"]
CODES = ["turning", "hardening", "grinding", "plating"]


@pytest.fixture(scope="module")
def chain_index() -> MatchIndex:
    return MatchIndex.build(MAP)


def _brute(idx: MatchIndex, start: tuple[float, float]) -> float:
    options = [[f for f in MAP if f.lat is not None and idx.does(f.id, c)] for c in CODES]
    best = math.inf
    for combo in itertools.product(*options):
        pts = [start] + [(f.lat, f.lon) for f in combo]
        best = min(best, sum(haversine_km(*a, *b) for a, b in itertools.pairwise(pts)))
    return best


@pytest.mark.parametrize("start", [(35.56, 139.70), (35.65, 139.70), (35.59, 139.70)])
def test_chain_is_optimal(chain_index: MatchIndex, start: tuple[float, float]):
    plan = plan_chain(chain_index, STEPS, start=start)
    assert [s.process.code for s in plan.steps] == CODES
    for s, code in zip(plan.steps, CODES, strict=True):
        assert s.factory_id is not None and chain_index.does(s.factory_id, code)
    assert plan.total_km == pytest.approx(_brute(chain_index, start), abs=1e-3)


def test_chain_stays_in_one_factory(chain_index: MatchIndex):
    plan = plan_chain(chain_index, ["旋盤", "研削"], start=(35.64, 139.70), alternatives=2)
    assert [s.factory_id for s in plan.steps] == [17, 17]
    assert plan.total_km == pytest.approx(0.0, abs=1e-6)
    assert plan.steps[1].leg_km == 0.0
    assert 17 not in plan.steps[0].alternatives and len(plan.steps[0].alternatives) == 2


def test_chain_unresolved_step(chain_index: MatchIndex):
    plan = plan_chain(chain_index, ["旋盤", "xyzzy", "江戸切子"], start="大田区")
    assert plan.steps[1].process is None and plan.steps[1].factory_id is None
    assert plan.steps[2].process is not None and plan.steps[2].factory_id is None
    assert plan.steps[0].factory_id in (10, 11, 17)


@pytest.mark.parametrize("steps", [[], ["旋盤"] * 13, "旋盤", [1, 2], None])
def test_chain_rejects_bad_steps(chain_index: MatchIndex, steps):
    with pytest.raises(MatchingInputError):
        plan_chain(chain_index, steps)


def test_chain_bad_start(chain_index: MatchIndex):
    with pytest.raises(MatchingInputError):
        plan_chain(chain_index, ["旋盤"], start=(999.0, 0.0))
    with pytest.raises(MatchingInputError):
        plan_chain(chain_index, ["旋盤"], start="Atlantis")


def test_chain_without_start(chain_index: MatchIndex):
    plan = plan_chain(chain_index, ["旋盤", "研削"])
    assert plan.steps[0].factory_id == plan.steps[1].factory_id == 17 and plan.total_km == 0.0

"""Team proposals when no single factory fits (issue 9), on a hand-checkable map.

Every factory sits on the meridian 139.70 E: 0.01° of latitude is 1.112 km. The need is at 35.50.
"""

from __future__ import annotations

import pytest

from matching import FactoryProfile, MatchIndex, MatchingInputError, NeedQuery, haversine_km, propose_teams

NEED = dict(lat=35.50, lon=139.70)


def _at(fid: int, name: str, lat: float, **kw) -> FactoryProfile:
    return FactoryProfile(fid, name, lat=lat, lon=139.70, **kw)


MAP = (
    _at(1, "mill-near", 35.510, processes=("フライス加工",)),
    _at(2, "anod-near", 35.512, processes=("アルマイト",)),
    _at(3, "mill-far", 35.600, processes=("フライス加工",), track_record=1.0),
    _at(4, "anod-far", 35.610, processes=("アルマイト",), track_record=1.0),
    _at(5, "paint", 35.511, processes=("塗装",)),
    _at(6, "mill-sends-anod", 35.505, processes=("フライス加工",),
        description="アルミの切削が専門です。アルマイトは協力工場へ出しています。"),
    _at(7, "laser", 35.514, processes=("レーザーマーキング",)),
)


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    return MatchIndex.build(MAP)


def test_best_team_is_the_nearest_pair_that_covers_both_steps(index):
    teams = propose_teams(index, NeedQuery(processes=("フライス加工", "アルマイト"), **NEED), lang="en")
    best = teams[0]
    assert set(best.factory_ids) == {1, 2}
    assert dict(best.assignments) == {"milling": 1, "anodizing": 2}
    assert best.missing == () and best.coverage == 1.0
    assert best.max_pair_km == pytest.approx(haversine_km(35.510, 139.70, 35.512, 139.70), abs=0.01)
    assert best.need_km == pytest.approx(haversine_km(35.50, 139.70, 35.512, 139.70), abs=0.01)
    assert any("2 of 2 steps" in r for r in best.reasons)
    assert any("0.2 km apart" in r for r in best.reasons)
    assert any("1.3 km from the place of the need" in r for r in best.reasons)
    assert [t.score for t in teams] == sorted((t.score for t in teams), reverse=True)


def test_no_passengers_and_no_factory_that_sends_the_step_out(index):
    teams = propose_teams(index, NeedQuery(processes=("フライス加工", "アルマイト"), **NEED), limit=20)
    for team in teams:
        assert all(team.steps_of(fid) for fid in team.factory_ids)  # every member takes a step
        assert 5 not in team.factory_ids  # the paint shop has no step of this need
        assert ("anodizing", 6) not in team.assignments  # 6 sends anodising to partners
        assert len(team.factory_ids) == 2  # a third member would have nothing to do
    assert any(set(t.factory_ids) == {6, 2} for t in teams)  # 6 still mills


def test_distance_beats_track_record_when_far(index):
    teams = propose_teams(index, NeedQuery(processes=("フライス加工", "アルマイト"), **NEED), limit=20)
    order = [set(t.factory_ids) for t in teams]
    assert order.index({1, 2}) < order.index({3, 4})


def test_three_steps_need_three_members_and_coverage_ranks_first(index):
    teams = propose_teams(index, NeedQuery(processes=("フライス加工", "アルマイト", "レーザーマーキング"), **NEED),
                          limit=10)
    assert len(teams[0].factory_ids) == 3 and teams[0].missing == ()
    assert set(teams[0].factory_ids) == {1, 2, 7}
    two = propose_teams(index, NeedQuery(processes=("フライス加工", "アルマイト", "レーザーマーキング"), **NEED),
                        max_size=2)
    assert all(len(t.missing) == 1 for t in two)  # with pairs only one step stays open, and it says so
    assert all(t.coverage == pytest.approx(2 / 3) for t in two)


def test_japanese_reasons_and_bad_input(index):
    teams = propose_teams(index, NeedQuery(processes=("フライス加工", "アルマイト"), **NEED))
    assert any("2 工程中 2 工程" in r for r in teams[0].reasons)
    with pytest.raises(MatchingInputError):
        propose_teams(index, NeedQuery(processes=("フライス加工",)), max_size=5)
    assert propose_teams(index, NeedQuery(text="よろしくお願いします")) == []


# -- the public accessors the team finder and the chain planner use (no private index state) ---------------

def test_required_steps_lists_each_step_with_its_own_code_first(index):
    steps = index.required_steps(NeedQuery(processes=("フライス加工", "アルマイト"), **NEED))
    assert [s[0] for s in steps] == ["milling", "anodizing"]
    assert all(isinstance(c, str) for s in steps for c in s)


def test_required_steps_of_an_outcome_need_lists_its_alternatives(index):
    steps = index.required_steps(NeedQuery(text="金型は作りたくないので樹脂の筐体を20個", **NEED))
    assert steps and len(steps[0]) > 1
    assert not any({"mold_making", "injection_mold_making"} & set(s) for s in steps)


def test_capable_rows_is_does_vectorised(index):
    for code in ("milling", "anodizing", "painting", "laser_marking", "no_such_code"):
        mask = index.capable_rows(code)
        assert mask.dtype == bool and mask.shape == (len(index),)
        assert [int(i) for i in index.ids[mask]] == [int(f) for f in index.ids if index.does(int(f), code)]
    assert not index.capable_rows("anodizing")[list(index.ids).index(6)]  # 6 sends anodising out
    assert index.has_process("milling") and not index.has_process("no_such_code")


def test_team_and_chain_modules_read_no_private_index_state():
    import inspect

    from matching import _chain, _teams

    for mod in (_chain, _teams):
        src = inspect.getsource(mod)
        assert "index._" not in src and "norm._" not in src and "compile(" not in src

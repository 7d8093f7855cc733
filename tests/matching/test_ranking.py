from __future__ import annotations

import subprocess
import sys

import pytest

from matching import FactoryProfile, MatchIndex, MatchingInputError, NeedQuery, UnknownFactoryError


def _ids(res):
    return [m.factory_id for m in res.results]


def test_full_coverage_ranks_above_partial(index: MatchIndex):
    res = index.match(
        NeedQuery(text="IoTセンサーのアルミ筐体を20個試作、切削のあと黒アルマイト", ward="大田区")
    )
    assert _ids(res)[0] == 3
    top = res.results[0]
    assert set(top.covers) == {"machining", "anodizing"} and top.missing == ()
    full = [m for m in res.results if not m.missing]
    partial = [m for m in res.results if m.missing]
    assert min(m.score for m in full) > max(m.score for m in partial)
    assert all(0.0 <= m.score <= 1.0 for m in res.results)
    scores = [m.score for m in res.results]
    assert scores == sorted(scores, reverse=True)


def test_reasons_name_the_matched_source_text(index: MatchIndex):
    res = index.match(NeedQuery(processes=("フライス加工",)), lang="ja")
    sumida = next(m for m in res.results if m.factory_id == 1)
    assert "1/1 工程に対応" in sumida.reasons[0] and "'MC加工' より" in sumida.reasons[0]
    res = index.match(NeedQuery(processes=("milling",)), lang="en")
    sumida = next(m for m in res.results if m.factory_id == 1)
    assert sumida.reasons[0].startswith("Covers 1/1 steps") and "(from 'MC加工')" in sumida.reasons[0]


def test_english_need_finds_japanese_profiles(index: MatchIndex):
    res = index.match(
        NeedQuery(text="50 aluminium enclosures, milled then black anodised", quantity=50), lang="en"
    )
    assert _ids(res)[0] == 3
    assert "Material: aluminium" in " ".join(res.results[0].reasons)
    res = index.match(NeedQuery(text="cylindrical grinding of a hardened shaft"), lang="ja")
    assert _ids(res)[0] == 8  # the Japanese need side resolves to the same codes as the English profile


def test_outcome_needs(index: MatchIndex):
    assert _ids(index.match(NeedQuery(text="the steel shaft wears out too fast")))[0] == 4
    assert _ids(index.match(NeedQuery(text="a seamless stainless cup")))[0] == 5
    assert _ids(index.match(NeedQuery(text="make this copper part not tarnish")))[0] == 6
    assert _ids(index.match(NeedQuery(text="江戸切子のぐい呑みを記念品に")))[0] == 9


def test_distance_refines_among_equals(index: MatchIndex):
    near_ota = index.match(NeedQuery(processes=("アルマイト",), lat=35.561, lon=139.716))
    assert _ids(near_ota)[:2] == [2, 3] or _ids(near_ota)[:2] == [3, 2]
    assert near_ota.results[0].distance_km is not None and near_ota.results[0].distance_km < 1.0
    assert any(r.endswith("km") for r in near_ota.results[0].reasons)


def test_exclude_and_limit(index: MatchIndex):
    res = index.match(NeedQuery(processes=("アルマイト",)), limit=1, exclude_ids=(3,))
    assert _ids(res) == [2]


def test_unresolved_terms_are_listed(index: MatchIndex):
    res = index.match(NeedQuery(text="", processes=("xyzzy加工品", "フライス")))
    assert "xyzzy加工品" in res.unresolved
    assert res.results and res.results[0].factory_id == 1
    res = index.match(NeedQuery(text="qwerty zzz"))
    assert res.unresolved and res.results == []


@pytest.mark.parametrize(
    "query",
    [
        NeedQuery(),
        NeedQuery(text="   "),
        NeedQuery(text=123),  # type: ignore[arg-type]
        NeedQuery(processes="x" * 3),  # a bare string is accepted, so make it a wrong type below
        NeedQuery(processes=(1, 2)),  # type: ignore[arg-type]
        NeedQuery(text="旋盤", quantity=-1),
        NeedQuery(text="旋盤", lat=200.0, lon=0.0),
        NeedQuery(text="旋盤", processes=tuple(["旋盤"] * 51)),
    ],
)
def test_hostile_queries(index: MatchIndex, query: NeedQuery):
    if query.processes == "xxx":
        res = index.match(query)  # a single string is treated as one item
        assert "xxx" in res.unresolved
        return
    with pytest.raises(MatchingInputError):
        index.match(query)


def test_huge_and_weird_text(index: MatchIndex):
    res = index.match(NeedQuery(text="ＭＣ加工をお願いします。" + "🙂\u200b" * 500_000))
    assert res.results and res.results[0].factory_id == 1
    with pytest.raises(MatchingInputError):
        index.match(NeedQuery(text="旋盤"), limit=0)


def test_profile_capabilities(index: MatchIndex):
    caps = index.profile_capabilities(3)
    assert {r.code for r in caps.processes} >= {"milling", "anodizing"}
    assert {r.source for r in caps.processes} >= {"マシニングセンタ", "アルマイト処理"}
    with pytest.raises(UnknownFactoryError):
        index.profile_capabilities(999)


def test_partners_for_missing_steps(index: MatchIndex):
    partners = index.partners_for(7, ["turning", "焼入れ", "cylindrical_grinding"], lang="en")
    ids = [m.factory_id for m in partners]
    assert 7 not in ids and set(ids) == {4, 8}
    assert all(m.distance_km is not None for m in partners)
    assert index.missing_processes(7, ["旋盤", "めっき"]) == ["plating"]


def test_needs_for_factory(index: MatchIndex):
    needs = [
        ("a", NeedQuery(text="shaft wears out, needs hardening and plating")),
        ("b", NeedQuery(text="焼入れをお願いしたい")),
        ("c", NeedQuery(text="江戸切子")),
    ]
    fits = index.needs_for(4, needs, lang="ja")
    assert [f.need_id for f in fits] == ["b", "a"]
    need_id, score, reasons = fits[0]
    assert need_id == "b" and 0 < score <= 1 and reasons


def test_empty_index():
    idx = MatchIndex.build([])
    assert idx.match(NeedQuery(text="旋盤")).results == []


def test_build_rejects_wrong_types():
    with pytest.raises(MatchingInputError):
        MatchIndex.build([{"id": 1}])  # type: ignore[list-item]
    with pytest.raises(MatchingInputError):
        MatchIndex.build([FactoryProfile(1, "a"), FactoryProfile(1, "b")])


def test_purity():
    code = (
        "import sys, matching\n"
        "bad = [m for m in ('flask', 'sqlalchemy', 'hub') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)

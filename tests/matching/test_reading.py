"""Reading a factory profile: evidence levels, owner decisions, exclusions on the need side (issue 9)."""

from __future__ import annotations

import pytest

from matching import Evidence, FactoryProfile, MatchIndex, NeedQuery, Normaliser, ProfileReading


@pytest.fixture(scope="module")
def norm() -> Normaliser:
    return Normaliser.default()


def _codes(reading: ProfileReading, kind: str = "process") -> set[str]:
    return {e.code for e in reading.capabilities if e.kind == kind}


def test_listed_items_are_level_listed_with_the_item_as_phrase(norm: Normaliser):
    reading = norm.read_profile(("ＮＣ旋盤",), ("SUS304",), "", ())
    ev = {e.code: e for e in reading.capabilities}
    assert isinstance(ev["turning"], Evidence)
    assert ev["turning"].level == "listed" and ev["turning"].phrase == "ＮＣ旋盤"
    assert ev["stainless"].kind == "material" and ev["stainless"].level == "listed"


def test_prose_capabilities_carry_their_clause(norm: Normaliser):
    reading = norm.read_profile((), (), "創業五十年。マシニングセンタで精密部品を削っています。", ())
    ev = {e.code: e for e in reading.capabilities}
    assert ev["milling"].level == "prose"
    assert ev["milling"].phrase == "マシニングセンタで精密部品を削っています"


def test_rejected_codes_are_never_capabilities(norm: Normaliser):
    reading = norm.read_profile(("MC加工",), (), "アルマイト処理も承ります。", (), rejected=("anodizing",))
    assert "anodizing" not in _codes(reading)
    assert "milling" in _codes(reading)


def test_confirmed_codes_count_as_listed(norm: Normaliser):
    reading = norm.read_profile((), (), "アルマイト処理も承ります。", (), confirmed=("anodizing", "stainless"))
    ev = {e.code: e for e in reading.capabilities}
    assert ev["anodizing"].level == "listed"
    assert ev["stainless"].level == "listed" and ev["stainless"].kind == "material"


def test_index_uses_the_reading_and_honours_owner_decisions():
    profiles = [
        FactoryProfile(1, "A", ward="ota", description="アルマイト処理と切削加工。", rejected=("anodizing",)),
        FactoryProfile(2, "B", ward="ota", confirmed=("anodizing",)),
        FactoryProfile(3, "C", ward="ota", processes=("アルマイト",)),
    ]
    index = MatchIndex.build(profiles)
    assert not index.does(1, "anodizing") and index.does(1, "machining")
    assert index.does(2, "anodizing") and index.does(3, "anodizing")
    assert index.profile_reading(2).capabilities[0].level == "listed"
    assert [r.code for r in index.profile_capabilities(1).processes] == ["machining"]
    found = [m.factory_id for m in index.match(NeedQuery("アルマイト処理")).results]
    assert 1 not in found and set(found) == {2, 3}


def test_need_exclude_is_never_required(index: MatchIndex):
    res = index.match(NeedQuery("アルミ部品の切削とアルマイト", exclude=("anodizing",)))
    assert ("anodizing",) not in res.required
    assert all("anodizing" not in step for step in res.required)

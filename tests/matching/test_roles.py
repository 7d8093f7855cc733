"""Verbs vs. object words, negation, compounds and material-aware outcomes in the normaliser and query."""

from __future__ import annotations

import pytest

from matching import FactoryProfile, MatchIndex, NeedQuery, Normaliser, Taxonomy


@pytest.fixture(scope="module")
def norm() -> Normaliser:
    return Normaliser.default()


def _codes(ex) -> list[str]:
    return [r.code for r in ex.processes if r.via != "outcome"]


@pytest.mark.parametrize(
    "text, code",
    [
        ("please heat treat these brackets", "heat_treatment"),
        ("we need to blacken the bolts", "black_oxide"),
        ("electropolish a stainless tank", "electropolishing"),
        ("powder-coat the frames in grey", "powder_coating"),
        ("can you stress relieve the parts", "annealing"),
        ("mirror polish the lid", "polishing"),
        ("die-cast zinc knobs", "die_casting"),
        ("case harden the pins", "carburizing"),
        ("laser etch a logo", "laser_marking"),
        ("ultrasonic inspection of a shaft", "ndt"),
        ("黒染め処理をしたい", "black_oxide"),
        ("表面を梨地仕上げに", "blasting"),
        ("真空焼入れをお願いしたい", "vacuum_hardening"),
    ],
)
def test_verbs_and_trade_words_resolve(norm: Normaliser, text: str, code: str):
    assert code in _codes(norm.extract(text))


def test_compound_words_are_read_whole(norm: Normaliser):
    assert _codes(norm.extract("漆塗りの箸を作りたい")) == ["lacquer"]  # not 塗装 (painting)
    assert _codes(norm.extract("漆塗装の盆")) == ["lacquer"]
    assert _codes(norm.extract("黒染めのボルト")) == ["black_oxide"]  # not 染め (dyeing)
    assert "lacquer" in _codes(norm.extract("an urushi lacquer tray"))


def test_profile_grinding_is_surface_grinding(norm: Normaliser):
    assert norm.resolve("成形研削").code == "surface_grinding"
    assert norm.resolve("profile grinding").code == "surface_grinding"


@pytest.mark.parametrize(
    "text, ctx, act",
    [
        ("paint a machined housing", "machining", "painting"),
        ("dye penetrant test of the welds", "welding", "ndt"),
        ("溶接箇所の研磨をお願いしたい", "welding", "polishing"),
        ("鋳物部品のショットブラスト", "casting", "blasting"),
        ("金型部品のワイヤーカット", "mold_making", "wire_edm"),
        ("溶接したフレームに焼付塗装", "welding", "painting"),
    ],
)
def test_object_history_words_are_context(norm: Normaliser, text: str, ctx: str, act: str):
    ex = norm.extract(text)
    assert ctx in ex.context and act not in ex.context
    assert act in _codes(ex)


@pytest.mark.parametrize(
    "text",
    ["旋盤加工のあと焼入れ", "machined and anodised housings", "溶接と塗装の一貫対応", "turning then grinding"],
)
def test_sequences_stay_steps(norm: Normaliser, text: str):
    ex = norm.extract(text)
    assert ex.context == () and len(_codes(ex)) == 2


@pytest.mark.parametrize(
    "text, neg",
    [
        ("溶接不可、曲げのみ", "welding"),
        ("塗装は不要です。切削だけ", "painting"),
        ("no welding please, bending only", "welding"),
        ("painting is not needed", "painting"),
        ("溶接は行っていません", "welding"),
    ],
)
def test_negated_mentions_are_dropped(norm: Normaliser, text: str, neg: str):
    ex = norm.extract(text)
    assert neg not in _codes(ex) and neg in [r.code for r in ex.negated]


def test_outcomes_depend_on_the_material(norm: Normaliser):
    ex = norm.extract("stainless sink that must not rust")
    top = max((r for r in ex.processes if r.via == "outcome"), key=lambda r: r.confidence)
    assert top.code == "electropolishing"
    ex = norm.extract("the aluminium lever wears out")
    assert max(ex.processes, key=lambda r: r.confidence).code == "hard_anodizing"
    ex = norm.extract("steel shaft should be harder at the surface")
    assert {"carburizing", "induction_hardening"} <= {r.code for r in ex.processes}


@pytest.fixture(scope="module")
def cluster() -> MatchIndex:
    return MatchIndex.build(
        [
            FactoryProfile(1, "溶接所", processes=("TIG溶接",)),
            FactoryProfile(2, "探傷", processes=("浸透探傷",)),
            FactoryProfile(3, "焼鈍", processes=("焼鈍",)),
            FactoryProfile(4, "5軸", processes=("同時5軸加工",)),
            FactoryProfile(5, "旋盤", processes=("NC旋盤",)),
            FactoryProfile(6, "アルマイト", processes=("アルマイト",)),
            FactoryProfile(7, "ブラスト", processes=("サンドブラスト",)),
            FactoryProfile(8, "板金", description="レーザー切断と曲げ。溶接は行っていません。"),
        ]
    )


def test_context_words_are_not_required_steps(cluster: MatchIndex):
    res = cluster.match(NeedQuery(text="溶接部の浸透探傷をお願いしたい"))
    assert res.required == (("ndt",),)
    assert res.results[0].factory_id == 2
    res = cluster.match(NeedQuery(text="stress relieve a welded steel bracket"))
    assert res.required == (("annealing",),)
    assert res.results[0].factory_id == 3
    # a context word alone is still the request
    assert cluster.match(NeedQuery(text="welded steel brackets")).required == (("welding",),)


def test_negated_capability_is_not_indexed(cluster: MatchIndex):
    assert not cluster.does(8, "welding") and cluster.does(8, "bending")


def test_outcome_refines_a_generic_step(cluster: MatchIndex):
    res = cluster.match(NeedQuery(text="複雑形状の部品を削り出したい"))
    assert res.results[0].factory_id == 4
    assert res.results[0].covers == ("machining",)  # reported as the step the user named


def test_unaddressed_problem_adds_a_step(cluster: MatchIndex):
    res = cluster.match(NeedQuery(text="anodise aluminium panels with a matte texture"))
    assert len(res.required) == 2 and res.required[0] == ("anodizing",)
    assert "blasting" in res.required[1]


def test_new_processes_have_parents():
    tax = Taxonomy.default()
    assert tax.is_descendant("vacuum_hardening", "hardening")
    assert tax.is_descendant("black_oxide", "conversion_coating")
    assert tax.processes["lacquer"].label_en

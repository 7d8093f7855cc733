"""Issue 9 regression cases: how owners' and seekers' prose is read (word boundaries, scope, evidence)."""

from __future__ import annotations

import pytest

from matching import FactoryProfile, MatchIndex, NeedQuery, Normaliser, ProfileReading


@pytest.fixture(scope="module")
def norm() -> Normaliser:
    return Normaliser.default()


def _caps(reading: ProfileReading, kind: str = "process") -> set[str]:
    return {e.code for e in reading.capabilities if e.kind == kind}


def _read(norm: Normaliser, text: str) -> ProfileReading:
    return norm.read_profile((), (), text, ())


# --- word boundaries -------------------------------------------------------------------------------------


def test_no_sand_casting_inside_flange_and_no_wood_inside_okuma(norm: Normaliser):
    reading = _read(norm, "高橋精機製作所です。オークマの旋盤でフランジやシャフトを削っています。")
    assert "sand_casting" not in _caps(reading)
    assert "wood" not in _caps(reading, "material")
    assert "turning" in _caps(reading)


@pytest.mark.parametrize("text", ["ネジ切り加工", "ねじ切り加工", "螺子切り加工"])
def test_kana_and_kanji_variants_fold_to_one_word(norm: Normaliser, text: str):
    assert "drilling" in _caps(_read(norm, text))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("焼き入れ・焼き戻し", "hardening"),
        ("焼入れ焼戻し", "hardening"),
        ("鍍金処理", "plating"),
        ("メッキ処理", "plating"),
    ],
)
def test_okurigana_and_script_variants(norm: Normaliser, text: str, code: str):
    assert code in _caps(_read(norm, text))


@pytest.mark.parametrize("text", ["We do anodizing.", "We do anodising.", "Parts anodized in house."])
def test_latin_stemming(norm: Normaliser, text: str):
    assert "anodizing" in _caps(_read(norm, text))


# --- hints: service words and product nouns never tag a factory -------------------------------------------


def test_heat_treater_mentioning_a_shaft_gets_no_turning_or_grinding(norm: Normaliser):
    reading = _read(norm, "大森熱処理工業。シャフトやギヤの焼入れ・焼戻し、浸炭焼入れを承ります。")
    caps = _caps(reading)
    assert {"hardening", "carburizing"} <= caps
    assert not caps & {"turning", "swiss_turning", "mill_turn", "cylindrical_grinding", "gear_cutting"}


def test_paper_box_maker_writing_prototype_gets_no_3d_printing(norm: Normaliser):
    reading = _read(norm, "化粧箱・紙器の製造。試作1個から量産まで、小ロット・短納期・図面なしOK。一貫生産です。")
    caps = _caps(reading)
    assert "paper_converting" in caps
    assert not caps & {"additive_manufacturing", "machining", "milling", "urethane_casting"}


def test_index_does_not_give_service_words_a_capability():
    index = MatchIndex.build([FactoryProfile(1, "紙器", description="試作から量産まで。紙箱の製造。")])
    assert not index.does(1, "additive_manufacturing")
    assert index.does(1, "paper_converting")


# --- scope: outsourced, not done, object ------------------------------------------------------------------


def test_coordinated_list_sent_to_partners_is_outsourced_not_done_here(norm: Normaliser):
    reading = _read(norm, "ＮＣ旋盤・ＭＣ加工。焼入れ・研削・めっきは協力工場へ。")
    caps = _caps(reading)
    assert {"turning", "milling"} <= caps
    assert not caps & {"hardening", "grinding", "plating"}
    assert {r.code for r in reading.outsourced} == {"hardening", "grinding", "plating"}


@pytest.mark.parametrize(
    "text",
    [
        "旋盤加工。熱処理は外注です。",
        "旋盤加工を行い、熱処理は提携先にお願いしています。",
        "旋盤加工。熱処理は外部に依頼しています。",
        "We do CNC turning. Heat treatment is outsourced.",
        "CNC turning; heat treatment is sent out to a partner.",
    ],
)
def test_outsourcing_cues(norm: Normaliser, text: str):
    reading = _read(norm, text)
    assert "heat_treatment" not in _caps(reading)
    assert "heat_treatment" in {r.code for r in reading.outsourced}
    assert "turning" in _caps(reading)


@pytest.mark.parametrize(
    "text",
    [
        "板金加工。溶接は対応不可です。",
        "板金加工をしています。溶接はできません。",
        "板金加工。溶接は行っていません。",
        "Sheet metal work. We don't do welding.",
        "Sheet metal work, no welding.",
    ],
)
def test_negated_steps_are_not_done(norm: Normaliser, text: str):
    reading = _read(norm, text)
    assert "welding" not in _caps(reading)
    assert "welding" in {r.code for r in reading.not_done}


def test_weld_discolouration_removal_is_not_welding(norm: Normaliser):
    reading = _read(norm, "電解研磨専門。ステンレスの溶接焼けの除去。")
    assert "electropolishing" in _caps(reading)
    assert "welding" not in _caps(reading)
    en = _read(norm, "Electropolishing: removing weld discoloration from stainless tanks.")
    assert "welding" not in _caps(en)


def test_hardened_steel_is_a_material_the_shop_cuts(norm: Normaliser):
    reading = _read(norm, "平面研削・円筒研削。焼入れ鋼も削れます。")
    assert "hardening" not in _caps(reading)
    assert "steel" in _caps(reading, "material")
    assert {"surface_grinding", "cylindrical_grinding"} <= _caps(reading)


def test_outsourced_and_rejected_codes_are_not_done_by_the_index():
    profiles = [
        FactoryProfile(1, "旋盤屋", description="NC旋盤加工。焼入れ・研削は協力工場へ。"),
        FactoryProfile(2, "熱処理屋", processes=("焼入れ",)),
        FactoryProfile(3, "研削屋", processes=("円筒研削",), rejected=("cylindrical_grinding",)),
    ]
    index = MatchIndex.build(profiles)
    assert index.does(1, "turning")
    assert not index.does(1, "hardening") and not index.does(1, "grinding")
    assert set(index.outsourced(1)) == {"hardening", "grinding"}
    assert index.outsourced(2) == ()
    assert not index.does(3, "cylindrical_grinding")
    found = [m.factory_id for m in index.match(NeedQuery("焼入れをお願いしたい")).results]
    assert found[0] == 2 and 1 not in found


# --- need side ----------------------------------------------------------------------------------------------


def test_not_wanting_a_mould_is_an_exclusion(norm: Normaliser):
    ex = norm.extract("金型は作りたくない。樹脂のケースを50個")
    assert "mold_making" not in {r.code for r in ex.processes}
    assert "mold_making" in {r.code for r in ex.excluded}


def test_no_mould_favours_urethane_casting_3d_printing_and_machining():
    profiles = [
        FactoryProfile(1, "金型", processes=("射出成形金型", "射出成形")),
        FactoryProfile(2, "注型", processes=("真空注型",)),
        FactoryProfile(3, "3D", processes=("3Dプリント",)),
        FactoryProfile(4, "成形", processes=("射出成形",)),
    ]
    index = MatchIndex.build(profiles)
    res = index.match(NeedQuery("100 plastic housings, no mould"), limit=4)
    assert all("mold_making" not in step and "injection_molding" not in step for step in res.required)
    top = [m.factory_id for m in res.results[:2]]
    assert set(top) == {2, 3}
    ranked = [m.factory_id for m in res.results]
    assert 1 not in ranked[:2] and 4 not in ranked[:2]


def test_end_mill_cannot_reach_is_not_a_milling_request(norm: Normaliser):
    ex = norm.extract("エンドミルが入らない深い溝を加工したい")
    assert "milling" not in {r.code for r in ex.processes if r.via != "outcome"}


def test_hardened_steel_in_a_need_is_a_material_not_a_hardening_step(index: MatchIndex):
    res = index.match(NeedQuery("焼入れ鋼のブロックを削ってほしい"))
    assert ("hardening",) not in res.required
    assert "machining" in {c for step in res.required for c in step}
    assert "steel" in {m.code for m in res.query_materials}


def test_leaks_are_not_read_as_a_welding_step(norm: Normaliser):
    ex = norm.extract("The pump housing leaks.")
    assert "welding" not in {r.code for r in ex.processes if r.via != "outcome"}
    top = max(ex.processes, key=lambda r: r.confidence)
    assert top.code != "welding"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The hydraulic rod needs to be re-chromed", "chrome_plating"),
        ("the shaft must be ground back to size", "grinding"),
        ("We need 500 compression springs", "spring_making"),
        ("このアルミ板を切ってほしい", "sawing"),
        ("パンチを作り直したい", "press_die"),
    ],
)
def test_real_process_words_are_read(norm: Normaliser, text: str, code: str):
    assert code in {r.code for r in norm.extract(text).processes}


def test_cast_iron_make_means_casting(index: MatchIndex):
    res = index.match(NeedQuery("鋳鉄で作りたい"))
    assert res.required and "casting" in res.required[0]


def test_seeker_exclusion_is_honoured(index: MatchIndex):
    full = index.match(NeedQuery("アルミ部品の切削とアルマイト"))
    assert any("anodizing" in step for step in full.required)
    cut = index.match(NeedQuery("アルミ部品の切削とアルマイト", exclude=("anodizing",)))
    assert all("anodizing" not in step and "hard_anodizing" not in step for step in cut.required)
    assert cut.required


def test_service_words_and_product_nouns_are_hints_not_capabilities(norm: Normaliser):
    reading = _read(norm, "試作1個から量産まで。小ロット・短納期OK。シャフトやブラケットの熱処理。We do prototypes.")
    assert {"試作", "量産", "小ロット", "短納期", "シャフト", "ブラケット", "prototypes"} <= set(reading.hints)
    assert _caps(reading) == {"heat_treatment"}


def test_compound_kept_whole_is_read_only_when_known_words_cover_it(norm: Normaliser):
    reading = _read(norm, "圧縮成形によるゴムパッキンの製造")
    assert "rubber_molding" in _caps(reading)
    assert "rubber" in _caps(reading, "material")
    assert not _caps(_read(norm, "フランジ")) and not _caps(_read(norm, "オークマ"), "material")


def test_another_shop_is_context_but_this_shop_is_not(norm: Normaliser):
    assert "pressing" in _caps(_read(norm, "葛飾の小さなプレス屋です。"))
    reading = _read(norm, "旋盤加工。熱処理が必要なものは近所の熱処理屋さんにお願いしています。")
    assert "heat_treatment" not in _caps(reading)


def test_equipment_names_count_but_furnaces_are_not_hardening(norm: Normaliser):
    assert "plating" in _caps(norm.read_profile((), (), "", ("バレルめっき装置",)))
    caps = _caps(norm.read_profile((), (), "", ("高周波誘導炉 500kg",)))
    assert "induction_hardening" not in caps and "casting" in caps


def test_made_things_need_a_maker(norm: Normaliser):
    assert "mold_making" not in _caps(_read(norm, "DLCのPVDコーティング。金型、切削工具、機械部品の耐摩耗に。"))
    assert "mold_making" in _caps(_read(norm, "射出成形。金型は自社で設計・製作します。"))
    assert "spring_making" not in _caps(_read(norm, "焼き入れ・焼戻し。ねじ、ピン、板ばね等。"))


@pytest.mark.parametrize(
    ("text", "absent", "present"),
    [
        ("We have hardened steel dowel pins that are oversize and must be ground to size.", "hardening", "grinding"),
        ("めっきではなく塗装で黒くしたい。", "plating", "painting"),
        ("ワイヤーカットでSKD11のパンチを作ってほしい。", "press_die", "wire_edm"),
    ],
)
def test_need_steps_read_in_context(index: MatchIndex, text: str, absent: str, present: str):
    steps = {c for step in index.match(NeedQuery(text)).required for c in step}
    assert present in steps and absent not in steps


def test_mould_named_as_the_part_is_not_a_step_but_asked_for_it_is(norm: Normaliser):
    assert "mold_making" in norm.extract("surface grinding of mold plates").context
    ex = norm.extract("plastic housing injection moulded, we need the mould too")
    assert "mold_making" in {r.code for r in ex.processes} and "mold_making" not in ex.context


def test_the_analyser_works_from_several_threads(norm: Normaliser):
    import threading

    texts = [f"NC旋盤で{i}本のシャフトを削ります。焼入れは外注です。" for i in range(40)]
    out: list[set[str]] = []

    def work(chunk: list[str]) -> None:
        for t in chunk:
            out.append(_caps(_read(norm, t)))

    threads = [threading.Thread(target=work, args=(texts[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 40 and all(c == {"turning", "machining"} for c in out)


def test_machine_series_in_equipment_lists_are_read(norm: Normaliser):
    reading = norm.read_profile((), (), "", ("INTEGREX i-200（マザック） 2台", "NLX2500（DMG森精機）", "DMU 50"))
    assert {"mill_turn", "turning", "five_axis_machining"} <= _caps(reading)
    assert all(e.level == "prose" for e in reading.capabilities)


@pytest.mark.parametrize(
    ("text", "done", "outsourced", "not_done"),
    [
        ("We send parts out for plating and do the turning ourselves.", {"turning"}, {"plating"}, set()),
        ("CNC turning in-house, grinding and plating via partners.", {"turning"}, {"grinding", "plating"}, set()),
        ("Turning and milling. Plating: outsourced.", {"turning", "milling"}, {"plating"}, set()),
        (
            "We harden shafts for local machine shops; we do not machine or grind.",
            {"hardening"},
            set(),
            {"grinding", "machining"},
        ),
        ("旋盤加工。塗装はやりません。小ロットでも問題ありません。", {"turning"}, set(), {"painting"}),
    ],
)
def test_english_and_japanese_scope(norm: Normaliser, text: str, done: set, outsourced: set, not_done: set):
    reading = _read(norm, text)
    assert _caps(reading) == done
    assert {r.code for r in reading.outsourced} == outsourced
    assert {r.code for r in reading.not_done} == not_done


@pytest.mark.parametrize(
    ("text", "outsourced", "not_done"),
    [
        ("旋盤加工。溶接は致しかねます。", set(), {"welding"}),
        ("旋盤加工。熱処理は仲間の工場にお願いしています。", {"heat_treatment"}, set()),
        ("CNC turning. Plating is contracted out to outside vendors.", {"plating"}, set()),
    ],
)
def test_more_ways_to_say_not_here(norm: Normaliser, text: str, outsourced: set, not_done: set):
    reading = _read(norm, text)
    assert _caps(reading) == {"turning"}
    assert {r.code for r in reading.outsourced} == outsourced
    assert {r.code for r in reading.not_done} == not_done


def test_short_machine_series_need_their_model_number(norm: Normaliser):
    reading = norm.read_profile((), (), "", ("OKUMA LB3000EX", "アマダ HG1303", "Amada EM2510NT", "5 lb weights"))
    assert _caps(reading) == {"turning", "bending", "punching"}


def test_bullet_list_profile(norm: Normaliser):
    reading = _read(norm, "■事業内容\n・精密板金加工\n・溶接（TIG・半自動）\n・粉体塗装\n※メッキは外注")
    assert {"sheet_metal", "tig_welding", "powder_coating"} <= _caps(reading)
    assert {r.code for r in reading.outsourced} == {"plating"}


def test_list_items_that_send_a_step_out_are_outsourced_not_unknown():
    index = MatchIndex.build([FactoryProfile(1, "旋盤", processes=("NC旋盤", "焼入れ（外注）", "溶接不可"))])
    reading = index.profile_reading(1)
    assert {e.code for e in reading.capabilities} == {"turning"}
    assert index.outsourced(1) == ("hardening",)
    assert {r.code for r in reading.not_done} == {"welding"}
    assert not index.unresolved_terms


def test_materials_the_shop_refuses_are_not_its_materials(norm: Normaliser):
    reading = _read(norm, "鉄部品への電気亜鉛めっき。ステンレスやアルミへのめっきはできません。")
    assert _caps(reading, "material") == {"steel"}

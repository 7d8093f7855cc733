"""Round 4 of issue 9: general rules found on a third, independently written development half (dev3).

Each case is written from the language (how owners and seekers phrase things), not copied from an eval item.
"""

from __future__ import annotations

import pytest

from matching import Normaliser


@pytest.fixture(scope="module")
def norm() -> Normaliser:
    return Normaliser.default()


def _profile(norm: Normaliser, text: str) -> set[str]:
    return {e.code for e in norm.read_profile((), (), text, ()).capabilities if e.kind == "process"}


def _not_done(norm: Normaliser, text: str) -> set[str]:
    r = norm.read_profile((), (), text, ())
    return {x.code for x in (*r.outsourced, *r.not_done)}


def _steps(norm: Normaliser, text: str) -> set[str]:
    ex = norm.extract(text, outcomes=True)
    ctx = set(ex.context)
    return {r.code for r in ex.processes if r.via != "outcome" and r.code not in ctx}


def _outcome(norm: Normaliser, text: str) -> dict[str, float]:
    return {r.code: r.confidence for r in norm.extract(text, outcomes=True).processes if r.via == "outcome"}


# --- half-width punctuation ends clauses like its full-width form ----------------------------------------

def test_halfwidth_stops_scope_a_partner_cue_to_its_own_sentence(norm):
    text = "ﾀﾚｯﾄﾊﾟﾝﾁ､ﾍﾞﾝﾀﾞｰ､ｽﾎﾟｯﾄ溶接｡塗装は協力会社｡"
    assert {"punching", "bending", "spot_welding"} <= _profile(norm, text)
    assert "painting" in _not_done(norm, text) and "painting" not in _profile(norm, text)


# --- English negation after the mention --------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, code",
    [
        ("Board assembly and soldering. Circuit design is not something we offer.", "electronics_design"),
        ("Buffing and mirror finishing. Electropolishing is not done here.", "electropolishing"),
        ("Laser cutting and bending. Welding isn't offered.", "welding"),
    ],
)
def test_a_step_said_not_to_be_done_after_it_is_named(norm, text, code):
    assert code not in _profile(norm, text) and code in _not_done(norm, text)


# --- bare verbs that are nouns here --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, absent",
    [
        ("Machine embroidery on caps and jackets.", "machining"),
        ("Handrails, gates and machine bases in mild steel.", "machining"),
        ("We 3D scan old parts and turn the scans into CAD models.", "turning"),
    ],
)
def test_a_noun_modifier_or_phrasal_verb_is_no_process(norm, text, absent):
    assert absent not in _profile(norm, text)


def test_a_plural_after_a_material_is_a_noun_not_a_verb(norm):
    assert "plating" not in _steps(norm, "Machine 10 aluminium plates, then hard anodize them.")
    assert "plating" in _steps(norm, "We need the brackets machined, then plated.")


# --- vocabulary: generic or ambiguous words -------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, absent, present",
    [
        ("Cut-and-sew workshop for tote bags and aprons.", "leather_goods", "sewing"),
        ("Vacuum-formed trays, trimmed on a CNC router.", "woodworking", "milling"),
        ("Quenching and tempering of alloy steel.", "annealing", "hardening"),
        ("ＮＣＴ、シャーリング、ベンダー。", "pressing", "punching"),
        ("化粧箱の製造。断裁、箔押しまで。", "bookbinding", None),
        ("Fiber laser marking of serial numbers.", "laser_cutting", "laser_marking"),
    ],
)
def test_words_read_for_what_they_say(norm, text, absent, present):
    got = _profile(norm, text)
    assert absent not in got
    assert present is None or present in got


def test_wooden_is_the_material_not_woodworking(norm):
    ex = norm.extract("Lacquer 30 wooden trays with urushi.", outcomes=True)
    assert "woodworking" not in _steps(norm, "Lacquer 30 wooden trays with urushi.")
    assert "wood" in {m.code for m in ex.materials}


# --- made things -------------------------------------------------------------------------------------------------

def test_a_part_of_a_made_thing_is_not_the_made_thing(norm):
    got = _profile(norm, "マシニングで治具のベースプレートや装置部品を削っています。")
    assert "jig_making" not in got and "milling" in got
    assert "jig_making" in _profile(norm, "検査治具の設計製作。")


@pytest.mark.parametrize(
    "text",
    [
        "ショットブラスト。鋳物のスケール除去も。",
        "超音波探傷、鋳物の内部欠陥の検査。",
        "We paint the castings too. Powder coating.",
    ],
)
def test_castings_named_as_the_work_piece_are_no_casting(norm, text):
    assert "casting" not in _profile(norm, text)


@pytest.mark.parametrize(
    "text, code",
    [
        ("Coil springs — compression, extension and torsion — in music wire.", "spring_making"),
        ("Steel structures, stair frames and handrails. MIG welding on site.", "fabrication"),
    ],
)
def test_an_opening_line_of_products_is_the_shops_line(norm, text, code):
    assert code in _profile(norm, text)


def test_products_for_customers_in_the_opening_line_are_not_made_here(norm):
    got = _profile(norm, "Transfer dies for automotive stampings. Wire EDM in-house.")
    assert "press_die" in got and "pressing" not in got


# --- a need's own history and conditions ------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, code",
    [
        ("Welded steel frames crack after a month of vibration; can they be made tougher?", "welding"),
        ("We have an old cast bracket that broke and there is no drawing.", "casting"),
        ("The text printed on our panel rubs off quickly.", "printing"),
        ("アルミの板を曲げると割れてしまう。", "bending"),
        ("プレス品のバリ取りをお願いしたい。プレスはうちでやります。", "pressing"),
    ],
)
def test_history_and_own_steps_of_a_need_are_context(norm, text, code):
    assert code not in _steps(norm, text)


def test_a_participle_request_is_still_a_step(norm):
    assert "turning" in _steps(norm, "Turned brass pins, 200 pcs, 6 mm diameter.")
    assert "welding" in _steps(norm, "溶接構造の架台を製作してほしい。") or "fabrication" in _steps(
        norm, "溶接構造の架台を製作してほしい。"
    )
    assert "welding" not in _steps(norm, "溶接構造の架台を製作してほしい。")


# --- outcome vocabulary ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, code",
    [
        ("The machined frames distort when we weld them; we need the stresses taken out.", "annealing"),
        ("Our cast iron bases warp when we machine them.", "annealing"),
        ("The paint on our steel toolboxes chips off within weeks.", "powder_coating"),
        ("The edges are so sharp that workers cut their fingers.", "deburring"),
        ("The lids don't fit and we need them measured.", "inspection"),
        ("ステンレスのパネルがくすんできた。", "polishing"),
    ],
)
def test_outcome_words_find_their_processes(norm, text, code):
    assert code in _outcome(norm, text)


def test_a_tool_with_no_material_reads_wear_for_tool_steel(norm):
    got = _outcome(norm, "プレス金型のパンチの摩耗が早い。")
    assert got.get("thin_film_coating", 0) >= got.get("hardening", 0)
    plain = _outcome(norm, "シャフトの摩耗が早い。")
    assert plain.get("hardening", 0) > plain.get("thin_film_coating", 0)


def test_welding_without_distortion_is_no_stress_relief(norm):
    assert "annealing" not in _outcome(norm, "weld thin stainless sheet without distortion")


def test_a_shelf_is_a_place_not_woodwork(norm):
    assert "woodworking" not in _outcome(norm, "Our brass knobs tarnish on the shelf.")


@pytest.mark.parametrize(
    "text, code",
    [("Our stamping punches chip after a few thousand hits.", "pressing"), ("forging dies wear out fast", "forging")],
)
def test_a_process_word_before_a_tool_names_the_tools_use(norm, text, code):
    assert code not in _steps(norm, text)
    assert "surface_grinding" in _steps(norm, "surface grinding mold plates flat")


# --- round 4b: more outcome and shape vocabulary, nouns after gerunds, the part with the problem ---------------

@pytest.mark.parametrize(
    "text, code",
    [
        ("Can someone do a hardness test on our parts and send a report?", "inspection"),
        ("Steel signs with our logo cut out.", "laser_cutting"),
    ],
)
def test_words_for_checking_and_cutting_out(norm, text, code):
    assert code in _steps(norm, text)


@pytest.mark.parametrize(
    "text, code",
    [
        ("We need 2,000 plain steel washers.", "pressing"),
        ("200 plastic bottles for shampoo.", "blow_molding"),
        ("10,000 M6 bolts in stainless.", "cold_heading"),
        ("Cut rubber and stone slabs without any heat.", "water_jet"),
        ("A tank that has to be food grade inside.", "electropolishing"),
        ("The paint colour looks different from batch to batch — uneven colour.", "painting"),
        ("社名入りのタオルを300枚。", "embroidery"),
        ("溶接部が黒く焼けているのをきれいにしたい。", "electropolishing"),
        ("配線をやり直してほしい。", "wire_harness"),
        ("カバーの角が鋭くて危ない。", "deburring"),
    ],
)
def test_more_outcome_and_shape_words(norm, text, code):
    assert code in _outcome(norm, text)


def test_a_noun_after_a_gerund_is_not_a_verb(norm):
    assert "machining" not in _steps(norm, "Harnesses for vending machines, crimped and labelled.")
    assert "machining" not in _steps(norm, "We repair sewing machines, clean and oil them.")


def test_the_part_with_a_problem_is_not_a_step_to_buy(norm):
    assert "sheet_metal" not in _steps(norm, "板金カバーの角が鋭くて危ない。")
    assert "sheet_metal" in _steps(norm, "板金カバーを20個作ってほしい。")


def test_knives_are_tools(norm):
    got = _outcome(norm, "Our knives go blunt too fast.")
    assert got.get("thin_film_coating", 0) >= got.get("hardening", 0)


# --- round 4c ---------------------------------------------------------------------------------------------------

def test_a_step_the_shop_used_to_do_is_not_done(norm):
    text = "Bright nickel and chrome plating. Zinc we used to do, but that line closed years ago."
    assert "zinc_plating" not in _profile(norm, text)
    assert {"nickel_plating", "chrome_plating"} <= _profile(norm, text)


def test_work_left_to_another_shop_is_outsourced(norm):
    text = "Sheet metal and welding. Painting is something we leave to the paint shop next door."
    assert "painting" not in _profile(norm, text) and "painting" in _not_done(norm, text)


def test_a_supplier_named_by_its_trade_is_another_shop(norm):
    assert "tanning" not in _profile(norm, "Leather wallets and belts, sewn by hand; the hides come from a tannery.")


@pytest.mark.parametrize(
    "text, absent, present",
    [
        ("Regrinding of end mills, drills and reamers.", "drilling", "grinding"),
        ("エンドミルの再研磨。", "milling", "grinding"),
        ("Fiber laser welding of thin stainless.", "laser_cutting", "laser_welding"),
        ("Glass cutting and edge polishing for shop windows.", "edo_kiriko", "glass_processing"),
        ("Small bindery: stitched booklets and case binding.", "sewing", "bookbinding"),
        ("Assembly of sheet metal enclosures: riveting and final assembly.", "sheet_metal", "riveting"),
        ("ファイバーレーザー加工機で鉄・ステンの切断と曲げ。", "sawing", "laser_cutting"),
    ],
)
def test_round4c_profile_words(norm, text, absent, present):
    got = _profile(norm, text)
    assert absent not in got and present in got


def test_a_stated_material_keeps_stitching_from_implying_fabric(norm):
    r = norm.read_profile((), (), "Hand-stitched leather wallets.", ())
    mats = {e.code for e in r.capabilities if e.kind == "material"}
    assert "leather" in mats and "fabric" not in mats


@pytest.mark.parametrize(
    "text, code",
    [
        ("Sharpen our worn drills.", "grinding"),
        ("We need a coat of zinc on the brackets.", "zinc_plating"),
        ("Threading and grooving of steel pipe ends.", "turning"),
    ],
)
def test_round4c_need_words(norm, text, code):
    assert code in _steps(norm, text)


def test_gears_and_glass_shapes(norm):
    assert "gear_cutting" in _outcome(norm, "A replacement steel gear, 40 teeth.")
    assert "woodworking" not in _outcome(norm, "Frosted glass table tops.")
    assert "blow_molding" not in _outcome(norm, "Glass bottles with our logo.")


def test_a_weld_with_a_problem_is_the_object(norm):
    assert "welding" not in _steps(norm, "配管の溶接部が黒く焼けている。")


# --- round 4d: re- verbs, repairs, more outcome words ------------------------------------------------------------

@pytest.mark.parametrize(
    "text, code",
    [
        ("Please re-anodise 30 aluminium covers.", "anodizing"),
        ("The bracket needs to be rewelded.", "welding"),
        ("Repaint the old machine guards.", "painting"),
        ("Re-galvanise the gate.", "zinc_plating"),
    ],
)
def test_a_re_verb_is_the_same_process_again(norm, text, code):
    assert code in _steps(norm, text)


@pytest.mark.parametrize(
    "text, code",
    [
        ("The red paint fades in the sun within a summer.", "painting"),
        ("Our stainless panels show every fingerprint.", "blasting"),
        ("The paint doesn't stick to our galvanised frames.", "powder_coating"),
        ("The housing has to be waterproof.", "rubber_molding"),
    ],
)
def test_round4d_outcome_words(norm, text, code):
    assert code in _outcome(norm, text)


def test_a_repair_request_adds_no_step_for_the_damage():
    from matching import FactoryProfile, MatchIndex, NeedQuery

    idx = MatchIndex.build(
        [
            FactoryProfile(1, "a", lat=35.6, lon=139.7, processes=("TIG溶接",)),
            FactoryProfile(2, "b", lat=35.6, lon=139.7, processes=("焼入れ",)),
        ]
    )
    steps = idx.required_steps(NeedQuery("We need the cracked steel bracket re-welded."))
    assert steps and all("hardening" not in s and "heat_treatment" not in s for s in steps)
    steps = idx.required_steps(NeedQuery("Our steel brackets crack after a month."))
    assert any("heat_treatment" in s for s in steps)


def test_a_problem_no_process_of_the_material_can_fix_leaves_the_named_part():
    from matching import FactoryProfile, MatchIndex, NeedQuery

    idx = MatchIndex.build(
        [
            FactoryProfile(1, "a", lat=35.6, lon=139.7, processes=("ゴム成形",)),
            FactoryProfile(2, "b", lat=35.6, lon=139.7, processes=("焼入れ",)),
        ]
    )
    steps = idx.required_steps(NeedQuery("Our rubber seals go hard and crack after a year outside."))
    assert steps and all("heat_treatment" not in s for s in steps) and any("rubber_molding" in s for s in steps)


# --- round 4e: more ways to say "sent out", "no longer", "customers", and equipment sold --------------------------

@pytest.mark.parametrize(
    "text, code",
    [
        ("Turning and milling. Plating is taken care of by a local plater.", "plating"),
        ("Turning and milling. Grinding is done off-site.", "grinding"),
        ("Turning and milling. Painting done outside.", "painting"),
        ("Laser cutting and bending. Welding: not available.", "welding"),
        ("We used to do plating but stopped in 2015.", "plating"),
        ("Sheet metal work. For welding, we refer customers to a neighbour.", "welding"),
        ("All in-house apart from plating.", "plating"),
        ("研磨は別会社で対応しています。", "polishing"),
        ("塗装は近隣の塗装工場と連携しています。", "painting"),
        ("熱処理は専門メーカーへ。", "heat_treatment"),
        ("以前はめっきもやっていましたが、今はやめました。", "plating"),
        ("めっきは現在休止中です。", "plating"),
    ],
)
def test_round4e_not_done_here(norm, text, code):
    assert code not in _profile(norm, text) and code in _not_done(norm, text)


def test_a_specialist_shop_naming_itself_is_not_a_partner(norm):
    assert "deep_drawing" in _profile(norm, "深絞りプレスの専門工場です。ステンレスのカップを絞ります。")


@pytest.mark.parametrize(
    "text, code",
    [
        ("CNC turning. Our customers include plating shops and heat treaters.", "plating"),
        ("We make parts for welding robots.", "welding"),
        ("Parts for paint lines and plating lines.", "plating"),
        ("Grinding wheels and abrasives, sold and delivered.", "grinding"),
        ("We sell welding consumables.", "welding"),
        ("We sell and service laser cutting machines.", "laser_cutting"),
        ("切削加工。めっき工場様からのご依頼も多いです。", "plating"),
        ("プレス機械の修理・メンテナンス。", "pressing"),
        ("研磨剤・研磨布の販売。", "polishing"),
        ("鋳造メーカー向けの木型を製作。", "casting"),
        ("熱処理炉メーカーです。", "heat_treatment"),
        ("溶接機の販売・修理。", "welding"),
        ("レーザー加工機の販売。", "laser_cutting"),
    ],
)
def test_customers_and_equipment_are_not_capabilities(norm, text, code):
    assert code not in _profile(norm, text)


def test_a_booth_of_ones_own_is_still_the_work(norm):
    assert "painting" in _profile(norm, "Precision machining. We also have a small painting booth for touch-up.")
    assert "sheet_metal" not in _not_done(norm, "板金屋さんからの仕事が多いです。")


# --- round 4f: English words before numbers; bare alloy numbers in a material's position ----------------------

def test_a_short_english_word_before_a_number_is_not_a_grade():
    from matching._normalise import fold

    assert fold("in 6061") == "in 6061" and fold("of 4140") == "of 4140"
    assert fold("SUS 304") == "sus304" and fold("A-5052") == "a5052" and fold("M 6") == "m6"


@pytest.mark.parametrize(
    "text, code",
    [
        ("Shafts in 4140, hardened.", "steel"),
        ("Brackets in 6061-T6.", "aluminium"),
        ("Pins made from 303.", "stainless"),
        ("Brackets in 2024-T3.", "aluminium"),
    ],
)
def test_a_bare_alloy_number_in_a_material_position(norm, text, code):
    assert code in {m.code for m in norm.extract(text).materials}


@pytest.mark.parametrize("text", ["Founded in 2017, we anodise parts.", "An order of 1100 parts.", "Lots of 5052 pcs."])
def test_years_and_quantities_are_not_alloys(norm, text):
    assert "aluminium" not in {m.code for m in norm.extract(text).materials}


# --- round 4g: a seeker's plain words for common jobs ---------------------------------------------------------

@pytest.mark.parametrize(
    "text, code",
    [
        ("I design jewellery and need silver rings made from my wax models.", "investment_casting"),
        ("A small metal badge with enamel colours, 1,000 pcs.", "pressing"),
        ("The bearing housing is too small for the bearing; can it be opened up by 0.05 mm?", "machining"),
        ("A thin stainless mesh filter with very fine holes.", "etching"),
        ("50 aluminium heat sinks with fins.", "extrusion"),
        ("Our conveyor rollers are wearing flat on one side.", "hardening"),
        ("Stainless sinks arrived with dents and scratches; can they look new again?", "polishing"),
        ("The aluminium fittings corrode where they touch stainless bolts.", "anodizing"),
        ("We want to add our company name to 500 water bottles.", "laser_marking"),
        ("A gap in the cabinet lets dust in.", "rubber_molding"),
        ("The plating on our taps is blistering after a year.", "powder_coating"),
    ],
)
def test_round4g_plain_words(norm, text, code):
    assert code in _outcome(norm, text)


def test_a_razor_edge_is_grinding(norm):
    assert "grinding" in _steps(norm, "Our knife blades need a razor edge and a mirror finish.")


def test_the_seekers_own_made_thing_is_the_object(norm):
    assert "fabrication" not in _steps(norm, "Our outdoor steel stairs are getting rusty at the welds.")
    assert "fabrication" in _steps(norm, "We need steel stairs for a warehouse mezzanine.")


# --- round 4h: planned work, the shop as someone's partner, steps around this shop's work ---------------------

@pytest.mark.parametrize(
    "text, code",
    [
        ("切削加工。熱処理は取引先で行っています。", "heat_treatment"),
        ("切削加工。5軸加工は今後対応予定です。", "five_axis_machining"),
        ("切削加工。ワイヤーカットも検討中です。", "wire_edm"),
        ("We plan to add 5-axis machining next year.", "five_axis_machining"),
        ("We are considering buying a laser cutter.", "laser_cutting"),
    ],
)
def test_planned_or_partner_work_is_not_done_here(norm, text, code):
    assert code not in _profile(norm, text)


@pytest.mark.parametrize(
    "text, absent, present",
    [
        ("研削盤メーカーの協力工場として組立を担当。", "grinding", "assembly"),
        ("大手プレスメーカーの下請けとして金型部品を切削。", "pressing", "machining"),
        ("We supply a major stamping company with machined die parts.", "pressing", None),
        ("Blasting before painting.", "painting", "blasting"),
        ("We grind parts after heat treatment.", "heat_treatment", "grinding"),
    ],
)
def test_round4h_profile_roles(norm, text, absent, present):
    got = _profile(norm, text)
    assert absent not in got and (present is None or present in got)


def test_a_step_said_to_be_at_a_partner_factory_stays_outsourced(norm):
    text = "アルミのMIG溶接専門。機械加工は協力工場です。"
    assert "machining" not in _profile(norm, text) and "machining" in _not_done(norm, text)


# --- round 4i: engineering shorthand ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, code",
    [
        ("Premature wear on the cam followers; spec calls for HRC 58-62 on the surface.", "induction_hardening"),
        ("Need Ra 0.4 on the sealing face of 30 flanges.", "lapping"),
        ("Bushings keep seizing on the shaft at high temperature.", "fluororesin_coating"),
    ],
)
def test_round4i_engineering_words(norm, text, code):
    assert code in _outcome(norm, text)


def test_fasteners_are_not_a_joining_request(norm):
    assert "welding" not in _outcome(norm, "Black finish on steel fasteners, RoHS compliant.")


def test_a_moulded_plastic_part_that_warps_gets_no_heat_treatment():
    from matching import FactoryProfile, MatchIndex, NeedQuery

    idx = MatchIndex.build([FactoryProfile(1, "a", lat=35.6, lon=139.7, processes=("焼鈍",))])
    steps = idx.required_steps(NeedQuery("Our injection moulded part warps after moulding."))
    assert all("annealing" not in s and "heat_treatment" not in s for s in steps)

"""Round 2 of issue 9: general English rules (morphology, bare verbs by position, words before numbers)."""

from __future__ import annotations

import pytest

from matching import Normaliser
from matching._normalise import fold, verb_forms


@pytest.fixture(scope="module")
def norm() -> Normaliser:
    return Normaliser.default()


def _steps(norm: Normaliser, text: str) -> set[str]:
    ex = norm.extract(text, outcomes=True)
    return {r.code for r in ex.processes if r.via != "outcome"}


def _profile(norm: Normaliser, text: str) -> set[str]:
    return {e.code for e in norm.read_profile((), (), text, ()).capabilities if e.kind == "process"}


# --- a word before a number keeps its space (only grade prefixes join their digits) ---------------------

@pytest.mark.parametrize(
    "text, code",
    [
        ("Powder-coat 30 railings in RAL 9005", "powder_coating"),
        ("Anodise 50 aluminium covers", "anodizing"),
        ("Surface-grind 20 plates flat", "surface_grinding"),
        ("Heat-treat 4140 shafts", "heat_treatment"),
    ],
)
def test_a_process_word_before_a_number_is_read(norm, text, code):
    assert code in _steps(norm, text)


def test_grades_still_join_their_digits():
    assert fold("SUS 304") == "sus304" and fold("A-5052") == "a5052" and fold("SCM 440") == "scm440"
    assert fold("SNCM 439") == "sncm439" and fold("coat 30") == "coat 30"


# --- bare verbs that are also nouns: read by their position --------------------------------------------

@pytest.mark.parametrize(
    "text, codes",
    [
        ("turn, harden, grind", {"turning", "hardening", "grinding"}),
        ("Need 200 shafts turned, hardened and ground.", {"turning", "hardening", "grinding"}),
        ("Forge 500 steel hooks", {"forging"}),
        ("Saw 200 lengths of bar", {"sawing"}),
        ("Can you knurl the handles?", {"turning"}),
        ("We need the holes tapped M6.", {"drilling"}),
        ("Please extrude aluminium profiles", {"extrusion"}),
        ("Lap the sealing faces flat", {"lapping"}),
    ],
)
def test_bare_verbs_in_a_verb_position(norm, text, codes):
    assert codes <= _steps(norm, text)


@pytest.mark.parametrize(
    "text, code",
    [
        ("surface grinding mold plates flat", "plating"),  # "plates" is the object, not plating
        ("printed gift boxes", "printing"),  # a participle first is an adjective
        ("a sharp turn in the road", "turning"),
        ("the paint shop next door", "painting"),
        ("a saw blade and a tap wrench", "drilling"),
    ],
)
def test_bare_verbs_elsewhere_are_not_steps(norm, text, code):
    assert code not in _steps(norm, text)


def test_owner_prose_lists_bare_verbs(norm):
    assert {"turning", "milling", "grinding"} <= _profile(norm, "We turn, mill and grind small steel parts.")
    assert "turning" not in _profile(norm, "In turn, our customers get short lead times.")


def test_verb_forms_follow_english_morphology():
    assert {"tapped", "tapping", "taps"} <= verb_forms("tap")
    assert {"machined", "machining"} <= verb_forms("machine")
    assert {"polishes", "polished", "polishing"} <= verb_forms("polish")
    assert "spun" in verb_forms("spin", ("spun",)) and "spinning" in verb_forms("spin")


# --- verb forms of "-ing" aliases and hyphen / space spellings -------------------------------------------

@pytest.mark.parametrize(
    "text, code",
    [
        ("Nickel-plate the brass fittings", "nickel_plating"),
        ("Offset-print 5,000 leaflets", "offset_printing"),
        ("We need M8 studs thread rolled", "cold_heading"),
        ("Shot peened springs", "blasting"),
    ],
)
def test_verb_forms_of_ing_aliases(norm, text, code):
    assert code in _steps(norm, text)


def test_a_derived_form_never_takes_another_process_name(norm):
    # "injection molding" → "injection mold" would be the mould: the derived form is not added
    assert "injection_mold_making" in _steps(norm, "We need an injection mold for a cap.")


# --- scope across clause shapes: referring work on, buying in, not having the machine, mixed languages ------

@pytest.mark.parametrize(
    "text, done, outsourced, not_done",
    [
        ("アルミの旋盤加工はやりますが、熱処理やメッキが要るものは知り合いの工場を紹介する形です。",
         {"turning"}, {"heat_treatment", "plating"}, set()),
        ("金型を作らないので一個からでも気軽にどうぞ。", set(), set(), {"mold_making"}),
        ("レーザーは持っていないので抜きはタレパンのみ、メッキと塗装はどちらも外注。",
         {"punching"}, {"plating", "painting"}, {"laser_cutting"}),
        ("吹きガラスは作家さんから生地を仕入れています。", set(), {"glass_blowing"}, set()),
        ("We turn shafts. Hardening and grinding go to our neighbours down the street.",
         {"turning"}, {"hardening", "grinding"}, set()),
        ("Gold plating is sent to a plating shop nearby.", set(), {"precious_metal_plating", "plating"}, set()),
        ("We do not machine; send us finished or pre-machined parts.", set(), set(), {"machining"}),
        ("精密板金. 塗装 not in-house.", {"sheet_metal"}, {"painting"}, set()),
    ],
)
def test_scope_in_more_clause_shapes(norm, text, done, outsourced, not_done):
    r = norm.read_profile((), (), text, ())
    assert {e.code for e in r.capabilities if e.kind == "process"} == done
    assert {x.code for x in r.outsourced} == outsourced
    assert {x.code for x in r.not_done} == not_done


def test_one_piece_may_also_be_machined_from_solid(norm):
    ex = norm.extract("No welding please, the base must be one piece.", outcomes=True)
    alts = {r.code for g in ex.groups for r in g}
    assert {"deep_drawing", "metal_spinning", "milling"} <= alts
    assert "welding" in {r.code for r in ex.excluded}


# --- outcome wording: broader vocabulary ------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, code",
    [
        ("The printed labels on our front panel wear off after a month.", "laser_marking"),
        ("Our aluminium parts look blotchy after machining; we want an even satin look.", "blasting"),
        ("The copper tube cracks when bent. Can you make it softer?", "annealing"),
        ("真鍮のパイプを曲げると割れる。柔らかくしてほしい。", "annealing"),
        ("The punches chip after a few thousand hits.", "thin_film_coating"),
        ("古い機械の部品が壊れた。図面はないが現物はある。同じものを作ってほしい。", "scanning_3d"),
        ("We only have the old part, no drawings. Can you make a copy?", "mechanical_design"),
        ("The sheet metal edges are razor sharp.", "deburring"),
    ],
)
def test_outcome_wording(norm, text, code):
    ex = norm.extract(text, outcomes=True)
    assert code in {r.code for g in ex.groups for r in g}


def test_uniform_look_is_not_a_garment(norm):
    ex = norm.extract("We want a uniform look on all parts.", outcomes=True)
    assert "sewing" not in {r.code for g in ex.groups for r in g}


# --- made things, lists and machine series ----------------------------------------------------------------

@pytest.mark.parametrize(
    "text, code",
    [
        ("木型・アルミ型は社内で製作。", "mold_making"),  # a middle dot lists; 木型 is not a state of アルミ
        ("金型屋です。", "mold_making"),  # the shop names itself
        ("プレス型と、時々プラスチックの射出の型も作ります。", "press_die"),  # one item of a coordinated list
        ("プレス型と、時々プラスチックの射出の型も作ります。", "injection_mold_making"),
        ("Mori Seiki NL2500 with Y-axis", "mill_turn"),
        ("Okuma MU-5000V", "five_axis_machining"),
        ("Sodick AQ400L", "wire_edm"),
    ],
)
def test_made_things_and_machine_series(norm, text, code):
    assert code in _profile(norm, text)


def test_a_made_thing_named_as_the_customers_part_stays_a_hint(norm):
    assert "mold_making" not in _profile(norm, "金型、切削工具の耐摩耗に。")
    assert "mold_making" not in _profile(norm, "弊社は金型屋さんから部品を受けています。")
    assert "turning" not in _profile(norm, "NL is our abbreviation for the Netherlands office.")


@pytest.mark.parametrize(
    "text, code",
    [
        ("The aluminium covers scratch too easily.", "hard_anodizing"),
        ("Please make the shaft surface hard but keep the core tough.", "induction_hardening"),
        ("Please check our castings for cracks.", "ndt"),
        ("Our sketch needs to become a proper drawing.", "mechanical_design"),
        ("We need 20 plastic housings without tooling.", "urethane_casting"),
        ("The welds on our stainless tank have turned blue.", "electropolishing"),
    ],
)
def test_more_outcome_wording(norm, text, code):
    ex = norm.extract(text, outcomes=True)
    assert code in {r.code for g in ex.groups for r in g}


def test_plated_with_a_metal_and_phrasal_turn(norm):
    assert "nickel_plating" in _steps(norm, "We need the brass fittings plated with nickel.")
    assert "turning" not in _steps(norm, "The weld has turned blue and the sketch is turning into a drawing.")
    assert "drilling" in _steps(norm, "Bore out the housing to 52H7.")


def test_turning_on_a_lathe_and_turned_in_brass_stay_turning(norm):
    assert "turning" in _steps(norm, "Turning on Swiss lathes, parts turned in brass.")
    assert "turning" in _profile(norm, "We do turning on CNC lathes.")


# --- materials ----------------------------------------------------------------------------------------------

def _mats(norm: Normaliser, text: str, materials: tuple[str, ...] = ()) -> set[str]:
    return {e.code for e in norm.read_profile((), materials, text, ()).capabilities if e.kind == "material"}


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("シャフトの一貫加工：S45C・SCM440・SUS420J2を旋盤で挽きます。", {"steel", "stainless"}, set()),
        ("鉄・ステンの丸棒の切断いたします。", {"steel", "stainless"}, set()),
        ("Silicone moulds for copies in ABS-like or rubber-like resin.", set(), {"abs", "rubber"}),
        ("アルミと真鍮の旋盤加工はやりますが、ステンレスは断っています。", {"aluminium", "brass"}, {"stainless"}),
        ("アルマイト・硬質アルマイト。ステンレスの処理はできません。", {"aluminium"}, {"stainless"}),
        ("江戸切子の工房です。", {"glass"}, set()),
        ("婦人服の縫製工場です。", {"fabric"}, set()),
        ("当社はアルミダイカストの専業メーカーです。", {"aluminium"}, set()),
        ("プラスチック金型の設計製作。", set(), {"plastic"}),
        ("Springs from piano wire.", {"steel"}, set()),
    ],
)
def test_materials_read_from_prose(norm, text, present, absent):
    got = _mats(norm, text)
    assert present <= got and not absent & got


def test_an_owners_material_list_is_not_completed_by_implication(norm):
    assert _mats(norm, "江戸切子の工房です。", ("真鍮",)) == {"brass"}


def test_a_plating_shops_listed_metals_are_its_platings(norm):
    assert {"zinc_plating", "nickel_plating", "electroless_nickel"} <= _profile(
        norm, "ﾒｯｷ屋です。亜鉛･ﾆｯｹﾙ･無電解ﾆｯｹﾙ。ﾊﾞﾚﾙ･引っかけ両方。"
    )
    layered = _profile(norm, "再メッキをやっています。ニッケル・クロムと重ねます。")
    assert {"nickel_plating", "chrome_plating"} <= layered
    assert "zinc_plating" not in _profile(norm, "亜鉛ダイカストとめっき。")  # 亜鉛 names the casting alloy
    assert not {"nickel_plating", "chrome_plating"} & _profile(norm, "ニッケル・クロムの旋盤加工。")  # no plating


@pytest.mark.parametrize(
    "text, code",
    [
        ("会社紹介：精密旋盤加工の町工場です。", "turning"),
        ("2019年に5軸マシニングを購入しました。", "five_axis_machining"),
        ("SUS材を仕入れて旋盤加工しています。", "turning"),
        ("Friendly service for turning and milling.", "turning"),
        ("We introduced a new 5-axis machining centre last year.", "five_axis_machining"),
        ("Inspection on a coordinate measuring machine.", "cmm"),
        ("Customers who buy our turned parts love them. We do CNC turning.", "turning"),
    ],
)
def test_words_near_outsourcing_cues_that_are_not_outsourcing(norm, text, code):
    assert code in _profile(norm, text)


def test_a_product_still_needs_making_when_only_its_decoration_is_named(norm):
    ex = norm.extract("帆布のトートバッグを作って、ロゴを刺繍で入れたい。", outcomes=True)
    alts = [{r.code for r in g} for g, st in zip(ex.groups, ex.group_strength, strict=True) if st != "explicit"]
    assert any("sewing" in a and "embroidery" not in a for a in alts)
    assert "sewing" in _steps(norm, "Please sew 200 canvas tote bags.")  # a short verb in lower case

from __future__ import annotations

import pytest

from matching import MatchingInputError, Normaliser, Taxonomy, fold, normalise_ward


def test_taxonomy_size_and_families():
    tax = Taxonomy.default()
    assert len(tax.processes) >= 60
    fams = {p.family for p in tax.processes.values()}
    for f in (
        "machining",
        "sheet_metal",
        "joining",
        "casting_forging",
        "moulding_additive",
        "mould_die",
        "surface_treatment",
        "heat_treatment",
        "finishing_marking",
        "assembly_electronics",
        "inspection",
        "glass",
        "wood",
        "leather",
        "textile",
        "paper",
        "rubber",
        "printing",
    ):
        assert f in fams
    assert tax.label("milling", "ja") == "フライス加工" and tax.label("milling", "en") == "milling"


def test_fold_width_case_and_kana():
    assert fold("ＭＣ加工") == fold("mc加工")
    assert fold("ＳＵＳ３０４") == fold("sus304") == fold("SUS 304") == fold("sus-304")
    assert fold("メッキ") == fold("めっき")
    assert fold("レーザー") == fold("レーザ") == fold("ﾚｰｻﾞｰ")
    assert fold("ワイヤー") == fold("ワイヤ")
    assert fold("焼き入れ") == fold("焼入れ")


@pytest.mark.parametrize(
    ("term", "code"),
    [
        ("ＭＣ加工", "milling"),
        ("マシニング", "milling"),
        ("NCフライス", "milling"),
        ("CNC milling", "milling"),
        ("旋盤", "turning"),
        ("CNC旋盤", "turning"),
        ("lathe", "turning"),
        ("複合旋盤", "mill_turn"),
        ("ＮＣＴ", "punching"),
        ("タレパン", "punching"),
        ("レーザ加工", "laser_cutting"),
        ("ワイヤカット", "wire_edm"),
        ("WEDM", "wire_edm"),
        ("型彫り放電", "sinker_edm"),
        ("EDM", "edm"),
        ("へら絞り", "metal_spinning"),
        ("スピニング", "metal_spinning"),
        ("深絞り", "deep_drawing"),
        ("ベンダー", "bending"),
        ("TIG溶接", "tig_welding"),
        ("スポット溶接", "spot_welding"),
        ("ロウ付け", "brazing"),
        ("ダイカスト", "die_casting"),
        ("砂型", "sand_casting"),
        ("鍛造", "forging"),
        ("射出成型", "injection_molding"),
        ("injection moulding", "injection_molding"),
        ("injection molding", "injection_molding"),
        ("真空成形", "vacuum_forming"),
        ("3Dプリント", "additive_manufacturing"),
        ("積層造形", "additive_manufacturing"),
        ("金型", "mold_making"),
        ("メッキ", "plating"),
        ("鍍金", "plating"),
        ("無電解ニッケル", "electroless_nickel"),
        ("クロムめっき", "chrome_plating"),
        ("亜鉛メッキ", "zinc_plating"),
        ("アルマイト", "anodizing"),
        ("陽極酸化", "anodizing"),
        ("anodising", "anodizing"),
        ("anodized", "anodizing"),
        ("硬質アルマイト", "hard_anodizing"),
        ("粉体塗装", "powder_coating"),
        ("焼き入れ", "hardening"),
        ("高周波焼入れ", "induction_hardening"),
        ("浸炭", "carburizing"),
        ("窒化", "nitriding"),
        ("焼鈍", "annealing"),
        ("heat treatment", "heat_treatment"),
        ("センタレス", "centerless_grinding"),
        ("平面研削", "surface_grinding"),
        ("バフ研磨", "polishing"),
        ("ラップ", "lapping"),
        ("バリ取り", "deburring"),
        ("レーザーマーキング", "laser_marking"),
        ("刻印", "engraving"),
        ("シルク印刷", "screen_printing"),
        ("組立", "assembly"),
        ("SMT", "smt"),
        ("基板実装", "smt"),
        ("PCB assembly", "smt"),
        ("はんだ付け", "soldering"),
        ("ハーネス", "wire_harness"),
        ("三次元測定", "cmm"),
        ("CMM", "cmm"),
        ("江戸切子", "edo_kiriko"),
        ("木工", "woodworking"),
        ("皮革", "leather_goods"),
        ("縫製", "sewing"),
        ("刺繍", "embroidery"),
        ("紙器", "paper_converting"),
        ("製本", "bookbinding"),
        ("ゴム成形", "rubber_molding"),
        ("オフセット印刷", "offset_printing"),
        ("sheet metal", "sheet_metal"),
        ("3D printing", "additive_manufacturing"),
        ("plating", "plating"),
        ("grinding", "grinding"),
        ("hardening", "hardening"),
    ],
)
def test_process_aliases(normaliser: Normaliser, term: str, code: str):
    r = normaliser.resolve(term)
    assert r is not None and r.code == code, (term, r)
    assert r.source == term.strip()


@pytest.mark.parametrize(
    ("term", "code", "family"),
    [
        ("SUS304", "stainless", "stainless"),
        ("ＳＵＳ３１６Ｌ", "stainless", "stainless"),
        ("ステンレス", "stainless", "stainless"),
        ("A5052", "aluminium", "aluminium"),
        ("6061 aluminium", "aluminium", "aluminium"),
        ("アルミ", "aluminium", "aluminium"),
        ("aluminum", "aluminium", "aluminium"),
        ("C3604", "brass", "copper"),
        ("黄銅", "brass", "copper"),
        ("C1100", "copper", "copper"),
        ("SS400", "steel", "steel"),
        ("S45C", "steel", "steel"),
        ("SPCC", "steel", "steel"),
        ("SCM435", "steel", "steel"),
        ("SKD11", "tool_steel", "steel"),
        ("チタン", "titanium", "titanium"),
        ("Ti-6Al-4V", "titanium", "titanium"),
        ("POM", "pom", "plastic"),
        ("PEEK", "peek", "plastic"),
        ("ナイロン", "nylon", "plastic"),
        ("アクリル", "acrylic", "plastic"),
        ("ガラス", "glass", "glass"),
        ("SUS321", "stainless", "stainless"),
        ("A5083P", "aluminium", "aluminium"),
    ],
)
def test_material_grades_map_to_families(normaliser: Normaliser, term: str, code: str, family: str):
    r = normaliser.resolve(term, "material")
    assert r is not None and r.code == code, (term, r)
    assert Taxonomy.default().materials[r.code].family == family


def test_extract_from_japanese_prose_records_sources(normaliser: Normaliser):
    ex = normaliser.extract(
        "弊社はＭＣ加工・NCフライスを中心に、SUS304やA5052の部品を製作。プレスリリースはこちら"
    )
    codes = {r.code: r.source for r in ex.processes}
    assert codes == {"milling": "ＭＣ加工"}  # "プレスリリース" is not pressing
    mats = {r.code: r.source for r in ex.materials}
    assert mats == {"stainless": "SUS304", "aluminium": "A5052"}


def test_extract_english_stemming(normaliser: Normaliser):
    ex = normaliser.extract("50 aluminium enclosures, milled then black anodised; parts are TIG welded")
    codes = {r.code for r in ex.processes if r.via != "outcome"}
    assert {"milling", "anodizing", "tig_welding"} <= codes
    assert [r.code for r in ex.materials] == ["aluminium"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the steel shaft wears out too fast", "hardening"),
        ("シャフトがすぐ摩耗してしまう", "hardening"),
        ("a seamless stainless cup", "metal_spinning"),
        ("継ぎ目のないステンレスのカップ", "deep_drawing"),
        ("make this copper part not tarnish", "plating"),
        ("鉄のブラケットが錆びないようにしたい", "plating"),
        ("部品を軽くしたい", "additive_manufacturing"),
        ("精度が出ない", "grinding"),
    ],
)
def test_outcome_phrases(normaliser: Normaliser, text: str, expected: str):
    ex = normaliser.extract(text)
    inferred = [r for r in ex.processes if r.via == "outcome"]
    assert expected in {r.code for r in inferred}
    assert all(r.confidence < 1.0 for r in inferred)


def test_outcomes_not_used_for_factory_prose(normaliser: Normaliser):
    ex = normaliser.extract("錆びにくいステンレス製品", outcomes=False)
    assert ex.processes == []


def test_unknown_word_has_suggestions(normaliser: Normaliser):
    assert normaliser.resolve("xyzzy") is None
    r = normaliser.resolve("anodisingg")
    assert r is not None and r.code == "anodizing" and r.via == "fuzzy" and r.confidence < 1.0
    assert "plating" in normaliser.suggest("platting") or "plating" in normaliser.suggest("plateing")
    ex = normaliser.extract("qwertyuiop")
    assert ex.unresolved and not ex.processes


def test_extra_aliases(normaliser: Normaliser):
    n = Normaliser(
        extra_aliases={"ヘアライン屋": ("process", "polishing"), "bogus": ("process", "nope")}
    )
    assert n.resolve("ヘアライン屋").code == "polishing"
    assert n.invalid_extra_aliases == ["bogus"]


def test_hostile_text(normaliser: Normaliser):
    big = "ＭＣ加工" + "あ" * 1_000_000
    ex = normaliser.extract(big)
    assert [r.code for r in ex.processes] == ["milling"]
    weird = "\u200bＭ\u200dＣ加工\ud800\U0001f600\u202e焼入れ\x00"
    ex = normaliser.extract(weird)
    assert "hardening" in {r.code for r in ex.processes}
    with pytest.raises(MatchingInputError):
        normaliser.extract(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["大田区", "Ota", "Ota-ku", "ota ku", "Ōta City", "おおたく", "東京都大田区蒲田5-1", "ota"]
)
def test_normalise_ward(text: str):
    assert normalise_ward(text) == "ota"


def test_normalise_ward_unknown():
    assert (
        normalise_ward("Osaka") is None and normalise_ward("") is None and normalise_ward(None) is None
    )


def test_long_vowel_folding_keeps_laser_and_leather_apart(normaliser: Normaliser):
    ex = normaliser.extract("板金加工（レーザー、タレパン、ベンダー曲げ）")
    assert {r.code: r.source for r in ex.processes} == {
        "sheet_metal": "板金加工",
        "laser_cutting": "レーザー",
        "punching": "タレパン",
        "bending": "ベンダー",
    }
    assert ex.materials == []
    assert normaliser.resolve("レザー", "material").code == "leather"


def test_okurigana_inside_prose(normaliser: Normaliser):
    ex = normaliser.extract("ヘラ絞り一筋60年、焼き入れも手配します")
    assert {r.code: r.source for r in ex.processes} == {
        "metal_spinning": "ヘラ絞り",
        "hardening": "焼き入れ",
    }


def test_generic_parents_cover_specific_processes():
    tax = Taxonomy.default()
    assert tax.process_similarity("surface_treatment", "hard_anodizing") == 1.0
    assert tax.process_similarity("coating", "powder_coating") == 1.0
    assert tax.process_similarity("electroless_nickel", "plating") < 0.8

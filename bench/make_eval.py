# ruff: noqa: E501  (hand-written data: long Japanese lines)
"""Generate the evaluation set: bench/data/eval_factories.json, eval_truth.json, eval_needs.json.

    python -m bench.make_eval          (deterministic: fixed seed)

Factories are drawn from the hand-written ground truth in ``bench/catalog.py`` and written the way workshops
write (trade names, grades, full-width letters, half-width kana, prose-only profiles). Needs are hand-written
below; each need step lists the ground-truth process codes that fully satisfy it (and, optionally, ones that
partially do). Relevance judgements are computed from the ground truth only — never from the matcher.

Grades: 3 = every step fully, with the right material (or the need names no material);
        2 = every step fully, material unknown or different;
        1 = some steps, or a step only partially (a near process);
        0 = omitted.
"""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

from bench.catalog import EN_OK, MET, WARDS, M, P  # noqa: F401

SEED = 20240611
N_FACTORIES = 330
DATA = Path(__file__).resolve().parent / "data"

SURNAMES = ["山田", "高橋", "佐藤", "鈴木", "田中", "伊藤", "渡辺", "中村", "小林", "加藤", "吉田", "松本", "井上", "木村",
            "林", "清水", "山口", "森", "池田", "橋本", "石川", "前田", "藤田", "岡田", "後藤", "長谷川", "村上", "近藤",
            "石井", "坂本", "遠藤", "青木", "藤井", "西村", "福田", "太田", "三浦", "藤原", "岡本", "松田", "中島", "原田",
            "小川", "中野", "丸山", "今井", "河野", "大野", "高木", "工藤", "小松", "菊地", "桑原", "浜田", "望月", "平野"]
ROMAJI = {"山田": "Yamada", "高橋": "Takahashi", "佐藤": "Sato", "鈴木": "Suzuki", "田中": "Tanaka", "伊藤": "Ito",
          "渡辺": "Watanabe", "中村": "Nakamura", "小林": "Kobayashi", "加藤": "Kato", "吉田": "Yoshida",
          "松本": "Matsumoto", "井上": "Inoue", "木村": "Kimura", "林": "Hayashi", "清水": "Shimizu",
          "山口": "Yamaguchi", "森": "Mori", "池田": "Ikeda", "橋本": "Hashimoto", "石川": "Ishikawa",
          "前田": "Maeda", "藤田": "Fujita", "岡田": "Okada", "後藤": "Goto", "長谷川": "Hasegawa",
          "村上": "Murakami", "近藤": "Kondo", "石井": "Ishii", "坂本": "Sakamoto", "遠藤": "Endo", "青木": "Aoki",
          "藤井": "Fujii", "西村": "Nishimura", "福田": "Fukuda", "太田": "Ota", "三浦": "Miura", "藤原": "Fujiwara",
          "岡本": "Okamoto", "松田": "Matsuda", "中島": "Nakajima", "原田": "Harada", "小川": "Ogawa",
          "中野": "Nakano", "丸山": "Maruyama", "今井": "Imai", "河野": "Kono", "大野": "Ono", "高木": "Takagi",
          "工藤": "Kudo", "小松": "Komatsu", "菊地": "Kikuchi", "桑原": "Kuwabara", "浜田": "Hamada",
          "望月": "Mochizuki", "平野": "Hirano"}
SUFFIX_BY_FAMILY = {
    "machining": ["製作所", "精機", "工作所", "精密", "鉄工所", "精工"],
    "sheet": ["板金工業", "製作所", "工業"],
    "joining": ["溶接工業所", "工業", "製作所"],
    "casting": ["工業"],
    "molding": ["化成", "樹脂工業", "工業", "プラスチック"],
    "die": ["金型製作所", "型工業", "製作所"],
    "surface": ["化工", "表面処理", "工業"],
    "heat": ["熱処理工業所", "熱錬", "工業"],
    "finishing": ["工業所", "工業"],
    "electronics": ["電子", "電機", "電装", "製作所"],
    "inspection": ["計測", "検査サービス", "技研"],
    "craft": ["工房"],
}
# name suffixes that hint at one trade: only used when the primary process fits
SUFFIX_BY_PROCESS = {
    "metal_spinning": ["絞り製作所", "製作所", "へら絞り工業"], "deep_drawing": ["絞り工業", "プレス工業", "製作所"],
    "press_stamping": ["プレス工業", "製作所", "工業"], "die_casting": ["ダイカスト工業", "工業"],
    "sand_casting": ["鋳造所", "鋳工所", "鋳物工業"], "lost_wax": ["精密鋳造", "工業"], "forging": ["鍛造", "鍛工所", "工業"],
    "electroless_nickel": ["鍍金工業", "メッキ工業所", "化工"], "nickel_plating": ["鍍金工業", "メッキ工業所"],
    "hard_chrome": ["鍍金工業", "メッキ工業所", "化工"], "zinc_plating": ["鍍金工業", "メッキ工業所"],
    "precious_plating": ["鍍金工業", "メッキ工業所"], "painting": ["塗装工業", "工業"], "anodizing": ["化工", "表面処理"],
    "hard_anodizing": ["化工", "表面処理"], "blackening": ["化工", "表面処理", "工業"],
    "electropolishing": ["化工", "表面処理"], "pvd_coating": ["表面処理", "コーティング"],
    "buffing": ["研磨工業", "工業所"], "barrel_finishing": ["研磨工業", "工業所"], "blasting": ["工業所", "ブラスト工業"],
    "engraving": ["彫刻所", "工業所"], "laser_marking": ["工業所", "技研"], "screen_printing": ["印刷所", "工業所"],
    "etching": ["工業所", "技研"], "glass": ["硝子", "硝子工房", "工房"], "woodworking": ["木工所", "工房", "家具製作所"],
    "leather": ["革工房", "工房", "皮革"], "sewing": ["工房", "縫製", "ソーイング"], "paper": ["紙工", "紙器"],
    "printing_offset": ["印刷所", "印刷"], "lacquer": ["漆工房", "工房"],
}
EN_SUFFIX = ["Precision Works", "Manufacturing", "Industries", "Engineering", "Seisakusho", "Works"]

FW = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz/-"}
_HW_KANA: dict[str, str] = {}
for _cp in range(0xFF61, 0xFFA0):
    _n = unicodedata.normalize("NFKC", chr(_cp))
    if len(_n) == 1:
        _HW_KANA.setdefault(_n, chr(_cp))


def fullwidth(s: str) -> str:
    return "".join(FW.get(c, c) for c in s)


def halfwidth_kana(s: str) -> str:
    out = []
    for c in s:
        if c in _HW_KANA and "\u30a0" <= c <= "\u30ff":
            out.append(_HW_KANA[c])
            continue
        d = unicodedata.normalize("NFD", c)
        if len(d) == 2 and d[0] in _HW_KANA and "\u30a0" <= d[0] <= "\u30ff":
            out.append(_HW_KANA[d[0]] + ("\uff9e" if d[1] == "\u3099" else "\uff9f"))
        else:
            out.append(c)
    return "".join(out)


# -------------------------------------------------------------------------------------------------- factories
def _pick_processes(rng: random.Random, primary: str) -> list[str]:
    procs = [primary]
    comp = P[primary]["comp"][:]
    rng.shuffle(comp)
    for c in comp:
        if len(procs) >= 3:
            break
        if rng.random() < 0.35:
            procs.append(c)
    return procs


def _pick_materials(rng: random.Random, procs: list[str]) -> list[str]:
    pool: list[str] = []
    for p in procs:
        for m in P[p]["mats"]:
            if m not in pool:
                pool.append(m)
    if not pool:
        return []
    # the first process dominates: its first material is very likely
    first = P[procs[0]]["mats"]
    k = min(len(pool), rng.choice([1, 1, 2, 2, 3]))
    chosen = [first[0]] if rng.random() < 0.7 and first else []
    rest = [m for m in pool if m not in chosen]
    rng.shuffle(rest)
    chosen += rest[: max(0, k - len(chosen))]
    return chosen


def _ward(rng: random.Random):
    return rng.choices(WARDS, weights=[w[5] for w in WARDS])[0]


def _join_ja(items: list[str], rng: random.Random) -> str:
    if len(items) == 1:
        return items[0]
    sep = rng.choice(["・", "、", "や"])
    return sep.join(items)


def _ja_generic_desc(rng, year, ward) -> str:
    return rng.choice([
        f"{year}年創業。{ward[1]}の町工場として、試作から量産まで誠実なものづくりを続けています。",
        f"{ward[1]}で{2025 - year}年。短納期・小ロットのご相談も歓迎します。",
        f"昭和の創業以来、{ward[1]}で地域の仲間と共にものづくりをしています。お気軽にお問い合わせください。",
        "品質第一・納期厳守をモットーに、お客様の図面に忠実な部品をお届けします。",
        f"家族経営の小さな工場です（{ward[1]}）。図面がなくても現物やポンチ絵からご相談ください。",
        "",
    ])


def _ja_prose(rng, procs, mat_terms, year, ward, lot) -> str:
    frags = [rng.choice(P[p]["ja_prose"]) for p in procs]
    s = [rng.choice([f"{year}年創業、{ward[1]}の町工場です。", f"当社は{ward[1]}で{2025 - year}年続く家族経営の工場です。",
                     f"{ward[1]}にある従業員{rng.randint(2, 15)}名の工場です。", ""])]
    if len(frags) == 1:
        s.append(rng.choice([f"主に{frags[0]}を行っています。", f"{frags[0]}一筋でやってきました。",
                             f"得意なのは{frags[0]}です。"]))
    else:
        s.append(rng.choice([f"{frags[0]}を中心に、{'、'.join(frags[1:])}にも対応しています。",
                             f"{frags[0]}が得意です。また{'や'.join(frags[1:])}も社内で行います。"]))
    if mat_terms:
        s.append(rng.choice([f"{_join_ja(mat_terms, rng)}の加工実績が豊富です。", f"材質は{_join_ja(mat_terms, rng)}が中心です。",
                             f"扱う材料：{'、'.join(mat_terms)}。"]))
    s.append(rng.choice([f"1個の試作から{lot}個程度の量産まで対応します。", "小ロット・短納期歓迎。",
                         "図面一枚からでもお気軽にご相談ください。", ""]))
    return "".join(s)


def _en_prose(rng, procs, mat_terms, year, ward, lot) -> str:
    frags = [rng.choice(P[p]["en_prose"]) for p in procs]
    s = [rng.choice([f"Family-owned workshop in {ward[2]}, founded {year}.", f"Small factory in {ward[2]} ward, Tokyo.",
                     ""])]
    s.append(f"We specialise in {frags[0]}" + (f", and also offer {' and '.join(frags[1:])}." if len(frags) > 1 else "."))
    if mat_terms:
        s.append(f"Materials: {', '.join(mat_terms)}.")
    s.append(rng.choice([f"Lots from 1 to {lot} pcs.", "Prototypes welcome.", ""]))
    return " ".join(x for x in s if x)


# integrated shops ("一貫対応") that do several steps of common jobs in-house
FORCED = [
    ["milling", "anodizing"], ["milling", "turning", "anodizing"], ["five_axis", "milling", "hard_anodizing"],
    ["gear_cutting", "turning", "carburizing"], ["mold_making", "injection_molding"],
    ["injection_molding", "mold_making", "screen_printing"], ["laser_cutting", "bending", "painting"],
    ["turret_punching", "bending", "painting"], ["turning", "quench_hardening", "cylindrical_grinding"],
    ["cylindrical_grinding", "hard_chrome"], ["heavy_fabrication", "mig_welding", "painting"],
    ["blasting", "anodizing"], ["laser_cutting", "bending", "tig_welding", "painting"],
    ["induction_hardening", "cylindrical_grinding", "hard_chrome"], ["milling", "anodizing", "laser_marking"],
]


def make_factories(rng: random.Random) -> tuple[list[dict], dict]:
    """The N_FACTORIES evaluation factories as written by their workshops, with the ground truth of each by id."""
    factories, truth = [], {}
    used_names: set[str] = set()
    for i, slot in enumerate(_factory_slots(rng), start=1):
        rec, entry = _make_factory(rng, i, slot, used_names)
        factories.append(rec)
        truth[str(i)] = entry
    return factories, truth


def _factory_slots(rng: random.Random) -> list[list[str] | str]:
    """One slot per factory, shuffled: a primary process code, or the process list of a forced integrated shop."""
    codes = list(P)
    primaries = codes * 3
    rng.shuffle(primaries)
    while len(primaries) < N_FACTORIES:
        primaries.append(rng.choice(codes))
    primaries = primaries[: N_FACTORIES - len(FORCED)]
    slots: list[list[str] | str] = list(primaries) + [list(f) for f in FORCED]
    rng.shuffle(slots)
    return slots


def _make_factory(rng: random.Random, i: int, slot: list[str] | str, used_names: set[str]) -> tuple[dict, dict]:
    """Factory number ``i`` from its slot: the record as the workshop writes it, and its ground truth."""
    procs = list(slot) if isinstance(slot, list) else _pick_processes(rng, slot)
    primary = procs[0]
    mats = _pick_materials(rng, procs)
    ward = _ward(rng)
    year = rng.randint(1946, 2010)
    lot = rng.choice([100, 300, 500, 1000, 5000, 10000])
    style = _pick_style(rng, procs)
    sur, name = _unique_name(rng, primary, used_names)
    rec = _base_record(rng, i, sur, name, ward, year)
    fw = rng.random() < 0.3
    hw = rng.random() < 0.06
    drop_mats = rng.random() < 0.12 and style == "ja_list"
    ja_term = _ja_writer(fw, hw)
    if style == "ja_list":
        mats_truth = _write_ja_list(rng, rec, procs, mats, year, ward, ja_term, drop_mats)
    elif style == "ja_prose":
        mats_truth = _write_ja_prose(rng, rec, procs, mats, year, ward, lot, ja_term)
    elif style == "en_list":
        mats_truth = _write_en_list(rng, rec, procs, mats, year, ward, sur)
    else:
        mats_truth = _write_en_prose(rng, rec, procs, mats, year, ward, lot, sur)
    lang = "ja" if style.startswith("ja_") else "en"
    return rec, dict(processes=procs, materials=mats_truth, lang=lang, style=style)


def _pick_style(rng: random.Random, procs: list[str]) -> str:
    """How the profile is written: English only when every process has English terms, else mostly Japanese lists."""
    en_ok = all(p in EN_OK for p in procs)
    r = rng.random()
    if en_ok and r < 0.5:
        return "en_list" if rng.random() < 0.7 else "en_prose"
    return "ja_prose" if rng.random() < 0.27 else "ja_list"


def _unique_name(rng: random.Random, primary: str, used_names: set[str]) -> tuple[str, str]:
    """A surname and a trade name not used before (suffix from the primary process or its family); records it."""
    fam = P[primary]["family"]
    while True:
        sur = rng.choice(SURNAMES)
        name = sur + rng.choice(SUFFIX_BY_PROCESS.get(primary) or SUFFIX_BY_FAMILY[fam])
        if name not in used_names:
            break
        name = name + rng.choice(["", "第二工場"])
        if name not in used_names:
            break
    used_names.add(name)
    return sur, name


def _base_record(rng: random.Random, i: int, sur: str, name: str, ward, year: int) -> dict:
    """The record's fixed fields: legal form around the name, position in the ward, size, maybe a romaji name."""
    legal = rng.choice(["株式会社", "有限会社", "", "", "(株)"])
    name = (legal + name) if rng.random() < 0.6 else (name + ("株式会社" if legal else ""))
    lat = round(ward[3] + rng.uniform(-0.018, 0.018), 5)
    lon = round(ward[4] + rng.uniform(-0.022, 0.022), 5)
    rec = dict(id=i, external_id=f"EV-{i:04d}", name=name, ward=ward[1], lat=lat, lon=lon,
               processes=[], materials=[], equipment=[], description="",
               employees=rng.randint(1, 30), founded=year)
    if rng.random() < 0.5:
        rec["name_en"] = f"{ROMAJI[sur]} {rng.choice(['Seisakusho', 'Kogyo', 'Co., Ltd.', 'Seiki'])}"
    return rec


def _ja_writer(fw: bool, hw: bool):
    """How this workshop types Japanese terms: maybe full-width letters, maybe half-width kana."""
    def ja_term(t):
        if fw:
            t = fullwidth(t)
        if hw:
            t = halfwidth_kana(t)
        return t

    return ja_term


def _write_ja_list(rng, rec, procs, mats, year, ward, ja_term, drop_mats) -> list[str]:
    """A Japanese list-style profile (some secondary processes only in the description); returns the true materials."""
    in_prose = []
    for j, p in enumerate(procs):
        terms = rng.sample(P[p]["ja"], k=min(len(P[p]["ja"]), rng.choice([1, 1, 2])))
        if j > 0 and rng.random() < 0.3:
            in_prose.append(p)  # secondary capability only in the description
        else:
            rec["processes"] += [ja_term(t) for t in terms]
    mat_terms = []
    for m in mats:
        mat_terms += rng.sample(M[m]["ja"], k=rng.choice([1, 1, 2]))
    if drop_mats:
        mats_truth = []
    else:
        rec["materials"] = [ja_term(t) for t in mat_terms]
        mats_truth = mats
    rec["equipment"] = [ja_term(e) for p in procs for e in rng.sample(P[p]["equip"], k=1)
                        if P[p]["equip"] and rng.random() < 0.6]
    desc = _ja_generic_desc(rng, year, ward)
    if in_prose:
        desc += "".join(f"{rng.choice(P[p]['ja_prose'])}も承ります。" for p in in_prose)
    rec["description"] = desc
    return mats_truth


def _write_ja_prose(rng, rec, procs, mats, year, ward, lot, ja_term) -> list[str]:
    """A Japanese profile written only as prose; returns the true materials."""
    mat_terms = [rng.choice(M[m]["ja"]) for m in mats]
    rec["description"] = _ja_prose(rng, procs, [ja_term(t) for t in mat_terms], year, ward, lot)
    return mats


def _write_en_list(rng, rec, procs, mats, year, ward, sur) -> list[str]:
    """An English list-style profile under an English name (half the time); returns the true materials."""
    rec["name_en"] = f"{ROMAJI[sur]} {rng.choice(EN_SUFFIX)}"
    rec["name"] = rec["name_en"] if rng.random() < 0.5 else rec["name"]
    for p in procs:
        rec["processes"].append(rng.choice(P[p]["en"]))
    rec["materials"] = [rng.choice(M[m]["en"]) for m in mats]
    rec["equipment"] = [e for p in procs for e in rng.sample(P[p]["equip"], k=1)
                        if P[p]["equip"] and rng.random() < 0.4 and not any("\u3040" <= c <= "\u30ff" for c in e)]
    rec["description"] = rng.choice([f"Established {year} in {ward[2]}. Prototypes to mid-volume production.",
                                     "Quick quotes, English spoken.", ""])
    return mats


def _write_en_prose(rng, rec, procs, mats, year, ward, lot, sur) -> list[str]:
    """An English profile written only as prose, under an English name; returns the true materials."""
    rec["name_en"] = f"{ROMAJI[sur]} {rng.choice(EN_SUFFIX)}"
    rec["name"] = rec["name_en"]
    rec["description"] = _en_prose(rng, procs, [rng.choice(M[m]["en"]) for m in mats], year, ward, lot)
    return mats


# -------------------------------------------------------------------------------------------------- needs
HARDEN = ["quench_hardening", "vacuum_heat", "induction_hardening", "carburizing", "nitriding"]
GRIND = ["surface_grinding", "cylindrical_grinding", "centerless_grinding"]
TURN = ["turning", "swiss_turning"]
MACH = ["milling", "five_axis"]
CUTSHEET = ["laser_cutting", "turret_punching"]
SEAMLESS = ["metal_spinning", "deep_drawing"]
RUSTPROOF = ["zinc_plating", "electroless_nickel", "nickel_plating", "painting", "hard_chrome"]
NOTARNISH = ["nickel_plating", "electroless_nickel", "precious_plating"]
WEAR = HARDEN + ["hard_chrome"]


def S(full, partial=()):
    full = [full] if isinstance(full, str) else list(full)
    partial = [partial] if isinstance(partial, str) else list(partial)
    return {"full": full, "partial": [p for p in partial if p not in full]}


# (lang, text, steps, material family or None)
NEEDS: list[tuple[str, str, list, str | None]] = [
    # ---- Japanese
    ("ja", "IoTセンサーのアルミ筐体を20個試作したい。切削のあと黒アルマイトで仕上げてほしい",
     [S(MACH), S("anodizing", "hard_anodizing")], "aluminium"),
    ("ja", "SUS304の丸棒からシャフトを旋盤で削ってほしい。数量50本", [S(TURN)], "stainless"),
    ("ja", "S45Cのシャフトの摩耗が早い。表面を硬くしたい", [S(WEAR, "pvd_coating")], "steel"),
    ("ja", "鉄の部品が錆びるので防錆したい", [S(RUSTPROOF, "blackening")], "steel"),
    ("ja", "ステンレスで継ぎ目のないカップ形状の容器をつくりたい", [S(SEAMLESS)], "stainless"),
    ("ja", "銅のバスバーが変色しないようにしたい", [S(NOTARNISH, "painting")], "copper"),
    ("ja", "ワイヤーカットでSKD11のパンチを切り出してほしい", [S("wire_edm")], "steel"),
    ("ja", "アルミ板（A5052 t2）をレーザーで切って曲げ、箱にしたい", [S(CUTSHEET), S("bending")], "aluminium"),
    ("ja", "ステンレス板金の溶接（TIG）をお願いできるところを探しています", [S("tig_welding", "laser_welding")], "stainless"),
    ("ja", "歯車の歯切りと、その後の浸炭焼入れまでお願いしたい",
     [S("gear_cutting"), S("carburizing", ["quench_hardening", "induction_hardening", "nitriding"])], "steel"),
    ("ja", "ピンの外径をセンタレスで仕上げたい　SUJ2　φ3", [S("centerless_grinding", "cylindrical_grinding")], "steel"),
    ("ja", "真鍮の小物部品を自動盤で1万個量産したい", [S("swiss_turning", "turning")], "brass"),
    ("ja", "プラスチックの筐体を射出成形で量産したい。金型から相談したい",
     [S("mold_making"), S("injection_molding")], "plastics"),
    ("ja", "3Dプリンターで試作品を数個造形してほしい", [S("additive", "vacuum_casting")], None),
    ("ja", "照明のシェードをへら絞りで作れる職人さんを探しています", [S("metal_spinning", "deep_drawing")], None),
    ("ja", "アルミ部品に硬質アルマイトをかけたい", [S("hard_anodizing", "anodizing")], "aluminium"),
    ("ja", "鉄部品に無電解ニッケルめっきをお願いしたい", [S("electroless_nickel", "nickel_plating")], "steel"),
    ("ja", "金型プレートの平面研削", [S("surface_grinding", ["cylindrical_grinding"])], "steel"),
    ("ja", "試作基板の部品実装（SMT）を100枚", [S("smt")], None),
    ("ja", "ケーブルハーネスの圧着・組立をお願いしたい", [S("wire_harness")], None),
    ("ja", "ステンレスの天板を鏡面に仕上げたい", [S("buffing", "electropolishing")], "stainless"),
    ("ja", "溶接した架台の歪みが出ないように応力除去をしたい", [S("annealing")], "steel"),
    ("ja", "ポンプのケーシングを鋳物で小ロット（FC250）", [S("sand_casting")], "cast_iron"),
    ("ja", "アルミダイカストの量産先を探しています", [S("die_casting")], "aluminium"),
    ("ja", "オリジナルデザインの江戸切子のグラスを作りたい", [S("glass")], "glass"),
    ("ja", "革の名刺入れをOEMで200個", [S("leather", "sewing")], "leather"),
    ("ja", "展示会用の什器を木で作りたい", [S("woodworking")], "wood"),
    ("ja", "化粧箱（貼箱）を500個つくりたい", [S("paper", "printing_offset")], "paper"),
    ("ja", "製品にロゴをレーザーで刻印したい", [S("laser_marking", "engraving")], None),
    ("ja", "チタンで複雑形状のインペラを削り出したい", [S("five_axis", "milling")], "titanium"),
    ("ja", "鉄のフレームを溶接して架台を作り、塗装まで",
     [S(["heavy_fabrication", "mig_welding"], ["tig_welding", "spot_welding"]), S("painting")], "steel"),
    ("ja", "三次元測定機で寸法検査をして検査成績書がほしい", [S("cmm_inspection")], None),
    ("ja", "溶接部の非破壊検査をお願いしたい", [S("ndt")], None),
    ("ja", "ステンレス薄板の細かいメッシュをエッチングで", [S("etching")], "stainless"),
    ("ja", "樹脂パネルに文字をシルク印刷したい", [S("screen_printing")], "plastics"),
    ("ja", "ゴムパッキンを小ロットで作りたい", [S("rubber_molding")], "rubber"),
    ("ja", "鉄の小ねじを黒くして見た目を揃えたい", [S("blackening", ["painting", "zinc_plating"])], "steel"),
    ("ja", "ＳＵＳ３０３　φ２０　旋盤加工　ねじ切りあり", [S(TURN)], "stainless"),
    ("ja", "真鍮の端子を順送プレスで量産したい", [S("press_stamping", "press_die_making")], "brass"),
    ("ja", "アルミ部品の表面を梨地にしたい", [S("blasting", "anodizing")], "aluminium"),  # 梨地アルマイト: partial
    ("ja", "鉄ブロックにφ2×200mmの深い穴をあけたい", [S("deep_hole", "sinker_edm")], "steel"),
    ("ja", "金型のキャビティを型彫り放電で加工してほしい", [S("sinker_edm")], "steel"),
    ("ja", "銅配管のロウ付けをお願いしたい", [S("brazing")], "copper"),
    ("ja", "ステンレスのパイプを曲げて手すりを作りたい", [S("tube_bending", "tig_welding")], "stainless"),
    ("ja", "ウレタン注型で外装部品を10個", [S("vacuum_casting", "additive")], "plastics"),
    ("ja", "制御盤の製作と配線", [S("control_panel", "wire_harness")], None),
    ("ja", "ステンレスのシャフトの耐摩耗性を上げたい。窒化処理は可能？", [S("nitriding", HARDEN)], "stainless"),
    ("ja", "シャフトを旋盤加工→焼入れ→研削→硬質クロムめっきまで一貫でお願いしたい",
     [S(TURN), S(HARDEN), S(GRIND), S("hard_chrome")], "steel"),
    ("ja", "SPCCをNCTで抜いてベンダーで曲げる板金筐体", [S("turret_punching", "laser_cutting"), S("bending")], "steel"),
    ("ja", "小さな鍛造部品を作ってくれるところ", [S("forging")], None),
    ("ja", "漆塗りの器を作りたい", [S("lacquer", "woodworking")], "wood"),
    ("ja", "切削工具にDLCコーティングをしたい", [S("pvd_coating")], "steel"),
    ("ja", "布製の機械カバーを縫製してほしい", [S("sewing")], "fabric"),
    ("ja", "ｱﾙﾐの削り出し部品　A7075", [S(MACH)], "aluminium"),
    ("ja", "ステンレスの小さな部品をロストワックスで", [S("lost_wax")], "stainless"),
    ("ja", "銀色でピカピカのステンレス厨房機器にしたい、錆びにくく", [S("electropolishing", "buffing")], "stainless"),
    ("ja", "ギヤの表面だけ硬くしたい（高周波）", [S("induction_hardening", HARDEN)], "steel"),
    # ---- English
    ("en", "The steel shaft wears out too fast", [S(WEAR, "pvd_coating")], "steel"),
    ("en", "seamless stainless cup", [S(SEAMLESS)], "stainless"),
    ("en", "Make this copper part not tarnish", [S(NOTARNISH, "painting")], "copper"),
    ("en", "Prevent rust on mild steel brackets", [S(RUSTPROOF, "blackening")], "steel"),
    ("en", "Aluminium enclosure, CNC milled then black anodised, 50 pcs",
     [S(MACH), S("anodizing", "hard_anodizing")], "aluminium"),
    ("en", "Cut a precise punch out of hardened tool steel with a thin wire", [S("wire_edm")], "steel"),
    ("en", "Need hard anodizing on 6061 parts", [S("hard_anodizing", "anodizing")], "aluminium"),
    ("en", "electroless nickel plating for aluminium housings", [S("electroless_nickel", "nickel_plating")], "aluminium"),
    ("en", "spinning a copper lampshade by hand", [S("metal_spinning", "deep_drawing")], "copper"),
    ("en", "grind 10,000 small pins to a tight outer diameter tolerance",
     [S("centerless_grinding", "cylindrical_grinding")], "steel"),
    ("en", "Swiss-type turned brass contacts", [S("swiss_turning", "turning")], "brass"),
    ("en", "Heat treat a batch of S45C parts to HRC 50", [S(HARDEN)], "steel"),
    ("en", "case hardening for gears", [S("carburizing", ["nitriding", "induction_hardening", "quench_hardening"])],
     "steel"),
    ("en", "mirror polish stainless steel panels", [S("buffing", "electropolishing")], "stainless"),
    ("en", "rough matte texture on aluminium parts before anodising", [S("blasting"), S("anodizing")], "aluminium"),
    ("en", "traditional cut glass tumblers with a custom pattern", [S("glass")], "glass"),
    ("en", "handmade leather wallet production", [S("leather", "sewing")], "leather"),
    ("en", "wooden display stand for a shop", [S("woodworking")], "wood"),
    ("en", "printed gift boxes", [S("paper", "printing_offset")], "paper"),
    ("en", "letterpress business cards", [S("printing_offset")], "paper"),
    ("en", "urushi lacquer finish on wooden bowls", [S("lacquer")], "wood"),
    ("en", "a rubber gasket that seals water", [S("rubber_molding")], "rubber"),
    ("en", "small batch of urethane cast covers", [S("vacuum_casting", "additive")], "plastics"),
    ("en", "PCB assembly for 100 boards", [S("smt")], None),
    ("en", "weld thin stainless sheet without distortion", [S(["tig_welding", "laser_welding"])], "stainless"),
    ("en", "joining copper tubes with silver solder", [S("brazing")], "copper"),
    ("en", "iron casting for a machine base", [S("sand_casting")], "cast_iron"),
    ("en", "aluminium die-cast housing, 5,000 per month", [S("die_casting")], "aluminium"),
    ("en", "investment cast stainless impeller", [S("lost_wax")], "stainless"),
    ("en", "hot forged steel flange", [S("forging")], "steel"),
    ("en", "a deep narrow hole through a steel block", [S("deep_hole", "sinker_edm")], "steel"),
    ("en", "gear cutting for small spur gears", [S("gear_cutting")], None),
    ("en", "laser engrave serial numbers on stainless tags", [S("laser_marking", "engraving")], "stainless"),
    ("en", "engraved brass nameplate", [S("engraving", "laser_marking")], "brass"),
    ("en", "silk screen a logo on a plastic panel", [S("screen_printing")], "plastics"),
    ("en", "photo-etched thin stainless mesh", [S("etching")], "stainless"),
    ("en", "X-ray inspection of welds", [S("ndt")], None),
    ("en", "dimensional inspection report with a CMM", [S("cmm_inspection")], None),
    ("en", "stress relieve a welded steel frame", [S("annealing")], "steel"),
    ("en", "hard chrome on a hydraulic cylinder rod", [S("hard_chrome")], "steel"),
    ("en", "gold plating on brass connector pins", [S("precious_plating")], "brass"),
    ("en", "reduce wear on cutting tools with a thin hard coating", [S("pvd_coating", "nitriding")], "steel"),
    ("en", "tube bending for a stainless handrail", [S("tube_bending", "tig_welding")], "stainless"),
    ("en", "surface grinding mold plates flat", [S("surface_grinding", "cylindrical_grinding")], "steel"),
    ("en", "a progressive die for a stamped bracket", [S("press_die_making", "press_stamping")], "steel"),
    ("en", "shaft: turn, harden, grind, then hard chrome", [S(TURN), S(HARDEN), S(GRIND), S("hard_chrome")],
     "steel"),
    ("en", "sheet metal box: laser cut, bend, powder coat", [S(CUTSHEET), S("bending"), S("painting")], "steel"),
    ("en", "plastic housing injection moulded, we need the mould too",
     [S("mold_making"), S("injection_molding")], "plastics"),
    ("en", "blacken steel screws", [S("blackening", "painting")], "steel"),
    ("en", "sew canvas tool bags", [S("sewing", "leather")], "fabric"),
    ("en", "make the aluminium part surface harder and wear resistant", [S("hard_anodizing", "anodizing")],
     "aluminium"),
    ("en", "bright, corrosion-resistant finish on stainless food equipment", [S("electropolishing", "buffing")],
     "stainless"),
    ("en", "control cabinet wiring", [S("control_panel", "wire_harness")], None),
    ("en", "the gear teeth chip and wear, we need them harder at the surface",
     [S(["carburizing", "induction_hardening", "nitriding"], ["quench_hardening", "vacuum_heat"])], "steel"),
    ("en", "vacuum hardening of SKD11 die parts", [S("vacuum_heat", ["quench_hardening"])], "steel"),
    ("en", "tiny brass screws, 50,000 pieces", [S("swiss_turning", "turning")], "brass"),
]


# needs phrased as an outcome rather than a process name (reported as their own slice)
OUTCOME = {
    "S45Cのシャフトの摩耗が早い。表面を硬くしたい", "鉄の部品が錆びるので防錆したい", "ステンレスで継ぎ目のないカップ形状の容器をつくりたい",
    "銅のバスバーが変色しないようにしたい", "ステンレスの天板を鏡面に仕上げたい", "鉄の小ねじを黒くして見た目を揃えたい",
    "アルミ部品の表面を梨地にしたい", "鉄ブロックにφ2×200mmの深い穴をあけたい", "銀色でピカピカのステンレス厨房機器にしたい、錆びにくく",
    "展示会用の什器を木で作りたい", "溶接した架台の歪みが出ないように応力除去をしたい",
    "The steel shaft wears out too fast", "seamless stainless cup", "Make this copper part not tarnish",
    "Prevent rust on mild steel brackets", "Cut a precise punch out of hardened tool steel with a thin wire",
    "grind 10,000 small pins to a tight outer diameter tolerance", "rough matte texture on aluminium parts before anodising",
    "a rubber gasket that seals water", "weld thin stainless sheet without distortion", "a deep narrow hole through a steel block",
    "reduce wear on cutting tools with a thin hard coating", "make the aluminium part surface harder and wear resistant",
    "bright, corrosion-resistant finish on stainless food equipment",
    "the gear teeth chip and wear, we need them harder at the surface", "blacken steel screws",
    "tiny brass screws, 50,000 pieces", "wooden display stand for a shop",
}


def judge(need_steps: list[dict], material: str | None, truth: dict) -> dict[str, int]:
    out = {}
    for fid, t in truth.items():
        procs = set(t["processes"])
        full = [bool(procs & set(s["full"])) for s in need_steps]
        partial = [bool(procs & set(s["partial"])) for s in need_steps]
        if all(full):
            grade = 3 if (material is None or material in t["materials"]) else 2
        elif any(full) or any(partial):
            grade = 1
        else:
            continue
        out[fid] = grade
    return out


def make_needs(truth: dict) -> list[dict]:
    missing = OUTCOME - {t for _, t, _, _ in NEEDS}
    assert not missing, missing
    needs = []
    for i, (lang, text, steps, material) in enumerate(NEEDS, start=1):
        rel = judge(steps, material, truth)
        strong = [fid for fid, g in rel.items() if g >= 2]
        xlang = lang == "en" and bool(strong) and all(truth[f]["lang"] == "ja" for f in strong)
        needs.append(dict(id=f"N{i:03d}", lang=lang, cross_language=xlang, outcome=text in OUTCOME, text=text,
                          steps=steps, material=material, n_strong=len(strong), relevance=rel))
    return needs


# -------------------------------------------------------------------------------------------------- chains
# (steps as a user would type them, acceptable ground-truth codes per step, start (lat, lon))
CHAINS = [
    (["旋盤加工", "焼入れ", "円筒研削", "硬質クロムめっき"],
     [TURN, ["quench_hardening", "vacuum_heat", "induction_hardening", "carburizing"], ["cylindrical_grinding"],
      ["hard_chrome"]], (35.5613, 139.7160)),
    (["turning", "heat treatment", "grinding", "plating"],
     [TURN, HARDEN + ["annealing"], GRIND, ["electroless_nickel", "nickel_plating", "hard_chrome", "zinc_plating",
                                             "precious_plating"]], (35.5800, 139.7300)),
    (["MC加工", "アルマイト"], [MACH, ["anodizing"]], (35.7107, 139.8015)),
    (["レーザー切断", "曲げ", "TIG溶接", "粉体塗装"],
     [["laser_cutting"], ["bending"], ["tig_welding"], ["painting"]], (35.7434, 139.8473)),
    (["へら絞り", "バフ研磨", "無電解ニッケルめっき"],
     [["metal_spinning"], ["buffing"], ["electroless_nickel"]], (35.7107, 139.8015)),
    (["ワイヤーカット", "平面研削", "放電加工"], [["wire_edm"], ["surface_grinding"], ["sinker_edm", "wire_edm"]],
     (35.5613, 139.7160)),
    (["射出成形金型", "射出成形", "シルク印刷", "組立"],
     [["mold_making"], ["injection_molding"], ["screen_printing"], ["mech_assembly"]], (35.7512, 139.7094)),
    (["ＮＣＴ", "ベンダー曲げ", "スポット溶接", "焼付塗装", "組立"],
     [["turret_punching"], ["bending"], ["spot_welding"], ["painting"], ["mech_assembly"]], (35.7750, 139.8046)),
    (["鍛造", "旋盤", "歯切り", "浸炭焼入れ", "円筒研削"],
     [["forging"], TURN, ["gear_cutting"], ["carburizing"], ["cylindrical_grinding"]], (35.6092, 139.7302)),
    (["自動盤", "バレル研磨", "無電解ニッケル"],
     [["swiss_turning"], ["barrel_finishing"], ["electroless_nickel"]], (35.7361, 139.7834)),
    (["基板実装", "ハーネス加工", "組立", "三次元測定"],
     [["smt"], ["wire_harness"], ["mech_assembly"], ["cmm_inspection"]], (35.7512, 139.7094)),
    (["laser cutting", "press brake bending", "powder coating"],
     [["laser_cutting"], ["bending"], ["painting"]], (35.6730, 139.8170)),
    (["die casting", "CNC milling", "shot blasting", "painting"],
     [["die_casting"], MACH, ["blasting"], ["painting"]], (35.7067, 139.8683)),
    (["5軸加工", "ショットブラスト", "硬質アルマイト", "レーザーマーキング"],
     [["five_axis"], ["blasting"], ["hard_anodizing"], ["laser_marking"]], (35.5613, 139.7160)),
    (["砂型鋳造", "MC加工", "焼なまし", "塗装", "組立", "三次元測定", "非破壊検査", "梱包前の刻印"],
     [["sand_casting"], MACH, ["annealing"], ["painting"], ["mech_assembly"], ["cmm_inspection"], ["ndt"],
      ["engraving", "laser_marking"]], (35.7126, 139.7800)),
    (["木工", "漆塗り"], [["woodworking"], ["lacquer"]], (35.7126, 139.7800)),
]


def main() -> None:
    rng = random.Random(SEED)
    factories, truth = make_factories(rng)
    needs = make_needs(truth)
    chains = [dict(id=f"C{i:02d}", steps=s, truth=t, start=list(st)) for i, (s, t, st) in enumerate(CHAINS, 1)]
    DATA.mkdir(parents=True, exist_ok=True)
    dump = dict(ensure_ascii=False, indent=1)
    (DATA / "eval_factories.json").write_text(json.dumps(factories, **dump) + "\n", encoding="utf-8")
    (DATA / "eval_truth.json").write_text(json.dumps(truth, **dump) + "\n", encoding="utf-8")
    (DATA / "eval_needs.json").write_text(json.dumps(needs, **dump) + "\n", encoding="utf-8")
    (DATA / "eval_chains.json").write_text(json.dumps(chains, **dump) + "\n", encoding="utf-8")
    styles: dict[str, int] = {}
    for t in truth.values():
        styles[t["style"]] = styles.get(t["style"], 0) + 1
    print(f"factories={len(factories)} styles={styles}")
    print(f"needs={len(needs)} ja={sum(n['lang'] == 'ja' for n in needs)} en={sum(n['lang'] == 'en' for n in needs)} "
          f"cross_language={sum(n['cross_language'] for n in needs)} outcome={sum(n['outcome'] for n in needs)} "
          f"no_strong={[n['id'] for n in needs if n['n_strong'] == 0]}")
    print(f"chains={len(chains)}")


if __name__ == "__main__":
    main()

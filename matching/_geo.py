"""Tokyo's 23 special wards (and a few Tama cities), ward name normalisation and distances."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import NamedTuple


class Ward(NamedTuple):
    key: str
    name_ja: str
    name_en: str
    lat: float
    lon: float
    kana: str = ""


_WARD_ROWS = (
    ("chiyoda", "千代田区", "Chiyoda", 35.6940, 139.7536, "ちよだ"),
    ("chuo", "中央区", "Chuo", 35.6706, 139.7720, "ちゅうおう"),
    ("minato", "港区", "Minato", 35.6581, 139.7516, "みなと"),
    ("shinjuku", "新宿区", "Shinjuku", 35.6938, 139.7036, "しんじゅく"),
    ("bunkyo", "文京区", "Bunkyo", 35.7081, 139.7524, "ぶんきょう"),
    ("taito", "台東区", "Taito", 35.7126, 139.7800, "たいとう"),
    ("sumida", "墨田区", "Sumida", 35.7107, 139.8015, "すみだ"),
    ("koto", "江東区", "Koto", 35.6730, 139.8171, "こうとう"),
    ("shinagawa", "品川区", "Shinagawa", 35.6092, 139.7302, "しながわ"),
    ("meguro", "目黒区", "Meguro", 35.6414, 139.6982, "めぐろ"),
    ("ota", "大田区", "Ota", 35.5613, 139.7160, "おおた"),
    ("setagaya", "世田谷区", "Setagaya", 35.6464, 139.6533, "せたがや"),
    ("shibuya", "渋谷区", "Shibuya", 35.6640, 139.6982, "しぶや"),
    ("nakano", "中野区", "Nakano", 35.7074, 139.6637, "なかの"),
    ("suginami", "杉並区", "Suginami", 35.6995, 139.6364, "すぎなみ"),
    ("toshima", "豊島区", "Toshima", 35.7263, 139.7166, "としま"),
    ("kita", "北区", "Kita", 35.7528, 139.7337, "きた"),
    ("arakawa", "荒川区", "Arakawa", 35.7361, 139.7834, "あらかわ"),
    ("itabashi", "板橋区", "Itabashi", 35.7512, 139.7093, "いたばし"),
    ("nerima", "練馬区", "Nerima", 35.7356, 139.6517, "ねりま"),
    ("adachi", "足立区", "Adachi", 35.7750, 139.8045, "あだち"),
    ("katsushika", "葛飾区", "Katsushika", 35.7436, 139.8473, "かつしか"),
    ("edogawa", "江戸川区", "Edogawa", 35.7067, 139.8683, "えどがわ"),
    ("hachioji", "八王子市", "Hachioji", 35.6664, 139.3160, "はちおうじ"),
    ("tachikawa", "立川市", "Tachikawa", 35.6939, 139.4077, "たちかわ"),
    ("musashino", "武蔵野市", "Musashino", 35.7178, 139.5661, "むさしの"),
    ("mitaka", "三鷹市", "Mitaka", 35.6836, 139.5595, "みたか"),
    ("fuchu", "府中市", "Fuchu", 35.6689, 139.4776, "ふちゅう"),
    ("chofu", "調布市", "Chofu", 35.6506, 139.5407, "ちょうふ"),
    ("machida", "町田市", "Machida", 35.5484, 139.4386, "まちだ"),
)

WARDS: dict[str, Ward] = {r[0]: Ward(*r) for r in _WARD_ROWS}


def _latin_key(text: str) -> str:
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"[^a-z]", "", s)
    for suffix in ("specialward", "ward", "city", "shi", "ku"):
        if s.endswith(suffix) and s[: -len(suffix)] in _LATIN:
            return s[: -len(suffix)]
    return s


def _latin_variants(name: str) -> set[str]:
    base = name.lower()
    out = {base}
    # long vowels: Ōta = Ohta = Oota = Ota; Kōtō = Koutou = Koto; Chūō = Chuuou = Chuo
    out.add(base.replace("o", "oh", 1))
    out.add(base.replace("o", "oo", 1))
    out.add(base.replace("o", "ou"))
    out.add(base.replace("u", "uu"))
    out.add(base.replace("uo", "uuou"))
    out.add(base.replace("yo", "you"))
    return out


_LATIN: dict[str, str] = {}
_JA: dict[str, str] = {}
for _w in WARDS.values():
    for _v in _latin_variants(_w.name_en):
        _LATIN.setdefault(_v, _w.key)
    _JA[_w.name_ja] = _w.key
    _JA[_w.name_ja[:-1]] = _w.key
    _JA[_w.kana] = _w.key
    _JA[_w.kana + ("し" if _w.name_ja.endswith("市") else "く")] = _w.key
_LATIN["ohta"] = "ota"
_LATIN["oota"] = "ota"


def normalise_ward(text: str | None) -> str | None:
    """Canonical ward key ("ota") from "大田区", "Ota", "Ota-ku", "ota ku", "Ōta City", "おおたく", an address
    containing the ward ("東京都大田区蒲田…"), or the key itself. ``None`` when unknown."""
    if not text or not isinstance(text, str):
        return None
    raw = unicodedata.normalize("NFKC", text[:300]).strip()
    if not raw:
        return None
    compact = re.sub(r"[\s\u3000]", "", raw).removeprefix("東京都")
    if compact in _JA:
        return _JA[compact]
    low = compact.lower()
    if low in WARDS:
        return low
    lk = _latin_key(raw)
    if lk in _LATIN:
        return _LATIN[lk]
    # an address: the first ward name followed by 区/市 wins
    best: tuple[int, str] | None = None
    for w in WARDS.values():
        i = compact.find(w.name_ja)
        if i >= 0 and (best is None or i < best[0]):
            best = (i, w.key)
    if best:
        return best[1]
    for word in re.findall(r"[a-z]+", unicodedata.normalize("NFKD", raw).lower()):
        w = word.removesuffix("ku") if word.removesuffix("ku") in _LATIN else word
        if w in _LATIN:
            return _LATIN[w]
    return None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))

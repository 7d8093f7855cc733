"""The free-text check catches the usual ways of writing a factory's name, address, phone, e-mail, web address and
coordinates so that a filter does not see them (each of these passed the old check), and still lets ordinary trade
prose through."""

from __future__ import annotations

import pytest

from hub.succession import anonymity

FACTORY = {"names": ["秘密精機製作所", "Himitsu Precision Works", "秘密精機製作所"],
           "address": "東京都大田区東糀谷3-14-7", "ward": "ota", "people": ["秘密 太郎"],
           "website": "https://himitsu-seiki.example.jp"}
FOUNDRY = {"names": ["京島鋳物所", "Kyojima Foundry"], "address": "東京都墨田区京島3-41-2", "ward": "sumida"}


def _kinds(text: str, factory: dict = FACTORY) -> set[str]:
    return {f.kind for f in anonymity.find({"description": text}, **factory)}


@pytest.mark.parametrize("text, kind", [
    # names split, in kana, romanised, in other spellings
    ("秘密・精機の工場です", "name"),
    ("秘-密-精-機", "name"),
    ("秘 密 精 機", "name"),
    ("ヒミツ精機と申します", "name"),
    ("ひみつせいきです", "name"),
    ("ﾋﾐﾂｾｲｷ", "name"),
    ("Himitsu Seiki Seisakusho", "name"),
    ("HI-MI-TSU precision", "name"),
    ("H i m i t s u", "name"),
    # the foundry: its core in kana and in romaji with long vowels written in several ways
    ("きょうじま鋳物の技術", "name"),
    ("Kyōjima casting", "name"),
    ("Kyoujima casting", "name"),
    ("KYO-JIMA", "name"),
    # addresses: the town in kana, kanji numerals, block numbers written out
    ("ひがしこうじや三丁目十四番七号", "address"),
    ("東糀谷三丁目十四番七号", "address"),
    ("ヒガシコウジヤにあります", "address"),
    ("Higashi-Kojiya 3", "address"),
    ("三ー十四ー七の角", "address"),
    # phone numbers with dots, spaces, brackets, full-width or kanji digits, country code
    ("03.3741.2958", "phone"),
    ("03 3741 2958", "phone"),
    ("(03) 3741-2958", "phone"),
    ("０３　３７４１　２９５８", "phone"),
    ("〇三-三七四一-二九五八", "phone"),
    ("+81 3 3741 2958", "phone"),
    ("電話 090・1234・5678", "phone"),
    # e-mail written to dodge a filter
    ("info (at) example (dot) jp", "email"),
    ("info[at]example[dot]co[dot]jp", "email"),
    ("info at example dot jp", "email"),
    ("info＠example．jp", "email"),
    ("info アットマーク example.jp", "email"),
    # coordinates in degrees and minutes, or with the word for latitude
    ("35°33′04″N 139°44′44″E", "coordinates"),
    ("北緯35度33分 東経139度44分", "coordinates"),
    ("北緯三十五度三十三分", "coordinates"),
    ("N35 33.07 E139 44.74", "coordinates"),
    ("lat: 35.55, lon: 139.74", "coordinates"),
    # the web site's own domain, spelled out or without dots
    ("himitsu-seiki (dot) example (dot) jp", "url"),
    ("「himitsuseiki」で検索してください", "url"),
    # members' names, split, in kana or romanised
    ("代表の秘密・太郎が", "person"),
    ("ヒミツ タロウ", "person"),
    ("Taro Himitsu の工場", "name"),
    ("Himitsu Taro", "person"),
])
def test_evasions_are_caught(app, text, kind):
    with app.app_context():
        factory = FOUNDRY if "jima" in text.lower() or "きょうじま" in text else FACTORY
        assert kind in _kinds(text, factory), text


@pytest.mark.parametrize("text", [
    "精密研削の工場。取引先は30社、平面度2μm。創業から50年以上。",
    "平面研削盤 600mm、円筒研削盤（振り350mm）",
    "一貫生産で対応します。月1,000個から。",
    "2019年から2021年にかけて設備を更新しました。",
    "電話やメールでのお問い合わせは事務局経由でお願いします。",
    "We can grind at the factory, at tolerances of 0.002 mm.",
    "焼入れ後の部品の研削。三次元測定機で全数検査。",
    "大田区の町工場です。",
])
def test_ordinary_prose_passes(app, text):
    with app.app_context():
        assert not {k for k in _kinds(text) if k in anonymity.HARD}, text


def test_normalisation_helpers():
    assert anonymity.numeric("三丁目十四番七号") == "3-14-7号"
    assert anonymity.numeric("〇三-一二三四") == "03-1234"
    assert anonymity.compact("秘密・精機 ＫＫ") == "秘密精機kk"
    assert anonymity.fold_roman("Kyōjima") == anonymity.fold_roman("Kyoujima") == "kyojima"
    assert anonymity.deobfuscate("info (at) example (dot) jp") == "info@example.jp"

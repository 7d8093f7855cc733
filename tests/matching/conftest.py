"""Fixtures for the matching library tests: a small hand-written cluster, no app, no database."""

from __future__ import annotations

import pytest

from matching import FactoryProfile, MatchIndex, Normaliser

PROFILES = (
    FactoryProfile(
        1,
        "墨田精機",
        ward="sumida",
        lat=35.710,
        lon=139.801,
        processes=("MC加工", "ＮＣフライス"),
        materials=("A5052", "ＳＵＳ３０４"),
    ),
    FactoryProfile(
        2, "大田アルマイト", ward="ota", lat=35.561, lon=139.716, processes=("硬質アルマイト",)
    ),
    FactoryProfile(
        3,
        "蒲田工業",
        ward="ota",
        lat=35.562,
        lon=139.716,
        description="マシニングセンタによる切削加工と自社のアルマイト処理まで一貫対応。アルミ筐体が得意です。",
    ),
    FactoryProfile(
        4,
        "羽田熱処理",
        ward="ota",
        lat=35.575,
        lon=139.735,
        processes=("焼入れ・焼戻し", "高周波焼入れ", "浸炭"),
    ),
    FactoryProfile(
        5,
        "葛飾へら絞り",
        ward="katsushika",
        lat=35.744,
        lon=139.847,
        processes=("ヘラ絞り",),
        materials=("ステンレス", "銅"),
    ),
    FactoryProfile(
        6,
        "押上めっき",
        ward="sumida",
        lat=35.706,
        lon=139.813,
        processes=("メッキ全般", "無電解ニッケル"),
    ),
    FactoryProfile(
        7,
        "糀谷旋盤",
        ward="ota",
        lat=35.553,
        lon=139.705,
        processes=("NC旋盤", "複合旋盤"),
        materials=("S45C", "C3604"),
    ),
    FactoryProfile(
        8,
        "Tokyo Precision Grinding",
        ward="Ota-ku",
        lat=35.570,
        lon=139.720,
        description="We do cylindrical and surface grinding of hardened steel parts.",
    ),
    FactoryProfile(
        9, "亀戸ガラス", ward="koto", description="江戸切子の工房です。ぐい呑み、ロックグラスの製作。"
    ),
)


@pytest.fixture(scope="session")
def normaliser() -> Normaliser:
    return Normaliser.default()


@pytest.fixture(scope="session")
def index() -> MatchIndex:
    return MatchIndex.build(PROFILES)

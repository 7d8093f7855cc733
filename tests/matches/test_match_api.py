"""POST /api/v1/match/factories and /api/v1/match/chain per the contract, with hostile input."""

from __future__ import annotations

import pytest


@pytest.fixture
def cluster(make_factory):
    """A small hand-made cluster in Ota and Sumida (coordinates in the right wards)."""
    return {
        "mill": make_factory(name="蒲田切削", ward="ota", lat=35.5620, lon=139.7160, processes=["MC加工"],
                             materials=["A5052"]),
        "anodise": make_factory(name="糀谷アルマイト", ward="ota", lat=35.5530, lon=139.7370,
                                processes=["硬質アルマイト", "白アルマイト"]),
        "both": make_factory(name="大森一貫工場", ward="ota", lat=35.5880, lon=139.7280,
                             description="マシニングによる切削からアルマイト処理まで社内で一貫対応します。"),
        "lathe": make_factory(name="六郷旋盤", ward="ota", lat=35.5450, lon=139.7100, processes=["NC旋盤"],
                              materials=["S45C"]),
        "heat": make_factory(name="羽田熱処理", ward="ota", lat=35.5500, lon=139.7500, processes=["高周波焼入れ"]),
        "grind": make_factory(name="糀谷研削", ward="ota", lat=35.5560, lon=139.7330, processes=["円筒研削"]),
        "plate": make_factory(name="墨田鍍金", ward="sumida", lat=35.7100, lon=139.8100,
                              processes=["無電解ニッケルめっき"]),
    }


def test_match_contract_shape_and_full_coverage_first(client, cluster):
    response = client.post("/api/v1/match/factories", json={
        "text": "IoTセンサーのアルミ筐体を20個試作、切削のあと黒アルマイト", "ward": "Ota", "limit": 5})
    assert response.status_code == 200
    body = response.get_json()
    codes = {p["code"] for p in body["query"]["processes"]}
    assert "milling" in codes and "anodizing" in codes
    assert all({"code", "label", "confidence", "matched"} <= set(p) for p in body["query"]["processes"])
    assert all(p["matched"] for p in body["query"]["processes"])
    results = body["results"]
    assert {"id", "external_id", "name", "ward", "score", "covers", "missing", "reasons"} <= set(results[0])
    assert results[0]["id"] == cluster["both"] and results[0]["missing"] == []
    assert all(0 <= r["score"] <= 1 for r in results)
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


def test_english_need_finds_japanese_only_profiles(client, cluster):
    body = client.post("/api/v1/match/factories?lang=en", json={
        "text": "We need 200 steel shafts turned on a lathe and then induction hardened"}).get_json()
    ids = [r["id"] for r in body["results"][:3]]
    assert cluster["lathe"] in ids and cluster["heat"] in ids
    lathe = next(r for r in body["results"] if r["id"] == cluster["lathe"])
    assert any("NC旋盤" in reason for reason in lathe["reasons"])  # the reason names the factory's own words


def test_outcome_phrase_resolves_to_processes(client, cluster):
    body = client.post("/api/v1/match/factories", json={"text": "the steel shaft wears out too fast"}).get_json()
    assert body["results"] and body["results"][0]["id"] == cluster["heat"]


def test_unknown_words_are_reported_not_fatal(client, cluster):
    body = client.post("/api/v1/match/factories", json={"processes": ["ふにゃふにゃ加工"]}).get_json()
    assert "ふにゃふにゃ加工" in body["query"]["unresolved"]


@pytest.mark.parametrize("payload, field", [
    ({}, "text"),
    ({"text": ""}, "text"),
    ({"text": 5}, "text"),
    ({"text": "x", "limit": 0}, "limit"),
    ({"text": "x", "limit": 101}, "limit"),
    ({"text": "x", "limit": "10"}, "limit"),
    ({"text": "x", "processes": "MC"}, "processes"),
    ({"text": "x", "near": {"lat": "a", "lon": 1}}, "lat"),
    ({"text": "x", "near": [35, 139]}, "near"),
    ({"text": "x", "ward": "Gotham"}, "ward"),
    ({"text": "x", "quantity": -1}, "quantity"),
    ({"text": "x" * 1_048_577}, "text"),
])
def test_match_validation_errors(client, payload, field):
    response = client.post("/api/v1/match/factories", json=payload)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_one_megabyte_of_text_is_answered(client, cluster):
    text = ("切削とアルマイト。" * 120_000)[:1_000_000]
    response = client.post("/api/v1/match/factories", json={"text": text})
    assert response.status_code == 200 and response.get_json()["results"]


def test_chain_routes_through_factories_that_do_each_step(client, cluster):
    response = client.post("/api/v1/match/chain", json={
        "steps": ["NC旋盤", "焼入れ", "研削", "無電解ニッケルめっき"], "start": {"lat": 35.5620, "lon": 139.7160}})
    assert response.status_code == 200
    body = response.get_json()
    chosen = [s["factory"]["id"] for s in body["steps"]]
    assert chosen == [cluster["lathe"], cluster["heat"], cluster["grind"], cluster["plate"]]
    assert body["steps"][0]["process"]["code"] == "turning"
    assert body["total_km"] > 15  # the plating shop is in Sumida


def test_chain_by_ward_and_unresolved_step(client, cluster):
    payload = {"steps": ["MC加工", "ふにゃふにゃ加工"], "ward": "大田区"}
    body = client.post("/api/v1/match/chain", json=payload).get_json()
    assert body["steps"][0]["factory"]["id"] in (cluster["mill"], cluster["both"])
    assert body["steps"][1]["process"] is None and body["steps"][1]["factory"] is None


@pytest.mark.parametrize("payload", [
    {"steps": []}, {"steps": ["旋盤"] * 13}, {"steps": "旋盤"}, {"steps": [1, 2]}, {"steps": [""]},
    {"steps": ["x" * 201]}, {"steps": ["旋盤"], "start": {"lat": 91, "lon": 0}}, {"steps": ["旋盤"], "ward": "Nowhere"},
])
def test_chain_validation(client, payload):
    response = client.post("/api/v1/match/chain", json=payload)
    assert response.status_code == 400 and response.get_json()["error"]["fields"]


def test_match_endpoints_are_rate_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_MATCH="2 per minute")
    client = limited.test_client()
    codes = [client.post("/api/v1/match/factories", json={"text": "旋盤"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]

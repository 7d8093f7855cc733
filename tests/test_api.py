"""The directory API, tokens, the error shape and the OpenAPI document."""

from __future__ import annotations

import pytest

from hub.api.openapi import full_document
from tests.conftest import PASSWORD


def test_token_exchange(client, make_user):
    make_user(email="api@example.jp", role="organiser")
    ok = client.post("/api/v1/auth/token", json={"email": "api@example.jp", "password": PASSWORD})
    assert ok.status_code == 200 and len(ok.get_json()["token"]) > 30
    bad = client.post("/api/v1/auth/token", json={"email": "api@example.jp", "password": "wrong one"})
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "invalid_credentials"
    missing = client.post("/api/v1/auth/token", json={"email": "api@example.jp"})
    assert missing.status_code == 400 and "password" in missing.get_json()["error"]["fields"]


def test_bad_tokens_are_401(client, make_factory):
    factory = make_factory()
    for header in ("Bearer nope", "Basic abc", "Bearer ", "Bearer " + "x" * 500):
        response = client.patch(f"/api/v1/factories/{factory}", json={}, headers={"Authorization": header})
        assert response.status_code == 401
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}


def test_directory_lists_with_codes_and_labels(client, make_factory):
    make_factory(name="蒲田旋盤", ward="ota", processes=["ＮＣ旋盤"], materials=["ＳＵＳ３０４"])
    make_factory(name="墨田板金", ward="sumida", processes=["NCT", "曲げ"])
    body = client.get("/api/v1/factories").get_json()
    assert body["total"] == 2 and body["page"] == 1
    lathe = next(f for f in body["factories"] if f["name"] == "蒲田旋盤")
    assert {"id", "external_id", "name", "ward", "processes"} <= set(lathe)
    assert lathe["processes"][0]["code"] == "turning" and lathe["processes"][0]["label"]
    assert lathe["ward"] == "ota"
    by_ward = client.get("/api/v1/factories?ward=墨田区").get_json()
    assert [f["name"] for f in by_ward["factories"]] == ["墨田板金"]
    by_ward_en = client.get("/api/v1/factories?ward=Sumida-ku").get_json()
    assert by_ward_en["total"] == 1
    by_alias = client.get("/api/v1/factories?process=旋盤").get_json()
    assert [f["name"] for f in by_alias["factories"]] == ["蒲田旋盤"]
    english = client.get("/api/v1/factories?lang=en").get_json()
    labels = {p["label"] for f in english["factories"] for p in f["processes"]}
    assert "Turning" in labels or "CNC turning" in labels or any("urn" in label for label in labels)


def test_directory_pagination_bounds(client, make_factory):
    for i in range(5):
        make_factory(name=f"工場{i}")
    page = client.get("/api/v1/factories?per_page=2&page=3").get_json()
    assert page["total"] == 5 and len(page["factories"]) == 1
    assert client.get("/api/v1/factories?per_page=1000").status_code == 200
    for query in ("per_page=1001", "per_page=0", "page=0", "page=abc", "per_page=1e9"):
        response = client.get(f"/api/v1/factories?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["error"]["fields"]


def test_unknown_factory_is_json_404(client):
    response = client.get("/api/v1/factories/999999")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/nope").get_json()["error"]["code"] == "not_found"


def test_openapi_describes_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    described = {(path, method) for path, ops in doc["paths"].items() for method in ops if method != "parameters"}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule[len("/api/v1"):]
        for converter in ("int:", "string:", "path:"):
            path = path.replace("<" + converter, "{").replace("<", "{")
        path = path.replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in described, f"{method} {path} is not in openapi.json"
    assert full_document()["paths"]


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"),
    (b"[1, 2, 3]", "application/json"),
    (b'"just a string"', "application/json"),
    (b"email=a&password=b", "application/x-www-form-urlencoded"),
    (b"\xff\xfe\x00garbage", "application/json"),
])
def test_malformed_bodies_are_4xx_json(client, body, content_type):
    response = client.post("/api/v1/auth/token", data=body, content_type=content_type)
    assert 400 <= response.status_code < 500
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("payload", [
    {"email": 123, "password": []},
    {"email": "a" * 10_000, "password": "x"},
    {"email": None, "password": None},
    {"email": "<script>alert(1)</script>", "password": "<script>"},
    {"email": "a@b.c\u0000", "password": "x"},
    {f"k{i}": i for i in range(200)},
])
def test_hostile_token_requests(client, payload):
    response = client.post("/api/v1/auth/token", json=payload)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("payload", [
    {"name": ""}, {"name": 5}, {"name": "x" * 201}, {"lat": "north"}, {"lat": 35.5}, {"lat": float("inf"), "lon": 1},
    {"employees": -1}, {"employees": 10**20}, {"employees": True}, {"processes": "MC加工"}, {"processes": [1, 2]},
    {"processes": ["x"] * 101}, {"ward": "Atlantis"}, {"successor_status": "sold"}, {"unknown_field": 1},
    {"description": "x" * 20001}, {"founded": "1968"},
])
def test_hostile_profile_updates_are_400(client, api_token, make_factory, payload):
    factory = make_factory()
    _, headers = api_token("factory", factory=factory)
    response = client.patch(f"/api/v1/factories/{factory}", json=payload, headers=headers)
    assert response.status_code == 400, (payload, response.get_json())
    assert response.get_json()["error"]["code"] in ("validation_failed", "invalid_json")


def test_script_tags_are_stored_as_text_and_escaped(client, api_token, make_factory):
    factory = make_factory()
    _, headers = api_token("factory", factory=factory)
    script = "<script>alert('x')</script>"
    assert client.patch(f"/api/v1/factories/{factory}", json={"description": script},
                        headers=headers).status_code == 200
    page = client.get(f"/factories/{factory}").get_data(as_text=True)
    assert script not in page and "&lt;script&gt;" in page


def test_public_api_is_rate_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_API="3 per minute")
    client = limited.test_client()
    codes = [client.get("/api/v1/factories").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert client.get("/api/v1/factories").get_json()["error"]["code"] == "rate_limited"

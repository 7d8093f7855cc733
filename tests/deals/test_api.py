"""The deals API: the same rules as the pages, clear 4xx on bad input, rate limits, and the OpenAPI document."""

from __future__ import annotations

import io
import re

from hub.extensions import db
from tests.conftest import PASSWORD
from tests.deals.conftest import PDF, fetch


def _headers(client, app, user_id):
    from hub.auth.models import User

    with app.app_context():
        email = db.session.get(User, user_id).email
    token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_api_journey(app, client, world):
    from hub.deals.kpis import indicators

    seeker = _headers(client, app, world.seeker)
    factory = _headers(client, app, world.factory_user)
    created = client.post("/api/v1/deals/inquiries", headers=seeker, json={
        "factory_id": world.factory, "need_id": world.need, "message": "APIから", "quantity": 20})
    assert created.status_code == 201, created.get_json()
    deal = created.get_json()
    deal_id, step_id = deal["id"], deal["steps"][0]["id"]
    assert deal["side"] == "requester" and deal["steps"][0]["status"] == "requested"
    # Timestamps are UTC in ISO 8601 to the second with a "Z", as in every other API (events, tokens).
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", deal["created_at"]), deal["created_at"]
    assert deal["closed_at"] is None
    received = client.get("/api/v1/deals?box=received", headers=factory).get_json()
    assert [d["id"] for d in received["deals"]] == [deal_id]
    notes = client.get("/api/v1/deals/notifications?unread=1", headers=factory).get_json()
    assert notes["unread"] == 1 and notes["notifications"][0]["kind"] == "inquiry"
    # Only the factory answers; a decline needs a reason.
    assert client.post(f"/api/v1/deals/{deal_id}/steps/{step_id}/answer", headers=seeker,
                       json={"accept": True}).status_code == 403
    no_reason = client.post(f"/api/v1/deals/{deal_id}/steps/{step_id}/answer", headers=factory,
                            json={"accept": False})
    assert no_reason.status_code == 400 and "reason" in no_reason.get_json()["error"]["fields"]
    ok = client.post(f"/api/v1/deals/{deal_id}/steps/{step_id}/answer", headers=factory, json={"accept": True})
    assert ok.status_code == 200 and ok.get_json()["steps"][0]["status"] == "accepted"
    again = client.post(f"/api/v1/deals/{deal_id}/steps/{step_id}/answer", headers=factory, json={"accept": True})
    assert again.status_code == 409
    # Messages, JSON and multipart with a file.
    posted = client.post(f"/api/v1/deals/{deal_id}/messages", headers=seeker, json={"body": "よろしく"})
    assert posted.status_code == 201
    upload = client.post(f"/api/v1/deals/{deal_id}/messages", headers=factory,
                         content_type="multipart/form-data",
                         data={"body": "図面です", "files": (io.BytesIO(PDF), "plan.pdf")})
    assert upload.status_code == 201
    url = upload.get_json()["attachments"][0]["url"]
    assert fetch(client, url, headers=seeker) == (200, PDF)
    thread = client.get(f"/api/v1/deals/{deal_id}/messages", headers=seeker).get_json()["messages"]
    assert [m["body"] for m in thread if not m["is_event"]] == ["よろしく", "図面です"]
    # Steps move, the deal closes, both sides rate.
    for status in ("in_progress", "delivered"):
        assert client.post(f"/api/v1/deals/{deal_id}/steps/{step_id}/status", headers=factory,
                           json={"status": status}).status_code == 200
    assert client.post(f"/api/v1/deals/{deal_id}/steps/{step_id}/status", headers=factory,
                       json={"status": "requested"}).status_code == 409
    closed = client.post(f"/api/v1/deals/{deal_id}/close", headers=factory, json={"outcome": "joint_order"})
    assert closed.status_code == 200 and closed.get_json()["outcome"] == "joint_order"
    assert closed.get_json()["closed_at"].endswith("Z")
    with app.app_context():
        assert indicators(int(closed.get_json()["closed_at"][:4]))["joint_projects_formed"] == 1
    targets = client.get(f"/api/v1/deals/{deal_id}", headers=seeker).get_json()["rating_targets"]
    assert targets == [{"key": f"f:{world.factory}", "name": "蒲田精密", "done": False}]
    rated = client.post(f"/api/v1/deals/{deal_id}/ratings", headers=seeker, json={
        "target": f"f:{world.factory}", "quality": 5, "delivery": 5, "communication": 4})
    assert rated.status_code == 201
    assert client.post(f"/api/v1/deals/{deal_id}/ratings", headers=factory, json={
        "target": f"u:{world.seeker}", "quality": 4, "delivery": 4, "communication": 4}).status_code == 201
    assert client.post(f"/api/v1/deals/{deal_id}/ratings", headers=factory, json={
        "target": f"u:{world.seeker}", "quality": 4, "delivery": 4, "communication": 4}).status_code == 409
    assert client.post(f"/api/v1/deals/{deal_id}/messages", headers=seeker, json={"body": "x"}).status_code == 403


def test_api_rejects_bad_input_without_5xx(app, client, world):
    seeker = _headers(client, app, world.seeker)
    cases = [
        {}, {"factory_id": "1", "message": "x"}, {"factory_id": world.factory},
        {"factory_id": world.factory, "message": "x" * 5001}, {"factory_id": world.factory, "message": 5},
        {"factory_id": world.factory, "message": "x", "quantity": 0},
        {"factory_id": world.factory, "message": "x", "quantity": True},
        {"factory_id": world.factory, "message": "x", "due_date": "tomorrow"},
        {"factory_id": world.factory, "message": "x", "due_date": "2001-01-01"},
        {"factory_id": world.factory, "message": "x", "need_id": 99999999},
        {"factory_id": 99999999, "message": "x"}, {"factory_id": 2**40, "message": "x"},
        {"factory_id": world.factory, "message": "x\u0000"},
        {"factory_id": world.other_factory, "message": "x", "from_factory_id": world.factory, "process": "anodizing"},
    ]
    for body in cases:
        response = client.post("/api/v1/deals/inquiries", headers=seeker, json=body)
        assert 400 <= response.status_code < 500, (body, response.status_code)
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    for raw, ctype in ((b"{not json", "application/json"), (b"[]", "application/json"), (b"x", "text/plain")):
        response = client.post("/api/v1/deals/inquiries", headers=seeker, data=raw, content_type=ctype)
        assert response.status_code in (400, 415)
    for body in ({"steps": "x", "message": "m"}, {"steps": [], "message": "m"}, {"steps": [1], "message": "m"},
                 {"steps": [{"factory_id": world.factory}] * 13, "message": "m"},
                 {"steps": [{"factory_id": world.factory, "process": "nonsense"}], "message": "m"}):
        response = client.post("/api/v1/deals/chains", headers=seeker, json=body)
        assert 400 <= response.status_code < 500, body
    for query in ("box=x", "status=x", "page=0", "per_page=1000", "page=abc"):
        assert client.get(f"/api/v1/deals?{query}", headers=seeker).status_code == 400, query
    assert client.get("/api/v1/deals").status_code == 401
    assert client.post("/api/v1/deals/inquiries", json={}).status_code == 401
    assert client.post("/api/v1/deals/inquiries", headers=_headers(client, app, world.successor),
                       json={"factory_id": world.factory, "message": "x"}).status_code == 403


def test_api_chain(app, client, world):
    seeker = _headers(client, app, world.seeker)
    response = client.post("/api/v1/deals/chains", headers=seeker, json={
        "need_id": world.need, "message": "二工程お願いします",
        "steps": [{"factory_id": world.factory, "process": "milling", "input": "切削"},
                  {"factory_id": world.other_factory, "process": "anodizing", "input": "黒アルマイト"}]})
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "chain" and [s["process"]["code"] for s in body["steps"]] == ["milling", "anodizing"]


def test_inquiries_are_rate_limited_per_person(make_app, world, fast_user):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEALS_INQUIRY="2 per hour")
    client = app.test_client()
    with app.app_context():
        from hub.auth.models import User

        email = db.session.get(User, world.seeker).email
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    statuses = [client.post(f"/deals/inquiries/new?factory={f}", data={"message": "お願いします"}).status_code
                for f in (world.factory, world.other_factory, world.factory)]
    assert statuses == [302, 302, 429]
    # The same budget applies through the API, and reading is not limited.
    token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}).get_json()["token"]
    api = client.post("/api/v1/deals/inquiries", headers={"Authorization": f"Bearer {token}"},
                      json={"factory_id": world.factory, "message": "x"})
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "rate_limited"
    assert client.get(f"/deals/inquiries/new?factory={world.factory}").status_code == 200
    # Another person has their own budget.
    other = app.test_client()
    with app.app_context():
        other_email = db.session.get(User, world.stranger).email
    other.post("/auth/login", data={"email": other_email, "password": PASSWORD})
    assert other.post(f"/deals/inquiries/new?factory={world.factory}", data={"message": "x"}).status_code == 302


def test_openapi_lists_the_deals_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in ("/deals", "/deals/inquiries", "/deals/chains", "/deals/{deal_id}", "/deals/{deal_id}/messages",
                 "/deals/{deal_id}/attachments/{attachment_id}", "/deals/{deal_id}/close",
                 "/deals/{deal_id}/ratings", "/deals/notifications"):
        assert path in doc["paths"], path
    assert "Deal" in doc["components"]["schemas"]

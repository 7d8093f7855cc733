"""The quotes API: the same path as the pages through /api/v1, its errors, and its OpenAPI description."""

from __future__ import annotations

import pytest

from hub.extensions import db
from tests.conftest import PASSWORD
from tests.quotes.conftest import quote_body


@pytest.fixture
def token(app, client):
    def issue(user_id: int) -> dict:
        from hub.auth.models import User

        with app.app_context():
            email = db.session.get(User, user_id).email
        response = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return issue


def test_request_quote_compare_accept_acknowledge_deliver(app, client, world, make_factory, fast_user, token):
    third = make_factory(name="大森研削", processes=["平面研削"])
    third_member = fast_user("factory", factory=third)
    seeker = token(world.seeker)
    response = client.post("/api/v1/quote-requests", headers=seeker, json={
        "need_id": world.need, "factory_ids": [world.factory, world.other_factory, third],
        "message": "見積をお願いします"})
    assert response.status_code == 201, response.get_json()
    rfq = response.get_json()
    steps = {s["factory"]["id"]: s["step_id"] for s in rfq["steps"]}
    assert len(steps) == 3

    members = {world.factory: world.factory_user, world.other_factory: world.other_factory_user, third: third_member}
    for (factory_id, member), price in zip(members.items(), ("1200", 1000, "1100.5"), strict=True):
        response = client.post(f"/api/v1/quotes/steps/{steps[factory_id]}", headers=token(member),
                               json=quote_body(price=price))
        assert response.status_code == 201, response.get_json()
    quote = response.get_json()  # the third: 50 × 1,100.5 = 55,025 + 15,000 = 70,025; tax 7,002 (rounded down)
    assert (quote["subtotal"], quote["tax"], quote["total"]) == (70025, 7002, 77027)
    assert quote["lines"][0]["unit_price"] == "1100.50" and quote["number"].startswith("Q")

    comparison = client.get(f"/api/v1/quote-requests/{rfq['id']}", headers=seeker).get_json()
    assert [o["quote"]["total"] for o in comparison["offers"]] == [71500, 77027, 82500]
    assert all(o["due_date"] for o in comparison["offers"])
    cheapest = comparison["offers"][0]["quote"]["id"]

    assert client.post(f"/api/v1/quotes/{cheapest}/accept", headers=token(world.factory_user)).status_code in (403,
                                                                                                               404)
    response = client.post(f"/api/v1/quotes/{cheapest}/accept", headers=seeker)
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert order["status"] == "issued" and order["number"].startswith("PO") and order["total"] == 71500
    again = client.post(f"/api/v1/quotes/{cheapest}/accept", headers=seeker)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"

    factory = token(world.other_factory_user)  # 1,000 yen a piece came from the other factory
    assert client.post(f"/api/v1/orders/{order['id']}/acknowledge", headers=seeker).status_code == 403
    assert client.post(f"/api/v1/orders/{order['id']}/acknowledge", headers=factory).get_json()["acknowledged"]
    assert client.post(f"/api/v1/orders/{order['id']}/deliver", headers=factory).get_json()["status"] == "delivered"
    assert client.get(f"/api/v1/orders/{order['id']}", headers=token(world.factory_user)).status_code == 404
    statuses = [q["status"] for o in client.get(f"/api/v1/quote-requests/{rfq['id']}", headers=seeker)
                .get_json()["offers"] for q in [o["quote"]]]
    assert sorted(statuses) == ["accepted", "not_chosen", "not_chosen"]


def test_revisions_stay_visible_and_numbers_follow(client, world, asked, token):
    a = asked.factories[0]
    member = token(asked.members[a])
    first = client.post(f"/api/v1/quotes/steps/{asked.steps[a]}", headers=member, json=quote_body()).get_json()
    second = client.post(f"/api/v1/quotes/steps/{asked.steps[a]}", headers=member,
                         json=quote_body(price="1150", rounding="half_up")).get_json()
    assert second["number"] == f"{first['number']}-R2" and second["revision"] == 2
    listing = client.get(f"/api/v1/quotes/steps/{asked.steps[a]}", headers=token(world.seeker)).get_json()
    assert [(q["revision"], q["status"]) for q in listing["quotes"]] == [(2, "submitted"), (1, "superseded")]
    assert client.post(f"/api/v1/quotes/{first['id']}/accept", headers=token(world.seeker)).status_code == 409


@pytest.mark.parametrize(("body", "field"), [
    ({"lines": []}, "lines"),
    ({"lines": "x"}, "lines"),
    ({"lines": [{"description": "a", "quantity": True, "unit_price": "1"}]}, "lines-0"),
    ({"lines": [{"description": "a", "quantity": "1", "unit_price": "1.234"}]}, "lines-0-unit_price"),
    ({"lines": [{"description": "a", "quantity": "-1", "unit_price": "1"}]}, "lines-0-quantity"),
    ({"lines": [{"description": "a", "quantity": "1", "unit_price": "1e400"}]}, "lines-0-unit_price"),
    ({"lines": [{"description": "a", "quantity": "1", "unit_price": "1", "tax_rate": 5}]}, "lines-0-tax_rate"),
    ({"lead_days": None, "delivery_date": None}, "lead_days"),
    ({"delivery_date": "2026-13-01", "lead_days": None}, "delivery_date"),
    ({"valid_until": "2000-01-01"}, "valid_until"),
    ({"rounding": "bankers"}, "price_basis"),
    ({"material_supplied": "yes"}, "material_supplied"),
])
def test_bad_quotes_are_400_with_the_field(client, asked, token, body, field):
    a = asked.factories[0]
    payload = quote_body()
    payload.update(body)
    response = client.post(f"/api/v1/quotes/steps/{asked.steps[a]}", headers=token(asked.members[a]), json=payload)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["error"]["fields"], response.get_json()


def test_only_the_asked_factory_quotes_and_only_parties_read(client, world, asked, token):
    a, b = asked.factories[:2]
    assert client.post(f"/api/v1/quotes/steps/{asked.steps[a]}", headers=token(asked.members[b]),
                       json=quote_body()).status_code == 404  # another factory's step is invisible
    assert client.post(f"/api/v1/quotes/steps/{asked.steps[a]}", headers=token(world.seeker),
                       json=quote_body()).status_code == 403  # the seeker is no factory
    assert client.get(f"/api/v1/quotes/steps/{asked.steps[a]}", headers=token(world.organiser)).status_code == 404
    assert client.get(f"/api/v1/quote-requests/{asked.rfq}", headers=token(asked.members[a])).status_code == 404
    assert client.get(f"/api/v1/quotes/steps/{asked.steps[a]}").status_code == 401


def test_organisers_see_quotes_only_while_a_report_is_open(app, client, world, asked, token, signin):
    from hub.deals.models import DealReport, DealStep

    a = asked.factories[0]
    client.post(f"/api/v1/quotes/steps/{asked.steps[a]}", headers=token(asked.members[a]), json=quote_body())
    organiser = token(world.organiser)
    assert client.get(f"/api/v1/quotes/steps/{asked.steps[a]}", headers=organiser).status_code == 404
    with app.app_context():
        deal_id = db.session.get(DealStep, asked.steps[a]).deal_id
    assert signin(world.seeker).post(f"/deals/{deal_id}/report", data={"reason": "価格の件で不安があります。"}
                                     ).status_code == 302
    assert client.get(f"/api/v1/quotes/steps/{asked.steps[a]}", headers=organiser).status_code == 200
    with app.app_context():
        report = db.session.scalar(db.select(DealReport))
        report.status = "resolved"
        db.session.commit()
    assert client.get(f"/api/v1/quotes/steps/{asked.steps[a]}", headers=organiser).status_code == 404


def test_request_limits(client, world, make_factory, token):
    seeker = token(world.seeker)
    many = [make_factory(name=f"工場{i}", processes=["MC加工"]) for i in range(6)]
    response = client.post("/api/v1/quote-requests", headers=seeker,
                           json={"need_id": world.need, "factory_ids": many, "message": "x"})
    assert response.status_code == 400 and "factories" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/quote-requests", headers=token(world.stranger),
                           json={"need_id": world.need, "factory_ids": many[:1], "message": "x"})
    assert response.status_code == 404
    assert client.post("/api/v1/quote-requests", headers=seeker, data="{not json",
                       content_type="application/json").status_code == 400


def test_chain_totals_api(app, client, world, token, make_factory, fast_user):
    response = client.post("/api/v1/quote-requests", headers=token(world.seeker), json={
        "need_id": world.need, "factory_ids": [world.factory, world.other_factory], "message": "2工程",
        "steps": ["machining", "anodizing"]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["kind"] == "team" and len({s["deal_id"] for s in body["steps"]}) == 1
    deal_id = body["steps"][0]["deal_id"]
    totals = client.get(f"/api/v1/quotes/chains/{deal_id}", headers=token(world.seeker)).get_json()
    assert totals["finish"] is None and totals["complete"] is False
    for step, member, days in zip(body["steps"], (world.factory_user, world.other_factory_user), (3, 8), strict=True):
        client.post(f"/api/v1/quotes/steps/{step['step_id']}", headers=token(member), json=quote_body(days=days))
    totals = client.get(f"/api/v1/quotes/chains/{deal_id}", headers=token(world.seeker)).get_json()
    assert totals["complete"] and totals["total"] == 2 * 82500 and totals["finish"]
    assert totals["deciding_step_id"] == body["steps"][1]["step_id"]  # 8 working days against 3
    assert client.get(f"/api/v1/quotes/chains/{deal_id}", headers=token(world.factory_user)).status_code == 404
    # A team's steps are different work, not alternatives: ordering one leaves the other's quote open.
    first = client.get(f"/api/v1/quotes/steps/{body['steps'][0]['step_id']}", headers=token(world.seeker)).get_json()
    assert client.post(f"/api/v1/quotes/{first['quotes'][0]['id']}/accept",
                       headers=token(world.seeker)).status_code == 201
    second = client.get(f"/api/v1/quotes/steps/{body['steps'][1]['step_id']}", headers=token(world.seeker)).get_json()
    assert second["quotes"][0]["status"] == "submitted"


def test_every_quotes_endpoint_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/quotes/steps/{step_id}", "/quotes/{quote_id}", "/quotes/{quote_id}/accept", "/orders/{order_id}",
                 "/orders/{order_id}/acknowledge", "/orders/{order_id}/deliver", "/quote-requests",
                 "/quote-requests/{request_id}", "/quotes/chains/{deal_id}"):
        assert path in paths, path
    assert set(paths["/quotes/steps/{step_id}"]) >= {"get", "post"}

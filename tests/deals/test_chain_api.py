"""The chain composer's JSON API (issue 12): a composed chain with what each step asks, the asked factories seeing
only their own step, re-routing a declined step to the next candidate, and closing that asks for confirmation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.deals.test_chains import _bearer

DUE = (date.today() + timedelta(days=20)).isoformat()


@pytest.fixture
def grinders(make_factory, fast_user):
    first = make_factory(name="研削の森", processes=["円筒研削"])
    second = make_factory(name="大森研削", processes=["円筒研削"])
    return {"first": first, "second": second, "first_user": fast_user("factory", factory=first),
            "second_user": fast_user("factory", factory=second)}


def _send(client, headers, world, grinders) -> dict:
    response = client.post("/api/v1/deals/chains", headers=headers, json={
        "need_id": world.need, "steps": [
            {"factory_id": world.factory, "process": "milling", "quantity": 10, "due_date": DUE,
             "material": "A5052", "note": "フライス加工のみ"},
            {"factory_id": grinders["first"], "process": "grinding", "quantity": 12, "material": "SCM440",
             "note": "研削のお願い", "candidates": [grinders["second"], grinders["first"]]}]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_composed_chain_sends_what_each_step_asks(app, client, world, grinders):
    seeker = _bearer(app, world.seeker)
    body = _send(client, seeker, world, grinders)
    assert [(s["quantity"], s["due_date"], s["material"], s["note"]) for s in body["steps"]] == [
        (10, DUE, "A5052", "フライス加工のみ"), (12, None, "SCM440", "研削のお願い")]
    assert all(s["candidates"] == [] for s in body["steps"])  # nothing declined yet
    # The factory of step 1 sees its own request, and only the route of step 2.
    mine = client.get(f"/api/v1/deals/{body['id']}", headers=_bearer(app, world.factory_user)).get_json()
    assert mine["steps"][0]["note"] == "フライス加工のみ" and mine["steps"][0]["quantity"] == 10
    assert mine["steps"][1]["note"] is None and mine["steps"][1]["material"] is None
    assert mine["steps"][1]["process"]["code"] == "grinding"


def test_a_declined_step_is_rerouted_to_the_next_candidate(app, client, world, grinders):
    seeker = _bearer(app, world.seeker)
    body = _send(client, seeker, world, grinders)
    deal_id, step_id = body["id"], body["steps"][1]["id"]
    first = _bearer(app, grinders["first_user"])
    assert client.post(f"/api/v1/deals/{deal_id}/steps/{step_id}/reroute", headers=seeker,
                       json={}).get_json()["error"]["code"] == "conflict"  # not declined
    declined = client.post(f"/api/v1/deals/{deal_id}/steps/{step_id}/answer", headers=first,
                           json={"accept": False, "reason": "多忙"})
    assert declined.status_code == 200
    view = client.get(f"/api/v1/deals/{deal_id}", headers=seeker).get_json()
    assert view["steps"][1]["candidates"] == [{"id": grinders["second"], "name": "大森研削"}]
    assert client.post(f"/api/v1/deals/{deal_id}/steps/{step_id}/reroute", headers=first,
                       json={}).status_code == 403
    wrong = client.post(f"/api/v1/deals/{deal_id}/steps/{step_id}/reroute", headers=seeker,
                        json={"factory_id": world.other_factory})
    assert wrong.status_code == 400 and wrong.get_json()["error"]["fields"] == {"factory": wrong.get_json()[
        "error"]["message"]}
    response = client.post(f"/api/v1/deals/{deal_id}/steps/{step_id}/reroute", headers=seeker)
    assert response.status_code == 201, response.get_json()
    steps = response.get_json()["steps"]
    assert [(s["position"], s["factory"]["id"], s["status"]) for s in steps] == [
        (1, world.factory, "requested"), (2, grinders["first"], "declined"), (2, grinders["second"], "requested")]
    assert (steps[2]["quantity"], steps[2]["material"], steps[2]["note"]) == (12, "SCM440", "研削のお願い")
    again = client.post(f"/api/v1/deals/{deal_id}/steps/{step_id}/reroute", headers=seeker, json={})
    assert again.status_code == 409
    # The step's events name it in the thread.
    messages = client.get(f"/api/v1/deals/{deal_id}/messages", headers=seeker).get_json()["messages"]
    assert [m["event"] for m in messages if m["is_event"]][-1] == f"reroute:{step_id}:{steps[2]['id']}"


def test_closing_as_a_joint_order_with_an_unanswered_step_needs_confirm(app, client, world, grinders):
    seeker = _bearer(app, world.seeker)
    body = _send(client, seeker, world, grinders)
    deal_id = body["id"]
    client.post(f"/api/v1/deals/{deal_id}/steps/{body['steps'][0]['id']}/answer",
                headers=_bearer(app, world.factory_user), json={"accept": True})
    response = client.post(f"/api/v1/deals/{deal_id}/close", headers=seeker, json={"outcome": "joint_order"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "confirmation_required"
    assert client.post(f"/api/v1/deals/{deal_id}/close", headers=seeker,
                       json={"outcome": "joint_order", "confirm": "yes"}).status_code == 400
    response = client.post(f"/api/v1/deals/{deal_id}/close", headers=seeker,
                           json={"outcome": "joint_order", "confirm": True})
    assert response.status_code == 200
    assert [s["status"] for s in response.get_json()["steps"]] == ["accepted", "withdrawn"]


@pytest.mark.parametrize("step", [
    {"factory_id": 1, "candidates": "1,2"}, {"factory_id": 1, "candidates": [True]},
    {"factory_id": 1, "candidates": list(range(1, 20))}, {"factory_id": 1, "quantity": 0},
    {"factory_id": 1, "due_date": "2001-01-01"}, {"factory_id": 1, "material": "x" * 201},
    {"factory_id": 1, "note": 5}, {"factory_id": 1, "candidates": [2**40]}])
def test_bad_steps_are_4xx_json(app, client, world, step):
    response = client.post("/api/v1/deals/chains", headers=_bearer(app, world.seeker), json={"steps": [step]})
    assert 400 <= response.status_code < 500
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}


def test_openapi_describes_the_chain_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    reroute = doc["paths"]["/deals/{deal_id}/steps/{step_id}/reroute"]["post"]
    assert "201" in reroute["responses"] and "409" in reroute["responses"]
    step = doc["paths"]["/deals/chains"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"quantity", "due_date", "material", "note", "candidates"} <= set(
        step["properties"]["steps"]["items"]["properties"])
    assert "confirm" in doc["paths"]["/deals/{deal_id}/close"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]["properties"]

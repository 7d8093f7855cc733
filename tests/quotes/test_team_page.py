"""Issue 13 on the page: a seeker asks one of the teams proposed for their need for quotes, from the need's
quote-request page (one quote request per member's step, with the need's drawing and quantity)."""

from __future__ import annotations

import io

import pytest

from hub.extensions import db
from hub.needs.models import Need
from matching import WARDS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LAT, LON = WARDS["ota"].lat, WARDS["ota"].lon


@pytest.fixture
def split_map(make_factory):
    """Milling and anodising are done by different shops near the Ota centre; nobody does both."""
    return {"mill": make_factory(name="大森フライス", processes=["フライス加工"], materials=["A5052"], lat=LAT + 0.002,
                                 lon=LON),
            "anod": make_factory(name="糀谷アルマイト", processes=["アルマイト"], lat=LAT + 0.004, lon=LON),
            "mill_far": make_factory(name="遠くのフライス", processes=["フライス加工"], lat=LAT + 0.2, lon=LON)}


def _need(app, owner_id: int) -> int:
    from hub.needs.services import save_need

    with app.app_context():
        need = save_need(Need(owner_id=owner_id), {
            "title": "アルミ筐体の試作", "description": "フライス加工のあとアルマイト処理。", "quantity": 20,
            "ward": "ota", "materials": ["A5052"]})
        db.session.commit()
        return need.id


def _requests(app) -> list:
    from hub.quotes.models import QuoteRequest

    with app.app_context():
        return list(db.session.scalars(db.select(QuoteRequest)))


def test_a_seeker_asks_a_proposed_team_for_quotes_from_the_page(app, client, login_as, split_map):
    from hub.deals.models import DealStep
    from hub.needs.models import NeedGrant
    from hub.quotes.models import QuoteRequest

    owner = login_as("seeker")
    need_id = _need(app, owner)
    assert client.post(f"/needs/{need_id}/attachments",
                       data={"file": (io.BytesIO(PDF), "housing.pdf")}).status_code == 302
    url = f"/quotes/requests/new?need={need_id}"
    team = f"milling:{split_map['mill']},anodizing:{split_map['anod']}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="quote-teams"' in page and f'name="team" value="{team}"' in page
    assert "大森フライス" in page and "糀谷アルマイト" in page and "このチームに見積を依頼する" in page

    # No message: refused, and what was typed is kept.
    response = client.post(url, data={"message": "", "quantity": "35", "team": team})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "is-invalid" in page and 'value="35"' in page and _requests(app) == []
    # A team the page does not propose (each shop asked for the other's step) is refused, the message kept.
    response = client.post(url, data={"message": "見積をお願いします", "quantity": "20",
                                      "team": f"milling:{split_map['anod']},anodizing:{split_map['mill']}"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'data-testid="team-error"' in page and "見積をお願いします" in page and _requests(app) == []

    response = client.post(url, data={"message": "見積をお願いします", "quantity": "20", "team": team})
    assert response.status_code == 302 and "/quotes/requests/" in response.headers["Location"]
    with app.app_context():
        rfq = db.session.scalars(db.select(QuoteRequest)).one()
        assert rfq.kind == "team" and rfq.need_id == need_id and rfq.quantity == 20
        steps = [db.session.get(DealStep, item.step_id) for item in rfq.items]
        assert [(s.process_code, s.factory_id) for s in sorted(steps, key=lambda s: s.position)] == [
            ("milling", split_map["mill"]), ("anodizing", split_map["anod"])]
        assert len({s.deal_id for s in steps}) == 1 and steps[0].deal.need_id == need_id
        assert all(s.quantity == 20 and "housing.pdf" in s.message for s in steps)
        granted = set(db.session.scalars(db.select(NeedGrant.factory_id).where(NeedGrant.need_id == need_id)))
        assert granted == {split_map["mill"], split_map["anod"]}
    assert client.get(response.headers["Location"]).status_code == 200


def test_someone_elses_need_cannot_be_used_to_ask_a_team(app, client, login_as, split_map):
    owner = login_as("seeker")
    need_id = _need(app, owner)
    team = f"milling:{split_map['mill']},anodizing:{split_map['anod']}"
    assert 'data-testid="quote-teams"' in client.get(f"/quotes/requests/new?need={need_id}").get_data(as_text=True)
    client.post("/auth/logout")
    login_as("seeker")
    url = f"/quotes/requests/new?need={need_id}"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"message": "見積をお願いします", "quantity": "20", "team": team}).status_code == 404
    assert _requests(app) == []


def test_a_team_member_with_two_steps_gets_a_request_for_each(app, login_as, split_map):
    from hub.auth.models import User
    from hub.factories.models import Factory
    from hub.quotes import services

    owner = login_as("seeker")
    need_id = _need(app, owner)
    with app.test_request_context():
        mill, anod = (db.session.get(Factory, split_map[k]) for k in ("mill", "anod"))
        rfq = services.request_quotes(db.session.get(User, owner), db.session.get(Need, need_id), [mill, anod, mill],
                                      message="見積をお願いします", team_steps=["milling", "anodizing", "deburring"])
        db.session.commit()
        steps = sorted((item.step for item in rfq.items), key=lambda s: s.position)
        assert [(s.process_code, s.factory_id, s.quantity) for s in steps] == [
            ("milling", mill.id, 20), ("anodizing", anod.id, 20), ("deburring", mill.id, 20)]

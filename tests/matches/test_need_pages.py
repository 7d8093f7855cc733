"""Issue 9 on the need and search pages: teams when no single factory fits (and the reviewed chain request),
the seeker's correction of the reading, and scores in words."""

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
    return {
        "mill": make_factory(name="大森フライス", processes=["フライス加工"], materials=["A5052"], lat=LAT + 0.002,
                             lon=LON),
        "anod": make_factory(name="糀谷アルマイト", processes=["アルマイト"], lat=LAT + 0.004, lon=LON),
        "mill_far": make_factory(name="遠くのフライス", processes=["フライス加工"], lat=LAT + 0.2, lon=LON),
        "paint": make_factory(name="近所の塗装", processes=["塗装"], lat=LAT + 0.001, lon=LON),
    }


def _need(app, owner_id: int, **fields) -> int:
    from hub.needs.services import save_need

    data = {"title": "アルミ筐体の試作", "description": "フライス加工のあとアルマイト処理。", "quantity": 20,
            "ward": "ota", "materials": ["A5052"]}
    data.update(fields)
    with app.app_context():
        need = save_need(Need(owner_id=owner_id), data)
        db.session.commit()
        return need.id


def test_need_page_proposes_teams_when_no_factory_covers_every_step(app, client, login_as, split_map):
    owner = login_as("seeker")
    need_id = _need(app, owner)
    page = client.get(f"/needs/{need_id}").get_data(as_text=True)
    assert 'data-testid="teams"' in page
    assert 1 <= page.count('data-testid="team"') <= 3
    first = page[page.index('data-testid="team"'):]
    first = first[:first.index("</div>\n  </div>")]
    assert "大森フライス" in first and "糀谷アルマイト" in first and "近所の塗装" not in first
    assert "2 工程中 2 工程を分担" in first  # its reasons
    assert f'name="team" value="milling:{split_map["mill"]},anodizing:{split_map["anod"]}"' in first


def test_no_teams_when_one_factory_covers_every_step(app, client, login_as, split_map, make_factory):
    make_factory(name="一貫工場", processes=["フライス加工", "アルマイト"], lat=LAT + 0.01, lon=LON)
    owner = login_as("seeker")
    need_id = _need(app, owner)
    page = client.get(f"/needs/{need_id}").get_data(as_text=True)
    assert 'data-testid="match-list"' in page and 'data-testid="teams"' not in page


def _compose(client, app, need_id, team) -> str:
    """Post the proposed team from the need's page; the address of the chain composer it leads to."""
    response = client.post(f"/match/needs/{need_id}/team", data={"team": team})
    assert response.status_code == 302 and "/deals/chains/drafts/" in response.headers["Location"], \
        response.get_data(as_text=True)[:1000]
    return response.headers["Location"]


def test_a_team_request_opens_the_composer_prefilled_from_the_need(app, client, login_as, split_map):
    from datetime import date, timedelta

    from hub.deals.models import Deal, DealAttachment

    owner = login_as("seeker")
    deadline = date.today() + timedelta(days=30)
    need_id = _need(app, owner, deadline=deadline)
    response = client.post(f"/needs/{need_id}/attachments", data={"file": (io.BytesIO(PDF), "housing.pdf")})
    assert response.status_code == 302
    team = f"milling:{split_map['mill']},anodizing:{split_map['anod']}"
    compose = _compose(client, app, need_id, team)
    page = client.get(compose).get_data(as_text=True)
    assert 'value="20"' in page and f'value="{deadline.isoformat()}"' in page and 'value="A5052"' in page
    assert "housing.pdf" in page and "checked" in page
    assert "大森フライス" in page and "糀谷アルマイト" in page
    assert "遠くのフライス" in page  # another milling shop to swap in, from the chain planner
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Deal.id)).where(Deal.need_id == need_id)) == 0  # not sent
        attachment_id = db.session.get(Need, need_id).attachments[0].id
    data = {"steps-0-factory": str(split_map["mill_far"]), "steps-0-quantity": "20",
            "steps-0-due_date": deadline.isoformat(), "steps-0-note": "この試作をお願いできますか",
            "steps-1-factory": str(split_map["anod"]), "steps-1-quantity": "20", "need_drawing": str(attachment_id)}
    review = client.post(compose, data=data)
    assert review.status_code == 302, review.get_data(as_text=True)[:2000]
    response = client.post(review.headers["Location"].replace("/review", "/send"))
    assert response.status_code == 302
    with app.app_context():
        deal = db.session.scalar(db.select(Deal).where(Deal.need_id == need_id))
        assert deal.kind == "chain"
        assert [(s.process_code, s.factory_id, s.quantity, s.due_date) for s in deal.steps] == [
            ("milling", split_map["mill_far"], 20, deadline), ("anodizing", split_map["anod"], 20, None)]
        assert split_map["mill"] in deal.steps[0].candidates  # the swapped-out shop is the next candidate
        shared = db.session.scalars(db.select(DealAttachment).where(DealAttachment.deal_id == deal.id)).all()
        assert [a.original_name for a in shared] == ["housing.pdf"]


def test_team_request_without_drawings_ticked_shares_none(app, client, login_as, split_map):
    from hub.deals.models import Deal, DealAttachment

    owner = login_as("seeker")
    need_id = _need(app, owner)
    client.post(f"/needs/{need_id}/attachments", data={"file": (io.BytesIO(PDF), "secret.pdf")})
    team = f"milling:{split_map['mill']},anodizing:{split_map['anod']}"
    compose = _compose(client, app, need_id, team)
    review = client.post(compose, data={"steps-0-factory": str(split_map["mill"]),
                                        "steps-1-factory": str(split_map["anod"])})
    assert client.post(review.headers["Location"].replace("/review", "/send")).status_code == 302
    with app.app_context():
        deal = db.session.scalar(db.select(Deal).where(Deal.need_id == need_id))
        assert db.session.scalar(db.select(db.func.count(DealAttachment.id))
                                 .where(DealAttachment.deal_id == deal.id)) == 0


def test_team_request_is_only_for_the_owner_and_known_teams(app, client, login_as, make_user, split_map):
    other = make_user(role="seeker")
    need_id = _need(app, other)
    mine = _need(app, login_as("seeker"))
    team = f"milling:{split_map['mill']},anodizing:{split_map['anod']}"
    assert client.post(f"/match/needs/{need_id}/team", data={"team": team}).status_code == 404
    for bad in ("milling", "nonsense:1", f"milling:{split_map['mill']},anodizing:999999", "milling:x"):
        assert client.post(f"/match/needs/{mine}/team", data={"team": bad}).status_code == 404
    assert client.post(f"/match/needs/{mine}/team", data={"team": ""}).status_code == 400


def test_seeker_removes_and_adds_steps_and_the_list_reranks(app, client, login_as, split_map):
    owner = login_as("seeker")
    need_id = _need(app, owner)
    page = client.get(f"/needs/{need_id}").get_data(as_text=True)
    assert 'data-testid="step-anodizing"' in page and 'data-testid="remove-anodizing"' in page

    assert client.post(f"/needs/{need_id}/reading", data={"action": "remove", "code": "anodizing"}).status_code == 302
    with app.app_context():
        assert db.session.get(Need, need_id).reading == {"removed": ["anodizing"], "added": []}
    page = client.get(f"/needs/{need_id}").get_data(as_text=True)
    understood = page[page.index('data-testid="understood"'):page.index('data-testid="reading-editor"')]
    assert "step-anodizing" not in understood and "step-milling" in understood
    listed = page[page.index('data-testid="match-list"'):]
    assert "大森フライス" in listed and "糀谷アルマイト" not in listed  # milling alone is now the need
    assert 'data-testid="teams"' not in page  # one shop covers it now
    assert 'data-testid="removed-steps"' in page

    client.post(f"/needs/{need_id}/reading", data={"action": "add", "code": "painting"})
    page = client.get(f"/needs/{need_id}").get_data(as_text=True)
    understood = page[page.index('data-testid="understood"'):page.index('data-testid="reading-editor"')]
    assert "step-painting" in understood
    assert "近所の塗装" in page[page.index('data-testid="match-list"'):]

    client.post(f"/needs/{need_id}/reading", data={"action": "reset"})
    with app.app_context():
        assert db.session.get(Need, need_id).reading is None


def test_reading_corrections_are_checked(app, client, login_as, make_user, split_map):
    need_id = _need(app, make_user(role="seeker"))
    mine = _need(app, login_as("seeker"))
    assert client.post(f"/needs/{need_id}/reading", data={"action": "remove", "code": "milling"}).status_code in (
        403, 404)
    for data in ({"action": "remove", "code": "nonsense"}, {"action": "explode", "code": "milling"},
                 {"action": "add"}):
        assert client.post(f"/needs/{mine}/reading", data=data).status_code == 400
    with app.app_context():
        assert db.session.get(Need, mine).reading is None


def test_search_page_reading_can_be_corrected_in_the_address(client, split_map):
    args = {"text": "フライス加工のあとアルマイト処理。", "ward": "ota"}
    page = client.get("/match/", query_string=args).get_data(as_text=True)
    assert 'data-testid="remove-anodizing"' in page
    page = client.get("/match/", query_string={**args, "remove": "anodizing", "add": "painting"}).get_data(
        as_text=True)
    understood = page[page.index('data-testid="understood"'):page.index('data-testid="reading-editor"')]
    assert "step-anodizing" not in understood and "step-painting" in understood
    assert 'name="remove" value="anodizing"' in page  # the add-a-step form keeps the correction


def test_scores_are_words(app, client, login_as, split_map):
    from hub.deals.models import Deal, DealStep

    owner = login_as("seeker")
    with app.app_context():  # one completed joint order, one abandoned deal (not a past job)
        for outcome, status in (("joint_order", "delivered"), ("abandoned", "accepted")):
            deal = Deal(kind="inquiry", title="過去の案件", requester_id=owner, status="closed", outcome=outcome)
            deal.steps.append(DealStep(factory_id=split_map["mill"], status=status))
            db.session.add(deal)
        db.session.commit()
    need_id = _need(app, owner, description="フライス加工をお願いします。")
    page = client.get(f"/needs/{need_id}").get_data(as_text=True)
    summary = page[page.index('data-testid="match-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert "1 工程中 1 工程に対応" in summary and "km" in summary and "材質 ✓" in summary
    assert "過去の実績 1 件" in summary
    assert '<span class="badge text-bg-light border" title="スコア">' not in page  # no bare number
    body = client.post("/api/v1/match/factories", json={"text": "フライス加工", "ward": "ota"}).get_json()
    assert all(0 <= r["score"] <= 1 for r in body["results"])  # the API keeps its number


def test_api_results_say_what_the_score_means(client, split_map):
    body = client.post("/api/v1/match/factories?lang=en",
                       json={"text": "milling", "materials": ["A5052"], "ward": "ota"}).get_json()
    top = body["results"][0]
    assert top["id"] == split_map["mill"] and 0 <= top["score"] <= 1
    assert top["summary"].startswith("covers 1 of 1 steps · ") and "material ✓" in top["summary"]


@pytest.mark.parametrize("value", ["", "工" * 300_000, "<script>alert(1)</script>", "a\x00b", "-1e999"])
def test_hostile_values_on_the_new_forms_never_5xx(app, client, login_as, make_factory, split_map, value):
    fid = make_factory(description="溶接もできます。")
    owner = login_as("seeker")
    need_id = _need(app, owner)
    team = f"milling:{split_map['mill']},anodizing:{split_map['anod']}"
    for path, data in ((f"/needs/{need_id}/reading", {"action": value, "code": value}),
                       (f"/needs/{need_id}/reading", {"action": "add", "code": value}),
                       (f"/match/needs/{need_id}/team", {"team": team, "message": value}),
                       (f"/match/needs/{need_id}/team", {"team": value}),
                       (f"/factories/{fid}/capabilities/review", {"kind": value, "code": value, "decision": value})):
        response = client.post(path, data=data)
        assert response.status_code < 500, (path, response.status_code)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert client.get("/match/", query_string={"text": value or "x", "remove": value, "add": value}
                      ).status_code < 500


def test_search_page_summaries_cost_a_fixed_number_of_queries(app, client, make_factory):
    from sqlalchemy import event

    for i in range(15):
        make_factory(name=f"数える切削{i}", processes=["フライス加工"], materials=["A5052"], lat=LAT + i / 1000,
                     lon=LON)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    args = {"text": "A5052のフライス加工", "ward": "ota"}
    client.get("/match/", query_string=args)  # builds the index
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get("/match/", query_string=args).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.count('data-testid="match-summary"') == 15 and "材質 ✓" in page
    assert len(statements) <= 6, statements

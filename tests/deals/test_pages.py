"""Query counts on the hot pages, every template in both languages, records, KPIs, opportunities and demo data."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from hub.deals.models import Deal, DealMessage, DealRating, DealStep
from hub.extensions import db
from tests.deals.conftest import PDF, accept
from tests.queries import count_queries

TEMPLATES = Path(__file__).resolve().parents[2] / "hub" / "templates" / "deals"


def _make_deals(app, world, n):
    from hub.core.timeutil import utcnow

    with app.app_context():
        for i in range(n):
            deal = Deal(kind="inquiry", title=f"案件{i}", need_id=world.need, requester_id=world.seeker)
            deal.steps.append(DealStep(position=1, factory_id=world.factory if i % 2 else world.other_factory,
                                       message="m", status="accepted"))
            deal.steps.append(DealStep(position=2, factory_id=world.other_factory, message="m"))
            for j in range(3):
                deal.messages.append(DealMessage(author_id=world.seeker, body=f"メッセージ{j}", created_at=utcnow()))
            db.session.add(deal)
        db.session.commit()
        return db.session.scalar(db.select(Deal.id).order_by(Deal.id.desc()))




def test_inbox_and_deal_page_have_no_n_plus_one(app, world, signin):
    seeker = signin(world.seeker)
    last = _make_deals(app, world, 2)
    small_inbox = count_queries(app, lambda: seeker.get("/deals/"))
    small_deal = count_queries(app, lambda: seeker.get(f"/deals/{last}"))
    last = _make_deals(app, world, 20)
    with app.app_context():  # a long thread on the deal page, with files
        for j in range(20):
            db.session.add(DealMessage(deal_id=last, author_id=world.seeker if j % 2 else world.factory_user,
                                       body=f"長いスレッド{j}"))
        db.session.commit()
    html = []
    big_inbox = count_queries(app, lambda: html.append(seeker.get("/deals/").get_data(as_text=True)))
    assert html[0].count('class="list-group-item list-group-item-action"') == 20
    big_deal = count_queries(app, lambda: html.append(seeker.get(f"/deals/{last}").get_data(as_text=True)))
    assert html[1].count('data-testid="message"') == 23
    assert big_inbox == small_inbox, (small_inbox, big_inbox)
    assert big_deal == small_deal, (small_deal, big_deal)
    assert big_inbox <= 14 and big_deal <= 20, (big_inbox, big_deal)
    factory = signin(world.factory_user)
    assert count_queries(app, lambda: factory.get("/deals/?box=received")) <= 14


def _visit_every_page(app, world, signin, lang):
    from hub.deals.models import DealReport

    def client_for(user):
        c = signin(user)
        c.get(f"/lang/{lang}")
        return c

    seeker = client_for(world.seeker)
    assert seeker.get("/deals/").status_code == 200  # empty state
    new = seeker.get(f"/deals/inquiries/new?need={world.need}&factory={world.factory}")
    assert f'<html lang="{lang}">' in new.get_data(as_text=True)
    response = seeker.post(f"/deals/inquiries/new?need={world.need}&factory={world.factory}",
                           data={"message": "よろしくお願いします"})
    deal_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        step_id = db.session.get(Deal, deal_id).steps[0].id
    factory = client_for(world.factory_user)
    assert factory.get(f"/deals/{deal_id}").status_code == 200  # answer form, requester record
    accept(signin, world, deal_id, step_id)
    seeker.post(f"/deals/{deal_id}/messages", data={"body": "図面", "files": [(io.BytesIO(PDF), "a.pdf")]},
                content_type="multipart/form-data")
    for url in ("/deals/", f"/deals/{deal_id}", "/deals/notifications", "/deals/notifications/preferences"):
        assert seeker.get(url).status_code == 200, url
    assert factory.get(f"/deals/{deal_id}").status_code == 200
    factory.post(f"/deals/{deal_id}/steps/{step_id}/status", data={"status": "in_progress"})
    seeker.post(f"/deals/{deal_id}/close", data={"outcome": "joint_order"})
    assert seeker.get(f"/deals/{deal_id}").status_code == 200  # rating form
    assert factory.get("/deals/opportunities").status_code == 200
    factory.post(f"/deals/{deal_id}/report", data={"reason": "確認してください"})
    organiser = client_for(world.organiser)
    assert organiser.get("/deals/reports").status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(DealReport.id))) == 1
    _visit_chain_pages(app, world, seeker, factory)
    return deal_id


def _visit_chain_pages(app, world, seeker, factory):
    """The chain composer, its review, and the confirmation asked before closing with an unanswered step."""
    plan = {"steps-0-process": "milling", "steps-0-factory": str(world.factory), "steps-0-input": "フライス",
            "steps-1-process": "anodizing", "steps-1-factory": str(world.other_factory), "steps-1-input": "アルマイト"}
    compose = seeker.post("/deals/chains", data={**plan, "need": str(world.need)}).headers["Location"]
    assert seeker.get(compose).status_code == 200
    response = seeker.post(compose, data={"steps-0-factory": str(world.factory), "steps-0-quantity": "5",
                                          "steps-1-factory": str(world.other_factory)})
    assert seeker.get(response.headers["Location"]).status_code == 200
    sent = seeker.post(response.headers["Location"].replace("/review", "/send"))
    chain_id = int(sent.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        first = db.session.get(Deal, chain_id).steps[0].id
    factory.post(f"/deals/{chain_id}/steps/{first}/answer", data={"decision": "accept"})
    assert seeker.post(f"/deals/{chain_id}/close", data={"outcome": "joint_order"}).status_code == 200


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_deals_template_renders_in_both_languages(app, world, signin, rendered, lang):
    deal_id = _visit_every_page(app, world, signin, lang)
    pages = {f"deals/{p.name}" for p in TEMPLATES.glob("*.html") if not p.name.startswith("_")}
    assert pages - set(rendered) == set(), sorted(pages - set(rendered))
    # Partials (included, so Flask does not signal them): the navbar items, both track records.
    factory = signin(world.factory_user)
    factory.get(f"/lang/{lang}")
    html = factory.get(f"/deals/{deal_id}").get_data(as_text=True)
    words = {"ja": ("取引", "依頼者について", "ハブでの実績"), "en": ("Deals", "About the requester", "Track record")}
    assert 'data-testid="deals-nav"' in html and words[lang][0] in html
    assert 'data-testid="requester-record"' in html and words[lang][1] in html
    html = factory.get(f"/deals/inquiries/new?factory={world.other_factory}").get_data(as_text=True)
    assert 'data-testid="factory-record"' in html and words[lang][2] in html


def test_english_pages_say_english_things(app, world, signin):
    seeker = signin(world.seeker)
    seeker.get("/lang/en")
    html = seeker.get(f"/deals/inquiries/new?need={world.need}&factory={world.factory}").get_data(as_text=True)
    assert "Send inquiry" in html and "問い合わせを送る" not in html
    seeker.get("/lang/ja")
    assert "問い合わせを送る" in seeker.get(f"/deals/inquiries/new?need={world.need}&factory={world.factory}"
                                         ).get_data(as_text=True)


def test_track_records_and_profile_partial(app, world, signin):
    from flask import render_template

    from hub.deals.services import factory_record, track_records

    with app.app_context():
        deal = Deal(kind="inquiry", title="t", requester_id=world.seeker, status="closed", outcome="joint_order")
        deal.steps.append(DealStep(position=1, factory_id=world.factory, message="m", status="delivered"))
        db.session.add(deal)
        db.session.flush()
        for q, d, c, who in ((5, 5, 5, "u:1"), (3, 3, 3, "u:2")):
            db.session.add(DealRating(deal_id=deal.id, rater_id=world.seeker, rater_key=who,
                                      target_key=f"f:{world.factory}", target_factory_id=world.factory,
                                      quality=q, delivery=d, communication=c))
        db.session.add(DealRating(deal_id=deal.id, rater_id=world.factory_user, rater_key=f"f:{world.factory}",
                                  target_key=f"u:{world.seeker}", target_user_id=world.seeker,
                                  quality=1, delivery=1, communication=1))
        db.session.commit()
        assert track_records() == {world.factory: 0.75}  # mean 4 on 1–5 → 0.75; users are not factories
        record = factory_record(world.factory)
        assert (record.ratings, record.quality, record.completed) == (2, 4.0, 1)
        assert factory_record(world.other_factory).ratings == 0
    with app.test_request_context("/?lang=ja"):
        from hub.factories.models import Factory

        html = render_template("deals/_factory_record.html", factory=db.session.get(Factory, world.factory))
        assert "完了した取引: 1" in html and "品質 4.0" in html and "評価 2件" in html


def test_opportunities_list_needs_that_fit(app, world, signin):
    page = signin(world.factory_user).get("/deals/opportunities").get_data(as_text=True)
    assert "アルミ筐体 50個" in page and 'data-testid="opportunities"' in page
    assert signin(world.seeker).get("/deals/opportunities").status_code == 403


def test_seeds_add_demo_deals_once(app, monkeypatch):
    import seeds
    from seeds import load_demo

    monkeypatch.setattr(seeds, "SEED_PARTS", ("deals",))  # the other domains' demo data is tested by them
    with app.app_context():
        first = load_demo()
        assert first.extra["deals"] == 3
        open_deal = db.session.scalar(db.select(Deal).join(DealStep).where(DealStep.status == "in_progress"))
        assert open_deal is not None and len(open_deal.messages) >= 3
        assert open_deal.requester.email == "seeker@example.jp"
        assert open_deal.steps[0].factory.external_id == "demo-ota-001"
        second = load_demo()
        assert second.extra["deals"] == 0
        db.session.rollback()

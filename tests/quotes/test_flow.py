"""The whole path through the pages: three factories quote (one revises), the seeker compares and accepts one, the
others are told politely, the factory acknowledges and delivers, and the order counts as a joint order."""

from __future__ import annotations

import re

import pytest

from hub.extensions import db
from tests.quotes.conftest import form_data


def _quote(client, step_id, **fields):
    response = client.post(f"/quotes/steps/{step_id}/new", data=form_data(**fields))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response


def _deal_of(app, step_id):
    from hub.deals.models import DealStep

    with app.app_context():
        return db.session.get(DealStep, step_id).deal_id


def _outbox(app, kind):
    from hub.mail.models import EmailMessage

    with app.app_context():
        return [(m.recipient, m.subject, m.body_text) for m in
                db.session.scalars(db.select(EmailMessage).where(EmailMessage.kind == kind))]


def test_three_quotes_compared_one_accepted_acknowledged_and_delivered(app, world, asked, signin):
    from hub.deals.models import DealStep, StepStatus
    from hub.quotes.models import OrderStatus, PurchaseOrder, Quote, QuoteStatus

    a, b, c = asked.factories
    _quote(signin(asked.members[a]), asked.steps[a], price="1200")  # 60,000 + 15,000 = 75,000 + 7,500 = 82,500
    member_b = signin(asked.members[b])
    _quote(member_b, asked.steps[b], price="1500", days="5")
    _quote(member_b, asked.steps[b], price="1100", days="7")   # a revision: 55,000 + 15,000 → 77,000 with tax
    _quote(signin(asked.members[c]), asked.steps[c], price="999.99", qty="50")  # 49,999.5 → 49,999 (floor)
    assert len(_outbox(app, "quotes_quote_new")) == 3 and len(_outbox(app, "quotes_quote_revised")) == 1

    seeker = signin(world.seeker)
    page = seeker.get(f"/quotes/requests/{asked.rfq}").get_data(as_text=True)
    totals = re.findall(r'data-testid="offer-total">([^<]+)<', page)
    assert totals == ["¥71,498", "¥77,000", "¥82,500"]  # cheapest first; c: 64,999 + 6,499 tax
    step_b = seeker.get(f"/quotes/steps/{asked.steps[b]}").get_data(as_text=True)
    assert 'data-testid="quote-2"' in step_b and 'data-testid="quote-1"' in step_b

    with app.app_context():
        latest_b = db.session.scalar(db.select(Quote).where(Quote.step_id == asked.steps[b], Quote.revision == 2))
        first_b = db.session.scalar(db.select(Quote).where(Quote.step_id == asked.steps[b], Quote.revision == 1))
        assert first_b.status == QuoteStatus.SUPERSEDED and latest_b.number == f"{first_b.number}-R2"
        latest_id, first_id = latest_b.id, first_b.id
    assert seeker.post(f"/quotes/{first_id}/accept").status_code == 302  # refused: superseded (flashed)
    response = seeker.post(f"/quotes/{latest_id}/accept")
    assert response.status_code == 302
    with app.app_context():
        order = db.session.scalar(db.select(PurchaseOrder))
        assert order.quote_id == latest_id and re.fullmatch(r"PO\d{4}-\d{6}", order.number)
        statuses = {q.step_id: q.status for q in db.session.scalars(db.select(Quote).where(Quote.revision == 1))}
        assert statuses[asked.steps[a]] == statuses[asked.steps[c]] == QuoteStatus.NOT_CHOSEN
        order_id = order.id
    polite = _outbox(app, "quotes_quote_not_chosen")
    assert len(polite) == 2 and all("ありがとうございました" in body for _r, _s, body in polite)
    assert len(_outbox(app, "quotes_quote_accepted")) == 1

    assert seeker.post(f"/quotes/orders/{order_id}/acknowledge").status_code == 403  # only the factory
    assert member_b.post(f"/quotes/orders/{order_id}/acknowledge").status_code == 302
    assert member_b.post(f"/quotes/orders/{order_id}/deliver").status_code == 302
    with app.app_context():
        order = db.session.get(PurchaseOrder, order_id)
        assert order.status == OrderStatus.DELIVERED and order.acknowledged_by_id == asked.members[b]
        assert db.session.get(DealStep, asked.steps[b]).status == StepStatus.DELIVERED
        from hub.deals.kpis import indicators

        assert indicators(order.delivered_at.year)["joint_projects_formed"] == 1
        year = order.delivered_at.year
    assert seeker.post(f"/deals/{_deal_of(app, asked.steps[b])}/close", data={"outcome": "joint_order"}
                       ).status_code == 302
    with app.app_context():
        assert indicators(year)["joint_projects_formed"] == 1  # the same deal, closed as a joint order: once
    # "status" news go to the daily digest by default: the digest carries our sentence (through the provider)
    from hub.deals.models import Notification
    from hub.deals.services import send_digests

    with app.test_request_context():
        kinds = {n.kind for n in db.session.scalars(db.select(Notification).where(
            Notification.user_id == world.seeker, Notification.email_state == "pending"))}
        assert {"order_acknowledged", "order_delivered"} <= kinds
        send_digests()
        db.session.commit()
    (digest,) = [body for to, _s, body in _outbox(app, "deals_digest") if to == "aya@startup.example"]
    assert f"注文{order.number}を請けました" in digest and f"注文{order.number}を納品しました" in digest


def test_a_form_with_bad_numbers_is_shown_again_with_the_reason(world, asked, signin):
    a = asked.factories[0]
    member = signin(asked.members[a])
    response = member.post(f"/quotes/steps/{asked.steps[a]}/new", data=form_data(price="12.345"))
    assert response.status_code == 400
    response = member.post(f"/quotes/steps/{asked.steps[a]}/new", data=form_data(lead_kind="date", delivery_date=""))
    assert response.status_code == 400
    assert "納期の日数か納品日" in response.get_data(as_text=True) or "either a lead time" in response.get_data(
        as_text=True)


def test_expired_quotes_are_marked_and_both_sides_told(app, world, asked, signin, runner):
    from datetime import timedelta

    from hub.core.timeutil import tokyo_today
    from hub.quotes.models import Quote, QuoteStatus
    from hub.quotes.ordering import expire_quotes

    a = asked.factories[0]
    _quote(signin(asked.members[a]), asked.steps[a])
    with app.test_request_context():
        assert expire_quotes(tokyo_today() + timedelta(days=31)) == 1
        quote = db.session.scalar(db.select(Quote))
        assert quote.status == QuoteStatus.EXPIRED
        quote_id = quote.id
        db.session.commit()
    from hub.deals.models import Notification

    with app.app_context():  # both sides hear it (in the digest, their default for status news)
        assert set(db.session.scalars(db.select(Notification.user_id).where(
            Notification.kind == "quote_expired"))) == {world.seeker, asked.members[a]}
    response = signin(world.seeker).post(f"/quotes/{quote_id}/accept")
    assert response.status_code == 302  # refused with a message; no order
    from hub.quotes.models import PurchaseOrder

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PurchaseOrder.id))) == 0


def test_the_request_page_asks_matched_factories(app, world, signin, make_factory):
    seeker = signin(world.seeker)
    page = seeker.get(f"/quotes/requests/new?need={world.need}")
    assert page.status_code == 200
    ids = [int(v) for v in re.findall(r'name="factories" value="(\d+)"', page.get_data(as_text=True))]
    assert world.factory in ids
    response = seeker.post(f"/quotes/requests/new?need={world.need}",
                           data={"factories": [str(world.factory)], "message": "見積お願いします", "quantity": "50"})
    assert response.status_code == 302 and "/quotes/requests/" in response.headers["Location"]
    too_many = seeker.post(f"/quotes/requests/new?need={world.need}",
                           data={"factories": [str(i) for i in ids], "message": "x"})
    assert too_many.status_code in (302, 400)
    assert signin(world.stranger).get(f"/quotes/requests/new?need={world.need}").status_code == 404


def test_chain_totals_mark_the_deciding_step(app, world, signin, make_factory, fast_user):
    from datetime import date

    from hub.auth.models import User
    from hub.deals import services as deals
    from hub.factories.models import Factory
    from hub.quotes import services
    from hub.quotes.models import IssuerSettings

    third = make_factory(name="研削の森", processes=["平面研削"])
    third_member = fast_user("factory", factory=third)
    with app.test_request_context():
        seeker = db.session.get(User, world.seeker)
        factories = [db.session.get(Factory, i) for i in (world.factory, world.other_factory, third)]
        deal = deals.create_chain(seeker, [deals.ChainStep(None, f) for f in factories], message="3工程")
        for factory_id in (world.factory, world.other_factory, third):  # no closures: only holidays matter
            db.session.add(IssuerSettings(factory_id=factory_id, closures=[]))
        db.session.commit()
        steps = [s.id for s in deal.steps]
        deal_id = deal.id
    for step_id, member, days in zip(steps, (world.factory_user, world.other_factory_user, third_member), (2, 3, 1),
                                     strict=True):
        _quote(signin(member), step_id, days=str(days))
    with app.test_request_context():
        from hub.deals.models import Deal

        totals = services.chain_totals(db.session.get(User, world.seeker), db.session.get(Deal, deal_id),
                                       start=date(2026, 9, 18))
        # 9/18 → 9/24, 9/25 (2 days) → 9/28, 9/29, 9/30 (3 days) → 10/1 (1 day)
        assert [line.planned.finish for line in totals.lines] == [date(2026, 9, 25), date(2026, 9, 30),
                                                                  date(2026, 10, 1)]
        assert totals.plan.finish == date(2026, 10, 1) and totals.plan.deciding == steps[1]
        assert totals.total == 3 * 82_500 and totals.tax == 3 * 7_500
    page = signin(world.seeker).get(f"/quotes/chains/{deal_id}").get_data(as_text=True)
    assert 'data-testid="deciding-step"' in page and "¥247,500" in page
    assert signin(world.factory_user).get(f"/quotes/chains/{deal_id}").status_code == 404


def test_settings_check_the_registration_number(app, world, signin):
    member = signin(world.factory_user)
    assert member.get("/quotes/settings").status_code == 200
    bad = member.post("/quotes/settings", data={"invoice_number": "T7000012050003", "closures": ""})
    assert bad.status_code == 400
    good = member.post("/quotes/settings", data={"invoice_number": "Ｔ7000012050002",
                                                 "closures": "08-10 08-16 夏季休業\n12-28 01-05 年末年始"})
    assert good.status_code == 302
    from hub.quotes.models import IssuerSettings

    with app.app_context():
        row = db.session.get(IssuerSettings, world.factory)
        assert row.invoice_number == "T7000012050002"
        assert row.closures[0] == {"from": "08-10", "to": "08-16", "label": "夏季休業"}


def test_prices_never_reach_public_pages(app, world, asked, signin):
    a = asked.factories[0]
    _quote(signin(asked.members[a]), asked.steps[a], price="1234")  # 61,700 + 15,000 = 76,700; 84,370 with tax
    for client in (app.test_client(), signin(world.stranger), signin(world.other_factory_user)):
        for url in (f"/factories/{a}", "/factories/", f"/needs/{world.need}", "/needs/", "/"):
            with client.get(url) as response:
                body = response.get_data(as_text=True)
            assert "84,370" not in body and "76,700" not in body and "1,234" not in body, url


def test_the_expiry_command(app, world, asked, signin, runner):
    from datetime import timedelta

    from hub.core.timeutil import tokyo_today
    from hub.quotes.models import Quote

    a = asked.factories[0]
    _quote(signin(asked.members[a]), asked.steps[a])
    result = runner.invoke(args=["quotes-expire"])
    assert result.exit_code == 0 and "expired=0" in result.output
    with app.app_context():
        quote = db.session.scalar(db.select(Quote))
        quote.valid_until = tokyo_today() - timedelta(days=1)
        db.session.commit()
    result = runner.invoke(args=["quotes-expire"])
    assert "expired=1" in result.output


@pytest.mark.parametrize("value", ["", "工" * 300_000, "<script>alert(1)</script>", "-99999999999999999999",
                                   "1e999", "NaN", "\u202e\ufeff\U0001f525"])
def test_hostile_quote_and_settings_forms_never_5xx(world, asked, signin, value):
    a = asked.factories[0]
    member = signin(asked.members[a])
    for field in ("lines-0-description", "lines-0-quantity", "lines-0-unit_price", "lines-0-tax_rate",
                  "lead_days", "delivery_date", "valid_until", "price_basis", "rounding", "shipping", "lead_kind",
                  "lines-999-description", "lines-31-unit_price"):
        response = member.post(f"/quotes/steps/{asked.steps[a]}/new", data=form_data(**{field: value}))
        assert response.status_code < 500, (field, response.status_code)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    for field in ("invoice_number", "closures", "works_saturday"):
        assert member.post("/quotes/settings", data={field: value}).status_code < 500, field
    seeker = signin(world.seeker)
    response = seeker.post(f"/quotes/requests/new?need={world.need}", data={"factories": [value], "message": value,
                                                                            "quantity": value})
    assert response.status_code < 500


def test_the_hub_default_closures_are_configurable(app, world):
    from datetime import date

    from hub.quotes.ordering import calendar_for

    with app.app_context():
        assert calendar_for(world.factory).add_working_days(date(2026, 8, 12), 1) == date(2026, 8, 17)  # お盆
        app.config["QUOTES_DEFAULT_CLOSURES"] = [{"from": "12-26", "to": "01-06", "label": "冬季休業"}]
        try:
            calendar = calendar_for(world.factory)
            assert calendar.add_working_days(date(2026, 8, 12), 1) == date(2026, 8, 13)
            assert calendar.add_working_days(date(2026, 12, 25), 1) == date(2027, 1, 7)
        finally:
            app.config.pop("QUOTES_DEFAULT_CLOSURES")

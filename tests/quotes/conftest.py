"""Fixtures for quotes: the deals world (a factory with a member, a seeker with a need), two more factories, and
a request for quotes sent to three of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from hub.extensions import db
from tests.deals.conftest import fast_user, signin, world  # noqa: F401  (fixtures)


@dataclass
class Asked:
    rfq: int
    steps: dict  # factory id → step id
    members: dict  # factory id → a member's user id
    factories: list


@pytest.fixture
def asked(app, world, make_factory, fast_user):  # noqa: F811
    """The seeker asked three factories (world.factory, world.other_factory and a third) for a quote."""
    from hub.auth.models import User
    from hub.factories.models import Factory
    from hub.needs.models import Need
    from hub.quotes import services

    third = make_factory(name="大森研削", ward="ota", processes=["平面研削"], address="東京都大田区大森北1-1-1",
                         lat=35.588, lon=139.728)
    third_member = fast_user("factory", factory=third, name="大森 一郎")
    with app.test_request_context():
        seeker = db.session.get(User, world.seeker)
        need = db.session.get(Need, world.need)
        factories = [db.session.get(Factory, i) for i in (world.factory, world.other_factory, third)]
        rfq = services.request_quotes(seeker, need, factories, message="見積をお願いします", quantity=50)
        db.session.commit()
        steps = {item.step.factory_id: item.step_id for item in rfq.items}
        return Asked(rfq.id, steps, {world.factory: world.factory_user, world.other_factory: world.other_factory_user,
                                     third: third_member}, [world.factory, world.other_factory, third])


def quote_body(price="1200", qty="50", days=10, **extra) -> dict:
    from hub.core.timeutil import tokyo_today

    body = {"lines": [{"description": "筐体 削り出し", "quantity": qty, "unit_price": price, "unit": "個"},
                      {"description": "治具費", "quantity": "1", "unit_price": "15000", "unit": "式"}],
            "valid_until": (tokyo_today() + timedelta(days=30)).isoformat(), "lead_days": days,
            "drawing_revision": "DWG-001 rev.B", "inspection_certificate": True}
    body.update(extra)
    return body


def form_data(price="1200", qty="50", days="10", **extra) -> dict:
    from hub.core.timeutil import tokyo_today

    data = {"lines-0-description": "筐体 削り出し", "lines-0-quantity": qty, "lines-0-unit": "個",
            "lines-0-unit_price": price, "lines-0-tax_rate": "10",
            "lines-1-description": "治具費", "lines-1-quantity": "1", "lines-1-unit": "式",
            "lines-1-unit_price": "15000", "lines-1-tax_rate": "10",
            "price_basis": "excl", "rounding": "floor", "lead_kind": "days", "lead_days": days,
            "valid_until": (tokyo_today() + timedelta(days=30)).isoformat(), "shipping": "separate",
            "drawing_revision": "DWG-001 rev.B", "inspection_certificate": "y"}
    data.update(extra)
    return data

"""Fixtures for the deals domain: a factory with a member, a seeker with a need, and clients signed in as them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from werkzeug.security import generate_password_hash

from hub.auth.models import User
from hub.core.timeutil import utcnow
from hub.extensions import db
from tests.conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    factory: int
    other_factory: int
    seeker: int
    factory_user: int
    other_factory_user: int
    need: int
    stranger: int
    organiser: int
    successor: int


@pytest.fixture
def signin(app):
    """signin(user_id) → a new test client signed in as that user."""

    def make(user_id: int):
        with app.app_context():
            email = db.session.get(User, user_id).email
        client = app.test_client()
        response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302
        return client

    return make


_FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


@pytest.fixture
def fast_user(app):
    """fast_user(role, factory=None, **fields) → a committed user's id. Like make_user, but with a cheap password
    hash (the suite's own scrypt costs ~0.4 s per user and per sign-in; these tests sign in a lot)."""
    from hub.auth.models import Organisation
    from hub.factories.models import Factory

    counter = {"n": 0}

    def make(role: str = "seeker", factory=None, name=None, email=None, locale="ja") -> int:
        counter["n"] += 1
        with app.app_context():
            user = User(email=email or f"deals-{role}{counter['n']}@example.jp", name=name or f"{role} {counter['n']}",
                        role=role, locale=locale, password_hash=_FAST_HASH, email_verified_at=utcnow())
            if factory is not None:
                row = db.session.get(Factory, factory)
                if row.organisation_id is None:
                    row.organisation = Organisation(kind="factory", name=row.name)
                    db.session.flush()
                user.organisation_id = row.organisation_id
            db.session.add(user)
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def world(app, make_factory, fast_user) -> World:
    from hub.needs.models import Need
    from hub.needs.services import save_need

    factory = make_factory(name="蒲田精密", processes=["MC加工", "NC旋盤"], materials=["A5052"],
                           address="東京都大田区蒲田1-2-3")
    other = make_factory(name="墨田メッキ", ward="sumida", processes=["アルマイト"])
    seeker = fast_user("seeker", name="佐藤 彩", locale="ja", email="aya@startup.example")
    with app.app_context():
        need = save_need(Need(owner_id=seeker), {
            "title": "アルミ筐体 50個", "description": "アルミの筐体を削り出して黒アルマイト", "processes": ["MC加工"],
            "materials": ["A5052"], "quantity": 50, "deadline": None, "budget_band": "undecided",
            "kind": "fabrication", "visibility": "public", "attachment_access": "private", "status": "open",
            "language": "ja"})
        db.session.commit()
        need_id = need.id
    return World(factory=factory, other_factory=other, seeker=seeker,
                 factory_user=fast_user("factory", factory=factory, name="高橋 健一"),
                 other_factory_user=fast_user("factory", factory=other, name="小林 拓也"),
                 need=need_id, stranger=fast_user("seeker", name="部外者"),
                 organiser=fast_user("organiser", name="区の担当"), successor=fast_user("successor"))


@pytest.fixture
def open_deal(app, world, signin):
    """An inquiry from the seeker about the need, accepted by the factory; returns (deal id, step id)."""
    seeker = signin(world.seeker)
    response = seeker.post(f"/deals/inquiries/new?need={world.need}&factory={world.factory}",
                           data={"message": "50個お願いできますか", "quantity": "50", "phone": "03-1111-2222"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    deal_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    from hub.deals.models import Deal

    with app.app_context():
        step_id = db.session.get(Deal, deal_id).steps[0].id
    return deal_id, step_id


def accept(signin, world, deal_id, step_id, phone="03-9999-0000"):
    factory = signin(world.factory_user)
    response = factory.post(f"/deals/{deal_id}/steps/{step_id}/answer",
                            data={"decision": "accept", "phone": phone})
    assert response.status_code == 302
    return factory


def fetch(client, url, **kwargs):
    """(status, body) of a GET, with the response closed (file responses hold an open file until then)."""
    with client.get(url, **kwargs) as response:
        return response.status_code, response.data

"""Helpers for the skill-transfer tests: a signed-in test client per person, and a pair taken through the flow."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def client_for(app):
    """client_for(user_id) → a test client signed in as that user."""
    from hub.auth.models import User

    def sign_in(user_id: int):
        with app.app_context():
            email = db.session.get(User, user_id).email
        client = app.test_client()
        assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
        return client

    return sign_in


def master_form(name: str, code: str = "turning", ward: str = "ota", **extra) -> dict:
    return {"name": name, "skills-0-process_code": code, "skills-0-years": "35", "skills-0-level": "5",
            "skills-1-process_code": "", "skills-2-process_code": "", "ward": ward, "travel_km": "15",
            "days_per_month": "6", "is_retired": "y", "bio": "", **extra}


def junior_form(name: str, goals=("turning",), kind: str = "student", ward: str = "ota", **extra) -> dict:
    return {"name": name, "kind": kind, "goals": list(goals), "ward": ward, "days_per_month": "4", "school": "",
            "notes": "", **extra}


@pytest.fixture
def active_pair(app, make_user, client_for):
    """active_pair(code="turning") → (pair id, master client, junior client, organiser client, ids) for a pair
    registered, proposed, accepted and confirmed through the pages."""
    from hub.people.models import Junior, Master, Pair

    counter = {"n": 0}

    def make(code: str = "turning", junior_factory=None):
        counter["n"] += 1
        n = counter["n"]
        master_id = make_user("seeker", email=f"master{n}@example.jp")
        if junior_factory is None:
            junior_user = make_user("seeker", email=f"junior{n}@example.jp")
        else:
            junior_user = make_user("factory", email=f"junior{n}@example.jp", factory=junior_factory)
        organiser_id = make_user("organiser", email=f"office{n}@example.jp")
        master, junior, office = client_for(master_id), client_for(junior_user), client_for(organiser_id)
        assert master.post("/people/masters/new", data=master_form(f"親方{n}", code)).status_code == 302
        kind = "student" if junior_factory is None else "employee"
        extra = {} if junior_factory is None else {"is_self": "y"}
        assert junior.post("/people/juniors/new", data=junior_form(f"弟子{n}", (code,), kind, **extra)).status_code \
            == 302
        with app.app_context():
            m = db.session.scalar(db.select(Master).where(Master.user_id == master_id))
            j = db.session.scalar(db.select(Junior).where(Junior.user_id == junior_user))
            m_id, j_id = m.id, j.id
        assert junior.post(f"/people/juniors/{j_id}/propose/{m_id}", data={"process_code": code}).status_code == 302
        with app.app_context():
            pair_id = db.session.scalar(db.select(Pair.id).where(Pair.junior_id == j_id))
        assert master.post(f"/people/pairs/{pair_id}/answer", data={"accept": "1"}).status_code == 302
        assert office.post(f"/people/pairs/{pair_id}/confirm", data={"confirm": "1"}).status_code == 302
        with app.app_context():
            pair = db.session.get(Pair, pair_id)
            assert pair.status == "active", pair.status
            pair.started_on -= timedelta(days=400)  # so that sessions can be logged on earlier dates
            db.session.commit()
        return pair_id, master, junior, office, {"master": master_id, "junior": junior_user,
                                                 "organiser": organiser_id, "master_id": m_id, "junior_id": j_id}

    return make

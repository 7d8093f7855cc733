"""Each role lands on its home after signing in, and the home shows what waits for that role (both languages)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.extensions import db
from tests.conftest import PASSWORD


def _login(client, app, user_id: int, lang: str = "ja"):
    from hub.auth.models import User

    with app.app_context():
        email = db.session.get(User, user_id).email
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    client.get(f"/lang/{lang}")
    return response


def _inquiry(app, seeker_id: int, factory_id: int, days_ago: float, title: str = "アルミ筐体を20個") -> int:
    """A need of the seeker and an inquiry about it to the factory, sent ``days_ago``."""
    from hub.auth.models import User
    from hub.core.timeutil import utcnow
    from hub.deals import services
    from hub.factories.models import Factory
    from hub.needs.models import Need

    with app.test_request_context():
        seeker = db.session.get(User, seeker_id)
        need = Need(owner_id=seeker_id, title=title, description="切削のあと黒アルマイト", processes=["切削"],
                    quantity=20)
        db.session.add(need)
        db.session.flush()
        deal = services.create_inquiry(seeker, db.session.get(Factory, factory_id), need=need,
                                       message="見積もりをお願いします。", quantity=20)
        deal.steps[0].created_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()
        return deal.id


@pytest.mark.parametrize("role", ["seeker", "factory", "successor", "organiser"])
def test_signing_in_lands_on_the_home_of_the_role(client, make_user, make_factory, role):
    factory = make_factory() if role == "factory" else None
    user = make_user(role=role, factory=factory)
    from hub.auth.models import User

    with client.application.app_context():
        email = db.session.get(User, user).email
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/home/"
    page = client.get("/home/")
    assert page.status_code == 200 and 'data-testid="home-title"' in page.get_data(as_text=True)


def test_signing_in_from_a_link_returns_to_it(client, make_user, make_factory):
    factory = make_factory()
    user = make_user(role="seeker")
    from hub.auth.models import User

    with client.application.app_context():
        email = db.session.get(User, user).email
    target = f"/deals/inquiries/new?factory={factory}"
    response = client.post(f"/auth/login?next=/deals/inquiries/new%3Ffactory%3D{factory}",
                           data={"email": email, "password": PASSWORD})
    assert response.headers["Location"] == target
    assert client.get(target).status_code == 200


def test_the_home_asks_a_visitor_to_sign_in(client):
    response = client.get("/home/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_factory_sees_inquiries_waiting_with_the_time_they_waited(app, client, make_user, make_factory, lang):
    factory = make_factory(name="待機製作所", processes=["MC加工"], description="焼入れもやります。")
    member = make_user(role="factory", factory=factory)
    seeker = make_user(role="seeker", name="佐藤 彩")
    old = _inquiry(app, seeker, factory, days_ago=3, title="古い問い合わせ")
    fresh = _inquiry(app, seeker, factory, days_ago=0.1, title="新しい問い合わせ")
    _login(client, app, member, lang)
    html = client.get("/home/").get_data(as_text=True)
    # Oldest first; the three-day-old one is past the two days an answer should take.
    assert html.index(f'data-testid="waiting-{old}"') < html.index(f'data-testid="waiting-{fresh}"')
    overdue = html[html.index(f'data-testid="waiting-{old}"'):html.index(f'data-testid="waiting-{fresh}"')]
    assert ("3 日" in overdue and "返答期限を過ぎています" in overdue) if lang == "ja" else \
        ("3 days" in overdue and "answer overdue" in overdue)
    recent = html[html.index(f'data-testid="waiting-{fresh}"'):]
    assert ("返答期限を過ぎています" if lang == "ja" else "answer overdue") not in recent.split("</li>")[0]
    assert "佐藤 彩" in html
    # A capability read from the description waits for the owner's word.
    assert 'data-testid="home-unconfirmed"' in html


def test_an_answered_inquiry_leaves_the_waiting_list(app, client, make_user, make_factory):
    from hub.auth.models import User
    from hub.deals import services
    from hub.deals.models import Deal

    factory = make_factory()
    member = make_user(role="factory", factory=factory)
    deal_id = _inquiry(app, make_user(role="seeker"), factory, days_ago=1)
    _login(client, app, member)
    assert f'data-testid="waiting-{deal_id}"' in client.get("/home/").get_data(as_text=True)
    with app.test_request_context():
        deal = db.session.get(Deal, deal_id)
        services.answer(db.session.get(User, member), deal.steps[0], accept=True)
        db.session.commit()
    assert f'data-testid="waiting-{deal_id}"' not in client.get("/home/").get_data(as_text=True)


def _open_factory(app, factory_id: int, bookings: int = 2) -> dict:
    from hub.core.timeutil import tokyo_today, utcnow
    from hub.events.models import Booking, Edition, Participation, Program, Slot

    with app.app_context():
        today = tokyo_today()
        edition = Edition(name="OF2026", name_en="OF 2026", starts_on=today, ends_on=today + timedelta(days=5),
                          applications_open_on=today - timedelta(days=10),
                          applications_close_on=today + timedelta(days=3))
        db.session.add(edition)
        db.session.flush()
        db.session.add(Participation(edition_id=edition.id, factory_id=factory_id, status="approved"))
        program = Program(edition_id=edition.id, factory_id=factory_id, kind="tour", title="旋盤の見学",
                          title_en="Lathe tour")
        start = (utcnow() + timedelta(days=2)).replace(microsecond=0)
        slot = Slot(program=program, starts_at=start, ends_at=start + timedelta(hours=1), capacity=8)
        db.session.add_all([program, slot])
        db.session.flush()
        for n in range(bookings):
            db.session.add(Booking(slot_id=slot.id, name=f"来場 {n}", email=f"v{n}@example.jp", party_size=2,
                                   status="confirmed"))
        db.session.commit()
        return {"edition": edition.id, "program": program.id, "slot": slot.id}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_factory_sees_the_bookings_of_its_open_factory_slots(app, client, make_user, make_factory, lang):
    factory = make_factory(name="見学製作所")
    member = make_user(role="factory", factory=factory)
    _open_factory(app, factory, bookings=2)
    _login(client, app, member, lang)
    html = client.get("/home/").get_data(as_text=True)
    section = html[html.index('data-testid="home-openfactory"'):]
    assert ("4 / 8 席が予約済み" if lang == "ja" else "4 / 8 seats booked") in section
    assert "来場 1" in section


def test_a_factory_without_a_profile_is_asked_to_make_one(client, app, make_user):
    user = make_user(role="factory")
    _login(client, app, user)
    assert "/factories/mine" in client.get("/home/").get_data(as_text=True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_seeker_sees_needs_replies_and_suggested_factories(app, client, make_user, make_factory, lang):
    factory = make_factory(name="切削製作所", name_en="Sessaku Works", processes=["MC加工", "アルマイト"],
                           materials=["A5052"])
    seeker = make_user(role="seeker")
    deal = _inquiry(app, seeker, factory, days_ago=1)
    _login(client, app, seeker, lang)
    html = client.get("/home/").get_data(as_text=True)
    assert f'data-testid="reply-{deal}"' in html
    assert ("まだ返事はありません" if lang == "ja" else "no answer yet") in html
    needs = html[html.index('data-testid="home-needs"'):]
    assert "アルミ筐体を20個" in needs
    suggestions = html[html.index('data-testid="home-suggestions"'):html.index('data-testid="home-needs"')]
    assert ("切削製作所" if lang == "ja" else "Sessaku Works") in suggestions
    assert "/deals/inquiries/new?need=" in suggestions


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_successor_sees_fitting_listings_and_requests(app, client, make_user, make_listing, make_profile,
                                                        disclose, lang):
    public_id = make_listing()
    successor = make_user(role="successor")
    make_profile(successor)
    disclose(public_id, successor)
    _login(client, app, successor, lang)
    html = client.get("/home/").get_data(as_text=True)
    listings = html[html.index('data-testid="home-listings"'):html.index('data-testid="home-requests"')]
    assert f"/succession/l/{public_id}" in listings
    assert ("新着" if lang == "ja" else "Newly listed") in listings
    requests = html[html.index('data-testid="home-requests"'):]
    assert f"/succession/l/{public_id}" in requests
    assert "秘密" not in html  # the anonymous form only: never the factory's name


def test_a_successor_without_a_profile_is_asked_for_one(app, client, make_user):
    successor = make_user(role="successor")
    _login(client, app, successor)
    assert "/succession/profile" in client.get("/home/").get_data(as_text=True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_organiser_sees_queues_checkins_imports_and_indicators(app, client, make_user, make_factory, lang):
    from hub.core.timeutil import from_tokyo, tokyo_today
    from hub.events.models import Participation, Slot

    factory = make_factory()
    ids = _open_factory(app, factory, bookings=1)
    with app.app_context():
        slot = db.session.get(Slot, ids["slot"])
        noon = from_tokyo(__import__("datetime").datetime.combine(tokyo_today(), __import__("datetime").time(12)))
        slot.starts_at, slot.ends_at = noon, noon + timedelta(hours=1)
        other = make_factory()
        db.session.add(Participation(edition_id=ids["edition"], factory_id=other, status="pending"))
        db.session.commit()
    organiser = make_user(role="organiser")
    _login(client, app, organiser, lang)
    html = client.get("/home/").get_data(as_text=True)
    queue = html[html.index('data-testid="queue-participations"'):].split("</li>")[0]
    assert ">1<" in queue and f"/openfactory/editions/{ids['edition']}/dashboard" in queue
    today = html[html.index('data-testid="home-checkin"'):html.index('data-testid="home-indicators"')]
    assert f"/openfactory/slots/{ids['slot']}/roster" in today
    assert ("2 席中 0 席が受付済み" if lang == "ja" else "0 of 2 seats checked in") in today
    for key in ("events_held", "open_factory_companies", "joint_projects_formed", "succession_plans",
                "meister_pairs"):
        assert f'data-testid="kpi-{key}"' in html
    assert 'data-testid="home-imports"' in html

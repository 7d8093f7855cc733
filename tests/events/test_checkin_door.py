"""Check-in at the door (issue 12): a booking for another day or slot is flagged before it is admitted (and can
be admitted anyway), today's list finds a party by name for people without their code, and only staff see it."""

from __future__ import annotations

from datetime import timedelta

from hub.extensions import db
from tests.events.test_checkin import _booking, _code, _login


def test_a_code_for_another_day_is_flagged_not_counted_then_admitted_anyway(app, client, of, book_api):
    ids = of(starts_in=timedelta(days=2))
    booking = book_api(ids["slot"], "guest@example.jp", 2).get_json()
    _login(client, app, ids["member"])
    code = _code(app, booking["id"])
    page = client.post("/checkin?lang=en", data={"code": code}).get_data(as_text=True)
    assert "for another day" in page and 'data-testid="admit-anyway"' in page
    assert _booking(app, booking["id"]) == (None, 0)
    page = client.post("/checkin?lang=en", data={"code": code, "force": "1"}).get_data(as_text=True)
    assert "Checked in" in page
    assert _booking(app, booking["id"])[0] is not None


def test_a_code_for_a_later_slot_today_is_flagged(app, client, of, book_api):
    from hub.core.timeutil import to_tokyo, utcnow

    hours = 3 if to_tokyo(utcnow()).hour < 20 else -3  # stay on today's date in Tokyo
    ids = of(starts_in=timedelta(hours=hours))
    if hours < 0:  # a slot earlier today is over: book it as if it were still open
        from hub.events.models import Booking

        with app.app_context():
            db.session.add(Booking(slot_id=ids["slot"], name="来場 一郎", email="g@example.jp",
                                   email_key="g@example.jp", party_size=1, status="confirmed"))
            db.session.commit()
            booking_id = db.session.scalar(db.select(Booking.id).where(Booking.slot_id == ids["slot"]))
    else:
        booking_id = book_api(ids["slot"], "g@example.jp").get_json()["id"]
    _login(client, app, ids["member"])
    page = client.post("/checkin?lang=en", data={"code": _code(app, booking_id)}).get_data(as_text=True)
    assert "slot today. Not admitted yet." in page
    assert _booking(app, booking_id) == (None, 0)


def test_the_list_finds_a_party_by_name_however_it_is_typed_and_checks_it_in(app, client, of, book_api):
    ids = of(starts_in=timedelta(minutes=20))
    yamada = book_api(ids["slot"], "y@example.jp", 2, name="山田 花子").get_json()
    book_api(ids["slot"], "s@example.jp", 1, name="Suzuki Ken")
    _login(client, app, ids["member"])
    page = client.get("/checkin/list?lang=en").get_data(as_text=True)
    assert page.count('data-testid="checkin-row"') == 2
    for typed in ("山田花子", "山田", "ＳＵＺＵＫＩ", "suzuki ken"):
        found = client.get("/checkin/list", query_string={"q": typed, "lang": "en"}).get_data(as_text=True)
        assert found.count('data-testid="checkin-row"') == 1, typed
    none = client.get("/checkin/list", query_string={"q": "佐藤", "lang": "en"}).get_data(as_text=True)
    assert 'data-testid="checkin-none"' in none
    done = client.post(f"/checkin/bookings/{yamada['id']}", data={"q": "山田"})
    assert done.status_code == 302 and "q=" in done.headers["Location"]
    assert _booking(app, yamada["id"])[0] is not None
    page = client.get("/checkin/list", query_string={"q": "山田", "lang": "en"}).get_data(as_text=True)
    assert 'data-testid="checked-in"' in page


def test_the_list_shows_only_todays_slots_of_my_factory(app, client, of, book_api, make_factory, make_user):
    later = of(starts_in=timedelta(days=2))
    book_api(later["slot"], "later@example.jp", name="明後日 太郎")
    _login(client, app, later["member"])
    page = client.get("/checkin/list?lang=en").get_data(as_text=True)
    assert 'data-testid="no-slots-today"' in page and "明後日" not in page
    stranger = make_user(role="factory", factory=make_factory(name="よその工場"))
    today = of(starts_in=timedelta(minutes=20))
    booking = book_api(today["slot"], "t@example.jp", name="今日 花子").get_json()
    client.post("/auth/logout")
    _login(client, app, stranger)
    assert "今日" not in client.get("/checkin/list?lang=en").get_data(as_text=True)
    assert client.post(f"/checkin/bookings/{booking['id']}").status_code == 403


def test_the_list_is_for_staff_only(client, login_as):
    assert client.get("/checkin/list").status_code == 302
    login_as("seeker")
    assert client.get("/checkin/list").status_code == 403

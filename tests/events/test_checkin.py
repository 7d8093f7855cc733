"""At the door: signed QR codes, a second scan flagged and not counted twice, forged codes refused, the roster's
buttons, the walk-in counter and no-show figures; each role sees only what it may."""

from __future__ import annotations

from datetime import timedelta

from hub.extensions import db


def _code(app, booking_id):
    from hub.events.models import Booking
    from hub.events.services import checkin_code

    with app.test_request_context():
        return checkin_code(db.session.get(Booking, booking_id))


def _booking(app, booking_id):
    from hub.events.models import Booking

    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        return booking.checked_in_at, booking.scan_count


def _login(client, app, user_id):
    from hub.auth.models import User
    from tests.conftest import PASSWORD

    with app.app_context():
        email = db.session.get(User, user_id).email
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302


SOON = timedelta(minutes=30)  # the visitor's slot starts soon: a code scanned now is for this slot


def test_factory_member_checks_in_by_code_and_a_second_scan_is_flagged(app, client, of, book_api):
    ids = of(starts_in=SOON)
    booking = book_api(ids["slot"], "guest@example.jp", 3).get_json()
    _login(client, app, ids["member"])
    code = _code(app, booking["id"])
    page = client.post("/checkin?lang=en", data={"code": code}).get_data(as_text=True)
    assert "Checked in" in page and "party of 3" in page
    first_time, scans = _booking(app, booking["id"])
    assert first_time is not None and scans == 1
    again = client.post("/checkin?lang=en", data={"code": code}).get_data(as_text=True)
    assert "Already checked in" in again and "not counted again" in again
    second_time, scans = _booking(app, booking["id"])
    assert second_time == first_time and scans == 2
    from hub.events.services import slot_counts

    with app.app_context():
        assert slot_counts([ids["slot"]])[ids["slot"]]["checked_in"] == 3


def test_forged_and_altered_codes_are_refused(app, client, of, book_api):
    ids = of()
    booking = book_api(ids["slot"], "guest@example.jp").get_json()
    _login(client, app, ids["member"])
    code = _code(app, booking["id"])
    payload, _, signature = code.rpartition(".")
    forged = [payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:], "eyJiIjoxLCJzIjoxfQ.xxxx",
              "<script>alert(1)</script>", "x" * 400]
    for value in forged:
        response = client.post("/checkin?lang=en", data={"code": value})
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "not valid" in text or "at most 300" in text.lower() or "Field cannot be longer" in text
    assert _booking(app, booking["id"]) == (None, 0)


def test_a_code_signed_with_another_key_is_refused(app, client, of, book_api):
    from itsdangerous import URLSafeSerializer

    ids = of()
    booking = book_api(ids["slot"], "guest@example.jp").get_json()
    _login(client, app, ids["member"])
    other = URLSafeSerializer("another-secret", salt="events.checkin").dumps({"b": booking["id"], "s": ids["slot"]})
    assert "not valid" in client.post("/checkin?lang=en", data={"code": other}).get_data(as_text=True)


def test_another_factorys_member_cannot_check_in(app, client, of, book_api, make_factory, make_user):
    ids = of()
    booking = book_api(ids["slot"], "guest@example.jp").get_json()
    stranger = make_user(role="factory", factory=make_factory(name="よその工場"))
    _login(client, app, stranger)
    text = client.post("/checkin?lang=en", data={"code": _code(app, booking["id"])}).get_data(as_text=True)
    assert "another factory" in text
    assert _booking(app, booking["id"]) == (None, 0)
    assert client.get(f"/openfactory/slots/{ids['slot']}/roster").status_code == 403


def test_waitlisted_and_cancelled_bookings_are_not_admitted(app, client, of, book_api):
    ids = of(capacity=1, starts_in=SOON)
    book_api(ids["slot"], "first@example.jp")
    waiting = book_api(ids["slot"], "second@example.jp").get_json()
    _login(client, app, ids["member"])
    text = client.post("/checkin?lang=en", data={"code": _code(app, waiting["id"])}).get_data(as_text=True)
    assert "still on the waiting list" in text
    client.delete(f"/api/v1/bookings/{waiting['id']}?token={waiting['cancel_token']}")
    text = client.post("/checkin?lang=en", data={"code": _code(app, waiting["id"])}).get_data(as_text=True)
    assert "was cancelled" in text


def test_checkin_page_needs_factory_or_organiser(client, login_as):
    assert client.get("/checkin").status_code == 302
    login_as("seeker")
    assert client.get("/checkin").status_code == 403


def test_roster_checkin_button_walk_ins_and_no_shows(app, client, of, book_api):
    ids = of(capacity=6)
    a = book_api(ids["slot"], "a@example.jp", 2).get_json()
    book_api(ids["slot"], "b@example.jp", 3)
    _login(client, app, ids["member"])
    page = client.get(f"/openfactory/slots/{ids['slot']}/roster?lang=en").get_data(as_text=True)
    assert page.count('data-testid="roster-row"') == 2
    client.post(f"/openfactory/bookings/{a['id']}/checkin")
    client.post(f"/openfactory/bookings/{a['id']}/checkin")  # pressing twice does not count twice
    for delta in ("1", "1", "1", "-1"):
        client.post(f"/openfactory/slots/{ids['slot']}/walk-ins", data={"delta": delta})
    page = client.get(f"/openfactory/slots/{ids['slot']}/roster?lang=en").get_data(as_text=True)
    assert "Checked in 2" in page and "Walk-ins 2" in page and "scanned 2 times" in page
    # Once the slot is over, the confirmed party that never came is a no-show.
    from hub.core.timeutil import utcnow
    from hub.events.kpis import edition_stats
    from hub.events.models import Edition, Slot

    with app.app_context():
        slot = db.session.get(Slot, ids["slot"])
        slot.starts_at = utcnow() - timedelta(hours=3)
        slot.ends_at = utcnow() - timedelta(hours=2)
        db.session.commit()
        (row,) = edition_stats(db.session.get(Edition, ids["edition"]))
        assert (row["booked"], row["checked_in"], row["walk_ins"], row["no_shows"]) == (5, 2, 2, 3)
    page = client.get(f"/openfactory/slots/{ids['slot']}/roster?lang=en").get_data(as_text=True)
    assert "No-shows 3" in page


def test_walk_in_counter_never_goes_below_zero(app, client, of):
    ids = of()
    _login(client, app, ids["member"])
    client.post(f"/openfactory/slots/{ids['slot']}/walk-ins", data={"delta": "-1"})
    from hub.events.models import Slot

    with app.app_context():
        assert db.session.get(Slot, ids["slot"]).walk_ins == 0

"""The booking engine through the public API and the pages: confirmed, waiting list, promotion, duplicates,
closed and past slots, parties too large, overlaps, reminders, calendar files and the manage link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar

from hub.extensions import db


def _seats(app, slot_id):
    from hub.events.services import confirmed_seats

    with app.app_context():
        return confirmed_seats(slot_id)


def test_book_confirms_until_full_then_waitlists_in_order(app, of, book_api):
    ids = of(capacity=5)
    first = book_api(ids["slot"], "a@example.jp", 3)
    assert first.status_code == 201
    body = first.get_json()
    assert body["status"] == "confirmed" and body["position"] is None and body["cancel_token"]
    assert book_api(ids["slot"], "b@example.jp", 2).get_json()["status"] == "confirmed"
    third = book_api(ids["slot"], "c@example.jp", 2).get_json()
    fourth = book_api(ids["slot"], "d@example.jp", 1).get_json()
    assert (third["status"], third["position"]) == ("waitlisted", 1)
    assert (fourth["status"], fourth["position"]) == ("waitlisted", 2)
    assert _seats(app, ids["slot"]) == 5


def test_slot_endpoints_follow_the_contract(client, of, book_api):
    ids = of(capacity=4)
    book_api(ids["slot"], "a@example.jp", 4)
    book_api(ids["slot"], "b@example.jp", 2)
    listing = client.get("/api/v1/openfactory/slots?edition=current").get_json()
    slot = next(s for s in listing["slots"] if s["id"] == ids["slot"])
    for key in ("id", "factory", "program", "starts_at", "ends_at", "capacity", "booked", "waitlisted"):
        assert key in slot
    assert (slot["capacity"], slot["booked"], slot["waitlisted"]) == (4, 4, 1)
    one = client.get(f"/api/v1/openfactory/slots/{ids['slot']}").get_json()
    assert one == slot
    assert client.get("/api/v1/openfactory/slots/999999").status_code == 404
    assert client.get("/api/v1/openfactory/slots?edition=abc").status_code == 400
    assert client.get(f"/api/v1/openfactory/slots?edition={ids['edition']}").status_code == 200


def test_cancel_promotes_waiting_parties_that_fit_in_order_and_tells_them(app, client, of, book_api, outbox):
    ids = of(capacity=4)
    a = book_api(ids["slot"], "a@example.jp", 3).get_json()
    book_api(ids["slot"], "b@example.jp", 1)
    w1 = book_api(ids["slot"], "w1@example.jp", 3).get_json()   # fits after a cancels
    w2 = book_api(ids["slot"], "w2@example.jp", 2).get_json()   # does not fit after w1
    w3 = book_api(ids["slot"], "w3@example.jp", 1).get_json()   # not enough left either (4 = 1 + 3)
    response = client.delete(f"/api/v1/bookings/{a['id']}?token={a['cancel_token']}")
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    status = {b["id"]: client.get(f"/api/v1/bookings/{b['id']}?token={b['cancel_token']}").get_json()["status"]
              for b in (a, w1, w2, w3)}
    assert status == {a["id"]: "cancelled", w1["id"]: "confirmed", w2["id"]: "waitlisted", w3["id"]: "waitlisted"}
    assert _seats(app, ids["slot"]) == 4
    assert [m[0] for m in outbox("booking_promoted")] == ["w1@example.jp"]
    assert client.get(f"/api/v1/bookings/{w2['id']}?token={w2['cancel_token']}").get_json()["position"] == 1
    # Cancelling again changes nothing.
    assert client.delete(f"/api/v1/bookings/{a['id']}?token={a['cancel_token']}").status_code == 200
    assert _seats(app, ids["slot"]) == 4


def test_first_fit_promotion_skips_a_party_too_big_and_confirms_the_next(app, client, of, book_api):
    ids = of(capacity=3)
    a = book_api(ids["slot"], "a@example.jp", 2).get_json()
    book_api(ids["slot"], "b@example.jp", 1)
    big = book_api(ids["slot"], "big@example.jp", 3).get_json()
    small = book_api(ids["slot"], "small@example.jp", 2).get_json()
    client.delete(f"/api/v1/bookings/{a['id']}?token={a['cancel_token']}")
    get = client.get
    assert get(f"/api/v1/bookings/{big['id']}?token={big['cancel_token']}").get_json()["status"] == "waitlisted"
    assert get(f"/api/v1/bookings/{small['id']}?token={small['cancel_token']}").get_json()["status"] == "confirmed"
    assert _seats(app, ids["slot"]) == 3


def test_duplicate_submission_books_nothing_twice_and_reveals_nothing(app, of, book_api, outbox):
    ids = of(capacity=8)
    book_api(ids["slot"], "Same@Example.jp", 2)
    again = book_api(ids["slot"], "same@example.jp", 3)
    assert again.status_code == 202
    assert set(again.get_json()) == {"status", "message"}
    assert again.get_json()["status"] == "pending_confirmation"
    assert _seats(app, ids["slot"]) == 2
    assert len(outbox("booking_confirmed")) == 1
    assert [m[0] for m in outbox("booking_exists")] == ["Same@example.jp"]


def test_after_cancelling_the_same_email_can_book_again(client, of, book_api):
    ids = of()
    first = book_api(ids["slot"], "x@example.jp").get_json()
    client.delete(f"/api/v1/bookings/{first['id']}?token={first['cancel_token']}")
    second = book_api(ids["slot"], "x@example.jp").get_json()
    assert second["id"] != first["id"] and second["status"] == "confirmed"


@pytest.mark.parametrize("fields,code", [
    ({"booking_closes_at_delta": -1}, "booking_closed"),
    ({"booking_opens_at_delta": 5}, "booking_not_yet"),
    ({"admission": "walk_in"}, "booking_walk_in"),
])
def test_closed_not_yet_and_walk_in_slots_answer_409_with_a_message(app, of, book_api, fields, code):
    from hub.core.timeutil import utcnow

    extra = {}
    if "booking_closes_at_delta" in fields:
        extra["booking_closes_at"] = utcnow() + timedelta(hours=fields["booking_closes_at_delta"])
    if "booking_opens_at_delta" in fields:
        extra["booking_opens_at"] = utcnow() + timedelta(hours=fields["booking_opens_at_delta"])
    if "admission" in fields:
        extra["admission"] = fields["admission"]
    ids = of(**extra)
    response = book_api(ids["slot"], "a@example.jp")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    assert _seats(app, ids["slot"]) == 0


def test_slot_in_the_past_cannot_be_booked(app, of, book_api, client):
    ids = of(starts_in=timedelta(hours=-2))
    response = book_api(ids["slot"], "a@example.jp")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "booking_past"
    page = client.get(f"/openfactory/slots/{ids['slot']}?lang=en").get_data(as_text=True)
    assert "can no longer be booked" in page


def test_party_larger_than_the_slot_is_refused(app, of, book_api):
    ids = of(capacity=3)
    response = book_api(ids["slot"], "a@example.jp", 4)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "party_too_large"
    assert "party_size" in response.get_json()["error"]["fields"]
    assert _seats(app, ids["slot"]) == 0


@pytest.mark.parametrize("payload,field", [
    ({"name": "A", "email": "a@example.jp", "party_size": 0}, "party_size"),
    ({"name": "A", "email": "a@example.jp", "party_size": 11}, "party_size"),
    ({"name": "A", "email": "a@example.jp", "party_size": "2"}, "party_size"),
    ({"name": "A", "email": "a@example.jp", "party_size": True}, "party_size"),
    ({"name": "A", "email": "not-an-email", "party_size": 1}, "email"),
    ({"name": "", "email": "a@example.jp", "party_size": 1}, "name"),
    ({"name": "x" * 500, "email": "a@example.jp", "party_size": 1}, "name"),
    ({"name": ["<script>"], "email": "a@example.jp", "party_size": 1}, "name"),
    ({"email": "a@example.jp", "party_size": 1}, "name"),
])
def test_invalid_booking_requests_are_400_with_the_field(of, client, payload, field):
    ids = of()
    response = client.post(f"/api/v1/openfactory/slots/{ids['slot']}/bookings", json=payload)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_malformed_bodies_never_5xx(of, client):
    ids = of()
    url = f"/api/v1/openfactory/slots/{ids['slot']}/bookings"
    assert client.post(url, data="{", content_type="application/json").status_code == 400
    assert client.post(url, data="[]", content_type="application/json").status_code == 400
    assert client.post(url, data="x", content_type="text/plain").status_code == 415
    assert client.post("/api/v1/openfactory/slots/424242/bookings",
                       json={"name": "A", "email": "a@example.jp", "party_size": 1}).status_code == 404


def test_booking_tokens_are_checked(of, client, book_api):
    ids = of()
    a = book_api(ids["slot"], "a@example.jp").get_json()
    b = book_api(ids["slot"], "b@example.jp").get_json()
    assert client.get(f"/api/v1/bookings/{a['id']}").status_code == 404
    assert client.get(f"/api/v1/bookings/{a['id']}?token={b['cancel_token']}").status_code == 404
    assert client.delete(f"/api/v1/bookings/{a['id']}?token=forged.token").status_code == 404
    assert client.get(f"/api/v1/bookings/{a['id']}?token={a['cancel_token']}").get_json() == {
        "id": a["id"], "status": "confirmed", "slot_id": ids["slot"], "party_size": 1, "position": None}


def test_booking_endpoints_are_rate_limited_per_client(make_app, of):
    ids = of()
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_BOOKING="3 per minute", RATELIMIT_API="1000 per minute")
    client = limited.test_client()
    codes = [client.get(f"/api/v1/openfactory/slots/{ids['slot']}").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_confirmation_email_in_the_visitors_language_with_links(app, client, of, book_api, outbox):
    ids = of()
    book_api(ids["slot"], "en@example.jp", 2, locale="en")
    book_api(ids["slot"], "ja@example.jp", 1, locale="ja")
    (en,) = outbox("booking_confirmed", "en@example.jp")
    (ja,) = outbox("booking_confirmed", "ja@example.jp")
    assert en[2].startswith("Booking confirmed") and "Lathe tour" in en[2]
    assert "予約" in ja[2] and "旋盤の見学" in ja[2]
    for link in ("/booking.ics?token=", "/cancel?token=", "/openfactory/my/"):
        assert link in en[3] and link in ja[3]


def test_ics_validates_and_describes_the_slot(app, client, of, book_api, outbox):
    ids = of()
    book_api(ids["slot"], "a@example.jp", 2, locale="en")
    body = outbox("booking_confirmed")[0][3]
    ics_url = re.search(r"http://\S+/booking\.ics\?token=\S+", body).group(0)
    response = client.get(ics_url.replace("http://localhost.localdomain", ""))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    with app.app_context():
        from hub.events.models import Slot

        slot = db.session.get(Slot, ids["slot"])
        assert event.decoded("dtstart").replace(tzinfo=None) == slot.starts_at
        assert event.decoded("dtend").replace(tzinfo=None) == slot.ends_at
    assert "Lathe tour" in str(event.get("summary"))
    assert "大田区" in str(event.get("location"))
    assert str(event.get("uid")).startswith("booking-")


def test_cancel_from_the_email_link_needs_a_button_press(app, client, of, book_api, outbox):
    ids = of(capacity=1)
    book_api(ids["slot"], "a@example.jp", locale="en")
    waiting = book_api(ids["slot"], "w@example.jp").get_json()
    body = outbox("booking_confirmed")[0][3]
    cancel_url = re.search(r"http://\S+/cancel\?token=\S+", body).group(0).replace("http://localhost.localdomain", "")
    page = client.get(cancel_url)
    assert page.status_code == 200 and _seats(app, ids["slot"]) == 1  # a GET (link preview) cancels nothing
    response = client.post(cancel_url)
    assert response.status_code == 302
    assert client.get(f"/api/v1/bookings/{waiting['id']}?token={waiting['cancel_token']}").get_json()[
        "status"] == "confirmed"
    assert [m[0] for m in outbox("booking_cancelled")] == ["a@example.jp"]


def test_manage_link_lists_every_booking_of_the_email(app, client, of, book_api, add_slot, outbox):
    from hub.core.timeutil import utcnow

    ids = of()
    other = add_slot(ids["program"], utcnow() + timedelta(days=3))
    book_api(ids["slot"], "me@example.jp")
    book_api(other, "me@example.jp")
    book_api(other, "someone@example.jp")
    body = outbox("booking_confirmed", "me@example.jp")[0][3]
    manage = re.search(r"http://\S+/openfactory/my/\S+", body).group(0).replace("http://localhost.localdomain", "")
    page = client.get(manage).get_data(as_text=True)
    assert page.count('data-testid="booking-status"') == 2
    assert client.get("/openfactory/my/forged-token").status_code == 404


def test_overlapping_bookings_are_warned_about_in_the_email_only(app, client, of, book_api, add_slot, outbox):
    """Without the email confirmation, whoever typed the address may not be its owner: the overlap (the address's
    other booking) goes to the address, not to the API answer or the booking page (issue 10, finding 3)."""
    from hub.events.models import Slot

    ids = of()
    with app.app_context():
        start = db.session.get(Slot, ids["slot"]).starts_at
    overlapping = add_slot(ids["program"], start + timedelta(minutes=30))
    separate = add_slot(ids["program"], start + timedelta(hours=3))
    book_api(ids["slot"], "me@example.jp", locale="en")
    assert book_api(separate, "me@example.jp").get_json()["overlaps"] == []
    response = book_api(overlapping, "me@example.jp", locale="en").get_json()
    assert response["overlaps"] == []
    page = client.get(f"/openfactory/bookings/{response['id']}?token={response['cancel_token']}&lang=en")
    assert 'data-testid="overlap-warning"' not in page.get_data(as_text=True)
    assert "other bookings at the same time" in outbox("booking_confirmed", "me@example.jp")[-1][3]


def test_html_booking_flow_and_duplicate_message(app, client, of):
    ids = of(capacity=2)
    form = {"name": "山田 花子", "email": "hanako@example.jp", "party_size": "2", "locale": "ja"}
    response = client.post(f"/openfactory/slots/{ids['slot']}?lang=en", data=form)
    assert response.status_code == 302 and "/openfactory/bookings/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your booking is confirmed" in page and 'data-testid="checkin-code"' in page
    again = client.post(f"/openfactory/slots/{ids['slot']}?lang=en", data=form)
    assert again.status_code == 302 and "/openfactory/bookings/" not in again.headers["Location"]
    assert "We have sent an email to hanako@example.jp" in client.get(again.headers["Location"]).get_data(
        as_text=True)
    too_big = client.post(f"/openfactory/slots/{ids['slot']}", data={**form, "email": "b@example.jp",
                                                                      "party_size": "3"})
    assert too_big.status_code == 200 and "at most 2 people" in too_big.get_data(as_text=True)
    invalid = client.post(f"/openfactory/slots/{ids['slot']}", data={**form, "email": "nope", "party_size": "x"})
    assert invalid.status_code == 200
    assert _seats(app, ids["slot"]) == 2


def test_qr_png_is_served_for_the_token_only(client, of, book_api):
    ids = of()
    a = book_api(ids["slot"], "a@example.jp").get_json()
    response = client.get(f"/openfactory/bookings/{a['id']}/qr.png?token={a['cancel_token']}")
    assert response.status_code == 200 and response.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/openfactory/bookings/{a['id']}/qr.png?token=nope").status_code == 404


def test_reminders_go_out_once_the_day_before(app, runner, of, book_api, outbox):
    from hub.core.timeutil import TOKYO, from_tokyo, to_tokyo, utcnow

    # A slot at 10:00 Tokyo time tomorrow.
    tomorrow = to_tokyo(utcnow()).date() + timedelta(days=1)
    from datetime import datetime, time

    start = from_tokyo(datetime.combine(tomorrow, time(10, 0)))
    ids = of(starts_in=start - utcnow())
    assert TOKYO.key == "Asia/Tokyo"
    book_api(ids["slot"], "soon@example.jp", locale="en")
    later = of(starts_in=timedelta(days=4))
    book_api(later["slot"], "later@example.jp")
    first = runner.invoke(args=["events-send-reminders"])
    assert first.exit_code == 0 and "reminders queued=1" in first.output
    second = runner.invoke(args=["events-send-reminders"])
    assert "reminders queued=0" in second.output
    reminders = outbox("booking_reminder")
    assert [m[0] for m in reminders] == ["soon@example.jp"]
    assert reminders[0][2].startswith("Reminder:")


def test_reminder_command_works_without_a_server_name(make_app, of, book_api, outbox):
    from datetime import datetime, time

    from hub.core.timeutil import from_tokyo, to_tokyo, utcnow

    tomorrow = to_tokyo(utcnow()).date() + timedelta(days=1)
    ids = of(starts_in=from_tokyo(datetime.combine(tomorrow, time(15, 0))) - utcnow())
    book_api(ids["slot"], "cli@example.jp")
    cli_app = make_app(SERVER_NAME=None, PUBLIC_BASE_URL="https://hub.example.jp")
    result = cli_app.test_cli_runner().invoke(args=["events-send-reminders"])
    assert result.exit_code == 0, result.output
    (reminder,) = outbox("booking_reminder")
    assert "https://hub.example.jp/openfactory/bookings/" in reminder[3]


def test_html_booking_is_rate_limited(make_app, of):
    ids = of(capacity=50)
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_BOOKING="2 per minute")
    client = limited.test_client()
    codes = [client.post(f"/openfactory/slots/{ids['slot']}", data={
        "name": "A", "email": f"r{i}@example.jp", "party_size": "1", "locale": "ja"}).status_code for i in range(3)]
    assert codes == [302, 302, 429]
    assert client.get(f"/openfactory/slots/{ids['slot']}").status_code == 200  # reading is not limited


def test_sqlite_lock_contention_is_retried_then_answered_without_a_5xx(app, client, of, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from hub.core import locking
    from hub.events import services

    ids = of()
    real_book = services.book
    failures = {"left": 2}

    def flaky(*args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("UPDATE event_slots …", {}, Exception("database is locked"))
        return real_book(*args, **kwargs)

    monkeypatch.setattr(services, "book", flaky)
    monkeypatch.setattr(locking.time, "sleep", lambda _s: None)
    payload = {"name": "A", "email": "a@example.jp", "party_size": 1}
    response = client.post(f"/api/v1/openfactory/slots/{ids['slot']}/bookings", json=payload)
    assert response.status_code == 201 and failures["left"] == 0

    def always_locked(*args, **kwargs):
        raise OperationalError("UPDATE event_slots …", {}, Exception("database is locked"))

    monkeypatch.setattr(services, "book", always_locked)
    response = client.post(f"/api/v1/openfactory/slots/{ids['slot']}/bookings",
                           json={**payload, "email": "b@example.jp"})
    assert response.status_code == 429 and response.get_json()["error"]["code"] == "busy"
    page = client.post(f"/openfactory/slots/{ids['slot']}?lang=en", data={**payload, "email": "c@example.jp",
                                                                          "locale": "en"})
    assert page.status_code == 200 and "try again" in page.get_data(as_text=True)

"""A party larger than the free seats gets a choice (issue 12): book the free seats, or join the waiting list for
the whole party — in the API (a 409 listing the choices), on the slot page, on a pitch night and on the email
confirmation page. A full slot still waitlists, as its page says."""

from __future__ import annotations

import re

import pytest

from hub.extensions import db


def _seats(app, slot_id):
    from hub.events.services import confirmed_seats

    with app.app_context():
        return confirmed_seats(slot_id)


def _bookings(app, slot_id):
    from hub.events.models import Booking

    with app.app_context():
        return [(b.email, b.status, b.party_size) for b in db.session.scalars(
            db.select(Booking).where(Booking.slot_id == slot_id).order_by(Booking.id))]


def test_api_asks_with_a_409_and_the_choices_when_the_party_is_larger_than_the_free_seats(app, of, book_api):
    ids = of(capacity=5)
    assert book_api(ids["slot"], "a@example.jp", 3).get_json()["status"] == "confirmed"
    response = book_api(ids["slot"], "big@example.jp", 4)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "party_exceeds_free_seats" and error["free_seats"] == 2 and error["party_size"] == 4
    assert error["choices"] == [{"if_short": "partial", "party_size": 2, "status": "confirmed"},
                                {"if_short": "waitlist", "party_size": 4, "status": "waitlisted"}]
    assert "party_size" in error["fields"]
    assert _bookings(app, ids["slot"]) == [("a@example.jp", "confirmed", 3)]  # nothing booked while asking


def test_api_books_the_free_seats_when_asked(app, of, book_api):
    ids = of(capacity=5)
    book_api(ids["slot"], "a@example.jp", 3)
    body = book_api(ids["slot"], "big@example.jp", 4, if_short="partial").get_json()
    assert (body["status"], body["party_size"], body["position"]) == ("confirmed", 2, None)
    assert _seats(app, ids["slot"]) == 5


def test_api_waitlists_the_whole_party_when_asked(app, of, book_api):
    ids = of(capacity=5)
    book_api(ids["slot"], "a@example.jp", 3)
    body = book_api(ids["slot"], "big@example.jp", 4, if_short="waitlist").get_json()
    assert (body["status"], body["party_size"], body["position"]) == ("waitlisted", 4, 1)
    assert _seats(app, ids["slot"]) == 3


def test_a_full_slot_waitlists_without_asking_and_partial_there_is_refused(app, of, book_api):
    ids = of(capacity=3)
    book_api(ids["slot"], "a@example.jp", 3)
    assert book_api(ids["slot"], "b@example.jp", 2).get_json()["status"] == "waitlisted"
    refused = book_api(ids["slot"], "c@example.jp", 2, if_short="partial")
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "no_free_seats" and error["choices"] == [
        {"if_short": "waitlist", "party_size": 2, "status": "waitlisted"}]


def test_a_party_that_fits_ignores_the_choice(app, of, book_api):
    ids = of(capacity=5)
    body = book_api(ids["slot"], "a@example.jp", 2, if_short="partial").get_json()
    assert (body["status"], body["party_size"]) == ("confirmed", 2)


@pytest.mark.parametrize("value", ["all", "", 3])
def test_an_unknown_choice_is_a_400(of, book_api, value):
    ids = of(capacity=5)
    response = book_api(ids["slot"], "a@example.jp", 2, if_short=value)
    if value == "":
        assert response.status_code == 201  # empty means no choice
    else:
        assert response.status_code == 400


def _page_booking(client, slot_id, email, party, **extra):
    return client.post(f"/openfactory/slots/{slot_id}?lang=en", data={
        "name": "見学 花子", "email": email, "party_size": str(party), "locale": "en", **extra})


def test_the_slot_page_asks_keeps_what_was_typed_and_books_the_chosen_way(app, client, of, book_api):
    ids = of(capacity=5)
    book_api(ids["slot"], "a@example.jp", 3)
    page = _page_booking(client, ids["slot"], "hanako@example.jp", 4)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="short-choice"' in html and "Book the 2 free seats now" in html
    assert "Join the waiting list for all 4" in html
    assert 'value="hanako@example.jp"' in html and 'value="4"' in html  # the form keeps what was typed
    assert _seats(app, ids["slot"]) == 3
    done = _page_booking(client, ids["slot"], "hanako@example.jp", 4, if_short="partial")
    assert done.status_code == 302 and "/openfactory/bookings/" in done.headers["Location"]
    assert ("hanako@example.jp", "confirmed", 2) in _bookings(app, ids["slot"])


def test_the_slot_page_in_japanese_offers_the_choice(app, client, of, book_api):
    ids = of(capacity=5)
    book_api(ids["slot"], "a@example.jp", 3)
    html = client.post(f"/openfactory/slots/{ids['slot']}?lang=ja", data={
        "name": "見学 花子", "email": "h@example.jp", "party_size": "4", "locale": "ja"}).get_data(as_text=True)
    assert "空いている2席を予約する" in html and "4名全員でキャンセル待ちに登録する" in html


def test_the_emailed_confirmation_carries_the_choice_and_asks_again_when_seats_went(app, client, of, book_api,
                                                                                   outbox, monkeypatch):
    ids = of(capacity=8)
    book_api(ids["slot"], "a@example.jp", 3)  # confirmed at once (confirmation is off in tests)
    monkeypatch.setitem(app.config, "EVENTS_BOOKING_EMAIL_CONFIRMATION", True)
    # Without a choice the request is refused at once (nothing emailed); with one it is stored with the request.
    asked = book_api(ids["slot"], "big@example.jp", 7)
    assert asked.status_code == 409 and asked.get_json()["error"]["free_seats"] == 5
    assert not outbox("booking_confirm_request", "big@example.jp")
    assert book_api(ids["slot"], "big@example.jp", 7, if_short="partial").status_code == 202
    assert book_api(ids["slot"], "early@example.jp", 2).status_code == 202

    def link(email):
        body = outbox("booking_confirm_request", email)[0][3]
        return re.search(r"http://\S+/openfactory/confirm/\S+", body).group(0).replace(
            "http://localhost.localdomain", "")

    client.post(link("early@example.jp"))
    assert _seats(app, ids["slot"]) == 5
    client.post(link("big@example.jp"))  # the stored choice: the 3 seats still free
    assert ("big@example.jp", "confirmed", 3) in _bookings(app, ids["slot"])


def test_the_confirmation_page_asks_when_no_choice_was_stored(app, client, of, book_api, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "EVENTS_BOOKING_EMAIL_CONFIRMATION", True)
    ids = of(capacity=5)
    assert book_api(ids["slot"], "late@example.jp", 4).status_code == 202  # fits now, no choice stored
    book_api(ids["slot"], "first@example.jp", 3, if_short="waitlist")
    body = outbox("booking_confirm_request", "first@example.jp")[0][3]
    client.post(re.search(r"http://\S+/openfactory/confirm/\S+", body).group(0).replace(
        "http://localhost.localdomain", ""))
    late = re.search(r"http://\S+/openfactory/confirm/\S+", outbox("booking_confirm_request",
                                                                   "late@example.jp")[0][3]).group(0)
    late = late.replace("http://localhost.localdomain", "")
    page = client.post(late + "?lang=en")
    assert page.status_code == 200 and 'data-testid="short-choice"' in page.get_data(as_text=True)
    done = client.post(late, data={"if_short": "waitlist"})
    assert done.status_code == 302
    assert ("late@example.jp", "waitlisted", 4) in _bookings(app, ids["slot"])

"""Issue 10, finding 3: booking a slot again with somebody else's email address returned *their* booking (cancel
token, manage link, ``duplicate: true``; the HTML form redirected to their booking page). A request now never
sees an existing booking; the owner is emailed instead. Also: a per-mailbox seat cap, and the email confirmation
of bookings made without an account (EVENTS_BOOKING_EMAIL_CONFIRMATION), which holds no seat until confirmed."""

from __future__ import annotations

import re
import secrets
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from hub.extensions import db

VICTIM = "victim@example.jp"


def _seats(app, slot_id):
    from hub.events.services import confirmed_seats

    with app.app_context():
        return confirmed_seats(slot_id)


def _rows(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def _link(body: str, pattern: str) -> str:
    return re.search(r"http://\S+" + pattern + r"\S*", body).group(0).replace("http://localhost.localdomain", "")


@pytest.fixture
def confirmation_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "EVENTS_BOOKING_EMAIL_CONFIRMATION", True)


# --- no takeover ----------------------------------------------------------------------------------------------

def test_api_rebooking_with_someone_elses_email_reveals_nothing(app, client, of, book_api, outbox):
    ids = of()
    mine = book_api(ids["slot"], VICTIM, 2, locale="en").get_json()
    attempt = book_api(ids["slot"], VICTIM.upper(), 1, name="Mallory")
    assert attempt.status_code == 202
    body = attempt.get_data(as_text=True)
    assert attempt.get_json()["status"] == "pending_confirmation"
    assert set(attempt.get_json()) == {"status", "message"}  # no id, token, position or "duplicate"
    assert mine["cancel_token"] not in body and "/openfactory/my/" not in body
    # The owner is told, with the links to their booking, in their language.
    (notice,) = outbox("booking_exists", VICTIM)
    assert notice[2].startswith("You already have a booking") and "Dear" in notice[3]
    assert mine["cancel_token"] in notice[3] and "/openfactory/my/" in notice[3]
    # At most one notice an hour: the hub cannot be used to flood the address.
    book_api(ids["slot"], VICTIM, 1)
    assert len(outbox("booking_exists")) == 1
    assert _seats(app, ids["slot"]) == 2


def test_html_rebooking_never_redirects_to_the_owners_booking(app, client, of, book_api, outbox):
    ids = of()
    mine = book_api(ids["slot"], VICTIM, 2).get_json()
    form = {"name": "Mallory", "email": VICTIM, "party_size": "1", "locale": "en"}
    response = client.post(f"/openfactory/slots/{ids['slot']}?lang=en", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/openfactory/slots/{ids['slot']}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We have sent an email" in page
    assert mine["cancel_token"] not in page and f"/openfactory/bookings/{mine['id']}" not in page
    assert [m[0] for m in outbox("booking_exists")] == [VICTIM]


def test_a_booking_made_with_someone_elses_email_does_not_open_their_other_bookings(app, client, of, book_api,
                                                                                     add_slot, outbox):
    """Without the confirmation step a stranger can still make a *new* booking in someone's name (that is what
    the step is for), but its page must not lead to the address's other bookings."""
    from hub.events.models import Slot

    ids = of()
    with app.app_context():
        start = db.session.get(Slot, ids["slot"]).starts_at
    mine = book_api(ids["slot"], VICTIM).get_json()
    other = add_slot(ids["program"], start)  # same time: an overlap
    theirs = book_api(other, VICTIM).get_json()
    assert theirs["overlaps"] == []
    page = client.get(f"/openfactory/bookings/{theirs['id']}?token={theirs['cancel_token']}&lang=en")
    text = page.get_data(as_text=True)
    assert "/openfactory/my/" not in text and 'data-testid="overlap-warning"' not in text
    assert mine["cancel_token"] not in text
    assert "in the email we sent" in text


# --- seat cap -------------------------------------------------------------------------------------------------

def test_one_mailbox_holds_at_most_the_seat_cap_on_a_slot(app, of, book_api, monkeypatch):
    monkeypatch.setitem(app.config, "EVENTS_MAX_SEATS_PER_EMAIL", 4)
    ids = of(capacity=20)
    assert book_api(ids["slot"], "a+1@example.jp", 3).status_code == 201
    over = book_api(ids["slot"], "A+2@example.jp", 2)
    assert over.status_code == 400
    assert over.get_json()["error"]["code"] == "seat_cap" and "party_size" in over.get_json()["error"]["fields"]
    assert book_api(ids["slot"], "a@example.jp", 1).status_code == 201
    assert book_api(ids["slot"], "b@example.jp", 4).status_code == 201  # another mailbox
    assert _seats(app, ids["slot"]) == 8


def test_default_seat_cap_counts_plus_addresses_together(app, of, book_api):
    ids = of(capacity=30)
    assert book_api(ids["slot"], "a@example.jp", 10).status_code == 201
    assert book_api(ids["slot"], "a+again@example.jp", 1).get_json()["error"]["code"] == "seat_cap"


# --- email confirmation ---------------------------------------------------------------------------------------

def test_confirmation_is_on_in_production_and_off_in_development_and_tests(make_app):
    from hub.events.confirmation import confirmation_required

    cases = {(False, "production"): True, (False, "development"): False, (True, "production"): False}
    for (testing, env), expected in cases.items():
        # production settings need a real key and public address (the suite no longer ships a fixed key)
        other = make_app(TESTING=testing, ENV_NAME=env, SECRET_KEY=secrets.token_urlsafe(32),
                         PUBLIC_BASE_URL="https://hub.example.jp")
        with other.app_context():
            assert confirmation_required() is expected, (testing, env)
    with make_app(EVENTS_BOOKING_EMAIL_CONFIRMATION=True).app_context():
        assert confirmation_required() is True


def test_with_confirmation_a_request_holds_no_seat_until_the_link_is_used(app, client, of, book_api, outbox,
                                                                          confirmation_on):
    from hub.events.models import Booking

    ids = of(capacity=2)
    response = book_api(ids["slot"], "new@example.jp", 2, locale="en")
    assert response.status_code == 202 and response.get_json()["status"] == "pending_confirmation"
    assert _rows(app, Booking) == 0 and _seats(app, ids["slot"]) == 0
    (mail,) = outbox("booking_confirm_request", "new@example.jp")
    assert mail[2].startswith("Please confirm your booking")
    link = _link(mail[3], "/openfactory/confirm/")
    page = client.get(link + "?lang=en")
    assert page.status_code == 200 and 'data-testid="confirm-booking"' in page.get_data(as_text=True)
    assert _rows(app, Booking) == 0  # a link preview or mail scanner books nothing
    done = client.post(link)
    assert done.status_code == 302 and "/openfactory/bookings/" in done.headers["Location"]
    assert _seats(app, ids["slot"]) == 2
    booking_page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "/openfactory/my/" in booking_page  # the owner proved the address: their other bookings are theirs
    # The link books once: pressing again shows the same booking.
    again = client.post(link)
    assert again.headers["Location"] == done.headers["Location"] and _rows(app, Booking) == 1


def test_with_confirmation_the_first_to_confirm_gets_the_seats(app, client, of, book_api, outbox, confirmation_on):
    ids = of(capacity=2)
    book_api(ids["slot"], "early@example.jp", 2)
    book_api(ids["slot"], "late@example.jp", 2)
    late = _link(outbox("booking_confirm_request", "late@example.jp")[0][3], "/openfactory/confirm/")
    early = _link(outbox("booking_confirm_request", "early@example.jp")[0][3], "/openfactory/confirm/")
    client.post(late)
    client.post(early)
    assert _seats(app, ids["slot"]) == 2
    assert [m[0] for m in outbox("booking_confirmed")] == ["late@example.jp"]
    assert [m[0] for m in outbox("booking_waitlisted")] == ["early@example.jp"]


def test_with_confirmation_a_duplicate_gets_the_same_answer_as_a_new_request(app, client, of, book_api, outbox,
                                                                             confirmation_on):
    ids = of()
    book_api(ids["slot"], VICTIM, 2)
    client.post(_link(outbox("booking_confirm_request", VICTIM)[0][3], "/openfactory/confirm/"))
    fresh = book_api(ids["slot"], "someone-new@example.jp", 1)
    duplicate = book_api(ids["slot"], VICTIM, 1)
    assert (fresh.status_code, fresh.get_json()) == (duplicate.status_code, duplicate.get_json())
    assert [m[0] for m in outbox("booking_exists")] == [VICTIM]
    assert len(outbox("booking_confirm_request", VICTIM)) == 1
    assert _seats(app, ids["slot"]) == 2


def test_confirmation_mails_to_one_address_are_capped(app, of, book_api, outbox, confirmation_on):
    ids = of()
    for _ in range(6):
        assert book_api(ids["slot"], VICTIM, 1).status_code == 202
    assert len(outbox("booking_confirm_request", VICTIM)) == 3


def test_confirmation_mails_to_one_address_are_capped_over_all_slots(app, of, book_api, add_slot, outbox,
                                                                     confirmation_on):
    from datetime import timedelta

    from hub.core.timeutil import utcnow

    ids = of()
    slots = [add_slot(ids["program"], utcnow() + timedelta(days=2, hours=h)) for h in range(1, 13)]
    for slot_id in slots:
        assert book_api(slot_id, VICTIM, 1).status_code == 202
    assert len(outbox("booking_confirm_request", VICTIM)) == 10


def test_an_expired_or_forged_link_books_nothing(app, client, of, book_api, outbox, confirmation_on):
    from hub.events.models import Booking, BookingRequest

    ids = of()
    book_api(ids["slot"], "slow@example.jp", 1)
    with app.app_context():
        request_id = db.session.scalar(db.select(BookingRequest.id))

    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 3 * 24 * 3600

    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="events.confirm", signer=LongAgo).dumps(request_id)
    page = client.get(f"/openfactory/confirm/{old}?lang=en")
    assert page.status_code == 200 and 'data-testid="confirm-expired"' in page.get_data(as_text=True)
    assert client.post(f"/openfactory/confirm/{old}").status_code == 200
    assert client.get("/openfactory/confirm/forged.token").status_code == 404
    assert _rows(app, Booking) == 0


def test_with_confirmation_closed_slots_and_large_parties_are_still_told_at_once(app, of, book_api,
                                                                                 confirmation_on):
    ids = of(capacity=3)
    response = book_api(ids["slot"], "a@example.jp", 4)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "party_too_large"


def test_html_form_with_confirmation_sends_the_link(app, client, of, outbox, confirmation_on):
    ids = of()
    form = {"name": "山田 花子", "email": "hanako@example.jp", "party_size": "2", "locale": "ja"}
    response = client.post(f"/openfactory/slots/{ids['slot']}", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/openfactory/slots/{ids['slot']}")
    (mail,) = outbox("booking_confirm_request", "hanako@example.jp")
    assert "予約" in mail[2] and "様" in mail[3]
    assert _seats(app, ids["slot"]) == 0


def test_a_link_pressed_after_booking_closed_books_nothing(app, client, of, book_api, outbox, confirmation_on):
    from datetime import timedelta

    from hub.core.timeutil import utcnow
    from hub.events.models import Booking, Slot

    ids = of()
    book_api(ids["slot"], "late@example.jp", 1)
    link = _link(outbox("booking_confirm_request")[0][3], "/openfactory/confirm/")
    with app.app_context():
        db.session.get(Slot, ids["slot"]).booking_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = client.post(link + "?lang=en")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/openfactory/slots/{ids['slot']}")
    assert "Booking for this slot is closed" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _rows(app, Booking) == 0

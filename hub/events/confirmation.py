"""What a booking request may learn, and the email confirmation of bookings made without an account.

Issue 10, finding 3: booking a slot again with somebody else's address used to hand back *their* booking (cancel
token, manage link). Now:

- a request never sees an existing booking: it gets a neutral "check your email" answer, and the address's owner
  gets the links to their booking by email (at most one such notice an hour);
- one mailbox holds at most ``EVENTS_MAX_SEATS_PER_EMAIL`` seats on a slot (see ``services.seat_cap``);
- with ``EVENTS_BOOKING_EMAIL_CONFIRMATION`` on (the production default), a booking made without an account is
  only a :class:`BookingRequest` until the emailed link is used. A request holds **no seat**: the booking is made
  by :func:`confirm_request` through ``services.book`` under the slot lock, so the capacity invariant is the same
  code path as a direct booking. Throw-away addresses therefore cannot hold seats either.

Services flush, never commit; the edges commit through ``services.with_retry``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func

from hub.core.timeutil import to_tokyo, utcnow
from hub.events import services
from hub.events.errors import BookingInvalid, BookingNotFound
from hub.events.models import Booking, BookingRequest, Slot
from hub.extensions import db
from hub.mail.services import queue_email

NOTICE_INTERVAL = timedelta(hours=1)  # at most one "you already have a booking" email per booking and hour
MAX_OPEN_REQUESTS = 3  # unconfirmed requests per address and slot within CONFIRMATION_MAX_AGE; more are dropped
MAX_REQUESTS_PER_HOUR = 10  # confirmation emails to one address an hour, over every slot


def confirmation_required() -> bool:
    """EVENTS_BOOKING_EMAIL_CONFIRMATION: True/False, or None (the default) for "on in production, off in
    development and tests"."""
    value = current_app.config.get("EVENTS_BOOKING_EMAIL_CONFIRMATION")
    if value is None:
        return not (current_app.testing or current_app.config.get("ENV_NAME") in ("development", "testing"))
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


def confirmation_max_age() -> int:
    """Seconds an emailed confirmation link stays valid (EVENTS_CONFIRMATION_MAX_AGE, default one day)."""
    return max(60, int(current_app.config.get("EVENTS_CONFIRMATION_MAX_AGE", 24 * 3600) or 24 * 3600))


def account_vouches_for(user, email: str) -> bool:
    """A signed-in account whose *verified* address is ``email`` needs no emailed link. Accounts carry no
    verification yet (issue 10, finding 5 adds it): until a user has ``email_verified_at``, nobody is vouched
    for and the confirmation step applies to everyone."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (user.email or "").lower() == (email or "").strip().lower() and \
        getattr(user, "email_verified_at", None) is not None


@dataclass
class Submission:
    """What the edge may show whoever submitted the form: their new booking, or (``booking is None``) only the
    neutral "we have emailed that address" answer."""

    booking: Booking | None
    overlaps: list[Booking] = field(default_factory=list)
    existing: bool = False  # booking is the one a vouched-for owner already had


def submit_booking(slot_id: int, name: str, email: str, party_size: int, locale: str = "ja", *,
                   confirm: bool, vouched: bool = False, now: datetime | None = None,
                   if_short: str | None = None) -> Submission:
    """A visitor's booking form or API call. ``confirm``: make a request and email the link instead of booking;
    ``vouched``: the booker proved the address (a verified account); ``if_short``: what to do when the party is
    larger than the free seats (:func:`services.seats_decision`). Raises a BookingError for public reasons only
    (slot closed, party too large, seat cap, a party larger than the free seats without a choice)."""
    if confirm and not vouched:
        return _request_confirmation(slot_id, name, email, party_size, locale, now, if_short)
    result = services.book(slot_id, name, email, party_size, locale, now=now, email_confirmed=vouched,
                           if_short=if_short)
    if result.created:
        # Other bookings of the address are shown only to someone who proved they own it.
        return Submission(result.booking, result.overlaps if vouched else [])
    if vouched:
        return Submission(result.booking, result.overlaps, existing=True)
    notify_existing(result.booking, now)
    return Submission(None)


def _request_confirmation(slot_id: int, name: str, email: str, party_size: int, locale: str,
                          now: datetime | None, if_short: str | None = None) -> Submission:
    if not isinstance(party_size, int) or not 1 <= party_size <= services.MAX_PARTY:
        raise BookingInvalid("invalid", _l("A party has 1 to %(n)s people.", n=services.MAX_PARTY), "party_size")
    slot = db.session.get(Slot, slot_id)
    if slot is None:
        raise BookingNotFound("not_found", _l("This slot does not exist."))
    services.check_bookable(slot, party_size, now)
    # Ask now (seats are public facts), not only when the link is used; the choice travels with the request.
    services.seats_decision(party_size, services.free_seats(slot), if_short)
    email = (email or "").strip()
    email_key = email.lower()
    existing = services.active_booking(slot.id, email_key)
    if existing is not None:
        notify_existing(existing, now)
        return Submission(None)
    if _mail_quota_used(slot.id, email_key, now or utcnow()):
        return Submission(None)  # the address already has links waiting: no more mail to it
    request = BookingRequest(slot_id=slot.id, name=(name or "").strip()[:120], email=email[:254],
                             email_key=email_key[:254], party_size=party_size,
                             locale=locale if locale in ("ja", "en") else "ja", created_at=now or utcnow(),
                             if_short=if_short if if_short in services.IF_SHORT else None)
    db.session.add(request)
    db.session.flush()
    queue_email(request.email, "booking_confirm_request", request.locale,
                template="events/mail/booking_confirm_request.txt", booking=request,
                title=services.slot_title(slot, request.locale), place=services.slot_place(slot, request.locale),
                starts=to_tokyo(slot.starts_at), ends=to_tokyo(slot.ends_at),
                link=url_for("events.confirm_booking", token=confirm_token(request), _external=True),
                hours=confirmation_max_age() // 3600)
    return Submission(None)


def _mail_quota_used(slot_id: int, email_key: str, now: datetime) -> bool:
    """True when the address has MAX_OPEN_REQUESTS links waiting for this slot, or had MAX_REQUESTS_PER_HOUR
    confirmation emails in the last hour: the hub must not be a way to flood somebody's mailbox."""
    since = now - timedelta(seconds=confirmation_max_age())
    open_here = db.session.scalar(db.select(func.count()).where(
        BookingRequest.slot_id == slot_id, BookingRequest.email_key == email_key,
        BookingRequest.confirmed_at.is_(None), BookingRequest.created_at >= since)) or 0
    last_hour = db.session.scalar(db.select(func.count()).where(
        BookingRequest.email_key == email_key, BookingRequest.created_at >= now - timedelta(hours=1))) or 0
    return open_here >= MAX_OPEN_REQUESTS or last_hour >= MAX_REQUESTS_PER_HOUR


def notify_existing(booking: Booking, now: datetime | None = None) -> bool:
    """Email the address's owner the links to the booking they already have (at most once an hour)."""
    now = now or utcnow()
    if booking.notice_sent_at is not None and now - booking.notice_sent_at < NOTICE_INTERVAL:
        return False
    booking.notice_sent_at = now
    slot = booking.slot
    queue_email(booking.email, "booking_exists", booking.locale, template="events/mail/booking_exists.txt",
                booking=booking, title=services.slot_title(slot, booking.locale),
                place=services.slot_place(slot, booking.locale), starts=to_tokyo(slot.starts_at),
                ends=to_tokyo(slot.ends_at), links=services.booking_links(booking))
    db.session.flush()
    return True


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="events.confirm")


def confirm_token(request: BookingRequest) -> str:
    """The secret in the confirmation email: the request id, signed and timed."""
    return _serializer().dumps(request.id)


def request_for_token(token: str | None) -> tuple[BookingRequest | None, bool]:
    """(request, expired): the request the token was signed for, or None; ``expired`` when it is too old."""
    if not token or len(token) > 300:
        return None, False
    try:
        request_id = _serializer().loads(token, max_age=confirmation_max_age())
    except SignatureExpired:
        return None, True
    except BadSignature:
        return None, False
    if not isinstance(request_id, int):
        return None, False
    return db.session.get(BookingRequest, request_id), False


def confirm_request(request_id: int, now: datetime | None = None,
                    if_short: str | None = None) -> services.BookingResult:
    """The owner used the emailed link: book now (confirmed or waitlisted, under the slot lock). A link books
    once: using it again shows that booking; after booking some other way it shows the address's booking.
    ``if_short`` (the choice made on the confirmation page) overrides the one made when booking."""
    request = db.session.get(BookingRequest, request_id, populate_existing=True)
    if request is None:
        raise BookingNotFound("not_found", _l("This link is not valid."))
    if request.confirmed_at is not None and request.booking is not None:  # a link books once
        return services.BookingResult(request.booking, False, services.overlapping_bookings(request.booking))
    result = services.book(request.slot_id, request.name, request.email, request.party_size, request.locale,
                           now=now, email_confirmed=True, if_short=if_short or request.if_short)
    request.confirmed_at = now or utcnow()
    request.booking_id = result.booking.id
    db.session.flush()
    return result

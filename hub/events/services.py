"""The booking engine and the rules of Open Factory Week. Services flush; callers commit. Pitch nights' rules are
in :mod:`hub.events.pitches`, check-in at the door in :mod:`hub.events.checkins`, what a booking request may
learn and the email confirmation in :mod:`hub.events.confirmation`, the organisers' figures in
:mod:`hub.events.kpis`.

Capacity under concurrency (the contract's invariant): every booking and cancellation first locks its slot
(:func:`hub.core.locking.lock_objects`, inside the transaction :func:`with_retry` begins) —
``SELECT … FOR UPDATE`` on PostgreSQL (READ COMMITTED is enough once the row is locked), and on SQLite a write to
the slot row as the first statement, which takes the database's write lock before anything is counted — then
counts the confirmed seats and only then inserts. ``EVENTS_BOOKING_LOCK = False`` switches the lock off: only
the control test does that, to show the race is real — and only in an app made by ``create_app(config)`` with
``TESTING=True`` (the switch is never read from the environment: see ``hub.config.TEST_ONLY_SWITCHES``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import func

from hub.auth.models import ROLE_ORGANISER, User
from hub.core import locking
from hub.core.timeutil import from_tokyo, to_tokyo, tokyo_today, utcnow
from hub.events.errors import (
    BookingBusy,
    BookingClosed,
    BookingInvalid,
    BookingNotFound,
    ParticipationError,
    ParticipationInvalid,
    ParticipationNotAllowed,
    PartyExceedsFreeSeats,
)
from hub.events.models import (
    BOOKING_CANCELLED,
    BOOKING_CONFIRMED,
    BOOKING_WAITLISTED,
    Booking,
    Edition,
    Participation,
    PitchNight,
    Program,
    ShortChoice,
    Slot,
)
from hub.events.visibility import takes_part
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.factories.models import Factory
from hub.mail.services import queue_email

MAX_PARTY = 10
MANAGE_MAX_AGE = 180 * 24 * 3600


# --- tokens ---------------------------------------------------------------------------------------------------

def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def booking_token(booking: Booking) -> str:
    """The secret that lets a visitor see, download and cancel one booking (no account needed)."""
    return _serializer("events.booking").dumps(booking.id)


def booking_for_token(booking_id: int, token: str | None) -> Booking | None:
    """The booking if ``token`` was signed for it, else None (same answer for unknown id and bad token)."""
    if not token or len(token) > 200:
        return None
    try:
        signed_id = _serializer("events.booking").loads(token)
    except BadSignature:
        return None
    if signed_id != booking_id:
        return None
    return db.session.get(Booking, booking_id)


def checkin_code(booking: Booking) -> str:
    """The payload of the booking's QR code: booking and slot ids, signed, so a scanner can verify it offline."""
    return _serializer("events.checkin").dumps({"b": booking.id, "s": booking.slot_id})


def read_checkin_code(code: str) -> dict | None:
    code = (code or "").strip()
    if not code or len(code) > 300:
        return None
    try:
        data = _serializer("events.checkin").loads(code)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("b"), int) or not isinstance(data.get("s"), int):
        return None
    return data


def manage_token(email: str) -> str:
    """A signed link to every booking of one email address (valid for half a year)."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="events.manage").dumps(email.lower())


def email_for_manage_token(token: str) -> str | None:
    if not token or len(token) > 300:
        return None
    try:
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="events.manage").loads(
            token, max_age=MANAGE_MAX_AGE)
    except BadSignature:
        return None


# --- counting -------------------------------------------------------------------------------------------------

def confirmed_seats(slot_id: int) -> int:
    """Seats taken by confirmed bookings (the sum of party sizes)."""
    return db.session.scalar(db.select(func.coalesce(func.sum(Booking.party_size), 0)).where(
        Booking.slot_id == slot_id, Booking.status == BOOKING_CONFIRMED)) or 0


def slot_counts(slot_ids) -> dict[int, dict[str, int]]:
    """{slot id: {"booked": seats, "waitlisted": parties, "waiting_seats": seats, "checked_in": seats}}."""
    ids = list(slot_ids)
    counts: dict[int, dict[str, int]] = {i: {"booked": 0, "waitlisted": 0, "waiting_seats": 0, "checked_in": 0,
                                             "confirmed_parties": 0} for i in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        db.select(Booking.slot_id, Booking.status, func.count(), func.sum(Booking.party_size),
                  func.sum(db.case((Booking.checked_in_at.isnot(None), Booking.party_size), else_=0)))
        .where(Booking.slot_id.in_(ids), Booking.status != BOOKING_CANCELLED)
        .group_by(Booking.slot_id, Booking.status))
    for slot_id, status, parties, seats, checked in rows:
        if status == BOOKING_CONFIRMED:
            counts[slot_id]["booked"] = int(seats or 0)
            counts[slot_id]["confirmed_parties"] = int(parties)
            counts[slot_id]["checked_in"] = int(checked or 0)
        else:
            counts[slot_id]["waitlisted"] = int(parties)
            counts[slot_id]["waiting_seats"] = int(seats or 0)
    return counts


def waitlist_position(booking: Booking) -> int | None:
    """1 for the first waiting party; None when the booking is not waiting."""
    if booking.status != BOOKING_WAITLISTED:
        return None
    return db.session.scalar(db.select(func.count()).where(
        Booking.slot_id == booking.slot_id, Booking.status == BOOKING_WAITLISTED, Booking.id <= booking.id))


# --- the lock -------------------------------------------------------------------------------------------------

def booking_lock_on() -> bool:
    """True unless a test app (``TESTING``) asked for the control run without the lock."""
    return not (current_app.testing and current_app.config.get("EVENTS_BOOKING_LOCK") is False)


def lock_slot(slot_id: int) -> Slot | None:
    """Lock the slot for the rest of the transaction (see the module docstring), then return it, fresh."""
    if not booking_lock_on():
        return db.session.get(Slot, slot_id, populate_existing=True)
    return next(iter(locking.lock_objects(Slot, [slot_id])), None)


def with_retry(work):
    """Run ``work()`` in a transaction and commit (:func:`hub.core.locking.run_locked`): the caller gets its result
    after the commit, or a :class:`BookingBusy` when SQLite stayed locked through every retry."""
    try:
        return locking.run_locked(work)
    except locking.Busy:
        raise BookingBusy("busy", _l("Many people are booking right now. Please try again in a moment.")) from None


# --- booking --------------------------------------------------------------------------------------------------

@dataclass
class BookingResult:
    booking: Booking
    created: bool
    overlaps: list[Booking] = field(default_factory=list)


def booking_window(slot: Slot) -> tuple[datetime | None, datetime]:
    """When booking opens and closes (by default it closes when the slot starts)."""
    return slot.booking_opens_at, slot.booking_closes_at or slot.starts_at


def booking_state(slot: Slot, now: datetime | None = None) -> str:
    """'open', 'not_yet', 'closed', 'past' or 'walk_in' — for pages and for the checks in :func:`book`."""
    now = now or utcnow()
    if slot.starts_at <= now:
        return "past"
    if slot.admission == "walk_in":
        return "walk_in"
    opens, closes = booking_window(slot)
    if opens is not None and now < opens:
        return "not_yet"
    if now >= closes:
        return "closed"
    return "open"


STATE_MESSAGES = {
    "past": _l("This slot has already started or is over; it can no longer be booked."),
    "walk_in": _l("This slot needs no booking: just come along."),
    "not_yet": _l("Booking for this slot has not opened yet."),
    "closed": _l("Booking for this slot is closed."),
}


def active_booking(slot_id: int, email_key: str) -> Booking | None:
    """The address's booking on the slot that is not cancelled (services only: never shown to a request)."""
    return db.session.scalar(db.select(Booking).where(Booking.slot_id == slot_id, Booking.email_key == email_key,
                                                      Booking.status != BOOKING_CANCELLED))


def overlapping_bookings(booking: Booking) -> list[Booking]:
    """The same email's other active bookings whose times overlap this one's."""
    slot = booking.slot
    return list(db.session.scalars(
        db.select(Booking).join(Slot).where(
            Booking.email_key == booking.email_key, Booking.id != booking.id, Booking.status != BOOKING_CANCELLED,
            Slot.starts_at < slot.ends_at, Slot.ends_at > slot.starts_at)
        .order_by(Slot.starts_at)))


def mailbox_key(email: str) -> str:
    """One key per mailbox: lower-cased, without a ``+tag`` (a+1@x and a+2@x share the per-email seat cap)."""
    local, _at, domain = (email or "").strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}" if local else domain


def seats_of_mailbox(slot_id: int, email: str) -> int:
    """Seats (confirmed and waiting) that one mailbox holds on a slot — call with the slot locked."""
    key = mailbox_key(email)
    rows = db.session.execute(db.select(Booking.email_key, Booking.party_size).where(
        Booking.slot_id == slot_id, Booking.status != BOOKING_CANCELLED))
    return sum(size for email_key, size in rows if email_key and mailbox_key(email_key) == key)


def seat_cap() -> int:
    """EVENTS_MAX_SEATS_PER_EMAIL: seats one mailbox may hold on one slot (default 10)."""
    return max(1, int(current_app.config.get("EVENTS_MAX_SEATS_PER_EMAIL", 10) or 10))


IF_SHORT = tuple(ShortChoice)  # a party larger than the free seats: book those seats, or wait for all


def seats_decision(party_size: int, free: int, if_short: str | None) -> tuple[str, int]:
    """(status, seats) for a party when ``free`` seats are left. A party that fits is confirmed. A larger one is
    never put on the waiting list without being asked: ``if_short`` says what the visitor chose ("partial": book
    the free seats; "waitlist": wait for the whole party); without a choice :class:`PartyExceedsFreeSeats` asks.
    A full slot (no free seat) waitlists without asking: its page already says so on the button."""
    if party_size <= free:
        return BOOKING_CONFIRMED, party_size
    if if_short == "waitlist" or (free <= 0 and if_short is None):
        return BOOKING_WAITLISTED, party_size
    if if_short == "partial" and free > 0:
        return BOOKING_CONFIRMED, free
    if free <= 0:
        raise PartyExceedsFreeSeats("no_free_seats", _l(
            "The free seats were taken in the meantime. You can join the waiting list for the whole party of "
            "%(n)s.", n=party_size), 0, party_size)
    raise PartyExceedsFreeSeats("party_exceeds_free_seats", _l(
        "Only %(free)s seats are free, for a party of %(n)s. Book the %(free)s free seats now, or join the "
        "waiting list for the whole party.", free=free, n=party_size), free, party_size)


def free_seats(slot: Slot) -> int:
    """Seats not taken by confirmed bookings (under the slot lock this is exact; outside it, a hint)."""
    return max(0, slot.capacity - confirmed_seats(slot.id))


def book(slot_id: int, name: str, email: str, party_size: int, locale: str = "ja",
         now: datetime | None = None, email_confirmed: bool = False, if_short: str | None = None) -> BookingResult:
    """Book ``party_size`` seats for a visitor (no account): confirmed if the seats are free; a larger party as
    the visitor chose (:func:`seats_decision`), else waitlisted when the slot is full.

    The same email on the same slot makes no second booking: the result is the existing one with
    ``created=False`` — for the service layer only. Whoever asked has not proved they own the address, so the
    edges must go through :func:`hub.events.confirmation.submit_booking`, which never shows it to them.
    ``email_confirmed``: the booker proved the address (an emailed link). Raises a :class:`BookingError`."""
    name, email = (name or "").strip(), (email or "").strip()
    if not isinstance(party_size, int) or not 1 <= party_size <= MAX_PARTY:
        raise BookingInvalid("invalid", _l("A party has 1 to %(n)s people.", n=MAX_PARTY), "party_size")
    email_key = email.lower()
    slot = lock_slot(slot_id)
    if slot is None:
        raise BookingNotFound("not_found", _l("This slot does not exist."))
    check_bookable(slot, party_size, now)
    existing = active_booking(slot.id, email_key)
    if existing is not None:
        if email_confirmed and existing.email_confirmed_at is None:
            existing.email_confirmed_at = utcnow()
            db.session.flush()
        return BookingResult(existing, False, overlapping_bookings(existing))
    if seats_of_mailbox(slot.id, email_key) + party_size > seat_cap():
        raise BookingInvalid("seat_cap", _l("At most %(n)s seats per person for this slot (bookings made with the "
                                            "same email address count together).", n=seat_cap()), "party_size")
    taken = confirmed_seats(slot.id)
    locking.race_window("EVENTS_RACE_DELAY")
    # Waiting parties never fit the free seats (each cancellation promotes those that do), so a newcomer who
    # fits takes them without jumping anyone who could have had them.
    status, party_size = seats_decision(party_size, slot.capacity - taken, if_short)
    booking = Booking(slot=slot, name=name[:120], email=email[:254], email_key=email_key[:254],
                      party_size=party_size, status=status, locale=locale if locale in ("ja", "en") else "ja",
                      email_confirmed_at=utcnow() if email_confirmed else None)
    db.session.add(booking)
    # Without the lock, a twin request of the same email can win: the unique (slot, email_key) constraint raises
    # IntegrityError here and with_retry() runs the booking again, which then answers with the existing one.
    db.session.flush()
    overlaps = overlapping_bookings(booking)
    _mail_booking(booking, "booking_confirmed" if status == BOOKING_CONFIRMED else "booking_waitlisted",
                  overlaps=overlaps)
    return BookingResult(booking, True, overlaps)


def check_bookable(slot: Slot, party_size: int, now: datetime | None = None) -> None:
    """Raise :class:`BookingClosed` / :class:`BookingInvalid` unless the slot takes bookings now and has room for
    such a party at all (public facts: they say nothing about anybody's bookings)."""
    state = booking_state(slot, now)
    if state != "open":
        raise BookingClosed(f"booking_{state}", STATE_MESSAGES[state])
    if party_size > slot.capacity:
        raise BookingInvalid("party_too_large", _l("This slot has room for at most %(n)s people; please book a "
                                                   "smaller party or choose another slot.", n=slot.capacity),
                             "party_size")


def cancel(booking: Booking, now: datetime | None = None) -> list[Booking]:
    """Cancel a booking and, in the same transaction, confirm the waiting parties that now fit, in order.

    Returns the promoted bookings (each is told by email). Cancelling twice changes nothing."""
    slot = lock_slot(booking.slot_id)
    db.session.refresh(booking)
    if booking.status == BOOKING_CANCELLED:
        return []
    if slot.ends_at <= (now or utcnow()):
        raise BookingClosed("booking_past", _l("This slot is over; the booking can no longer be cancelled."))
    booking.status = BOOKING_CANCELLED
    booking.email_key = None
    booking.cancelled_at = utcnow()
    db.session.flush()
    _mail_booking(booking, "booking_cancelled")
    return promote_waitlist(slot)


def promote_waitlist(slot: Slot) -> list[Booking]:
    """Confirm waiting parties in order while they fit (call with the slot locked)."""
    free = slot.capacity - confirmed_seats(slot.id)
    promoted = []
    if booking_state(slot) == "past":
        return promoted
    waiting = db.session.scalars(db.select(Booking).where(
        Booking.slot_id == slot.id, Booking.status == BOOKING_WAITLISTED).order_by(Booking.id)).all()
    for candidate in waiting:
        if free <= 0:
            break
        if candidate.party_size <= free:
            candidate.status = BOOKING_CONFIRMED
            candidate.promoted_at = utcnow()
            free -= candidate.party_size
            promoted.append(candidate)
    db.session.flush()
    for booking in promoted:
        _mail_booking(booking, "booking_promoted")
    return promoted


def slot_title(slot: Slot, locale: str) -> str:
    if slot.program is not None:
        factory = slot.program.factory
        return f"{slot.program.display_title(locale)} — {factory.display_name(locale)}"
    night = db.session.scalar(db.select(PitchNight).where(PitchNight.slot_id == slot.id))
    return night.display_title(locale) if night else ""


def slot_place(slot: Slot, locale: str) -> str:
    if slot.program is not None:
        factory = slot.program.factory
        return factory.address or factory.display_name(locale)
    night = db.session.scalar(db.select(PitchNight).where(PitchNight.slot_id == slot.id))
    return night.venue if night else ""


def booking_links(booking: Booking) -> dict[str, str]:
    """Absolute links for emails: the booking page, its .ics, cancel, and all bookings of this email."""
    token = booking_token(booking)
    return {
        "view": url_for("events.booking_detail", booking_id=booking.id, token=token, _external=True),
        "ics": url_for("events.booking_ics", booking_id=booking.id, token=token, _external=True),
        "cancel": url_for("events.booking_cancel", booking_id=booking.id, token=token, _external=True),
        "manage": url_for("events.my_bookings", token=manage_token(booking.email), _external=True),
    }


def _mail_booking(booking: Booking, kind: str, **extra) -> None:
    locale = booking.locale
    slot = booking.slot
    queue_email(booking.email, kind, locale, template=f"events/mail/{kind}.txt", booking=booking,
                title=slot_title(slot, locale), place=slot_place(slot, locale), starts=to_tokyo(slot.starts_at),
                ends=to_tokyo(slot.ends_at), links=booking_links(booking),
                position=waitlist_position(booking), **extra)


def send_reminders(now: datetime | None = None) -> int:
    """Remind confirmed visitors whose slot is tomorrow (Tokyo time); each booking is reminded once."""
    now = now or utcnow()
    tomorrow = to_tokyo(now).date() + timedelta(days=1)
    start = from_tokyo(datetime.combine(tomorrow, datetime.min.time()))
    end = start + timedelta(days=1)
    due = db.session.scalars(db.select(Booking).join(Slot).where(
        Booking.status == BOOKING_CONFIRMED, Booking.reminder_sent_at.is_(None),
        Slot.starts_at >= start, Slot.starts_at < end).order_by(Booking.id)).all()
    for booking in due:
        _mail_booking(booking, "booking_reminder")
        booking.reminder_sent_at = now
    db.session.flush()
    return len(due)


# --- who staffs a slot ---------------------------------------------------------------------------------------

def can_staff_slot(user: User | None, slot: Slot) -> bool:
    """Organisers for every slot; a factory's members for their own programs' slots."""
    if user is None or not user.is_authenticated:
        return False
    if user.role == ROLE_ORGANISER:
        return True
    return slot.program is not None and slot.program.factory_id == user_factory_id(user)


# --- editions and participation -------------------------------------------------------------------------------

def current_edition(today: date | None = None) -> Edition | None:
    """The edition running now, else the next one, else the latest past one (published only)."""
    today = today or tokyo_today()
    published = db.select(Edition).where(Edition.is_published)
    return (db.session.scalar(published.where(Edition.ends_on >= today).order_by(Edition.starts_on))
            or db.session.scalar(published.order_by(Edition.starts_on.desc())))


def applications_open(edition: Edition, today: date | None = None) -> bool:
    today = today or tokyo_today()
    return edition.applications_open_on <= today <= edition.applications_close_on


def participation_for(edition: Edition, factory_id: int | None) -> Participation | None:
    if factory_id is None:
        return None
    return db.session.scalar(db.select(Participation).where(Participation.edition_id == edition.id,
                                                            Participation.factory_id == factory_id))


def apply(edition: Edition, user: User, message: str) -> Participation:
    """A factory member applies for the factory to take part (within the application window)."""
    factory_id = user_factory_id(user)
    if factory_id is None:
        raise ParticipationNotAllowed("forbidden", _l("Only a factory's members can apply for it."))
    existing = participation_for(edition, factory_id)
    if existing is not None:
        return existing
    if not applications_open(edition):
        raise ParticipationError("closed", _l("Applications for this edition are closed."))
    row = Participation(edition_id=edition.id, factory_id=factory_id, message=message or "", applied_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    return row


def decide_participation(row: Participation, status: str, actor: User) -> Participation:
    """Organisers approve or reject an application; the factory's members are told."""
    if actor.role != ROLE_ORGANISER:
        raise ParticipationNotAllowed("forbidden", _l("Only organisers can decide on applications."))
    if status not in ("approved", "rejected", "pending"):
        raise ParticipationInvalid("invalid", _l("Unknown decision."))
    row.status = status
    row.decided_at = utcnow()
    db.session.flush()
    if status != "pending":
        for member in row.factory.organisation.members if row.factory.organisation else []:
            queue_email(member.email, f"participation_{status}", member.locale,
                        template=f"events/mail/participation_{status}.txt", participation=row, user=member,
                        edition_name=row.edition.display_name(member.locale),
                        link=url_for("events.mine", _external=True))
    return row


def is_participating(edition: Edition, factory_id: int | None) -> bool:
    row = participation_for(edition, factory_id)
    return row is not None and row.status == "approved"


def can_edit_program(user: User | None, program: Program) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.role == ROLE_ORGANISER or program.factory_id == user_factory_id(user)


def participating_factories(edition: Edition) -> dict[str, list[Factory]]:
    """Approved factories by ward key (for visitors)."""
    rows = db.session.scalars(db.select(Factory).where(takes_part(edition.id, Factory.id))
                              .order_by(Factory.ward, Factory.name)).all()
    by_ward: dict[str, list[Factory]] = defaultdict(list)
    for factory in rows:
        by_ward[factory.ward or ""].append(factory)
    return dict(by_ward)


def night_for_slot(slot: Slot) -> PitchNight | None:
    return db.session.scalar(db.select(PitchNight).where(PitchNight.slot_id == slot.id))

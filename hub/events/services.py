"""The booking engine and the rules of Open Factory Week and pitch nights. Services flush; callers commit.

Capacity under concurrency (the contract's invariant): every booking and cancellation first locks its slot —
``SELECT … FOR UPDATE`` on PostgreSQL (READ COMMITTED is enough once the row is locked), and on SQLite a write to
the slot row as the first statement, which takes the database's write lock before anything is counted — then
counts the confirmed seats and only then inserts. ``EVENTS_BOOKING_LOCK = False`` switches the lock off: only
the control test does that, to show the race is real.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError, OperationalError

from hub.auth.models import ROLE_FACTORY, ROLE_ORGANISER, ROLE_SEEKER, User
from hub.core.timeutil import utcnow
from hub.events.models import (
    BOOKING_CANCELLED,
    BOOKING_CONFIRMED,
    BOOKING_WAITLISTED,
    Booking,
    Edition,
    Participation,
    Pitch,
    PitchNight,
    PitchReview,
    Program,
    Slot,
)
from hub.extensions import db
from hub.factories.models import Factory
from hub.mail.services import queue_email

TOKYO = ZoneInfo("Asia/Tokyo")
MAX_PARTY = 10
MANAGE_MAX_AGE = 180 * 24 * 3600


class BookingError(Exception):
    """A booking or cancellation that cannot happen; ``code`` for the API, ``status`` its HTTP status."""

    def __init__(self, code: str, message, status: int = 409, field: str | None = None):
        super().__init__(str(message))
        self.code, self.message, self.status, self.field = code, message, status, field


class BusyError(BookingError):
    """SQLite stayed locked through every retry: ask the visitor to try again (never a 5xx)."""


# --- time -----------------------------------------------------------------------------------------------------

def to_tokyo(value: datetime | None) -> datetime | None:
    """A naive UTC datetime as Tokyo wall-clock time (naive)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(TOKYO).replace(tzinfo=None)


def from_tokyo(value: datetime | None) -> datetime | None:
    """A Tokyo wall-clock time (as typed in a form) as naive UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=TOKYO).astimezone(UTC).replace(tzinfo=None)


def tokyo_today() -> date:
    return to_tokyo(utcnow()).date()


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

def lock_slot(slot_id: int) -> Slot | None:
    """Lock the slot for the rest of the transaction (see the module docstring), then return it, fresh."""
    if not current_app.config.get("EVENTS_BOOKING_LOCK", True):
        return db.session.get(Slot, slot_id, populate_existing=True)
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.scalar(db.select(Slot).where(Slot.id == slot_id).with_for_update()
                                 .execution_options(populate_existing=True))
    # SQLite: write first, so this transaction holds the write lock before it reads anything it decides on.
    db.session.execute(update(Slot).where(Slot.id == slot_id).values(lock_version=Slot.lock_version + 1)
                       .execution_options(synchronize_session=False))
    return db.session.get(Slot, slot_id, populate_existing=True)


def _race_window() -> None:
    """Tests widen the window between counting and inserting (EVENTS_RACE_DELAY seconds) so that the control
    run without the lock shows the race reliably; with the lock the same window is harmless."""
    delay = float(current_app.config.get("EVENTS_RACE_DELAY", 0) or 0)
    if delay > 0:
        time.sleep(min(delay, 2.0))


def is_locked_error(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "database table is locked" in text or "busy" in text


def with_retry(work, attempts: int = 8):
    """Run ``work()`` and commit; on SQLite's "database is locked" roll back and try again with a growing pause.

    The caller gets ``work()``'s result after the commit, or a :class:`BusyError` (a clear 4xx, never a 5xx)."""
    for attempt in range(attempts):
        try:
            result = work()
            db.session.commit()
            return result
        except IntegrityError:
            # A twin request committed first (only possible without the lock): run again to find its row.
            db.session.rollback()
            if attempt == attempts - 1:
                raise
        except OperationalError as exc:
            db.session.rollback()
            if not is_locked_error(exc):
                raise
            time.sleep(min(0.05 * (2 ** attempt), 1.0))
    raise BusyError("busy", _l("Many people are booking right now. Please try again in a moment."), status=429)


# --- booking --------------------------------------------------------------------------------------------------

@dataclass
class BookingResult:
    booking: Booking
    created: bool
    overlaps: list[Booking] = field(default_factory=list)


def public_slot(slot_id: int) -> Slot | None:
    """A slot visitors may see and book: a programme in a published edition, of a published factory whose
    participation is approved (the list pages show no others, so neither may a direct link or the API)."""
    slot = db.session.get(Slot, slot_id)
    if slot is None or slot.program is None or not slot.program.edition.is_published:
        return None
    program = slot.program
    approved = db.session.scalar(db.select(Participation.id).join(Factory, Factory.id == Participation.factory_id)
                                 .where(Participation.edition_id == program.edition_id,
                                        Participation.factory_id == program.factory_id,
                                        Participation.status == "approved", Factory.is_published))
    return slot if approved is not None else None


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


def _active_booking(slot_id: int, email_key: str) -> Booking | None:
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


def book(slot_id: int, name: str, email: str, party_size: int, locale: str = "ja",
         now: datetime | None = None) -> BookingResult:
    """Book ``party_size`` seats for a visitor (no account): confirmed if the seats are free, else waitlisted.

    The same email on the same slot gets its existing booking back (no second booking). Raises BookingError."""
    name, email = (name or "").strip(), (email or "").strip()
    if not isinstance(party_size, int) or not 1 <= party_size <= MAX_PARTY:
        raise BookingError("invalid", _l("A party has 1 to %(n)s people.", n=MAX_PARTY), 400, "party_size")
    email_key = email.lower()
    slot = lock_slot(slot_id)
    if slot is None:
        raise BookingError("not_found", _l("This slot does not exist."), 404)
    existing = _active_booking(slot.id, email_key)
    if existing is not None:
        return BookingResult(existing, False, overlapping_bookings(existing))
    state = booking_state(slot, now)
    if state != "open":
        raise BookingError(f"booking_{state}", STATE_MESSAGES[state], 409)
    if party_size > slot.capacity:
        raise BookingError("party_too_large", _l("This slot has room for at most %(n)s people; please book a "
                                                 "smaller party or choose another slot.", n=slot.capacity),
                           400, "party_size")
    taken = confirmed_seats(slot.id)
    _race_window()
    # Waiting parties never fit the free seats (each cancellation promotes those that do), so a newcomer who
    # fits takes them without jumping anyone who could have had them.
    status = BOOKING_CONFIRMED if taken + party_size <= slot.capacity else BOOKING_WAITLISTED
    booking = Booking(slot=slot, name=name[:120], email=email[:254], email_key=email_key[:254],
                      party_size=party_size, status=status, locale=locale if locale in ("ja", "en") else "ja")
    db.session.add(booking)
    # Without the lock, a twin request of the same email can win: the unique (slot, email_key) constraint raises
    # IntegrityError here and with_retry() runs the booking again, which then answers with the existing one.
    db.session.flush()
    overlaps = overlapping_bookings(booking)
    _mail_booking(booking, "booking_confirmed" if status == BOOKING_CONFIRMED else "booking_waitlisted",
                  overlaps=overlaps)
    return BookingResult(booking, True, overlaps)


def cancel(booking: Booking, now: datetime | None = None) -> list[Booking]:
    """Cancel a booking and, in the same transaction, confirm the waiting parties that now fit, in order.

    Returns the promoted bookings (each is told by email). Cancelling twice changes nothing."""
    slot = lock_slot(booking.slot_id)
    db.session.refresh(booking)
    if booking.status == BOOKING_CANCELLED:
        return []
    if slot.ends_at <= (now or utcnow()):
        raise BookingError("booking_past", _l("This slot is over; the booking can no longer be cancelled."), 409)
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


# --- check-in -------------------------------------------------------------------------------------------------

@dataclass
class CheckinResult:
    ok: bool
    code: str  # checked_in | already | forged | cancelled | waitlisted | other_slot | forbidden | not_found
    booking: Booking | None = None
    message: str = ""


def user_factory_id(user: User | None) -> int | None:
    if user is None or not user.is_authenticated or user.role != ROLE_FACTORY or user.organisation_id is None:
        return None
    return db.session.scalar(db.select(Factory.id).where(Factory.organisation_id == user.organisation_id))


def can_staff_slot(user: User | None, slot: Slot) -> bool:
    """Organisers for every slot; a factory's members for their own programs' slots."""
    if user is None or not user.is_authenticated:
        return False
    if user.role == ROLE_ORGANISER:
        return True
    return slot.program is not None and slot.program.factory_id == user_factory_id(user)


def check_in(user: User, code: str | None = None, booking: Booking | None = None) -> CheckinResult:
    """Check a booking in from its signed QR code (or from the roster's button). A second scan is flagged and
    not counted again."""
    if booking is None:
        data = read_checkin_code(code or "")
        if data is None:
            return CheckinResult(False, "forged", None, str(_l(
                "This code is not valid: its signature does not match. Do not admit on this code.")))
        booking = db.session.get(Booking, data["b"])
        if booking is None or booking.slot_id != data["s"]:
            return CheckinResult(False, "not_found", None, str(_l("No booking matches this code.")))
    if not can_staff_slot(user, booking.slot):
        return CheckinResult(False, "forbidden", booking,
                             str(_l("This booking is for another factory's program.")))
    if booking.status == BOOKING_CANCELLED:
        return CheckinResult(False, "cancelled", booking, str(_l("This booking was cancelled.")))
    if booking.status == BOOKING_WAITLISTED:
        return CheckinResult(False, "waitlisted", booking,
                             str(_l("This party is still on the waiting list, not confirmed.")))
    booking.scan_count = (booking.scan_count or 0) + 1
    if booking.checked_in_at is not None:
        db.session.flush()
        return CheckinResult(False, "already", booking, str(_l(
            "Already checked in at %(time)s — not counted again.",
            time=to_tokyo(booking.checked_in_at).strftime("%H:%M"))))
    booking.checked_in_at = utcnow()
    booking.checked_in_by_id = user.id
    db.session.flush()
    return CheckinResult(True, "checked_in", booking, str(_l(
        "Checked in: %(name)s, party of %(n)s.", name=booking.name, n=booking.party_size)))


def add_walk_ins(slot: Slot, delta: int) -> int:
    """Count people who came without booking (never below zero)."""
    lock_slot(slot.id)
    db.session.refresh(slot)
    slot.walk_ins = max(0, (slot.walk_ins or 0) + max(-50, min(50, delta)))
    db.session.flush()
    return slot.walk_ins


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
        raise BookingError("forbidden", _l("Only a factory's members can apply for it."), 403)
    existing = participation_for(edition, factory_id)
    if existing is not None:
        return existing
    if not applications_open(edition):
        raise BookingError("closed", _l("Applications for this edition are closed."), 409)
    row = Participation(edition_id=edition.id, factory_id=factory_id, message=message or "", applied_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    return row


def decide_participation(row: Participation, status: str, actor: User) -> Participation:
    """Organisers approve or reject an application; the factory's members are told."""
    if actor.role != ROLE_ORGANISER:
        raise BookingError("forbidden", _l("Only organisers can decide on applications."), 403)
    if status not in ("approved", "rejected", "pending"):
        raise BookingError("invalid", _l("Unknown decision."), 400)
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


def edition_stats(edition: Edition) -> list[dict]:
    """Per factory: programs, slots, capacity, booked seats, fill rate, waiting parties, check-ins, no-shows."""
    slots = db.session.scalars(db.select(Slot).join(Program).where(Program.edition_id == edition.id)
                               .options(db.joinedload(Slot.program).joinedload(Program.factory))).all()
    counts = slot_counts(s.id for s in slots)
    now = utcnow()
    no_shows = dict(db.session.execute(
        db.select(Booking.slot_id, func.sum(Booking.party_size)).join(Slot).join(Program)
        .where(Program.edition_id == edition.id, Booking.status == BOOKING_CONFIRMED,
               Booking.checked_in_at.is_(None), Slot.ends_at <= now).group_by(Booking.slot_id)).all())
    per: dict[int, dict] = defaultdict(lambda: {"slots": 0, "capacity": 0, "booked": 0, "waitlisted": 0,
                                                "checked_in": 0, "walk_ins": 0, "no_shows": 0, "programs": set()})
    for slot in slots:
        row = per[slot.program.factory_id]
        row["factory"] = slot.program.factory
        row["programs"].add(slot.program_id)
        row["slots"] += 1
        row["capacity"] += slot.capacity
        row["booked"] += counts[slot.id]["booked"]
        row["waitlisted"] += counts[slot.id]["waitlisted"]
        row["checked_in"] += counts[slot.id]["checked_in"]
        row["walk_ins"] += slot.walk_ins or 0
        row["no_shows"] += int(no_shows.get(slot.id) or 0)
    result = []
    for row in per.values():
        row["programs"] = len(row["programs"])
        row["fill_rate"] = round(100 * row["booked"] / row["capacity"]) if row["capacity"] else 0
        result.append(row)
    result.sort(key=lambda r: (-r["fill_rate"], r["factory"].name))
    return result


def participating_factories(edition: Edition) -> dict[str, list[Factory]]:
    """Approved factories by ward key (for visitors)."""
    rows = db.session.scalars(db.select(Factory).join(Participation, Participation.factory_id == Factory.id).where(
        Participation.edition_id == edition.id, Participation.status == "approved",
        Factory.is_published).order_by(Factory.ward, Factory.name)).all()
    by_ward: dict[str, list[Factory]] = defaultdict(list)
    for factory in rows:
        by_ward[factory.ward or ""].append(factory)
    return dict(by_ward)


# --- pitch nights ---------------------------------------------------------------------------------------------

def cfp_open(night: PitchNight, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return night.cfp_opens_at <= now < night.cfp_closes_at


def is_reviewer(user: User | None, night: PitchNight) -> bool:
    """Organisers, and the factory members who accepted the organisers' invitation with their confirmed address."""
    from hub.auth.identity import acts_as_member
    from hub.events.reviewers import accepted_by

    if not acts_as_member(user):
        return False
    if user.role == ROLE_ORGANISER:
        return True
    return accepted_by(user, night)


def own_team(user: User, pitch: Pitch) -> bool:
    """Nobody reviews their own team's pitch."""
    if pitch.submitter_id == user.id:
        return True
    return pitch.organisation_id is not None and pitch.organisation_id == user.organisation_id


def can_review(user: User | None, pitch: Pitch) -> bool:
    return is_reviewer(user, pitch.pitch_night) and not own_team(user, pitch) and pitch.status != "withdrawn"


def can_view_pitch(user: User | None, pitch: Pitch) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return (pitch.submitter_id == user.id or user.role == ROLE_ORGANISER
            or (pitch.organisation_id is not None and pitch.organisation_id == user.organisation_id)
            or is_reviewer(user, pitch.pitch_night))


def can_submit_pitch(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.role == ROLE_SEEKER


def submit_pitch(night: PitchNight, user: User, data: dict) -> Pitch:
    if not can_submit_pitch(user):
        raise BookingError("forbidden", _l("Startups, students and other teams submit pitches from a team "
                                           "account."), 403)
    if not cfp_open(night):
        raise BookingError("closed", _l("The call for pitches is not open."), 409)
    pitch = Pitch(pitch_night_id=night.id, submitter_id=user.id, organisation_id=user.organisation_id, **data)
    db.session.add(pitch)
    db.session.flush()
    return pitch


def my_review(user: User, pitch: Pitch) -> PitchReview | None:
    return next((r for r in pitch.reviews if r.reviewer_id == user.id), None)


def save_review(user: User, pitch: Pitch, scores: dict[int, int], comment: str) -> PitchReview:
    """Create or update this reviewer's scores (1–5 for every criterion)."""
    if not can_review(user, pitch):
        raise BookingError("forbidden", _l("You cannot review this pitch."), 403)
    criteria = {c.id for c in pitch.pitch_night.criteria}
    if set(scores) != criteria or any(not 1 <= v <= 5 for v in scores.values()):
        raise BookingError("invalid", _l("Give every criterion a score from 1 to 5."), 400)
    review = my_review(user, pitch)
    if review is None:
        review = PitchReview(pitch=pitch, reviewer_id=user.id)
        db.session.add(review)
    review.scores = {str(k): int(v) for k, v in scores.items()}
    review.comment = comment or ""
    db.session.flush()
    return review


def may_see_scores(user: User, pitch: Pitch) -> bool:
    """Reviewers see the others' scores only after submitting their own (when the night asks for that)."""
    if not pitch.pitch_night.hide_scores_until_reviewed:
        return True
    return my_review(user, pitch) is not None


def weighted_score(pitch: Pitch) -> float | None:
    """The mean over reviews of the weighted mean over criteria (1–5); None before the first review."""
    criteria = pitch.pitch_night.criteria
    total_weight = sum(c.weight for c in criteria)
    if not pitch.reviews or not total_weight:
        return None
    per_review = [sum(c.weight * int(r.scores.get(str(c.id), 0)) for c in criteria) / total_weight
                  for r in pitch.reviews]
    return round(sum(per_review) / len(per_review), 2)


def ranked(night: PitchNight) -> list[tuple[Pitch, float | None]]:
    rows = [(p, weighted_score(p)) for p in night.pitches if p.status != "withdrawn"]
    return sorted(rows, key=lambda r: (r[1] is None, -(r[1] or 0), r[0].id))


def decide_pitch(pitch: Pitch, status: str, actor: User) -> Pitch:
    if actor.role != ROLE_ORGANISER:
        raise BookingError("forbidden", _l("Only organisers decide on pitches."), 403)
    if status not in ("accepted", "rejected", "submitted"):
        raise BookingError("invalid", _l("Unknown decision."), 400)
    if pitch.status != status:
        pitch.status = status
        pitch.decision_sent_at = None
        if status != "accepted":
            pitch.running_position = None
    db.session.flush()
    return pitch


def send_decisions(night: PitchNight, actor: User) -> int:
    """Queue every decided pitch's email that has not gone out yet, in one go."""
    if actor.role != ROLE_ORGANISER:
        raise BookingError("forbidden", _l("Only organisers decide on pitches."), 403)
    count = 0
    for pitch in night.pitches:
        if pitch.status in ("accepted", "rejected") and pitch.decision_sent_at is None and pitch.submitter:
            user = pitch.submitter
            queue_email(user.email, f"pitch_{pitch.status}", user.locale,
                        template=f"events/mail/pitch_{pitch.status}.txt", pitch=pitch, user=user,
                        night_title=night.display_title(user.locale), starts=to_tokyo(night.starts_at),
                        venue=night.venue,
                        link=url_for("events.pitch_detail", pitch_id=pitch.id, _external=True))
            pitch.decision_sent_at = utcnow()
            count += 1
    db.session.flush()
    return count


def set_running_order(night: PitchNight, order: list[int], publish: bool) -> None:
    """Positions for the accepted pitches in the order given; publishing shows it on the public page."""
    accepted = {p.id: p for p in night.pitches if p.status == "accepted"}
    if sorted(order) != sorted(accepted):
        raise BookingError("invalid", _l("List every accepted pitch exactly once."), 400)
    for position, pitch_id in enumerate(order, start=1):
        accepted[pitch_id].running_position = position
    night.running_order_published_at = utcnow() if publish else None
    db.session.flush()


def running_order(night: PitchNight) -> list[Pitch]:
    accepted = [p for p in night.pitches if p.status == "accepted"]
    return sorted(accepted, key=lambda p: (p.running_position is None, p.running_position or 0, p.id))


def pitch_matches(pitch: Pitch, lang: str, limit: int = 5):
    """Factories the matcher suggests inviting for what the pitch needs: (match, factory) rows."""
    from hub.matches.services import rank_for_text

    text = "\n".join(part for part in (pitch.needs, pitch.summary) if part)
    try:
        return list(rank_for_text(text, lang, limit=limit).rows())
    except ValueError:
        return []


def upcoming_pitch_nights(now: datetime | None = None):
    now = now or utcnow()
    return db.session.scalars(db.select(PitchNight).where(PitchNight.ends_at >= now)
                              .order_by(PitchNight.starts_at)).all()


def night_for_slot(slot: Slot) -> PitchNight | None:
    return db.session.scalar(db.select(PitchNight).where(PitchNight.slot_id == slot.id))

"""Check-in at the door: the signed QR code (a camera or a scanner reads it), the list searched by name for people
without their code, the roster's button; a booking for another day or time slot is flagged before it is admitted,
second scans are flagged, walk-ins counted."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from hub.auth.models import ROLE_ORGANISER, User
from hub.core.timeutil import from_tokyo, to_tokyo, tokyo_today, utcnow
from hub.events.models import BOOKING_CANCELLED, BOOKING_WAITLISTED, Booking, Program, Slot
from hub.events.services import can_staff_slot, lock_slot, read_checkin_code
from hub.extensions import db
from hub.factories.access import user_factory_id

EARLY = timedelta(minutes=60)  # a visitor may be checked in this long before the slot starts without a warning
LATE = timedelta(minutes=30)  # … and this long after it ended


@dataclass
class CheckinResult:
    ok: bool
    code: str  # checked_in | already | forged | cancelled | waitlisted | other_day | other_slot | forbidden |
    #            not_found
    booking: Booking | None = None
    message: str = ""

    @property
    def can_force(self) -> bool:
        """A warning the staff may overrule ("admit anyway"), unlike a refusal."""
        return self.code in ("other_day", "other_slot")


def _wrong_time(booking: Booking, now: datetime, expected_slot_id: int | None) -> CheckinResult | None:
    """A warning when the booking is for another day, or another slot than the one being staffed (or than now)."""
    slot = booking.slot
    starts = to_tokyo(slot.starts_at)
    if expected_slot_id is not None and booking.slot_id != expected_slot_id:
        return CheckinResult(False, "other_slot", booking, str(_l(
            "This booking is for another slot: %(when)s. Check the time with the visitor before admitting.",
            when=format_datetime(starts, "EEE d MMM HH:mm"))))
    if starts.date() != to_tokyo(now).date():
        return CheckinResult(False, "other_day", booking, str(_l(
            "This booking is for another day: %(day)s, %(time)s. Not admitted yet.",
            day=format_date(starts.date(), "full"), time=starts.strftime("%H:%M"))))
    if not slot.starts_at - EARLY <= now <= slot.ends_at + LATE:
        return CheckinResult(False, "other_slot", booking, str(_l(
            "This booking is for the %(start)s–%(end)s slot today. Not admitted yet.",
            start=starts.strftime("%H:%M"), end=to_tokyo(slot.ends_at).strftime("%H:%M"))))
    return None


def check_in(user: User, code: str | None = None, booking: Booking | None = None, *, force: bool = False,
             expected_slot_id: int | None = None, now: datetime | None = None) -> CheckinResult:
    """Check a booking in from its signed QR code (or from the list or the roster). A second scan is flagged and
    not counted again. A booking for another day, or for another slot than ``expected_slot_id`` (else than the
    slot running about now), is only flagged unless ``force`` (the staff chose to admit anyway)."""
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
    if not force and booking.checked_in_at is None:
        warning = _wrong_time(booking, now or utcnow(), expected_slot_id)
        if warning is not None:
            return warning
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


def _folded(text: str | None) -> str:
    """Names compared as people type them: full- and half-width alike, case and spaces ignored."""
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def todays_slots(user: User, today=None) -> list[Slot]:
    """The Open Factory slots of today (Tokyo) that this user staffs: all of them for organisers, else their own
    factory's."""
    day = today or tokyo_today()
    start = from_tokyo(datetime.combine(day, datetime.min.time()))
    query = (db.select(Slot).join(Program, Program.id == Slot.program_id)
             .where(Slot.starts_at >= start, Slot.starts_at < start + timedelta(days=1))
             .options(joinedload(Slot.program).joinedload(Program.factory)).order_by(Slot.starts_at, Slot.id))
    if user.role != ROLE_ORGANISER:
        factory_id = user_factory_id(user)
        if factory_id is None:
            return []
        query = query.where(Program.factory_id == factory_id)
    return [slot for slot in db.session.scalars(query) if can_staff_slot(user, slot)]


def find_bookings(slots: list[Slot], query: str | None, slot_id: int | None = None, limit: int = 50) -> list[Booking]:
    """Today's bookings of these slots whose name contains ``query`` (folded), confirmed and waiting, by slot and
    name — for visitors without their code."""
    ids = [s.id for s in slots if slot_id is None or s.id == slot_id]
    if not ids:
        return []
    wanted = _folded(query)[:60]
    rows = db.session.scalars(db.select(Booking).where(Booking.slot_id.in_(ids), Booking.status != BOOKING_CANCELLED)
                              .options(joinedload(Booking.slot)).order_by(Booking.slot_id, Booking.name))
    found = [b for b in rows if wanted in _folded(b.name)]
    return found[:limit]

"""Check-in at the door: the signed QR code (or the roster's button), second scans flagged, walk-ins counted."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from hub.auth.models import User
from hub.core.timeutil import to_tokyo, utcnow
from hub.events.models import BOOKING_CANCELLED, BOOKING_WAITLISTED, Booking, Slot
from hub.events.services import can_staff_slot, lock_slot, read_checkin_code
from hub.extensions import db


@dataclass
class CheckinResult:
    ok: bool
    code: str  # checked_in | already | forged | cancelled | waitlisted | other_slot | forbidden | not_found
    booking: Booking | None = None
    message: str = ""



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

"""The programme's event indicators (events held, Open Factory participating companies in a year) and the
organisers' per-factory figures of an edition."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func

from hub.core.timeutil import utcnow
from hub.events.models import (
    BOOKING_CONFIRMED,
    Booking,
    Edition,
    Participation,
    ParticipationStatus,
    PitchNight,
    Program,
    Slot,
)
from hub.events.services import slot_counts
from hub.extensions import db


def indicators(year: int) -> dict[str, int]:
    """events_held: pitch nights and Open Factory editions of ``year`` that have taken place (started by now);
    open_factory_companies: distinct approved factories in that year's editions."""
    now = utcnow()
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    nights = db.session.scalar(db.select(func.count()).select_from(PitchNight).where(
        PitchNight.starts_at >= start, PitchNight.starts_at < end, PitchNight.starts_at <= now)) or 0
    today = now.date()
    editions = db.session.scalar(db.select(func.count()).select_from(Edition).where(
        Edition.starts_on >= date(year, 1, 1), Edition.starts_on < date(year + 1, 1, 1),
        Edition.starts_on <= today)) or 0
    companies = db.session.scalar(
        db.select(func.count(func.distinct(Participation.factory_id))).join(Edition).where(
            Participation.status == ParticipationStatus.APPROVED, Edition.starts_on >= date(year, 1, 1),
            Edition.starts_on < date(year + 1, 1, 1))) or 0
    return {"events_held": int(nights + editions), "open_factory_companies": int(companies)}


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

"""A factory member's home: inquiries and partner requests waiting for an answer (and for how long), work due,
needs that fit, bookings of our Open Factory slots, and capabilities read from our description to confirm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import joinedload, selectinload

from hub.auth.models import User
from hub.core import providers
from hub.core.timeutil import tokyo_today, utcnow
from hub.deals.models import Deal, DealStatus, DealStep, StepStatus
from hub.events import services as events_services
from hub.events.models import Booking, BookingStatus, Program, Slot
from hub.extensions import db
from hub.factories import services as factory_services
from hub.factories.access import user_factory
from hub.factories.models import Factory
from hub.home.services import answer_days, waited

DUE_SOON_DAYS = 7


@dataclass
class Waiting:
    """A step sent to us that nobody at the factory has answered yet."""

    step: DealStep
    waited: timedelta
    is_overdue: bool


@dataclass
class Due:
    """Work we accepted whose due date is near or past."""

    step: DealStep
    days_left: int


@dataclass
class SlotLine:
    slot: Slot
    counts: dict


def waiting_steps(factory_id: int, limit: int = 20) -> list[Waiting]:
    """Requests to this factory still waiting for its answer, the longest-waiting first."""
    now = utcnow()
    rows = db.session.scalars(
        db.select(DealStep).join(Deal, Deal.id == DealStep.deal_id)
        .where(DealStep.factory_id == factory_id, DealStep.status == StepStatus.REQUESTED,
               Deal.status == DealStatus.OPEN)
        .options(joinedload(DealStep.deal).joinedload(Deal.requester))
        .order_by(DealStep.created_at, DealStep.id).limit(limit)).all()
    limit_age = timedelta(days=answer_days())
    return [Waiting(step, waited(step.created_at, now), waited(step.created_at, now) > limit_age) for step in rows]


def due_steps(factory_id: int, today: date | None = None, limit: int = 10) -> list[Due]:
    """Accepted work with a due date within a week (or already past), the earliest first."""
    today = today or tokyo_today()
    rows = db.session.scalars(
        db.select(DealStep).join(Deal, Deal.id == DealStep.deal_id)
        .where(DealStep.factory_id == factory_id, Deal.status == DealStatus.OPEN,
               DealStep.status.in_((StepStatus.ACCEPTED, StepStatus.IN_PROGRESS)),
               DealStep.due_date.isnot(None), DealStep.due_date <= today + timedelta(days=DUE_SOON_DAYS))
        .options(joinedload(DealStep.deal)).order_by(DealStep.due_date, DealStep.id).limit(limit)).all()
    return [Due(step, (step.due_date - today).days) for step in rows]


def our_slots(factory_id: int, limit: int = 8) -> list[SlotLine]:
    """Our Open Factory slots that have not ended, with their bookings counted."""
    slots = db.session.scalars(
        db.select(Slot).join(Program, Program.id == Slot.program_id)
        .where(Program.factory_id == factory_id, Slot.ends_at >= utcnow())
        .options(joinedload(Slot.program)).order_by(Slot.starts_at, Slot.id).limit(limit)).all()
    counts = events_services.slot_counts([s.id for s in slots])
    return [SlotLine(slot, counts[slot.id]) for slot in slots]


def recent_bookings(factory_id: int, limit: int = 5) -> list[Booking]:
    """The latest bookings (not cancelled) of our slots."""
    return db.session.scalars(
        db.select(Booking).join(Slot, Slot.id == Booking.slot_id).join(Program, Program.id == Slot.program_id)
        .where(Program.factory_id == factory_id, Booking.status != BookingStatus.CANCELLED, Slot.ends_at >= utcnow())
        .options(joinedload(Booking.slot).joinedload(Slot.program))
        .order_by(Booking.created_at.desc(), Booking.id.desc()).limit(limit)).all()


def open_factory_step(user: User, factory: Factory) -> dict:
    """Where the factory stands in the current Open Factory edition: not applied (and whether it may), applied."""
    edition = events_services.current_edition()
    if edition is None:
        return {"edition": None}
    participation = events_services.participation_for(edition, factory.id)
    return {"edition": edition, "participation": participation,
            "can_apply": participation is None and events_services.applications_open(edition)}


def sections(user: User, lang: str) -> dict:
    """Everything the factory home shows, for a member of ``user``'s factory (no factory yet: a prompt)."""
    factory = user_factory(user)
    if factory is None:
        return {"factory": None}
    factory = db.session.scalar(db.select(Factory).where(Factory.id == factory.id)
                                .options(selectinload(Factory.capabilities), selectinload(Factory.photos)))
    fits = providers.call(providers.FITS_FOR_FACTORY, factory, lang, limit=5, default=[]) \
        if factory.is_public else []
    return {
        "factory": factory,
        "waiting": waiting_steps(factory.id),
        "due": due_steps(factory.id),
        "fits": fits,
        "slots": our_slots(factory.id),
        "bookings": recent_bookings(factory.id),
        "open_factory": open_factory_step(user, factory),
        "unconfirmed": factory_services.pending_reviews(factory),
        "answer_days": answer_days(),
    }

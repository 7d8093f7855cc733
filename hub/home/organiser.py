"""An organiser's home: every review queue with its length, today's check-ins, the latest imports and the
programme's indicators for this year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy.orm import joinedload

from hub.auth.models import User
from hub.core.timeutil import from_tokyo, tokyo_today
from hub.dashboard import services as dashboard_services
from hub.deals.models import DealReport, ReportStatus
from hub.events import services as events_services
from hub.events.models import Edition, Participation, ParticipationStatus, Pitch, PitchStatus, Program, Slot
from hub.extensions import db
from hub.factories import identity as factory_identity
from hub.matches.models import ImportJob
from hub.succession.models import ListingStatus, SuccessionListing


@dataclass
class Queue:
    """One review queue: what it holds, how many wait, and where it is worked (an endpoint and its values)."""

    key: str
    count: int
    endpoint: str
    values: dict


@dataclass
class TodaySlot:
    slot: Slot
    title: str
    counts: dict


def _count(query) -> int:
    return int(db.session.scalar(db.select(db.func.count()).select_from(query.subquery())) or 0)


def queues() -> list[Queue]:
    """The organisers' review queues, in the order they are worked."""
    held, claims = factory_identity.held_profiles(), factory_identity.pending_claims()
    participations = _count(db.select(Participation.id).where(Participation.status == ParticipationStatus.PENDING))
    pending_edition = db.session.scalar(
        db.select(Participation.edition_id).where(Participation.status == ParticipationStatus.PENDING)
        .order_by(Participation.created_at).limit(1))
    return [
        Queue("profiles", len(held) + len(claims), "factories.review_queue", {}),
        Queue("listings", _count(db.select(SuccessionListing.id)
                                 .where(SuccessionListing.status == ListingStatus.SUBMITTED)), "succession.review", {}),
        Queue("participations", participations,
              "events.edition_dashboard" if pending_edition else "events.editions",
              {"edition_id": pending_edition} if pending_edition else {}),
        Queue("pitches", _count(db.select(Pitch.id).where(Pitch.status == PitchStatus.SUBMITTED)),
              "events.pitch_nights", {}),
        Queue("reports", _count(db.select(DealReport.id).where(DealReport.status == ReportStatus.OPEN)),
              "deals.reports", {}),
    ]


def slots_today(locale: str) -> list[TodaySlot]:
    """Every slot (Open Factory and pitch nights) that starts today in Tokyo, with its bookings counted."""
    today = tokyo_today()
    start = from_tokyo(datetime.combine(today, time.min))
    slots = db.session.scalars(
        db.select(Slot).where(Slot.starts_at >= start, Slot.starts_at < start + timedelta(days=1))
        .options(joinedload(Slot.program).joinedload(Program.factory)).order_by(Slot.starts_at, Slot.id)).all()
    counts = events_services.slot_counts([s.id for s in slots])
    return [TodaySlot(slot, events_services.slot_title(slot, locale), counts[slot.id]) for slot in slots]


def sections(user: User, lang: str) -> dict:
    year = tokyo_today().year
    return {
        "queues": queues(),
        "today": slots_today(lang),
        "imports": db.session.scalars(db.select(ImportJob).order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
                                      .limit(5)).all(),
        "indicators": dashboard_services.indicators(year),
        "year": year,
        "edition": events_services.current_edition(),
        "editions_count": _count(db.select(Edition.id)),
    }

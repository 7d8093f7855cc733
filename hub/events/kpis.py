"""The programme's event indicators: events held and Open Factory participating companies in a year."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func

from hub.core.timeutil import utcnow
from hub.events.models import Edition, Participation, PitchNight
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
            Participation.status == "approved", Edition.starts_on >= date(year, 1, 1),
            Edition.starts_on < date(year + 1, 1, 1))) or 0
    return {"events_held": int(nights + editions), "open_factory_companies": int(companies)}

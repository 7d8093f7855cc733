"""The deals domain's organiser indicator: joint orders and joint developments formed through the hub."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hub.core import providers
from hub.deals.models import Deal, DealStatus
from hub.extensions import db


def indicators(year: int) -> dict[str, int]:
    """Deals closed in ``year`` (UTC close time) as a joint order or a joint development, and deals with a purchase
    order delivered in ``year`` (the quotes domain, through hub.core.providers); each deal counts once, abandoned
    ones do not count."""
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    closed = set(db.session.scalars(
        select(Deal.id).where(
            Deal.status == DealStatus.CLOSED, Deal.outcome.in_(("joint_order", "joint_development")),
            Deal.closed_at >= start, Deal.closed_at < end)
    ))
    ordered = providers.call(providers.DELIVERED_ORDER_DEALS, year, default=set())
    if ordered:
        abandoned = set(db.session.scalars(select(Deal.id).where(Deal.id.in_(ordered), Deal.outcome == "abandoned")))
        ordered = set(ordered) - abandoned
    return {"joint_projects_formed": len(closed | set(ordered or ()))}

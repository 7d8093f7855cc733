"""The deals domain's organiser indicator: joint orders and joint developments formed through the hub."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from hub.deals.models import Deal, DealStatus
from hub.extensions import db


def indicators(year: int) -> dict[str, int]:
    """Deals closed in ``year`` (UTC close time) as a joint order or a joint development; abandoned ones do not
    count."""
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    count = db.session.scalar(
        select(func.count(Deal.id)).where(
            Deal.status == DealStatus.CLOSED, Deal.outcome.in_(("joint_order", "joint_development")),
            Deal.closed_at >= start, Deal.closed_at < end)
    )
    return {"joint_projects_formed": int(count or 0)}

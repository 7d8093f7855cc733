"""The people pillar's indicator: pairs whose junior an organiser certified in the year."""

from __future__ import annotations

from datetime import date

from hub.extensions import db
from hub.people.models import Pair, PairStatus


def indicators(year: int) -> dict[str, int]:
    """Master–junior pairs certified in ``year`` (a certified pair's ``certified_on``; pairs recorded before the
    hub ran the programme were migrated with their certification date)."""
    count = db.session.scalar(
        db.select(db.func.count(Pair.id)).where(
            Pair.status == PairStatus.CERTIFIED,
            Pair.certified_on >= date(year, 1, 1), Pair.certified_on <= date(year, 12, 31))
    )
    return {"meister_pairs": int(count or 0)}

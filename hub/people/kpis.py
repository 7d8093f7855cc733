"""The people pillar's indicator."""

from __future__ import annotations

from datetime import date

from hub.extensions import db
from hub.people.models import MeisterPair


def indicators(year: int) -> dict[str, int]:
    """Master–junior pairs certified in ``year``."""
    count = db.session.scalar(
        db.select(db.func.count(MeisterPair.id)).where(
            MeisterPair.certified_on >= date(year, 1, 1), MeisterPair.certified_on <= date(year, 12, 31))
    )
    return {"meister_pairs": int(count or 0)}

"""A successor's home: my disclosure requests and what the owners decided, and the published listings that fit
my profile (new ones marked). Listings are shown only in their anonymous public form."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import joinedload

from hub.auth.models import User
from hub.core.timeutil import utcnow
from hub.extensions import db
from hub.succession import services as succession_services
from hub.succession.models import Disclosure

NEW_DAYS = 14  # a listing published within this many days is "new"


def my_requests(user: User, limit: int = 10) -> list[Disclosure]:
    return db.session.scalars(db.select(Disclosure).where(Disclosure.successor_id == user.id)
                              .options(joinedload(Disclosure.listing))
                              .order_by(Disclosure.created_at.desc(), Disclosure.id.desc()).limit(limit)).all()


def sections(user: User, lang: str) -> dict:
    profile = succession_services.profile_for(user)
    fits = succession_services.listings_that_fit(profile, lang, limit=5) if profile is not None else []
    requested = {d.listing_id for d in my_requests(user, limit=1000)}
    since = utcnow() - timedelta(days=NEW_DAYS)
    return {"profile": profile, "requests": my_requests(user), "requested": requested,
            "fits": [(listing, fit, bool(listing.published_at and listing.published_at >= since))
                     for listing, fit in fits]}

"""A seeker's home (startup, designer, student, researcher): my needs, the factories' replies, and for my open
needs the best factories — or a team of factories when no single one does every step."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.auth.models import User
from hub.deals import services as deal_services
from hub.deals.models import Deal, DealStatus
from hub.extensions import db
from hub.matches import services as match_services
from hub.needs.models import Need, NeedStatus

SUGGESTED_NEEDS = 3  # open needs that get suggestions on the home page (each one runs the matcher)


@dataclass
class Suggestion:
    """For one open need: the best factories as (match, factory) and teams as (team, factories)."""

    need: Need
    rows: list = field(default_factory=list)
    teams: list = field(default_factory=list)


def my_needs(user: User, limit: int = 10) -> list[Need]:
    """The user's needs, open ones first, newest first."""
    order = db.case((Need.status == NeedStatus.OPEN, 0), (Need.status == NeedStatus.IN_PROGRESS, 1), else_=2)
    return db.session.scalars(db.select(Need).where(Need.owner_id == user.id)
                              .order_by(order, Need.created_at.desc(), Need.id.desc()).limit(limit)).all()


def replies(user: User, limit: int = 8) -> tuple[list[Deal], dict[int, int]]:
    """My open inquiries (newest activity first) and how many unread notifications each has."""
    deals = db.session.scalars(deal_services.my_deals_query(user, box="sent", status=DealStatus.OPEN)
                               .limit(limit)).all()
    return deals, deal_services.unread_counts(user, [d.id for d in deals])


def suggestions(needs: list[Need], lang: str) -> list[Suggestion]:
    """The matcher's top three factories (and teams, when nobody covers every step) for my first open needs."""
    found = []
    for need in [n for n in needs if n.status == NeedStatus.OPEN][:SUGGESTED_NEEDS]:
        ranked = match_services.rank_for_need(need, lang, limit=3)
        found.append(Suggestion(need, list(ranked.rows()), match_services.teams_for_need(need, ranked, lang,
                                                                                         limit=1)))
    return found


def sections(user: User, lang: str) -> dict:
    needs = my_needs(user)
    deals, unread = replies(user)
    return {"needs": needs, "deals": deals, "unread": unread, "suggestions": suggestions(needs, lang)}

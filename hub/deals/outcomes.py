"""Closing a deal and rating the other side; the track records the matcher ranks with (via hub.core.providers)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from hub.auth.models import User
from hub.core import providers
from hub.core.actors import is_signed_in
from hub.core.timeutil import utcnow
from hub.deals.models import (
    ACCEPTED_STEP_STATUSES,
    OUTCOMES,
    Deal,
    DealMessage,
    DealRating,
    DealStatus,
    DealStep,
    StepStatus,
)
from hub.deals.notifications import notify
from hub.deals.rules import (
    DealError,
    NotAllowed,
    add_event,
    is_requester_side,
    my_steps,
    participants,
    requester_key,
    touch,
)
from hub.extensions import db
from hub.factories.access import user_factory_id

# --- outcomes and ratings ----------------------------------------------------------------------------------------

def can_close(user: User | None, deal: Deal) -> bool:
    if deal.status != DealStatus.OPEN or not is_signed_in(user):
        return False
    return is_requester_side(user, deal) or any(s.status in ACCEPTED_STEP_STATUSES for s in my_steps(user, deal))


def awaiting_steps(deal: Deal) -> list[DealStep]:
    """Steps still waiting for the factory's answer (closing the deal withdraws them)."""
    return [s for s in deal.steps if s.status == StepStatus.REQUESTED]


def close_deal(actor: User, deal: Deal, outcome: str, reason: str | None = None, *, confirm: bool = False) -> Deal:
    """Record how the deal ended: a joint order, a joint development (needs an accepted step), or abandoned.
    A joint order or development while a step still awaits its answer needs ``confirm`` (the step is withdrawn)."""
    if deal.status != DealStatus.OPEN:
        raise DealError(_("This deal is closed."), 409)
    if not can_close(actor, deal):
        raise NotAllowed()
    if outcome not in OUTCOMES:
        raise DealError(_("Please choose how the deal ended."), 400, "outcome")
    reason = (reason or "").strip()
    if outcome == "abandoned" and not reason:
        raise DealError(_("Please say why the deal was abandoned."), 400, "reason")
    if outcome != "abandoned" and not any(s.status in ACCEPTED_STEP_STATUSES for s in deal.steps):
        raise DealError(_("A joint order or development needs at least one accepted step."), 409, "outcome")
    if outcome != "abandoned" and awaiting_steps(deal) and not confirm:
        raise DealError(_("%(n)s requests are still waiting for an answer: closing the deal withdraws them. Please "
                          "confirm.", n=len(awaiting_steps(deal))), 409, "confirm", code="confirmation_required")
    for step in deal.steps:
        if step.status == StepStatus.REQUESTED:
            step.status = StepStatus.WITHDRAWN
    deal.status, deal.outcome, deal.outcome_reason = DealStatus.CLOSED, outcome, reason[:1000] or None
    deal.closed_at, deal.closed_by_id = utcnow(), actor.id
    touch(deal)
    add_event(deal, actor, f"outcome:{outcome}")
    db.session.flush()
    notify(participants(deal), deal, "outcome", actor, {"outcome": outcome})
    return deal


@dataclass
class RatingTarget:
    key: str
    label: str
    factory_id: int | None = None
    user_id: int | None = None
    done: bool = False


def rating_targets(user: User | None, deal: Deal) -> list[RatingTarget]:
    """Whom this user's side may rate in this deal (after it closed, only sides that worked together)."""
    if deal.status != DealStatus.CLOSED or not is_signed_in(user):
        return []
    targets: list[RatingTarget] = []
    if is_requester_side(user, deal):
        rater = requester_key(deal)
        for step in deal.steps:
            if step.status in ACCEPTED_STEP_STATUSES and not any(t.factory_id == step.factory_id for t in targets):
                targets.append(RatingTarget(f"f:{step.factory_id}", step.factory.name, factory_id=step.factory_id))
    else:
        worked = [s for s in my_steps(user, deal) if s.status in ACCEPTED_STEP_STATUSES]
        if not worked:
            return []
        rater = f"f:{worked[0].factory_id}"
        if deal.requester_factory_id:
            targets.append(RatingTarget(requester_key(deal), deal.requester_factory.name,
                                        factory_id=deal.requester_factory_id))
        else:
            targets.append(RatingTarget(requester_key(deal), deal.requester.name, user_id=deal.requester_id))
    done = {r.target_key for r in deal.ratings if r.rater_key == rater}
    for target in targets:
        target.done = target.key in done
    return targets


def rate(actor: User, deal: Deal, target_key: str, *, quality: int, delivery: int, communication: int,
         comment: str | None = None) -> DealRating:
    """One side rates the other (1–5 each). Factory ratings feed the matcher's track record."""
    targets = {t.key: t for t in rating_targets(actor, deal)}
    if not targets:
        raise DealError(_("You can rate the other side once the deal has closed."), 409)
    target = targets.get(target_key)
    if target is None:
        raise DealError(_("You cannot rate this party in this deal."), 400, "target")
    if target.done:
        raise DealError(_("Your side has already rated this party."), 409, "target")
    for name, value in (("quality", quality), ("delivery", delivery), ("communication", communication)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise DealError(_("Ratings go from 1 to 5."), 400, name)
    rater = requester_key(deal) if is_requester_side(actor, deal) else f"f:{user_factory_id(actor)}"
    rating = DealRating(deal=deal, rater_id=actor.id, rater_key=rater, target_key=target.key,
                        target_factory_id=target.factory_id, target_user_id=target.user_id, quality=quality,
                        delivery=delivery, communication=communication,
                        comment=(comment or "").strip()[:1000] or None)
    db.session.add(rating)
    db.session.flush()
    if target.factory_id is not None:
        # The track record the matcher ranks with has changed: every worker re-reads this factory's row.
        providers.evidence_changed.send(db.session, factory_ids=(target.factory_id,))
    return rating


def _normalised(avg: float) -> float:
    return max(0.0, min(1.0, (float(avg) - 1.0) / 4.0))


def track_records() -> dict[int, float]:
    """Factory id → 0..1: the mean of its quality, delivery and communication ratings, scaled from 1–5.

    Only factories that have ratings appear. One query for the whole index build.
    """
    rows = db.session.execute(
        select(DealRating.target_factory_id,
               func.avg((DealRating.quality + DealRating.delivery + DealRating.communication) / 3.0))
        .where(DealRating.target_factory_id.isnot(None)).group_by(DealRating.target_factory_id)
    )
    return {factory_id: round(_normalised(avg), 4) for factory_id, avg in rows if avg is not None}


@dataclass
class Record:
    ratings: int = 0
    quality: float | None = None
    delivery: float | None = None
    communication: float | None = None
    completed: int = 0
    extra: dict = field(default_factory=dict)


def _rating_averages(condition) -> tuple[int, float | None, float | None, float | None]:
    row = db.session.execute(
        select(func.count(DealRating.id), func.avg(DealRating.quality), func.avg(DealRating.delivery),
               func.avg(DealRating.communication)).where(condition)
    ).one()
    count = row[0] or 0
    return count, *(round(float(v), 1) if v is not None else None for v in row[1:])


def factory_record(factory_id: int) -> Record:
    """Averages of the ratings a factory received and the deals it completed (joint orders and developments)."""
    count, quality, delivery, communication = _rating_averages(DealRating.target_factory_id == factory_id)
    completed = db.session.scalar(
        select(func.count(func.distinct(Deal.id))).select_from(Deal).outerjoin(DealStep)
        .where(Deal.status == DealStatus.CLOSED, Deal.outcome.in_(("joint_order", "joint_development")),
               or_(and_(DealStep.factory_id == factory_id, DealStep.status.in_(ACCEPTED_STEP_STATUSES)),
                   Deal.requester_factory_id == factory_id))
    ) or 0
    return Record(count, quality, delivery, communication, completed)


def completed_jobs(factory_ids) -> dict[int, int]:
    """Factory id → deals it completed as a supplier (joint orders and developments), for many factories at once."""
    ids = [i for i in dict.fromkeys(factory_ids) if i is not None]
    if not ids:
        return {}
    rows = db.session.execute(
        select(DealStep.factory_id, func.count(func.distinct(Deal.id))).join(Deal)
        .where(Deal.status == DealStatus.CLOSED, Deal.outcome.in_(("joint_order", "joint_development")),
               DealStep.factory_id.in_(ids), DealStep.status.in_(ACCEPTED_STEP_STATUSES))
        .group_by(DealStep.factory_id))
    return {factory_id: count for factory_id, count in rows}


def requester_record(user: User) -> Record:
    """What a factory sees of someone who asks it: inquiries sent, how often they replied, deals completed."""
    sent = db.session.scalar(select(func.count(DealStep.id)).join(Deal).where(Deal.requester_id == user.id)) or 0
    accepted_deals = select(Deal.id).join(DealStep).where(
        Deal.requester_id == user.id, DealStep.status.in_(ACCEPTED_STEP_STATUSES)).distinct()
    accepted = db.session.scalar(select(func.count()).select_from(accepted_deals.subquery())) or 0
    replied = db.session.scalar(
        select(func.count(func.distinct(DealMessage.deal_id))).where(
            DealMessage.author_id == user.id, DealMessage.is_event.is_(False),
            DealMessage.deal_id.in_(accepted_deals))) or 0
    outcomes = dict(db.session.execute(
        select(Deal.outcome, func.count(Deal.id)).where(Deal.requester_id == user.id, Deal.status == DealStatus.CLOSED)
        .group_by(Deal.outcome)).all())
    count, quality, delivery, communication = _rating_averages(DealRating.target_key == f"u:{user.id}")
    record = Record(count, quality, delivery, communication,
                    outcomes.get("joint_order", 0) + outcomes.get("joint_development", 0))
    record.extra = {"sent": sent, "accepted": accepted, "replied": replied, "abandoned": outcomes.get("abandoned", 0),
                    "member_since": user.created_at}
    return record

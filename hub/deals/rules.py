"""Rules of deals: who is on which side, who may see and write, errors, and the queries of a user's deals."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from hub.auth.models import ROLE_FACTORY, User
from hub.core.actors import is_signed_in
from hub.core.timeutil import utcnow
from hub.deals.models import (
    ACCEPTED_STEP_STATUSES,
    ACTIVE_STEP_STATUSES,
    Block,
    Deal,
    DealMessage,
    DealReport,
    DealStatus,
    DealStep,
    Notification,
    StepStatus,
)
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.factories.models import Factory

MAX_STEPS = 12
MAX_ATTACHMENTS_PER_MESSAGE = 5
# The order a step moves through once accepted; the factory moves it forward (or back one step by mistake).
STEP_FLOW = (StepStatus.ACCEPTED, StepStatus.IN_PROGRESS, StepStatus.DELIVERED)


class DealError(ValueError):
    """A user-facing reason an action on a deal was refused (shown as is; maps to 400/409 in the API)."""

    def __init__(self, message: str, status: int = 400, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message, self.status, self.field, self.code = message, status, field, code


class NotAllowed(DealError):
    """The actor may not do this (403 in the API; the HTML views answer 403 or 404)."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("You do not have permission to do this."), 403)


# --- who is who ---------------------------------------------------------------------------------------------------

def party_keys(user: User) -> set[str]:
    """The keys that name this user as a side: themselves, and their factory."""
    keys = {f"u:{user.id}"}
    factory_id = user_factory_id(user)
    if factory_id is not None:
        keys.add(f"f:{factory_id}")
    return keys


def requester_key(deal: Deal) -> str:
    return f"f:{deal.requester_factory_id}" if deal.requester_factory_id else f"u:{deal.requester_id}"


def is_requester_side(user: User | None, deal: Deal) -> bool:
    if not is_signed_in(user):
        return False
    if user.id == deal.requester_id:
        return True
    return deal.requester_factory_id is not None and user_factory_id(user) == deal.requester_factory_id


def my_steps(user: User | None, deal: Deal) -> list[DealStep]:
    """The steps addressed to this user's factory."""
    factory_id = user_factory_id(user)
    if factory_id is None:
        return []
    return [s for s in deal.steps if s.factory_id == factory_id]


def has_report(deal: Deal) -> bool:
    return db.session.scalar(select(func.count(DealReport.id)).where(DealReport.deal_id == deal.id)) > 0


def _organiser_reviewing(user: User | None, deal: Deal) -> bool:
    return is_signed_in(user) and user.is_organiser and has_report(deal)


def can_view(user: User | None, deal: Deal) -> bool:
    """The requesting side, every factory asked (even after declining: their own answer), organisers reviewing a
    report."""
    if not is_signed_in(user):
        return False
    return is_requester_side(user, deal) or bool(my_steps(user, deal)) or _organiser_reviewing(user, deal)


def can_read_thread(user: User | None, deal: Deal) -> bool:
    """Messages and files: the requesting side, factories whose step is still active, organisers with a report."""
    if not is_signed_in(user):
        return False
    if is_requester_side(user, deal):
        return True
    if any(s.status in ACTIVE_STEP_STATUSES for s in my_steps(user, deal)):
        return True
    return _organiser_reviewing(user, deal)


def is_blocked(user: User, deal: Deal) -> bool:
    """True when someone on the other side of this deal blocked this user (or their factory)."""
    others = other_side_user_ids(user, deal)
    if not others:
        return False
    return db.session.scalar(
        select(func.count(Block.id)).where(Block.blocker_id.in_(others), Block.target_key.in_(party_keys(user)))
    ) > 0


def post_refusal(user: User | None, deal: Deal) -> str | None:
    """Why this user cannot write in the thread now, or None when they can."""
    if not can_read_thread(user, deal) or user.is_organiser and not is_requester_side(user, deal) \
            and not my_steps(user, deal):
        return _("You do not have permission to do this.")
    if deal.status != DealStatus.OPEN:
        return _("This deal is closed.")
    if is_requester_side(user, deal):
        if not any(s.status in ACTIVE_STEP_STATUSES for s in deal.steps):
            return _("The factory declined this inquiry, so the conversation is closed.")
    elif not any(s.status in ACTIVE_STEP_STATUSES for s in my_steps(user, deal)):
        return _("You declined this inquiry, so the conversation is closed.")
    if is_blocked(user, deal):
        return _("You cannot send messages in this conversation.")
    return None


def contacts_visible(user: User | None, deal: Deal, step: DealStep) -> bool:
    """Contact details of the two sides of a step are shown to each other only once the factory accepted."""
    if step.status not in ACCEPTED_STEP_STATUSES:
        return False
    return is_requester_side(user, deal) or step in my_steps(user, deal)


def factory_members(factory_ids) -> dict[int, list[User]]:
    """factory id → its member users, in one query."""
    ids = list(set(factory_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Factory.id, User).join(User, User.organisation_id == Factory.organisation_id)
        .where(Factory.id.in_(ids), User.role == ROLE_FACTORY, User.is_active_account)
    ).all()
    members: dict[int, list[User]] = defaultdict(list)
    for factory_id, user in rows:
        members[factory_id].append(user)
    return members


def requester_side_users(deal: Deal) -> list[User]:
    users = {deal.requester_id: deal.requester}
    if deal.requester_factory_id:
        for user in factory_members([deal.requester_factory_id]).get(deal.requester_factory_id, []):
            users[user.id] = user
    return list(users.values())


def other_side_user_ids(user: User, deal: Deal) -> set[int]:
    if is_requester_side(user, deal):
        members = factory_members(s.factory_id for s in deal.steps)
        return {u.id for users in members.values() for u in users}
    return {u.id for u in requester_side_users(deal)}


def participants(deal: Deal) -> list[User]:
    """Everyone who reads the thread: the requesting side and the factories with an active step."""
    users = {u.id: u for u in requester_side_users(deal)}
    members = factory_members(s.factory_id for s in deal.steps if s.status in ACTIVE_STEP_STATUSES)
    for group in members.values():
        for user in group:
            users[user.id] = user
    return list(users.values())


# --- queries -----------------------------------------------------------------------------------------------------

def my_deals_query(user: User, *, box: str = "all", status: str | None = None):
    """Deals this user is on (as the requester or a factory asked), newest activity first, eager-loaded."""
    factory_id = user_factory_id(user)
    sent = or_(Deal.requester_id == user.id,
               Deal.requester_factory_id == factory_id) if factory_id else Deal.requester_id == user.id
    received = Deal.id.in_(select(DealStep.deal_id).where(DealStep.factory_id == factory_id)) \
        if factory_id else None
    if box == "sent" or received is None:
        condition = sent
    elif box == "received":
        condition = received
    else:
        condition = or_(sent, received)
    query = select(Deal).where(condition)
    if status in (DealStatus.OPEN, DealStatus.CLOSED):
        query = query.where(Deal.status == status)
    return query.options(
        selectinload(Deal.steps).selectinload(DealStep.factory),
        selectinload(Deal.need), selectinload(Deal.requester), selectinload(Deal.requester_factory),
    ).order_by(Deal.updated_at.desc(), Deal.id.desc())


def load_deal(deal_id: int) -> Deal | None:
    """One deal with everything the workspace shows, in a handful of queries."""
    return db.session.scalar(
        select(Deal).where(Deal.id == deal_id).options(
            selectinload(Deal.steps).selectinload(DealStep.factory),
            selectinload(Deal.messages).selectinload(DealMessage.author),
            selectinload(Deal.messages).selectinload(DealMessage.attachments),
            selectinload(Deal.ratings), selectinload(Deal.need), selectinload(Deal.requester),
            selectinload(Deal.requester_factory),
        )
    )


def unread_counts(user: User, deal_ids) -> dict[int, int]:
    ids = list(deal_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Notification.deal_id, func.count(Notification.id))
        .where(Notification.user_id == user.id, Notification.read_at.is_(None), Notification.deal_id.in_(ids))
        .group_by(Notification.deal_id)
    )
    return dict(rows.all())


def unread_total(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_read(user: User, deal: Deal | None = None) -> None:
    condition = [Notification.user_id == user.id, Notification.read_at.is_(None)]
    if deal is not None:
        condition.append(Notification.deal_id == deal.id)
    db.session.execute(update(Notification).where(*condition).values(read_at=utcnow())
                       .execution_options(synchronize_session=False))




# --- the deal's own record ---------------------------------------------------------------------------------------

def touch(deal: Deal) -> None:
    """Note that the deal moved (lists sort by it)."""
    deal.updated_at = utcnow()


def add_event(deal: Deal, actor: User | None, text: str) -> None:
    """A line in the thread written by the hub, stored in the source language's neutral form (the actor's words)."""
    db.session.add(DealMessage(deal=deal, author_id=actor.id if actor else None, body=text, is_event=True))

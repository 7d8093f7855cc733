"""Rules of deals: who may see, answer, write, close and rate; notifications; track records.

Services take an explicit ``actor``, add and flush, never commit and never touch ``request``/``flash``.
Views and API handlers commit once, then call :func:`hub.mail.services.deliver_pending`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import selectinload

from hub.auth.models import ROLE_FACTORY, User
from hub.core import providers, uploads
from hub.core.actors import is_signed_in
from hub.core.timeutil import utcnow
from hub.deals.models import (
    ACCEPTED_STEP_STATUSES,
    ACTIVE_STEP_STATUSES,
    EMAIL_MODES,
    NOTIFICATION_KINDS,
    OUTCOMES,
    Block,
    Deal,
    DealAttachment,
    DealMessage,
    DealRating,
    DealReport,
    DealStep,
    Notification,
    NotificationPreference,
)
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.factories.models import Factory
from hub.mail.services import queue_email
from hub.needs.models import Need

MAX_STEPS = 12
MAX_ATTACHMENTS_PER_MESSAGE = 5
# The order a step moves through once accepted; the factory moves it forward (or back one step by mistake).
STEP_FLOW = ("accepted", "in_progress", "delivered")


class DealError(ValueError):
    """A user-facing reason an action on a deal was refused (shown as is; maps to 400/409 in the API)."""

    def __init__(self, message: str, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message, self.status, self.field = message, status, field


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
    if deal.status != "open":
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
    if status in ("open", "closed"):
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


# --- creating inquiries -----------------------------------------------------------------------------------------

def _clean_phone(phone: str | None) -> str | None:
    phone = (phone or "").strip()
    return phone[:40] or None


def _check_not_blocked_by_factory(actor: User, factory: Factory) -> None:
    members = [u.id for u in factory_members([factory.id]).get(factory.id, [])]
    if members and db.session.scalar(select(func.count(Block.id)).where(
            Block.blocker_id.in_(members), Block.target_key.in_(party_keys(actor)))):
        raise DealError(_("This factory does not accept inquiries from you."), 403)


def _check_recipient(actor: User, factory: Factory | None) -> Factory:
    if factory is None or not factory.is_published:
        raise DealError(_("No such factory."), 404, "factory")
    if user_factory_id(actor) == factory.id:
        raise DealError(_("You cannot send an inquiry to your own factory."), 400, "factory")
    _check_not_blocked_by_factory(actor, factory)
    return factory


def can_ask_about(actor: User, need: Need) -> bool:
    return is_signed_in(actor) and need.owner_id == actor.id


def create_inquiry(actor: User, factory: Factory | None, *, message: str, need: Need | None = None,
                   quantity: int | None = None, due_date: date | None = None, phone: str | None = None,
                   process_code: str | None = None, from_factory: Factory | None = None) -> Deal:
    """A need owner asks a factory, or (``from_factory`` + ``process_code``) a factory asks a partner for one step."""
    if not is_signed_in(actor) or actor.role not in ("seeker", "factory", "organiser"):
        raise NotAllowed()
    factory = _check_recipient(actor, factory)
    message = (message or "").strip()
    if not message:
        raise DealError(_("Please write a message."), 400, "message")
    kind = "inquiry"
    if from_factory is not None:
        if user_factory_id(actor) != from_factory.id:
            raise NotAllowed(_("Only members of that factory can ask partners on its behalf."))
        if not process_code:
            raise DealError(_("Please choose the step you need."), 400, "process")
        kind = "partner_step"
    if process_code is not None:
        from matching import Taxonomy

        if process_code not in Taxonomy.default().processes:
            raise DealError(_("Unknown process."), 400, "process")
    if need is not None:
        if not can_ask_about(actor, need):
            raise NotAllowed(_("You can only send inquiries about your own needs."))
        duplicate = db.session.scalar(
            select(Deal.id).join(DealStep).where(
                Deal.need_id == need.id, Deal.status == "open", DealStep.factory_id == factory.id,
                DealStep.status.in_(ACTIVE_STEP_STATUSES)))
        if duplicate:
            raise DealError(_("You have already asked this factory about this need."), 409)
    if kind == "partner_step":
        from hub.core.labels import capability_label

        title = _("%(step)s for %(factory)s", step=capability_label(process_code, "ja"), factory=from_factory.name)
    elif need is not None:
        title = need.title
    else:
        title = _("Inquiry to %(factory)s", factory=factory.name)
    deal = Deal(kind=kind, title=title[:200], need_id=need.id if need else None, requester_id=actor.id,
                requester=actor, requester_factory_id=from_factory.id if from_factory else None,
                requester_phone=_clean_phone(phone))
    deal.steps.append(DealStep(position=1, factory_id=factory.id, factory=factory, process_code=process_code,
                               message=message[:20000], quantity=quantity, due_date=due_date))
    db.session.add(deal)
    db.session.flush()
    notify_factory(deal, deal.steps[0], actor)
    return deal


@dataclass
class ChainStep:
    process_code: str | None
    factory: Factory | None
    input_text: str = ""


def create_chain(actor: User, steps: list[ChainStep], *, message: str, need: Need | None = None,
                 quantity: int | None = None, due_date: date | None = None, phone: str | None = None) -> Deal:
    """Send one request per step of a chain plan, grouped in one deal (nakama-mawashi)."""
    if not is_signed_in(actor) or actor.role not in ("seeker", "factory", "organiser"):
        raise NotAllowed()
    if not steps:
        raise DealError(_("The plan has no steps."), 400, "steps")
    if len(steps) > MAX_STEPS:
        raise DealError(_("A plan can have at most %(n)s steps.", n=MAX_STEPS), 400, "steps")
    if need is not None and not can_ask_about(actor, need):
        raise NotAllowed(_("You can only send inquiries about your own needs."))
    message = (message or "").strip()
    if not message:
        raise DealError(_("Please write a message."), 400, "message")
    own = user_factory_id(actor)
    from matching import Taxonomy

    taxonomy = Taxonomy.default()
    kept: list[ChainStep] = []
    for step in steps:
        if step.factory is None or not step.factory.is_published:
            raise DealError(_("No such factory."), 404, "factory")
        if step.process_code and step.process_code not in taxonomy.processes:
            raise DealError(_("Unknown process."), 400, "process")
        if step.factory.id == own:
            continue  # the requester's own factory does this step itself
        _check_not_blocked_by_factory(actor, step.factory)
        kept.append(step)
    if not kept:
        raise DealError(_("Every step is done by your own factory: there is nobody to ask."), 400, "steps")
    title = need.title if need else _("Chain of %(n)s steps", n=len(steps))
    deal = Deal(kind="chain", title=title[:200], need_id=need.id if need else None, requester_id=actor.id,
                requester=actor, requester_factory_id=own, requester_phone=_clean_phone(phone))
    for position, step in enumerate(kept, start=1):
        deal.steps.append(DealStep(position=position, factory_id=step.factory.id, factory=step.factory,
                                   process_code=step.process_code or None, input_text=(step.input_text or "")[:200],
                                   message=message[:20000], quantity=quantity, due_date=due_date))
    db.session.add(deal)
    db.session.flush()
    notified: set[int] = set()
    for step in deal.steps:
        if step.factory_id not in notified:
            notified.add(step.factory_id)
            notify_factory(deal, step, actor)
    return deal


# --- answering and moving steps ---------------------------------------------------------------------------------

def _touch(deal: Deal) -> None:
    deal.updated_at = utcnow()


def _event(deal: Deal, actor: User | None, text: str) -> None:
    """A line in the thread written by the hub, stored in the source language's neutral form (the actor's words)."""
    db.session.add(DealMessage(deal=deal, author_id=actor.id if actor else None, body=text, is_event=True))


def answer(actor: User, step: DealStep, *, accept: bool, reason: str | None = None,
           phone: str | None = None) -> DealStep:
    """The factory accepts or declines an inquiry (declining needs a reason the requester will read)."""
    deal = step.deal
    if step not in my_steps(actor, deal):
        raise NotAllowed()
    if deal.status != "open":
        raise DealError(_("This deal is closed."), 409)
    if step.status != "requested":
        raise DealError(_("This inquiry has already been answered."), 409)
    reason = (reason or "").strip()
    if accept:
        step.status = "accepted"
        step.factory_phone = _clean_phone(phone)
    else:
        if not reason:
            raise DealError(_("Please give a reason, so the requester knows what to change."), 400, "reason")
        step.status = "declined"
        step.decline_reason = reason[:1000]
    step.responded_by_id, step.responded_at = actor.id, utcnow()
    step.updated_at = utcnow()
    _touch(deal)
    _event(deal, actor, f"answer:{step.status}:{step.id}")
    db.session.flush()
    notify(requester_side_users(deal), deal, "answer", actor,
           {"factory": step.factory.name, "status": step.status, "reason": step.decline_reason or ""})
    return step


def withdraw(actor: User, step: DealStep) -> DealStep:
    """The requester withdraws an inquiry that was not answered yet."""
    deal = step.deal
    if not is_requester_side(actor, deal):
        raise NotAllowed()
    if step.status != "requested" or deal.status != "open":
        raise DealError(_("Only unanswered inquiries can be withdrawn."), 409)
    step.status, step.updated_at = "withdrawn", utcnow()
    _touch(deal)
    _event(deal, actor, f"status:withdrawn:{step.id}")
    db.session.flush()
    notify([u for users in factory_members([step.factory_id]).values() for u in users], deal, "status", actor,
           {"factory": step.factory.name, "status": "withdrawn"})
    return step


def set_step_status(actor: User, step: DealStep, status: str) -> DealStep:
    """The factory moves its step: accepted → in progress → delivered (or back one step to correct a mistake)."""
    deal = step.deal
    if step not in my_steps(actor, deal):
        raise NotAllowed()
    if deal.status != "open":
        raise DealError(_("This deal is closed."), 409)
    if step.status not in STEP_FLOW or status not in STEP_FLOW:
        raise DealError(_("This step cannot move to that status."), 409, "status")
    if abs(STEP_FLOW.index(status) - STEP_FLOW.index(step.status)) != 1:
        raise DealError(_("This step cannot move to that status."), 409, "status")
    step.status, step.updated_at = status, utcnow()
    _touch(deal)
    _event(deal, actor, f"status:{status}:{step.id}")
    db.session.flush()
    notify(participants(deal), deal, "status", actor, {"factory": step.factory.name, "status": status})
    return step


# --- the thread --------------------------------------------------------------------------------------------------

def post_message(actor: User, deal: Deal, body: str, files=()) -> DealMessage:
    """Write in the deal's thread, with up to five drawings (PDF, PNG, JPEG or STEP, checked by content)."""
    refusal = post_refusal(actor, deal)
    if refusal:
        raise DealError(refusal, 403)
    body = (body or "").strip()
    files = [f for f in files if f is not None and getattr(f, "filename", None)]
    if not body and not files:
        raise DealError(_("Please write a message or attach a file."), 400, "body")
    if len(files) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise DealError(_("At most %(n)s files per message.", n=MAX_ATTACHMENTS_PER_MESSAGE), 400, "file")
    try:
        stored = uploads.save_attachments(files)  # all or nothing
    except uploads.UploadError as exc:
        raise DealError(str(exc), 400, "file") from None
    message = DealMessage(deal=deal, author_id=actor.id, author=actor, body=body[:20000])
    for saved in stored:
        message.attachments.append(DealAttachment(
            deal_id=deal.id, uploader_id=actor.id, original_name=saved.original_name,
            stored_name=saved.stored_name, content_type=saved.content_type, size_bytes=saved.size_bytes))
    db.session.add(message)
    _touch(deal)
    db.session.flush()
    notify(participants(deal), deal, "message", actor,
           {"excerpt": body[:200], "files": len(stored)})
    return message


def can_open_attachment(user: User | None, attachment: DealAttachment) -> bool:
    deal = db.session.get(Deal, attachment.deal_id)
    return deal is not None and can_read_thread(user, deal)


# --- outcomes and ratings ----------------------------------------------------------------------------------------

def can_close(user: User | None, deal: Deal) -> bool:
    if deal.status != "open" or not is_signed_in(user):
        return False
    return is_requester_side(user, deal) or any(s.status in ACCEPTED_STEP_STATUSES for s in my_steps(user, deal))


def close_deal(actor: User, deal: Deal, outcome: str, reason: str | None = None) -> Deal:
    """Record how the deal ended: a joint order, a joint development (needs an accepted step), or abandoned."""
    if deal.status != "open":
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
    for step in deal.steps:
        if step.status == "requested":
            step.status = "withdrawn"
    deal.status, deal.outcome, deal.outcome_reason = "closed", outcome, reason[:1000] or None
    deal.closed_at, deal.closed_by_id = utcnow(), actor.id
    _touch(deal)
    _event(deal, actor, f"outcome:{outcome}")
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
    if deal.status != "closed" or not is_signed_in(user):
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
        # The track record the matcher ranks with has changed: every worker must rebuild its index.
        providers.evidence_changed.send(db.session)
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
        .where(Deal.status == "closed", Deal.outcome.in_(("joint_order", "joint_development")),
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
        .where(Deal.status == "closed", Deal.outcome.in_(("joint_order", "joint_development")),
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
        select(Deal.outcome, func.count(Deal.id)).where(Deal.requester_id == user.id, Deal.status == "closed")
        .group_by(Deal.outcome)).all())
    count, quality, delivery, communication = _rating_averages(DealRating.target_key == f"u:{user.id}")
    record = Record(count, quality, delivery, communication,
                    outcomes.get("joint_order", 0) + outcomes.get("joint_development", 0))
    record.extra = {"sent": sent, "accepted": accepted, "replied": replied, "abandoned": outcomes.get("abandoned", 0),
                    "member_since": user.created_at}
    return record


# --- notifications -----------------------------------------------------------------------------------------------

def preferences(user: User) -> NotificationPreference:
    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        pref = NotificationPreference(user_id=user.id)
        for kind in NOTIFICATION_KINDS:
            setattr(pref, kind, NotificationPreference.__table__.c[kind].default.arg)
    return pref


def save_preferences(user: User, choices: dict[str, str]) -> NotificationPreference:
    pref = db.session.get(NotificationPreference, user.id) or NotificationPreference(user_id=user.id)
    for kind in NOTIFICATION_KINDS:
        value = choices.get(kind)
        if value in EMAIL_MODES:
            setattr(pref, kind, value)
    pref.updated_at = utcnow()
    db.session.add(pref)
    db.session.flush()
    return pref


def deal_link(deal_id: int | None) -> str:
    """An absolute link for emails; outside a request (the digest command) from PUBLIC_BASE_URL."""
    endpoint_kwargs = {"deal_id": deal_id} if deal_id else {}
    endpoint = "deals.detail" if deal_id else "deals.inbox"
    try:
        return url_for(endpoint, _external=True, **endpoint_kwargs)
    except RuntimeError:
        base = current_app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        return base + (f"/deals/{deal_id}" if deal_id else "/deals/")


def notify(users, deal: Deal, kind: str, actor: User | None, params: dict | None = None) -> list[Notification]:
    """Tell each user (except the actor) in the site, and by email as they chose: now, in the digest, or not."""
    made = []
    params = {"deal_title": deal.title, "actor": actor.name if actor else "", **(params or {})}
    prefs = {p.user_id: p for p in db.session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id.in_([u.id for u in users])))} if users else {}
    for user in users:
        if actor is not None and user.id == actor.id:
            continue
        mode = getattr(prefs.get(user.id) or preferences(user), kind)
        note = Notification(user_id=user.id, deal_id=deal.id, kind=kind, params=params,
                            email_state="pending" if mode == "digest" else "skipped")
        if mode == "instant":
            queue_email(user.email, f"deals_{kind}", user.locale, template=f"deals/mail/{kind}.txt",
                        user=user, params=params, link=deal_link(deal.id))
            note.email_state = "sent"
        db.session.add(note)
        made.append(note)
    db.session.flush()
    return made


def notify_factory(deal: Deal, step: DealStep, actor: User) -> None:
    members = factory_members([step.factory_id]).get(step.factory_id, [])
    notify(members, deal, "inquiry", actor, {"factory": step.factory.name, "requester": actor.name})


def send_digests() -> int:
    """Bundle every notification waiting for the digest into one email per person; returns the emails queued."""
    pending = db.session.scalars(
        select(Notification).where(Notification.email_state == "pending")
        .options(selectinload(Notification.user)).order_by(Notification.user_id, Notification.id)
    ).all()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for note in pending:
        by_user[note.user_id].append(note)
    for notes in by_user.values():
        user = notes[0].user
        if user.is_active_account:
            queue_email(user.email, "deals_digest", user.locale, template="deals/mail/digest.txt", user=user,
                        notes=[(n, deal_link(n.deal_id)) for n in notes], link=deal_link(None))
        for note in notes:
            note.email_state = "sent"
    db.session.flush()
    return len(by_user)


# --- abuse controls ----------------------------------------------------------------------------------------------

def block(actor: User, deal: Deal, target_key: str) -> Block:
    """Refuse further messages and inquiries from the other side of this deal."""
    if not can_view(actor, deal) or actor.is_organiser and not is_requester_side(actor, deal) \
            and not my_steps(actor, deal):
        raise NotAllowed()
    allowed = {f"f:{s.factory_id}" for s in deal.steps} if is_requester_side(actor, deal) else {requester_key(deal)}
    if target_key not in allowed:
        raise DealError(_("You cannot block this party."), 400, "target")
    existing = db.session.scalar(select(Block).where(Block.blocker_id == actor.id, Block.target_key == target_key))
    if existing:
        return existing
    row = Block(blocker_id=actor.id, target_key=target_key, deal_id=deal.id)
    db.session.add(row)
    db.session.flush()
    return row


def unblock(actor: User, target_key: str) -> None:
    row = db.session.scalar(select(Block).where(Block.blocker_id == actor.id, Block.target_key == target_key))
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def blocked_keys(actor: User) -> set[str]:
    return set(db.session.scalars(select(Block.target_key).where(Block.blocker_id == actor.id)))


def report(actor: User, deal: Deal, reason: str) -> DealReport:
    """A participant asks the organisers to look at the conversation."""
    if not (is_requester_side(actor, deal) or my_steps(actor, deal)):
        raise NotAllowed()
    reason = (reason or "").strip()
    if not reason:
        raise DealError(_("Please say what is wrong."), 400, "reason")
    row = DealReport(deal_id=deal.id, reporter_id=actor.id, reason=reason[:2000])
    db.session.add(row)
    db.session.flush()
    return row


def resolve_report(actor: User, row: DealReport, resolution: str | None) -> DealReport:
    if not actor.is_organiser:
        raise NotAllowed()
    row.status, row.resolution = "resolved", (resolution or "").strip()[:1000] or None
    row.resolved_by_id, row.resolved_at = actor.id, utcnow()
    db.session.flush()
    return row

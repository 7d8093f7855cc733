"""Starting deals and moving their steps: inquiries, chains (one request per step), answers, step status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from hub.auth.models import User
from hub.core.actors import is_signed_in
from hub.core.timeutil import utcnow
from hub.deals.models import (
    ACTIVE_STEP_STATUSES,
    Block,
    Deal,
    DealAttachment,
    DealStatus,
    DealStep,
    StepStatus,
)
from hub.deals.notifications import notify, notify_factory, step_params
from hub.deals.rules import (
    MAX_STEPS,
    STEP_FLOW,
    DealError,
    NotAllowed,
    add_event,
    factory_members,
    is_requester_side,
    my_steps,
    participants,
    party_keys,
    requester_side_users,
    touch,
)
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.factories.models import Factory
from hub.needs.models import Need

# --- creating inquiries -----------------------------------------------------------------------------------------

def _clean_phone(phone: str | None) -> str | None:
    phone = (phone or "").strip()
    return phone[:40] or None


def check_not_blocked_by_factory(actor: User, factory: Factory) -> None:
    members = [u.id for u in factory_members([factory.id]).get(factory.id, [])]
    if members and db.session.scalar(select(func.count(Block.id)).where(
            Block.blocker_id.in_(members), Block.target_key.in_(party_keys(actor)))):
        raise DealError(_("This factory does not accept inquiries from you."), 403)


def _check_recipient(actor: User, factory: Factory | None) -> Factory:
    if factory is None or not factory.is_published:
        raise DealError(_("No such factory."), 404, "factory")
    if user_factory_id(actor) == factory.id:
        raise DealError(_("You cannot send an inquiry to your own factory."), 400, "factory")
    check_not_blocked_by_factory(actor, factory)
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
                Deal.need_id == need.id, Deal.status == DealStatus.OPEN, DealStep.factory_id == factory.id,
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
    """One step of a chain request: the factory asked and what is asked of it (the deal-wide ``message``,
    ``quantity`` and ``due_date`` of :func:`create_chain` fill what a step leaves empty)."""

    process_code: str | None
    factory: Factory | None
    input_text: str = ""
    quantity: int | None = None
    due_date: date | None = None
    material: str = ""
    note: str = ""
    candidates: list[int] = field(default_factory=list)  # other factories for the step, offered when it is declined
    drawings: list = field(default_factory=list)  # stored documents (the composer's uploads) sent with the step


def create_chain(actor: User, steps: list[ChainStep], *, message: str = "", need: Need | None = None,
                 quantity: int | None = None, due_date: date | None = None, phone: str | None = None) -> Deal:
    """Send one request per step of a chain plan, grouped in one deal (nakama-mawashi); each factory is told what
    was asked of its own steps."""
    if not is_signed_in(actor) or actor.role not in ("seeker", "factory", "organiser"):
        raise NotAllowed()
    if not steps:
        raise DealError(_("The plan has no steps."), 400, "steps")
    if len(steps) > MAX_STEPS:
        raise DealError(_("A plan can have at most %(n)s steps.", n=MAX_STEPS), 400, "steps")
    if need is not None and not can_ask_about(actor, need):
        raise NotAllowed(_("You can only send inquiries about your own needs."))
    message = (message or "").strip()
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
        check_not_blocked_by_factory(actor, step.factory)
        kept.append(step)
    if not kept:
        raise DealError(_("Every step is done by your own factory: there is nobody to ask."), 400, "steps")
    title = need.title if need else _("Chain of %(n)s steps", n=len(steps))
    deal = Deal(kind="chain", title=title[:200], need_id=need.id if need else None, requester_id=actor.id,
                requester=actor, requester_factory_id=own, requester_phone=_clean_phone(phone))
    for position, step in enumerate(kept, start=1):
        deal.steps.append(DealStep(
            position=position, factory_id=step.factory.id, factory=step.factory,
            process_code=step.process_code or None, input_text=(step.input_text or "")[:200],
            message=((step.note or "").strip() or message)[:20000],
            quantity=step.quantity if step.quantity is not None else quantity,
            due_date=step.due_date or due_date, material=(step.material or "").strip()[:200] or None,
            candidates=[c for c in step.candidates if c != step.factory.id][:12] or None))
    db.session.add(deal)
    db.session.flush()
    for row, step in zip(deal.steps, kept, strict=True):
        for drawing in step.drawings:
            db.session.add(DealAttachment(deal_id=deal.id, step_id=row.id, uploader_id=actor.id,
                                          original_name=drawing.original_name, stored_name=drawing.stored_name,
                                          content_type=drawing.content_type, size_bytes=drawing.size_bytes))
    db.session.flush()
    notified: set[int] = set()
    for step in deal.steps:
        if step.factory_id not in notified:
            notified.add(step.factory_id)
            notify_factory(deal, step, actor, steps=[s for s in deal.steps if s.factory_id == step.factory_id])
    return deal



def answer(actor: User, step: DealStep, *, accept: bool, reason: str | None = None,
           phone: str | None = None) -> DealStep:
    """The factory accepts or declines an inquiry (declining needs a reason the requester will read)."""
    deal = step.deal
    if step not in my_steps(actor, deal):
        raise NotAllowed()
    if deal.status != DealStatus.OPEN:
        raise DealError(_("This deal is closed."), 409)
    if step.status != StepStatus.REQUESTED:
        raise DealError(_("This inquiry has already been answered."), 409)
    reason = (reason or "").strip()
    if accept:
        step.status = StepStatus.ACCEPTED
        step.factory_phone = _clean_phone(phone)
    else:
        if not reason:
            raise DealError(_("Please give a reason, so the requester knows what to change."), 400, "reason")
        step.status = StepStatus.DECLINED
        step.decline_reason = reason[:1000]
    step.responded_by_id, step.responded_at = actor.id, utcnow()
    step.updated_at = utcnow()
    touch(deal)
    add_event(deal, actor, f"answer:{step.status}:{step.id}")
    db.session.flush()
    asked = {s.factory_id for s in deal.steps if s.position == step.position}
    notify(requester_side_users(deal), deal, "answer", actor,
           {"factory": step.factory.name, "status": step.status, "reason": step.decline_reason or "",
            "next_candidate": any(c not in asked for c in step.candidates or []), **step_params(deal, step)})
    return step


def withdraw(actor: User, step: DealStep) -> DealStep:
    """The requester withdraws an inquiry that was not answered yet."""
    deal = step.deal
    if not is_requester_side(actor, deal):
        raise NotAllowed()
    if step.status != StepStatus.REQUESTED or deal.status != DealStatus.OPEN:
        raise DealError(_("Only unanswered inquiries can be withdrawn."), 409)
    step.status, step.updated_at = StepStatus.WITHDRAWN, utcnow()
    touch(deal)
    add_event(deal, actor, f"status:withdrawn:{step.id}")
    db.session.flush()
    notify([u for users in factory_members([step.factory_id]).values() for u in users], deal, "status", actor,
           {"factory": step.factory.name, "status": "withdrawn", **step_params(deal, step)})
    return step


def set_step_status(actor: User, step: DealStep, status: str) -> DealStep:
    """The factory moves its step: accepted → in progress → delivered (or back one step to correct a mistake)."""
    deal = step.deal
    if step not in my_steps(actor, deal):
        raise NotAllowed()
    if deal.status != DealStatus.OPEN:
        raise DealError(_("This deal is closed."), 409)
    if step.status not in STEP_FLOW or status not in STEP_FLOW:
        raise DealError(_("This step cannot move to that status."), 409, "status")
    if abs(STEP_FLOW.index(status) - STEP_FLOW.index(step.status)) != 1:
        raise DealError(_("This step cannot move to that status."), 409, "status")
    step.status, step.updated_at = status, utcnow()
    touch(deal)
    add_event(deal, actor, f"status:{status}:{step.id}")
    db.session.flush()
    notify(participants(deal), deal, "status", actor,
           {"factory": step.factory.name, "status": status, **step_params(deal, step)})
    return step

"""From a chosen quote to a delivered order: accepting (注文書), the factory's acknowledgement (注文請書), delivery,
and quotes that run out of validity."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from hub.auth.models import User
from hub.core.timeutil import tokyo_today, utcnow
from hub.deals import services as deals
from hub.deals.models import DealStatus, DealStep, StepStatus
from hub.extensions import db
from hub.quotes import notifications
from hub.quotes.access import NotAllowed, QuoteError, is_factory_side, is_requester
from hub.quotes.models import OrderStatus, PurchaseOrder, Quote, QuoteRequestItem, QuoteStatus, RequestKind
from hub.quotes.quoting import issuer_settings
from hub.quotes.workdays import DEFAULT_CLOSURES, Closure, WorkCalendar, closures_from


def default_closures() -> tuple[Closure, ...]:
    """The closing periods of a factory that set none: ``QUOTES_DEFAULT_CLOSURES`` (rows like ``{"from": "08-13",
    "to": "08-16", "label": "お盆"}``) when configured, else お盆 and 年末年始."""
    rows = current_app.config.get("QUOTES_DEFAULT_CLOSURES")
    return closures_from(rows) if rows is not None else DEFAULT_CLOSURES


def calendar_for(factory_id: int) -> WorkCalendar:
    """The factory's working calendar: its own closures when it set any, else the hub's default ones."""
    settings = issuer_settings(factory_id)
    closures = default_closures() if settings.closures is None else closures_from(settings.closures)
    return WorkCalendar(closures=closures, works_saturday=bool(settings.works_saturday))


def due_date(quote: Quote, start: date) -> date:
    """When the quoted work is done if ordered on ``start``."""
    if quote.lead_days is not None:
        return calendar_for(quote.factory_id).add_working_days(start, quote.lead_days)
    return quote.delivery_date


def sibling_steps(step: DealStep) -> list[DealStep]:
    """The other steps of the same request for quotes (the same work asked of other factories); none for a team,
    whose steps are different work, not alternatives."""
    item = db.session.scalar(select(QuoteRequestItem).where(QuoteRequestItem.step_id == step.id))
    if item is None or item.request.kind != RequestKind.ALTERNATIVES:
        return []
    return [other.step for other in item.request.items if other.step_id != step.id]


def _tell_not_chosen(actor: User, chosen: DealStep) -> None:
    """Every other factory that quoted the same request hears, politely, that another offer was chosen; a request
    that was not answered yet is withdrawn (so it no longer waits in that factory's inbox)."""
    for step in sibling_steps(chosen):
        if step.status == StepStatus.REQUESTED and step.deal.status == DealStatus.OPEN:
            deals.withdraw(actor, step)
        for quote in db.session.scalars(select(Quote).where(Quote.step_id == step.id,
                                                            Quote.status == QuoteStatus.SUBMITTED)):
            quote.status, quote.decided_at = QuoteStatus.NOT_CHOSEN, utcnow()
            notifications.notify(notifications.factory_users(step.factory_id), step.deal, "quote_not_chosen", actor,
                                 {"number": quote.number, "factory": step.factory.name},
                                 notifications.link("quotes.step", step_id=step.id))


def accept_quote(actor: User, quote: Quote) -> PurchaseOrder:
    """The requester accepts the latest revision of a valid quote: a purchase order with its own number."""
    step = quote.step
    if not is_requester(actor, step):
        raise NotAllowed()
    if step.deal.status != DealStatus.OPEN:
        raise QuoteError(_("The deal is closed."), 409)
    if quote.status != QuoteStatus.SUBMITTED:
        raise QuoteError(_("Only the latest open revision of a quote can be accepted."), 409)
    today = tokyo_today()
    if quote.valid_until < today:
        raise QuoteError(_("This quote is no longer valid; ask the factory for a new revision."), 409)
    if step.status not in (StepStatus.REQUESTED, StepStatus.ACCEPTED):
        raise QuoteError(_("This step can no longer be ordered."), 409)
    quote.status, quote.decided_at = QuoteStatus.ACCEPTED, utcnow()
    order = PurchaseOrder(quote=quote, step_id=step.id, deal_id=step.deal_id, factory_id=step.factory_id,
                          status=OrderStatus.ISSUED, issued_on=today, due_on=due_date(quote, today),
                          issued_by_id=actor.id)
    db.session.add(order)
    db.session.flush()
    order.number = f"PO{today:%Y}-{order.id:06d}"
    step.deal.updated_at = utcnow()
    db.session.flush()
    notifications.notify(notifications.factory_users(step.factory_id), step.deal, "quote_accepted", actor,
                         {"number": quote.number, "order": order.number, "factory": step.factory.name},
                         notifications.link("quotes.order", order_id=order.id))
    _tell_not_chosen(actor, step)
    return order


def acknowledge_order(actor: User, order: PurchaseOrder) -> PurchaseOrder:
    """The factory confirms the order (注文請書); its step counts as accepted from now on."""
    step = order.step
    if not is_factory_side(actor, step):
        raise NotAllowed()
    if order.status != OrderStatus.ISSUED:
        raise QuoteError(_("This order was already acknowledged."), 409)
    if step.deal.status != DealStatus.OPEN:
        raise QuoteError(_("The deal is closed."), 409)
    if step.status == StepStatus.REQUESTED:
        deals.answer(actor, step, accept=True)
    order.status, order.acknowledged_at, order.acknowledged_by_id = OrderStatus.ACKNOWLEDGED, utcnow(), actor.id
    db.session.flush()
    notifications.notify(notifications.requester_users(step.deal), step.deal, "order_acknowledged", actor,
                         {"order": order.number, "factory": step.factory.name},
                         notifications.link("quotes.order", order_id=order.id))
    return order


def deliver_order(actor: User, order: PurchaseOrder) -> PurchaseOrder:
    """The factory reports the order delivered (its step moves to delivered): it now counts as a joint order."""
    step = order.step
    if not is_factory_side(actor, step):
        raise NotAllowed()
    if order.status != OrderStatus.ACKNOWLEDGED:
        raise QuoteError(_("Only an acknowledged order can be delivered."), 409)
    if step.deal.status != DealStatus.OPEN:
        raise QuoteError(_("The deal is closed."), 409)
    for status in (StepStatus.IN_PROGRESS, StepStatus.DELIVERED):
        if deals.STEP_FLOW.index(step.status) < deals.STEP_FLOW.index(status):
            deals.set_step_status(actor, step, status)
    order.status, order.delivered_at = OrderStatus.DELIVERED, utcnow()
    db.session.flush()
    notifications.notify(notifications.requester_users(step.deal), step.deal, "order_delivered", actor,
                         {"order": order.number, "factory": step.factory.name},
                         notifications.link("quotes.order", order_id=order.id))
    return order


def expire_quotes(today: date | None = None) -> int:
    """Mark open quotes past their validity date expired and tell both sides (run daily: ``flask quotes-expire``)."""
    today = today or tokyo_today()
    expired = list(db.session.scalars(select(Quote).where(Quote.status == QuoteStatus.SUBMITTED,
                                                          Quote.valid_until < today)))
    for quote in expired:
        quote.status, quote.decided_at = QuoteStatus.EXPIRED, utcnow()
        users = notifications.requester_users(quote.deal) + notifications.factory_users(quote.factory_id)
        notifications.notify(users, quote.deal, "quote_expired", None,
                             {"number": quote.number, "factory": quote.factory.name},
                             notifications.link("quotes.step", step_id=quote.step_id))
    db.session.flush()
    return len(expired)


def delivered_order_deals(year: int) -> set[int]:
    """Deals with an order delivered in ``year`` (UTC): the deals domain counts them as joint orders."""
    from datetime import datetime

    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    return set(db.session.scalars(select(PurchaseOrder.deal_id).where(
        PurchaseOrder.status == OrderStatus.DELIVERED, PurchaseOrder.delivered_at >= start,
        PurchaseOrder.delivered_at < end)))

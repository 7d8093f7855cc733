"""Requests for quotes from a need: the seeker asks several matched factories (or a proposed team) in one go, with
the need's drawings and quantity; then compares what comes back, side by side."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from hub.auth.models import User
from hub.core.timeutil import tokyo_today
from hub.deals import services as deals
from hub.deals.models import DealStep
from hub.extensions import db
from hub.factories.models import Factory
from hub.needs.models import Need
from hub.needs.services import grant
from hub.quotes.access import NotAllowed, QuoteError, can_view_step_quotes, is_requester
from hub.quotes.models import PurchaseOrder, Quote, QuoteRequest, QuoteRequestItem, QuoteStatus, RequestKind
from hub.quotes.ordering import due_date
from hub.quotes.quoting import latest_quote


def max_factories() -> int:
    return int(current_app.config.get("QUOTES_MAX_FACTORIES", 5))


def _message(need: Need, message: str, quantity: int | None) -> str:
    drawings = ", ".join(a.original_name for a in need.attachments)
    parts = [message.strip()]
    if quantity:
        parts.append(_("Quantity: %(n)s", n=quantity))
    if drawings:
        parts.append(_("Drawings: %(names)s", names=drawings))
    return "\n".join(parts)


def request_quotes(actor: User, need: Need, factories: list[Factory], *, message: str, quantity: int | None = None,
                   team_steps: list[str | None] | None = None) -> QuoteRequest:
    """Ask up to N factories for a quote on the need (one inquiry each, so no factory sees another's price), or,
    with ``team_steps`` (one process code per factory), ask a proposed team as one chain. The asked factories are
    granted the need's drawings."""
    if not deals.can_ask_about(actor, need):
        raise NotAllowed(_("You can only ask for quotes on your own needs."))
    factories = [f for f in factories if f is not None]
    if team_steps is None:  # alternatives: each factory once; a team may give one factory two steps
        factories = list({f.id: f for f in factories}.values())
    if not factories:
        raise QuoteError(_("Choose at least one factory."), 400, "factories")
    if len({f.id for f in factories}) > max_factories():
        raise QuoteError(_("You can ask at most %(n)s factories at once.", n=max_factories()), 400, "factories")
    if not (message or "").strip():
        raise QuoteError(_("Please write a message to the factories."), 400, "message")
    quantity = quantity or need.quantity
    text = _message(need, message, quantity)
    kind = RequestKind.TEAM if team_steps is not None else RequestKind.ALTERNATIVES
    rfq = QuoteRequest(need_id=need.id, requester_id=actor.id, kind=kind, title=need.title[:200], quantity=quantity)
    try:
        if kind == RequestKind.TEAM:
            chain = [deals.ChainStep(code, factory) for code, factory in zip(team_steps, factories, strict=True)]
            deal = deals.create_chain(actor, chain, message=text, need=need, quantity=quantity)
            steps = list(deal.steps)
        else:
            steps = [deals.create_inquiry(actor, f, message=text, need=need, quantity=quantity).steps[0]
                     for f in factories]
    except deals.DealError as exc:
        raise QuoteError(exc.message, exc.status, "factories" if exc.field == "factory" else exc.field) from None
    except ValueError:
        raise QuoteError(_("Give one step for each factory of the team."), 400, "factories") from None
    for step in steps:
        grant(need, step.factory)
        rfq.items.append(QuoteRequestItem(step_id=step.id))
    db.session.add(rfq)
    db.session.flush()
    return rfq


def can_view_request(user: User | None, rfq: QuoteRequest) -> bool:
    """The seeker who asked (the factories see only their own step, through the deal)."""
    return bool(rfq.items) and all(is_requester(user, item.step) for item in rfq.items[:1])


@dataclass
class Offer:
    """One factory's line in the comparison."""

    step: DealStep
    quote: Quote | None
    due: object  # date | None
    distance_km: float | None
    record: object  # deals.Record
    order: PurchaseOrder | None
    approximate: bool = False  # the factory's place is its ward's centre, so is the distance


def _distance(need: Need | None, factory: Factory) -> float | None:
    from matching import WARDS, haversine_km

    ward = WARDS.get(need.ward) if need is not None and need.ward else None
    if ward is None or factory.lat is None or factory.lon is None:
        return None
    return round(haversine_km(ward.lat, ward.lon, factory.lat, factory.lon), 1)


def compare(actor: User, rfq: QuoteRequest) -> list[Offer]:
    """The request's offers side by side: price, lead time (as a date if ordered today), distance, track record.
    Quoted offers come first, cheapest first."""
    if not can_view_request(actor, rfq):
        raise NotAllowed()
    today = tokyo_today()
    offers = []
    for item in rfq.items:
        step = item.step
        quote = latest_quote(step)
        order = quote.order if quote is not None else None
        due = due_date(quote, today) if quote is not None and quote.status == QuoteStatus.SUBMITTED else (
            order.due_on if order is not None else None)
        offers.append(Offer(step, quote, due, _distance(rfq.need, step.factory), deals.factory_record(step.factory_id),
                            order, bool(step.factory.is_location_approx)))
    return sorted(offers, key=lambda o: (o.quote is None, o.quote.total if o.quote else 0, o.step.id))


def request_of_step(step: DealStep) -> QuoteRequest | None:
    return db.session.scalar(select(QuoteRequest).join(QuoteRequestItem).where(QuoteRequestItem.step_id == step.id))


def my_requests(actor: User) -> list[QuoteRequest]:
    return list(db.session.scalars(select(QuoteRequest).where(QuoteRequest.requester_id == actor.id)
                                   .order_by(QuoteRequest.id.desc()).limit(50)))


def visible_quotes(user: User | None, step: DealStep) -> list[Quote]:
    if not can_view_step_quotes(user, step):
        raise NotAllowed()
    return list(db.session.scalars(select(Quote).where(Quote.step_id == step.id).order_by(Quote.revision.desc())))

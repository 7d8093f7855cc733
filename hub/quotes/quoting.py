"""A factory's quote on a deal step: checking what it sends, pricing it, numbering it and keeping revisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from hub.auth.models import User
from hub.core.timeutil import tokyo_today, utcnow
from hub.deals.models import DealStatus, DealStep, StepStatus
from hub.extensions import db
from hub.quotes import notifications, pricing
from hub.quotes.access import NotAllowed, QuoteError, is_factory_side
from hub.quotes.models import (
    IssuerSettings,
    OrderStatus,
    PriceBasis,
    PurchaseOrder,
    Quote,
    QuoteLine,
    QuoteStatus,
    Rounding,
    Shipping,
)
from hub.quotes.workdays import MAX_LEAD_DAYS

MAX_LINES = 30
QUOTABLE_STEP_STATUSES = (StepStatus.REQUESTED, StepStatus.ACCEPTED)


@dataclass
class LineInput:
    description: str
    quantity: Decimal | str | int
    unit_price: Decimal | str | int
    unit: str = ""
    tax_rate: int = 10


@dataclass
class QuoteInput:
    """What a factory sends; the form and the API fill it, :func:`submit_quote` checks it."""

    lines: list[LineInput]
    valid_until: date | None
    lead_days: int | None = None
    delivery_date: date | None = None
    price_basis: str = PriceBasis.EXCL
    rounding: str = Rounding.FLOOR
    material_supplied: bool = False
    inspection_certificate: bool = False
    shipping: str = Shipping.SEPARATE
    drawing_revision: str = ""
    notes: str = ""
    errors: dict = field(default_factory=dict)

    def lines_kept(self) -> list[LineInput]:
        """The lines with a description (empty rows of the form are ignored)."""
        return [line for line in self.lines if (line.description or "").strip()]


def _fail(field_name: str, message: str):
    raise QuoteError(message, 400, field_name)


def _checked_lines(data: QuoteInput) -> list[pricing.Line]:
    lines = data.lines_kept()
    if not lines:
        _fail("lines", _("Add at least one line with a description."))
    if len(lines) > MAX_LINES:
        _fail("lines", _("A quote can have at most %(n)s lines.", n=MAX_LINES))
    checked = []
    for index, line in enumerate(lines):
        try:
            quantity = pricing.to_decimal(line.quantity, f"lines-{index}-quantity", low=Decimal("0.01"),
                                          high=pricing.MAX_QUANTITY)
            unit_price = pricing.to_decimal(line.unit_price, f"lines-{index}-unit_price")
        except pricing.PricingError as exc:
            _fail(exc.field, _("Enter a number from 0 with at most two decimals."))
        if line.tax_rate not in pricing.RATES:
            _fail(f"lines-{index}-tax_rate", _("Unknown tax rate."))
        checked.append(pricing.Line(line.description.strip()[:200], quantity, unit_price, line.tax_rate))
    return checked


def _check_terms(data: QuoteInput) -> None:
    today = tokyo_today()
    if data.price_basis not in tuple(PriceBasis) or data.rounding not in tuple(Rounding):
        _fail("price_basis", _("Unknown value."))
    if data.shipping not in tuple(Shipping):
        _fail("shipping", _("Unknown value."))
    if (data.lead_days is None) == (data.delivery_date is None):
        _fail("lead_days", _("Give either a lead time in working days or a delivery date."))
    if data.lead_days is not None and not 0 < data.lead_days <= MAX_LEAD_DAYS:
        _fail("lead_days", _("Lead time must be between 1 and %(n)s working days.", n=MAX_LEAD_DAYS))
    if data.delivery_date is not None and data.delivery_date <= today:
        _fail("delivery_date", _("The delivery date must be after today."))
    if data.valid_until is None or data.valid_until < today:
        _fail("valid_until", _("The quote must be valid until today or later."))


def latest_quote(step: DealStep) -> Quote | None:
    return db.session.scalar(select(Quote).where(Quote.step_id == step.id).order_by(Quote.revision.desc()).limit(1))


def step_quotes(step: DealStep) -> list[Quote]:
    """Every revision of the step's quote, newest first."""
    return list(db.session.scalars(select(Quote).where(Quote.step_id == step.id).order_by(Quote.revision.desc())))


def issuer_settings(factory_id: int) -> IssuerSettings:
    return db.session.get(IssuerSettings, factory_id) or IssuerSettings(factory_id=factory_id, closures=None)


def _refuse_quote(actor: User, step: DealStep) -> None:
    if not is_factory_side(actor, step):
        raise NotAllowed()
    if step.deal.status != DealStatus.OPEN:
        raise QuoteError(_("The deal is closed."), 409)
    if step.status not in QUOTABLE_STEP_STATUSES:
        raise QuoteError(_("This step can no longer be quoted."), 409)
    ordered = db.session.scalar(select(func.count(PurchaseOrder.id)).where(
        PurchaseOrder.step_id == step.id, PurchaseOrder.status != OrderStatus.ISSUED))
    if ordered or db.session.scalar(select(func.count(Quote.id)).where(
            Quote.step_id == step.id, Quote.status == QuoteStatus.ACCEPTED)):
        raise QuoteError(_("This quote was already accepted; it cannot be revised."), 409)


def submit_quote(actor: User, step: DealStep, data: QuoteInput) -> Quote:
    """The asked factory quotes its step, or revises its quote (the earlier revision stays, marked superseded)."""
    _refuse_quote(actor, step)
    lines = _checked_lines(data)
    _check_terms(data)
    totals = pricing.compute(lines, data.price_basis, data.rounding)
    previous = latest_quote(step)
    quote = Quote(step_id=step.id, deal_id=step.deal_id, factory_id=step.factory_id,
                  revision=(previous.revision + 1) if previous else 1, status=QuoteStatus.SUBMITTED,
                  price_basis=data.price_basis, rounding=data.rounding, lead_days=data.lead_days,
                  delivery_date=data.delivery_date, valid_until=data.valid_until, issued_on=tokyo_today(),
                  material_supplied=bool(data.material_supplied),
                  inspection_certificate=bool(data.inspection_certificate), shipping=data.shipping,
                  drawing_revision=(data.drawing_revision or "").strip()[:80], notes=(data.notes or "").strip()[:5000],
                  subtotal=totals.subtotal, tax=totals.tax, total=totals.total,
                  invoice_number=issuer_settings(step.factory_id).invoice_number, created_by_id=actor.id)
    for position, (line, given, amount) in enumerate(zip(lines, data.lines_kept(), totals.amounts, strict=True), 1):
        quote.lines.append(QuoteLine(position=position, description=line.description, quantity=line.quantity,
                                     unit=(given.unit or "").strip()[:10], unit_price=line.unit_price,
                                     tax_rate=line.rate, amount=amount))
    if previous is not None and previous.status == QuoteStatus.SUBMITTED:
        previous.status = QuoteStatus.SUPERSEDED
        previous.decided_at = utcnow()
    db.session.add(quote)
    db.session.flush()
    first = previous_number_base(step) or f"Q{quote.issued_on:%Y}-{quote.id:06d}"
    quote.number = first if quote.revision == 1 else f"{first}-R{quote.revision}"
    step.deal.updated_at = utcnow()
    db.session.flush()
    kind = "quote_new" if quote.revision == 1 else "quote_revised"
    notifications.notify(notifications.requester_users(step.deal), step.deal, kind, actor,
                         {"number": quote.number, "factory": step.factory.name},
                         notifications.link("quotes.step", step_id=step.id))
    return quote


def previous_number_base(step: DealStep) -> str | None:
    """The number of the step's first revision (later ones add -R2, -R3 …)."""
    return db.session.scalar(select(Quote.number).where(Quote.step_id == step.id, Quote.revision == 1))

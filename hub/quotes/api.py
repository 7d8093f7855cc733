"""JSON endpoints for quotes, orders, requests for quotes and chain totals (bearer token; the same services and
rules as the pages). Amounts are integer yen; quantities and unit prices are decimal strings (never floats)."""

from __future__ import annotations

from datetime import date

from flask import g, jsonify
from flask_babel import gettext as _

from hub.api import bp
from hub.api.auth import token_required
from hub.api.errors import ApiError
from hub.api.validation import get_int, get_str, json_body
from hub.core.i18n import request_locale
from hub.deals import services as deals
from hub.deals.models import Deal, DealStep
from hub.extensions import db
from hub.factories.models import Factory
from hub.mail.services import deliver_pending
from hub.needs.models import Need
from hub.quotes import services
from hub.quotes.api_docs import OPENAPI_PATHS, OPENAPI_SCHEMAS  # noqa: F401  (merged into /api/v1/openapi.json)
from hub.quotes.models import PurchaseOrder, Quote, QuoteRequest

_ID = 2**31 - 1


def _fail(status: int, code: str, message: str, field: str | None = None):
    raise ApiError(status, code, message, {field: message} if field else {})


def _raise(exc: services.QuoteError):
    code = {403: "forbidden", 404: "not_found", 409: "conflict"}.get(exc.status, "validation_failed")
    _fail(exc.status, code, exc.message, exc.field)


def _done(payload: dict, status: int = 200):
    db.session.commit()
    deliver_pending()
    response = jsonify(payload)
    response.status_code = status
    return response


def _step(step_id: int) -> DealStep:
    step = db.session.get(DealStep, step_id)
    if step is None or not services.can_view_step_quotes(g.api_user, step):
        _fail(404, "not_found", _("No such step to quote."))
    return step


def _quote(quote_id: int) -> Quote:
    quote = db.session.get(Quote, quote_id)
    if quote is None or not services.can_view_step_quotes(g.api_user, quote.step):
        _fail(404, "not_found", _("No such quote."))
    return quote


def _order(order_id: int) -> PurchaseOrder:
    order = db.session.get(PurchaseOrder, order_id)
    if order is None or not services.can_view_step_quotes(g.api_user, order.step):
        _fail(404, "not_found", _("No such order."))
    return order


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def quote_dict(quote: Quote, locale: str) -> dict:
    return {
        "id": quote.id, "number": quote.number, "revision": quote.revision, "status": quote.status,
        "step_id": quote.step_id, "deal_id": quote.deal_id,
        "factory": {"id": quote.factory_id, "name": quote.factory.display_name(locale)},
        "price_basis": quote.price_basis, "rounding": quote.rounding,
        "lines": [{"description": x.description, "quantity": str(x.quantity), "unit": x.unit,
                   "unit_price": str(x.unit_price), "tax_rate": x.tax_rate, "amount": x.amount} for x in quote.lines],
        "subtotal": quote.subtotal, "tax": quote.tax, "total": quote.total,
        "lead_days": quote.lead_days, "delivery_date": _day(quote.delivery_date),
        "valid_until": _day(quote.valid_until), "issued_on": _day(quote.issued_on),
        "material_supplied": quote.material_supplied, "inspection_certificate": quote.inspection_certificate,
        "shipping": quote.shipping, "drawing_revision": quote.drawing_revision, "notes": quote.notes,
        "invoice_number": quote.invoice_number, "order_id": quote.order.id if quote.order else None,
        "pdf_url": f"/quotes/{quote.id}.pdf",
    }


def order_dict(order: PurchaseOrder, locale: str) -> dict:
    return {"id": order.id, "number": order.number, "status": order.status, "quote_id": order.quote_id,
            "step_id": order.step_id, "deal_id": order.deal_id,
            "factory": {"id": order.factory_id, "name": order.factory.display_name(locale)},
            "issued_on": _day(order.issued_on), "due_on": _day(order.due_on),
            "acknowledged": order.acknowledged_at is not None, "delivered": order.delivered_at is not None,
            "subtotal": order.quote.subtotal, "tax": order.quote.tax, "total": order.quote.total,
            "pdf_url": f"/quotes/orders/{order.id}.pdf"}


def _number(raw, field: str):
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        _fail(400, "validation_failed", _("Expected a number."), field)
    return raw


def _date(data: dict, name: str) -> date | None:
    raw = get_str(data, name, max_len=10)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        _fail(400, "validation_failed", _("Write the date as 2026-04-30."), name)


def _flag(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        _fail(400, "validation_failed", _("Expected true or false for this field."), name)
    return value


def _quote_input(data: dict) -> services.QuoteInput:
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines or len(raw_lines) > services.MAX_LINES:
        _fail(400, "validation_failed", _("Expected a list of 1 to %(n)s lines.", n=services.MAX_LINES), "lines")
    lines = []
    for index, raw in enumerate(raw_lines):
        if not isinstance(raw, dict):
            _fail(400, "validation_failed", _("Each line must be an object."), "lines")
        lines.append(services.LineInput(
            get_str(raw, "description", required=True, max_len=200), _number(raw.get("quantity"), f"lines-{index}"),
            _number(raw.get("unit_price"), f"lines-{index}"), get_str(raw, "unit", max_len=10) or "",
            get_int(raw, "tax_rate", low=0, high=100, default=10)))
    return services.QuoteInput(
        lines=lines, valid_until=_date(data, "valid_until"), lead_days=get_int(data, "lead_days", low=0, high=10_000),
        delivery_date=_date(data, "delivery_date"), price_basis=get_str(data, "price_basis", max_len=10) or "excl",
        rounding=get_str(data, "rounding", max_len=10) or "floor", material_supplied=_flag(data, "material_supplied"),
        inspection_certificate=_flag(data, "inspection_certificate"),
        shipping=get_str(data, "shipping", max_len=10) or "separate",
        drawing_revision=get_str(data, "drawing_revision", max_len=80) or "",
        notes=get_str(data, "notes", max_len=5000) or "")


@bp.route("/quotes/steps/<int:step_id>")
@token_required()
def api_step_quotes(step_id: int):
    """Every revision of a step's quote (newest first) and its order: the step's two parties only."""
    step = _step(step_id)
    quotes = services.step_quotes(step)
    order = next((q.order for q in quotes if q.order is not None), None)
    locale = request_locale()
    return jsonify({"step_id": step.id, "quotes": [quote_dict(q, locale) for q in quotes],
                    "order": order_dict(order, locale) if order else None})


@bp.route("/quotes/steps/<int:step_id>", methods=["POST"])
@token_required("factory")
def api_submit_quote(step_id: int):
    """The asked factory quotes its step, or revises its quote."""
    step = _step(step_id)
    data = json_body()
    try:
        quote = services.submit_quote(g.api_user, step, _quote_input(data))
    except services.QuoteError as exc:
        db.session.rollback()
        _raise(exc)
    return _done(quote_dict(quote, request_locale()), 201)


@bp.route("/quotes/<int:quote_id>")
@token_required()
def api_quote(quote_id: int):
    """One quote revision."""
    return jsonify(quote_dict(_quote(quote_id), request_locale()))


@bp.route("/quotes/<int:quote_id>/accept", methods=["POST"])
@token_required()
def api_accept_quote(quote_id: int):
    """The requester accepts a quote: a purchase order is issued."""
    quote = _quote(quote_id)
    try:
        order = services.accept_quote(g.api_user, quote)
    except services.QuoteError as exc:
        db.session.rollback()
        _raise(exc)
    return _done(order_dict(order, request_locale()), 201)


@bp.route("/orders/<int:order_id>")
@token_required()
def api_order(order_id: int):
    """One purchase order."""
    return jsonify(order_dict(_order(order_id), request_locale()))


def _order_action(order_id: int, action):
    order = _order(order_id)
    try:
        action(g.api_user, order)
    except services.QuoteError as exc:
        db.session.rollback()
        _raise(exc)
    return _done(order_dict(order, request_locale()))


@bp.route("/orders/<int:order_id>/acknowledge", methods=["POST"])
@token_required()
def api_acknowledge_order(order_id: int):
    """The factory acknowledges the order (注文請書)."""
    return _order_action(order_id, services.acknowledge_order)


@bp.route("/orders/<int:order_id>/deliver", methods=["POST"])
@token_required()
def api_deliver_order(order_id: int):
    """The factory reports the order delivered."""
    return _order_action(order_id, services.deliver_order)


@bp.route("/quote-requests", methods=["POST"])
@token_required("seeker", "factory", "organiser")
def api_request_quotes():
    """A need's owner asks several factories (or, with ``steps``, a proposed team) for quotes at once."""
    data = json_body()
    need = db.session.get(Need, get_int(data, "need_id", required=True, low=1, high=_ID))
    if need is None or not deals.can_ask_about(g.api_user, need):
        _fail(404, "not_found", _("No such need of yours."), "need_id")
    raw_ids = data.get("factory_ids")
    if not isinstance(raw_ids, list) or not raw_ids or len(raw_ids) > 12 or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 < i <= _ID for i in raw_ids):
        _fail(400, "validation_failed", _("Expected a list of factory ids."), "factory_ids")
    factories = {f.id: f for f in db.session.scalars(db.select(Factory).where(Factory.id.in_(raw_ids)))}
    if len(factories) != len(set(raw_ids)):
        _fail(404, "not_found", _("No such factory."), "factory_ids")
    steps = data.get("steps")
    if steps is not None and (not isinstance(steps, list) or not all(isinstance(s, str) and len(s) <= 60
                                                                     for s in steps)):
        _fail(400, "validation_failed", _("Expected a list of process codes."), "steps")
    try:
        rfq = services.request_quotes(g.api_user, need, [factories[i] for i in dict.fromkeys(raw_ids)],
                                      message=get_str(data, "message", required=True, max_len=5000),
                                      quantity=get_int(data, "quantity", low=1, high=10_000_000), team_steps=steps)
    except services.QuoteError as exc:
        db.session.rollback()
        _raise(exc)
    locale = request_locale()
    return _done({"id": rfq.id, "kind": rfq.kind, "need_id": rfq.need_id,
                  "steps": [{"step_id": i.step_id, "deal_id": i.step.deal_id,
                             "factory": {"id": i.step.factory_id, "name": i.step.factory.display_name(locale)}}
                            for i in rfq.items]}, 201)


@bp.route("/quote-requests/<int:request_id>")
@token_required()
def api_compare(request_id: int):
    """The requester's comparison of the quotes received for one request, cheapest first."""
    rfq = db.session.get(QuoteRequest, request_id)
    if rfq is None or not services.can_view_request(g.api_user, rfq):
        _fail(404, "not_found", _("No such request."))
    locale = request_locale()
    offers = services.compare(g.api_user, rfq)
    return jsonify({"id": rfq.id, "kind": rfq.kind, "need_id": rfq.need_id, "offers": [{
        "step_id": o.step.id, "factory": {"id": o.step.factory_id, "name": o.step.factory.display_name(locale)},
        "quote": quote_dict(o.quote, locale) if o.quote else None, "due_date": _day(o.due),
        "distance_km": o.distance_km, "order_id": o.order.id if o.order else None,
        "track_record": {"completed": o.record.completed, "ratings": o.record.ratings, "quality": o.record.quality,
                         "delivery": o.record.delivery}} for o in offers]})


@bp.route("/quotes/chains/<int:deal_id>")
@token_required()
def api_chain_totals(deal_id: int):
    """For the requester of a deal: total price and earliest finish, with the deciding step."""
    deal = db.session.get(Deal, deal_id)
    if deal is None or not deals.is_requester_side(g.api_user, deal):
        _fail(404, "not_found", _("No such chain deal."))
    totals = services.chain_totals(g.api_user, deal)
    return jsonify({
        "deal_id": deal.id, "start": _day(totals.start), "finish": _day(totals.plan.finish),
        "deciding_step_id": totals.plan.deciding, "complete": totals.complete, "subtotal": totals.subtotal,
        "tax": totals.tax, "total": totals.total,
        "steps": [{"step_id": x.step.id, "position": x.step.position, "factory_id": x.step.factory_id,
                   "quote_id": x.quote.id if x.quote else None, "total": x.quote.total if x.quote else None,
                   "lead_days": x.quote.lead_days if x.quote else None,
                   "delivery_date": _day(x.quote.delivery_date) if x.quote else None,
                   "starts": _day(x.planned.start) if x.planned else None,
                   "finishes": _day(x.planned.finish) if x.planned else None,
                   "critical": bool(x.planned and x.planned.is_critical)} for x in totals.lines]})

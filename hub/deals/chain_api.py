"""JSON endpoints of chain requests (issue 12): send a composed chain, and re-route a declined step to the next
candidate. Imported by :mod:`hub.deals.api`, which merges :data:`OPENAPI_PATHS` into its own."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from hub.api import bp
from hub.api.auth import token_required
from hub.api.validation import get_int, get_str, json_body
from hub.core.i18n import request_locale
from hub.deals import services
from hub.deals.api import (
    _DEAL,
    _DEAL_ID,
    _STEP_ID,
    _deal,
    _done,
    _fail,
    _get_date,
    _post,
    _raise,
    _step,
    api_inquiry_limit,
    deal_dict,
)
from hub.extensions import db
from hub.factories.models import Factory
from hub.needs.models import Need


def _chain_step(raw) -> services.ChainStep:
    """One step of a chain request: the factory, and what is asked of it."""
    if not isinstance(raw, dict):
        _fail(400, "validation_failed", _("Each step must be an object."), "steps")
    factory_id = get_int(raw, "factory_id", required=True, low=1, high=2**31 - 1)
    candidates = raw.get("candidates", [])
    if not isinstance(candidates, list) or len(candidates) > 12 or not all(
            isinstance(c, int) and not isinstance(c, bool) and 0 < c < 2**31 for c in candidates):
        _fail(400, "validation_failed", _("Expected a list of factory ids."), "candidates")
    return services.ChainStep(
        get_str(raw, "process", max_len=60), db.session.get(Factory, factory_id), get_str(raw, "input", max_len=200)
        or "", quantity=get_int(raw, "quantity", low=1, high=10_000_000), due_date=_get_date(raw, "due_date"),
        material=get_str(raw, "material", max_len=200) or "", note=get_str(raw, "note", max_len=5000) or "",
        candidates=list(dict.fromkeys(candidates)))


@bp.route("/deals/chains", methods=["POST"])
@token_required("seeker", "factory", "organiser")
@api_inquiry_limit
def api_create_chain():
    """Send a composed chain request: one request per step, each with what is asked of it, grouped in one deal."""
    data = json_body()
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        _fail(400, "validation_failed", _("Expected a list of steps."), "steps")
    if len(raw_steps) > services.MAX_STEPS:
        _fail(400, "validation_failed", _("A plan can have at most %(n)s steps.", n=services.MAX_STEPS), "steps")
    steps = [_chain_step(raw) for raw in raw_steps]
    need_id = get_int(data, "need_id", low=1, high=2**31 - 1)
    need = db.session.get(Need, need_id) if need_id else None
    if need_id and (need is None or not services.can_ask_about(g.api_user, need)):
        _fail(404, "not_found", _("No such need."), "need_id")
    try:
        deal = services.create_chain(g.api_user, steps, message=get_str(data, "message", max_len=5000) or "",
                                     need=need, quantity=get_int(data, "quantity", low=1, high=10_000_000),
                                     due_date=_get_date(data, "due_date"), phone=get_str(data, "phone", max_len=40))
    except services.DealError as exc:
        db.session.rollback()
        _raise(exc)
    return _done(deal_dict(g.api_user, deal, request_locale(), detail=True), 201)


@bp.route("/deals/<int:deal_id>/steps/<int:step_id>/reroute", methods=["POST"])
@token_required()
@api_inquiry_limit
def api_reroute(deal_id: int, step_id: int):
    """The requester sends a declined step's request to the next candidate (or ``factory_id``, one of them)."""
    factory_id = get_int(json_body() if request.get_data() else {}, "factory_id", low=1, high=2**31 - 1)
    deal = _deal(deal_id)
    step = _step(deal, step_id)
    try:
        services.reroute(g.api_user, step, factory_id)
    except services.DealError as exc:
        db.session.rollback()
        _raise(exc)
    return _done(deal_dict(g.api_user, deal, request_locale(), detail=True), 201)


OPENAPI_PATHS = {
    "/deals/chains": {"post": _post(
        "Send a composed chain request: one request per step (what is asked of it, the candidates to offer if it "
        "is declined), grouped in one deal; the deal-wide message, quantity and due_date fill what a step leaves "
        "empty; rate-limited",
        {"type": "object", "required": ["steps"], "properties": {
            "steps": {"type": "array", "maxItems": 12, "items": {"type": "object", "required": ["factory_id"],
                      "properties": {"factory_id": {"type": "integer"}, "process": {"type": "string"},
                                     "input": {"type": "string"}, "quantity": {"type": "integer"},
                                     "due_date": {"type": "string", "format": "date"},
                                     "material": {"type": "string"}, "note": {"type": "string"},
                                     "candidates": {"type": "array", "maxItems": 12,
                                                    "items": {"type": "integer"}}}}},
            "need_id": {"type": "integer"}, "message": {"type": "string"}, "quantity": {"type": "integer"},
            "due_date": {"type": "string", "format": "date"}, "phone": {"type": "string"}}},
        _DEAL, 400, 401, 403, 404, 415, 429, status="201")},
    "/deals/{deal_id}/steps/{step_id}/reroute": {"parameters": [_DEAL_ID, _STEP_ID], "post": _post(
        "Send a declined (or withdrawn) step's request again, unchanged, to the next candidate or to factory_id "
        "(one of the step's candidates); the other steps are untouched (the requester); rate-limited",
        {"type": "object", "properties": {"factory_id": {"type": "integer"}}},
        _DEAL, 400, 401, 403, 404, 409, 415, 429, status="201")},
}

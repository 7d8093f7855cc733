"""JSON endpoints for inquiries and deals (bearer token; the same services and rules as the pages)."""

from __future__ import annotations

from datetime import date

from flask import g, jsonify, request
from flask_babel import gettext as _

from hub.api import bp
from hub.api.auth import token_required
from hub.api.docs import error_responses, json_content, timestamp
from hub.api.errors import ApiError
from hub.api.validation import get_int, get_str, json_body, query_int
from hub.core.i18n import request_locale
from hub.core.labels import capability_label
from hub.core.timeutil import iso_utc
from hub.deals import services
from hub.deals.models import Deal, DealAttachment, DealStatus, DealStep, Notification
from hub.deals.routes import _inquiry_limit, notification_text
from hub.extensions import db, limiter
from hub.factories.models import Factory
from hub.mail.services import deliver_pending
from hub.needs.models import Need


def _api_limit_key() -> str:
    user = getattr(g, "api_user", None)
    return f"user:{user.id}" if user is not None else (request.remote_addr or "unknown")


api_inquiry_limit = limiter.shared_limit(_inquiry_limit, scope="deals-inquiries", key_func=_api_limit_key)


def _fail(status: int, code: str, message: str, field: str | None = None):
    raise ApiError(status, code, message, {field: message} if field else {})


def _raise(exc: services.DealError):
    code = exc.code or {403: "forbidden", 404: "not_found", 409: "conflict"}.get(exc.status, "validation_failed")
    _fail(exc.status, code, exc.message, exc.field)


def _get_date(data: dict, name: str) -> date | None:
    raw = get_str(data, name, max_len=10)
    if raw is None:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        _fail(400, "validation_failed", _("Use a date like 2026-04-30."), name)
    if value < date.today():
        _fail(400, "validation_failed", _("The date is in the past."), name)
    return value


def _deal(deal_id: int, *, thread: bool = False) -> Deal:
    deal = services.load_deal(deal_id)
    if deal is None or not services.can_view(g.api_user, deal) or (
            thread and not services.can_read_thread(g.api_user, deal)):
        raise ApiError(404, "not_found", _("No such deal."))
    return deal


def _step(deal: Deal, step_id: int) -> DealStep:
    step = next((s for s in deal.steps if s.id == step_id), None)
    if step is None:
        raise ApiError(404, "not_found", _("No such step."))
    return step


def step_dict(user, deal: Deal, step: DealStep, locale: str) -> dict:
    visible = services.step_details_visible(user, deal, step)
    data = {
        "id": step.id, "position": step.position,
        "factory": {"id": step.factory_id, "name": step.factory.display_name(locale)},
        "process": {"code": step.process_code, "label": capability_label(step.process_code, locale)}
        if step.process_code else None,
        "input": step.input_text, "status": step.status, "contact": None,
        # What was asked: only the requesting side and the factory asked for this step see it.
        "quantity": step.quantity if visible else None,
        "due_date": step.due_date.isoformat() if visible and step.due_date else None,  # a calendar date
        "material": step.material if visible else None, "note": step.message if visible else None,
        "decline_reason": step.decline_reason if visible else None,
        "drawings": [{"id": a.id, "name": a.original_name, "url": f"/api/v1/deals/{deal.id}/attachments/{a.id}"}
                     for a in step.drawings] if visible else [],
        "candidates": [],
    }
    if services.is_requester_side(user, deal):
        if services.reroutable(step):
            data["candidates"] = [{"id": f.id, "name": f.display_name(locale)}
                                  for f in services.next_candidates(user, step)]
        if services.contacts_visible(user, deal, step):
            members = services.factory_members([step.factory_id]).get(step.factory_id, [])
            data["contact"] = {"address": step.factory.address, "phone": step.factory_phone,
                               "emails": [u.email for u in members]}
    return data


def deal_dict(user, deal: Deal, locale: str, detail: bool = False) -> dict:
    requester_side = services.is_requester_side(user, deal)
    data = {
        "id": deal.id, "kind": deal.kind, "title": deal.title, "need_id": deal.need_id, "status": deal.status,
        "outcome": deal.outcome, "outcome_reason": deal.outcome_reason, "created_at": iso_utc(deal.created_at),
        "updated_at": iso_utc(deal.updated_at), "closed_at": iso_utc(deal.closed_at),
        "side": "requester" if requester_side else "factory" if services.my_steps(user, deal) else "organiser",
        "requester": {"name": deal.requester.name,
                      "factory": deal.requester_factory.name if deal.requester_factory else None,
                      "contact": None},
        "steps": [step_dict(user, deal, s, locale) for s in deal.steps],
    }
    if detail:
        if not requester_side and any(services.contacts_visible(user, deal, s) for s in services.my_steps(user, deal)):
            data["requester"]["contact"] = {"emails": [u.email for u in services.requester_side_users(deal)],
                                            "phone": deal.requester_phone}
        if not requester_side:
            record = services.requester_record(deal.requester)
            data["requester"]["record"] = {"inquiries_sent": record.extra["sent"],
                                           "accepted_deals": record.extra["accepted"],
                                           "replied_in": record.extra["replied"], "completed": record.completed}
        refusal = services.post_refusal(user, deal) if services.can_read_thread(user, deal) else _("Not allowed.")
        data["can_post"] = refusal is None
        data["rating_targets"] = [{"key": t.key, "name": t.label, "done": t.done}
                                  for t in services.rating_targets(user, deal)]
    return data


def message_dict(deal: Deal, message) -> dict:
    return {
        "id": message.id, "author": message.author.name if message.author else None,
        "is_event": message.is_event, "created_at": iso_utc(message.created_at),
        "body": message.body if not message.is_event else None,
        "event": message.body if message.is_event else None,
        "attachments": [{"id": a.id, "name": a.original_name, "content_type": a.content_type,
                         "size_bytes": a.size_bytes, "url": f"/api/v1/deals/{deal.id}/attachments/{a.id}"}
                        for a in message.attachments],
    }


def _done(payload: dict, http_status: int = 200):
    db.session.commit()
    deliver_pending()
    response = jsonify(payload)
    response.status_code = http_status
    return response


@bp.route("/deals")
@token_required()
def api_list_deals():
    """My inquiries and deals, newest activity first."""
    box = request.args.get("box", "all")
    if box not in ("all", "sent", "received"):
        _fail(400, "validation_failed", _("Unknown value."), "box")
    status = request.args.get("status") or None
    if status not in (None, DealStatus.OPEN, DealStatus.CLOSED):
        _fail(400, "validation_failed", _("Unknown value."), "status")
    page = query_int("page", 1, 1, 1_000_000)
    per_page = query_int("per_page", 20, 1, 100)
    result = db.paginate(services.my_deals_query(g.api_user, box=box, status=status), page=page,
                         per_page=per_page, error_out=False)
    locale = request_locale()
    return jsonify({"deals": [deal_dict(g.api_user, d, locale) for d in result.items], "total": result.total,
                    "page": page})


@bp.route("/deals/inquiries", methods=["POST"])
@token_required("seeker", "factory", "organiser")
@api_inquiry_limit
def api_create_inquiry():
    """A need owner asks a factory; or, with from_factory_id and process, a factory asks a partner for one step."""
    data = json_body()
    factory = db.session.get(Factory, get_int(data, "factory_id", required=True, low=1, high=2**31 - 1))
    need_id = get_int(data, "need_id", low=1, high=2**31 - 1)
    need = db.session.get(Need, need_id) if need_id else None
    if need_id and (need is None or not services.can_ask_about(g.api_user, need)):
        _fail(404, "not_found", _("No such need."), "need_id")
    from_id = get_int(data, "from_factory_id", low=1, high=2**31 - 1)
    from_factory = db.session.get(Factory, from_id) if from_id else None
    if from_id and from_factory is None:
        _fail(404, "not_found", _("No such factory."), "from_factory_id")
    message = get_str(data, "message", required=True, max_len=5000)
    quantity = get_int(data, "quantity", low=1, high=10_000_000)
    due = _get_date(data, "due_date")
    try:
        deal = services.create_inquiry(g.api_user, factory, need=need, message=message, quantity=quantity,
                                       due_date=due, phone=get_str(data, "phone", max_len=40),
                                       process_code=get_str(data, "process", max_len=60), from_factory=from_factory)
    except services.DealError as exc:
        db.session.rollback()
        _raise(exc)
    return _done(deal_dict(g.api_user, deal, request_locale(), detail=True), 201)


@bp.route("/deals/<int:deal_id>")
@token_required()
def api_get_deal(deal_id: int):
    """One deal: steps, statuses, contacts when accepted, what I may do."""
    deal = _deal(deal_id)
    return jsonify(deal_dict(g.api_user, deal, request_locale(), detail=True))


def _step_action(deal_id: int, step_id: int, action):
    deal = _deal(deal_id)
    step = _step(deal, step_id)
    try:
        action(deal, step)
    except services.DealError as exc:
        db.session.rollback()
        _raise(exc)
    return _done(deal_dict(g.api_user, deal, request_locale(), detail=True))


@bp.route("/deals/<int:deal_id>/steps/<int:step_id>/answer", methods=["POST"])
@token_required()
def api_answer(deal_id: int, step_id: int):
    """The factory accepts or declines (a reason is required to decline)."""
    data = json_body()
    accept = data.get("accept")
    if not isinstance(accept, bool):
        _fail(400, "validation_failed", _("Expected true or false."), "accept")
    reason = get_str(data, "reason", max_len=1000)
    phone = get_str(data, "phone", max_len=40)
    return _step_action(deal_id, step_id, lambda deal, step: services.answer(
        g.api_user, step, accept=accept, reason=reason, phone=phone))


@bp.route("/deals/<int:deal_id>/steps/<int:step_id>/status", methods=["POST"])
@token_required()
def api_step_status(deal_id: int, step_id: int):
    """The factory moves its step: accepted → in_progress → delivered."""
    status = get_str(json_body(), "status", required=True, max_len=20)
    return _step_action(deal_id, step_id, lambda deal, step: services.set_step_status(g.api_user, step, status))


@bp.route("/deals/<int:deal_id>/steps/<int:step_id>/withdraw", methods=["POST"])
@token_required()
def api_withdraw(deal_id: int, step_id: int):
    """The requester withdraws an unanswered inquiry."""
    return _step_action(deal_id, step_id, lambda deal, step: services.withdraw(g.api_user, step))


@bp.route("/deals/<int:deal_id>/messages")
@token_required()
def api_messages(deal_id: int):
    """The thread (participants only; 404 for everyone else)."""
    deal = _deal(deal_id, thread=True)
    return jsonify({"messages": [message_dict(deal, m) for m in deal.messages]})


@bp.route("/deals/<int:deal_id>/messages", methods=["POST"])
@token_required()
def api_post_message(deal_id: int):
    """Write in the thread: JSON {"body"}, or multipart with body and up to five files."""
    deal = _deal(deal_id, thread=True)
    if request.mimetype == "multipart/form-data":
        body = request.form.get("body", "")
        if len(body) > 20000:
            _fail(400, "validation_failed", _("At most %(n)s characters.", n=20000), "body")
        files = request.files.getlist("files") + request.files.getlist("file")
    else:
        body = get_str(json_body(), "body", required=True, max_len=20000)
        files = []
    try:
        message = services.post_message(g.api_user, deal, body, files)
    except services.DealError as exc:
        db.session.rollback()
        _raise(exc)
    return _done(message_dict(deal, message), 201)


@bp.route("/deals/<int:deal_id>/attachments/<int:attachment_id>")
@token_required()
def api_attachment(deal_id: int, attachment_id: int):
    """A file from the thread (participants only; 404 for everyone else)."""
    attachment = db.session.get(DealAttachment, attachment_id)
    if attachment is None or attachment.deal_id != deal_id:
        raise ApiError(404, "not_found", _("No such file."))
    _deal(deal_id)
    if not services.can_open_attachment(g.api_user, attachment):
        raise ApiError(404, "not_found", _("No such file."))
    return attachment.send()


@bp.route("/deals/<int:deal_id>/close", methods=["POST"])
@token_required()
def api_close(deal_id: int):
    """Record the outcome: joint_order, joint_development, or abandoned with a reason."""
    data = json_body()
    outcome = get_str(data, "outcome", required=True, max_len=20)
    reason = get_str(data, "reason", max_len=1000)
    confirm = data.get("confirm", False)
    if not isinstance(confirm, bool):
        _fail(400, "validation_failed", _("Expected true or false."), "confirm")
    deal = _deal(deal_id)
    try:
        services.close_deal(g.api_user, deal, outcome, reason, confirm=confirm)
    except services.DealError as exc:
        db.session.rollback()
        _raise(exc)
    return _done(deal_dict(g.api_user, deal, request_locale(), detail=True))


@bp.route("/deals/<int:deal_id>/ratings", methods=["POST"])
@token_required()
def api_rate(deal_id: int):
    """Rate the other side of a closed deal, 1–5 on quality, delivery and communication."""
    data = json_body()
    target = get_str(data, "target", required=True, max_len=30)
    scores = {name: get_int(data, name, required=True, low=1, high=5)
              for name in ("quality", "delivery", "communication")}
    comment = get_str(data, "comment", max_len=1000)
    deal = _deal(deal_id)
    try:
        rating = services.rate(g.api_user, deal, target, comment=comment, **scores)
    except services.DealError as exc:
        db.session.rollback()
        _raise(exc)
    return _done({"id": rating.id, "target": rating.target_key, **scores}, 201)


@bp.route("/deals/<int:deal_id>/report", methods=["POST"])
@token_required()
def api_report(deal_id: int):
    """Ask the organisers to review this conversation."""
    reason = get_str(json_body(), "reason", required=True, max_len=2000)
    deal = _deal(deal_id)
    try:
        row = services.report(g.api_user, deal, reason)
    except services.DealError as exc:
        db.session.rollback()
        _raise(exc)
    return _done({"id": row.id, "status": row.status}, 201)


@bp.route("/deals/notifications")
@token_required()
def api_notifications():
    """My deal notifications, newest first (``unread=1`` for unread only)."""
    query = db.select(Notification).where(Notification.user_id == g.api_user.id)
    if request.args.get("unread") in ("1", "true"):
        query = query.where(Notification.read_at.is_(None))
    page = query_int("page", 1, 1, 1_000_000)
    result = db.paginate(query.order_by(Notification.id.desc()), page=page, per_page=50, error_out=False)
    return jsonify({"notifications": [
        {"id": n.id, "deal_id": n.deal_id, "kind": n.kind, "text": notification_text(n),
         "created_at": iso_utc(n.created_at), "read": n.read_at is not None} for n in result.items],
        "total": result.total, "unread": services.unread_total(g.api_user)})


# --- the OpenAPI description -------------------------------------------------------------------------------------

_DEAL = {"$ref": "#/components/schemas/Deal"}
_SEC = [{"bearer": []}]
_DEAL_ID = {"name": "deal_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_STEP_ID = {"name": "step_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _post(summary: str, body: dict | None, ok: dict, *codes: int, status: str = "200") -> dict:
    op = {"summary": summary, "security": _SEC,
          "responses": {status: {"description": "OK", **json_content(ok)}, **error_responses(*codes)}}
    if body is not None:
        op["requestBody"] = {"required": True, **json_content(body)}
    return op


OPENAPI_SCHEMAS = {
    "DealStep": {"type": "object", "properties": {
        "id": {"type": "integer"}, "position": {"type": "integer"},
        "factory": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "process": {"type": "object", "nullable": True, "properties": {"code": {"type": "string"},
                                                                        "label": {"type": "string"}}},
        "input": {"type": "string", "nullable": True}, "quantity": {"type": "integer", "nullable": True},
        "due_date": {"type": "string", "format": "date", "nullable": True},
        "status": {"type": "string", "enum": ["requested", "accepted", "in_progress", "delivered", "declined",
                                              "withdrawn"]},
        "decline_reason": {"type": "string", "nullable": True},
        "material": {"type": "string", "nullable": True}, "note": {"type": "string", "nullable": True},
        "drawings": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "url": {"type": "string"}}}},
        "candidates": {"type": "array", "description": "for the requester, when the step was declined: the factories "
                       "it can be re-routed to, next candidate first",
                       "items": {"type": "object", "properties": {"id": {"type": "integer"},
                                                                  "name": {"type": "string"}}}},
        "contact": {"type": "object", "nullable": True, "description": "only after the factory accepted"},
    }, "description": "quantity, due_date, material, note, decline_reason and drawings are null/empty for a reader "
                      "other than the requesting side and the factory asked for this step"},
    "Deal": {"type": "object", "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["inquiry", "partner_step", "chain"]},
        "title": {"type": "string"}, "need_id": {"type": "integer", "nullable": True},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "outcome": {"type": "string", "nullable": True, "enum": ["joint_order", "joint_development", "abandoned"]},
        "side": {"type": "string", "enum": ["requester", "factory", "organiser"]},
        "requester": {"type": "object"}, "steps": {"type": "array", "items": {"$ref": "#/components/schemas/DealStep"}},
        "can_post": {"type": "boolean"}, "rating_targets": {"type": "array", "items": {"type": "object"}},
        "created_at": timestamp(), "updated_at": timestamp(), "closed_at": timestamp(nullable=True),
    }},
    "DealMessage": {"type": "object", "properties": {
        "id": {"type": "integer"}, "author": {"type": "string", "nullable": True}, "is_event": {"type": "boolean"},
        "body": {"type": "string", "nullable": True}, "event": {"type": "string", "nullable": True},
        "created_at": timestamp(),
        "attachments": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "content_type": {"type": "string"},
            "size_bytes": {"type": "integer"}, "url": {"type": "string"}}}},
    }},
}

OPENAPI_PATHS = {
    "/deals": {"get": {
        "summary": "My inquiries and deals", "security": _SEC,
        "parameters": [
            {"name": "box", "in": "query", "schema": {"type": "string", "enum": ["all", "sent", "received"]}},
            {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "closed"]}},
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
        "responses": {"200": {"description": "A page of deals", **json_content({"type": "object", "properties": {
            "deals": {"type": "array", "items": _DEAL}, "total": {"type": "integer"}, "page": {"type": "integer"}}})},
            **error_responses(400, 401)},
    }},
    "/deals/inquiries": {"post": _post(
        "Send an inquiry (need owner → factory, or factory → partner for one step); rate-limited",
        {"type": "object", "required": ["factory_id", "message"], "properties": {
            "factory_id": {"type": "integer"}, "need_id": {"type": "integer"}, "message": {"type": "string"},
            "quantity": {"type": "integer"}, "due_date": {"type": "string", "format": "date"},
            "phone": {"type": "string"}, "process": {"type": "string", "description": "taxonomy code"},
            "from_factory_id": {"type": "integer", "description": "your factory, for a partner request"}}},
        _DEAL, 400, 401, 403, 404, 409, 415, 429, status="201")},
    "/deals/{deal_id}": {"parameters": [_DEAL_ID], "get": {
        "summary": "One deal (participants, and organisers reviewing a report)", "security": _SEC,
        "responses": {"200": {"description": "The deal", **json_content(_DEAL)}, **error_responses(401, 404)}}},
    "/deals/{deal_id}/steps/{step_id}/answer": {"parameters": [_DEAL_ID, _STEP_ID], "post": _post(
        "Accept or decline an inquiry (the factory asked)",
        {"type": "object", "required": ["accept"], "properties": {
            "accept": {"type": "boolean"}, "reason": {"type": "string"}, "phone": {"type": "string"}}},
        _DEAL, 400, 401, 403, 404, 409, 415)},
    "/deals/{deal_id}/steps/{step_id}/status": {"parameters": [_DEAL_ID, _STEP_ID], "post": _post(
        "Move a step: accepted → in_progress → delivered (the factory doing it)",
        {"type": "object", "required": ["status"], "properties": {
            "status": {"type": "string", "enum": ["accepted", "in_progress", "delivered"]}}},
        _DEAL, 400, 401, 403, 404, 409, 415)},
    "/deals/{deal_id}/steps/{step_id}/withdraw": {"parameters": [_DEAL_ID, _STEP_ID], "post": _post(
        "Withdraw an unanswered inquiry (the requester)", None, _DEAL, 401, 403, 404, 409)},
    "/deals/{deal_id}/messages": {
        "parameters": [_DEAL_ID],
        "get": {"summary": "The deal's thread (participants only)", "security": _SEC,
                "responses": {"200": {"description": "Messages", **json_content({"type": "object", "properties": {
                    "messages": {"type": "array", "items": {"$ref": "#/components/schemas/DealMessage"}}}})},
                    **error_responses(401, 404)}},
        "post": {"summary": "Write in the thread (JSON body, or multipart with up to five files)",
                 "security": _SEC,
                 "requestBody": {"required": True, "content": {
                     "application/json": {"schema": {"type": "object", "required": ["body"],
                                                     "properties": {"body": {"type": "string"}}}},
                     "multipart/form-data": {"schema": {"type": "object", "properties": {
                         "body": {"type": "string"},
                         "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}},
                 "responses": {"201": {"description": "The message",
                                       **json_content({"$ref": "#/components/schemas/DealMessage"})},
                               **error_responses(400, 401, 403, 404, 415)}},
    },
    "/deals/{deal_id}/attachments/{attachment_id}": {
        "parameters": [_DEAL_ID, {"name": "attachment_id", "in": "path", "required": True,
                                  "schema": {"type": "integer"}}],
        "get": {"summary": "Download a file of the thread (participants only)", "security": _SEC,
                "responses": {"200": {"description": "The file"}, **error_responses(401, 404)}}},
    "/deals/{deal_id}/close": {"parameters": [_DEAL_ID], "post": _post(
        "Close the deal as a joint order, a joint development, or abandoned (with a reason)",
        {"type": "object", "required": ["outcome"], "properties": {
            "outcome": {"type": "string", "enum": ["joint_order", "joint_development", "abandoned"]},
            "reason": {"type": "string"},
            "confirm": {"type": "boolean", "description": "close as a joint order or development although "
                        "requests still await an answer (they are withdrawn); without it: 409 "
                        "confirmation_required"}}},
        _DEAL, 400, 401, 403, 404, 409, 415)},
    "/deals/{deal_id}/ratings": {"parameters": [_DEAL_ID], "post": _post(
        "Rate the other side of a closed deal (1–5 each)",
        {"type": "object", "required": ["target", "quality", "delivery", "communication"], "properties": {
            "target": {"type": "string", "description": "a key from rating_targets, e.g. f:12 or u:5"},
            "quality": {"type": "integer", "minimum": 1, "maximum": 5},
            "delivery": {"type": "integer", "minimum": 1, "maximum": 5},
            "communication": {"type": "integer", "minimum": 1, "maximum": 5}, "comment": {"type": "string"}}},
        {"type": "object"}, 400, 401, 404, 409, 415, status="201")},
    "/deals/{deal_id}/report": {"parameters": [_DEAL_ID], "post": _post(
        "Report the conversation to the organisers",
        {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
        {"type": "object"}, 400, 401, 403, 404, 415, status="201")},
    "/deals/notifications": {"get": {
        "summary": "My deal notifications", "security": _SEC,
        "parameters": [{"name": "unread", "in": "query", "schema": {"type": "string", "enum": ["1", "true"]}},
                       {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
        "responses": {"200": {"description": "Notifications", **json_content({"type": "object"})},
                      **error_responses(400, 401)}}},
}

from hub.deals import chain_api  # noqa: E402  (the chain composer's endpoints register on bp)

OPENAPI_PATHS.update(chain_api.OPENAPI_PATHS)

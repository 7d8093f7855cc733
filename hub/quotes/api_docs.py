"""The OpenAPI description of the quotes endpoints (merged into /api/v1/openapi.json by hub.api)."""

from __future__ import annotations

from hub.api.docs import error_responses, json_content

_SEC = [{"bearer": []}]
_QUOTE = {"$ref": "#/components/schemas/Quote"}
_ORDER = {"$ref": "#/components/schemas/PurchaseOrder"}
_DATE = {"type": "string", "format": "date"}
_NDATE = {"type": "string", "format": "date", "nullable": True}
_DECIMAL = {"oneOf": [{"type": "string", "pattern": r"^\d{1,9}(\.\d{1,2})?$"}, {"type": "number", "minimum": 0}],
            "description": "up to two decimals; a string keeps it exact"}


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _get(summary: str, ok: dict, *codes: int) -> dict:
    return {"summary": summary, "security": _SEC,
            "responses": {"200": {"description": "OK", **json_content(ok)}, **error_responses(*codes)}}


def _post(summary: str, body: dict | None, ok: dict, *codes: int, status: str = "200") -> dict:
    op = _get(summary, ok, *codes)
    op["responses"] = {status: {"description": "OK", **json_content(ok)}, **error_responses(*codes)}
    if body is not None:
        op["requestBody"] = {"required": True, **json_content(body)}
    return op


_LINE_IN = {"type": "object", "required": ["description", "quantity", "unit_price"], "properties": {
    "description": {"type": "string", "maxLength": 200}, "quantity": _DECIMAL, "unit_price": _DECIMAL,
    "unit": {"type": "string", "maxLength": 10}, "tax_rate": {"type": "integer", "enum": [10, 8]}}}
_QUOTE_IN = {"type": "object", "required": ["lines", "valid_until"], "properties": {
    "lines": {"type": "array", "minItems": 1, "maxItems": 30, "items": _LINE_IN},
    "valid_until": _DATE, "lead_days": {"type": "integer", "minimum": 1, "maximum": 365,
                                        "description": "working days; give this or delivery_date"},
    "delivery_date": _DATE, "price_basis": {"type": "string", "enum": ["excl", "incl"]},
    "rounding": {"type": "string", "enum": ["floor", "half_up", "ceiling"]},
    "material_supplied": {"type": "boolean"}, "inspection_certificate": {"type": "boolean"},
    "shipping": {"type": "string", "enum": ["separate", "included", "pickup"]},
    "drawing_revision": {"type": "string", "maxLength": 80}, "notes": {"type": "string", "maxLength": 5000}}}
_FACTORY = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}

OPENAPI_SCHEMAS = {
    "Quote": {"type": "object", "description": "Amounts are integer yen; tax is computed once per rate.",
              "properties": {
                  "id": {"type": "integer"}, "number": {"type": "string"}, "revision": {"type": "integer"},
                  "status": {"type": "string", "enum": ["submitted", "superseded", "accepted", "not_chosen",
                                                        "expired"]},
                  "step_id": {"type": "integer"}, "deal_id": {"type": "integer"}, "factory": _FACTORY,
                  "price_basis": {"type": "string"}, "rounding": {"type": "string"},
                  "lines": {"type": "array", "items": {"type": "object", "properties": {
                      "description": {"type": "string"}, "quantity": {"type": "string"}, "unit": {"type": "string"},
                      "unit_price": {"type": "string"}, "tax_rate": {"type": "integer"},
                      "amount": {"type": "integer"}}}},
                  "subtotal": {"type": "integer"}, "tax": {"type": "integer"}, "total": {"type": "integer"},
                  "lead_days": {"type": "integer", "nullable": True}, "delivery_date": _NDATE,
                  "valid_until": _DATE, "issued_on": _DATE, "material_supplied": {"type": "boolean"},
                  "inspection_certificate": {"type": "boolean"}, "shipping": {"type": "string"},
                  "drawing_revision": {"type": "string"}, "notes": {"type": "string"},
                  "invoice_number": {"type": "string", "nullable": True, "pattern": r"^T\d{13}$"},
                  "order_id": {"type": "integer", "nullable": True}, "pdf_url": {"type": "string"}}},
    "PurchaseOrder": {"type": "object", "properties": {
        "id": {"type": "integer"}, "number": {"type": "string"},
        "status": {"type": "string", "enum": ["issued", "acknowledged", "delivered"]},
        "quote_id": {"type": "integer"}, "step_id": {"type": "integer"}, "deal_id": {"type": "integer"},
        "factory": _FACTORY, "issued_on": _DATE, "due_on": _NDATE, "acknowledged": {"type": "boolean"},
        "delivered": {"type": "boolean"}, "subtotal": {"type": "integer"}, "tax": {"type": "integer"},
        "total": {"type": "integer"}, "pdf_url": {"type": "string"}}},
}

_STEP_QUOTES = {"type": "object", "properties": {"step_id": {"type": "integer"},
                                                 "quotes": {"type": "array", "items": _QUOTE},
                                                 "order": {**_ORDER, "nullable": True}}}
_REQUEST_OUT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["alternatives", "team"]},
    "need_id": {"type": "integer"}, "steps": {"type": "array", "items": {"type": "object", "properties": {
        "step_id": {"type": "integer"}, "deal_id": {"type": "integer"}, "factory": _FACTORY}}}}}
_COMPARISON = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string"}, "need_id": {"type": "integer", "nullable": True},
    "offers": {"type": "array", "items": {"type": "object", "properties": {
        "step_id": {"type": "integer"}, "factory": _FACTORY, "quote": {**_QUOTE, "nullable": True},
        "due_date": _NDATE, "distance_km": {"type": "number", "nullable": True},
        "order_id": {"type": "integer", "nullable": True}, "track_record": {"type": "object"}}}}}}
_CHAIN = {"type": "object", "properties": {
    "deal_id": {"type": "integer"}, "start": _DATE, "finish": _NDATE,
    "deciding_step_id": {"type": "integer", "nullable": True}, "complete": {"type": "boolean"},
    "subtotal": {"type": "integer"}, "tax": {"type": "integer"}, "total": {"type": "integer"},
    "steps": {"type": "array", "items": {"type": "object", "properties": {
        "step_id": {"type": "integer"}, "position": {"type": "integer"}, "factory_id": {"type": "integer"},
        "quote_id": {"type": "integer", "nullable": True}, "total": {"type": "integer", "nullable": True},
        "lead_days": {"type": "integer", "nullable": True}, "delivery_date": _NDATE, "starts": _NDATE,
        "finishes": _NDATE, "critical": {"type": "boolean"}}}}}}

OPENAPI_PATHS = {
    "/quotes/steps/{step_id}": {
        "parameters": [_path_id("step_id")],
        "get": _get("A step's quote revisions (newest first) and its order; the two parties only", _STEP_QUOTES,
                    401, 404),
        "post": _post("Quote the step, or revise the quote (the asked factory)", _QUOTE_IN, _QUOTE,
                      400, 401, 403, 404, 409, 415, status="201")},
    "/quotes/{quote_id}": {"parameters": [_path_id("quote_id")],
                           "get": _get("One quote revision (its two parties)", _QUOTE, 401, 404)},
    "/quotes/{quote_id}/accept": {"parameters": [_path_id("quote_id")], "post": _post(
        "Accept a quote (the requester): issues a purchase order; the other factories asked are told", None, _ORDER,
        401, 403, 404, 409, status="201")},
    "/orders/{order_id}": {"parameters": [_path_id("order_id")],
                           "get": _get("One purchase order (its two parties)", _ORDER, 401, 404)},
    "/orders/{order_id}/acknowledge": {"parameters": [_path_id("order_id")], "post": _post(
        "Acknowledge the order (注文請書; the factory)", None, _ORDER, 401, 403, 404, 409)},
    "/orders/{order_id}/deliver": {"parameters": [_path_id("order_id")], "post": _post(
        "Report the order delivered (the factory); it then counts as a joint order", None, _ORDER,
        401, 403, 404, 409)},
    "/quote-requests": {"post": _post(
        "Ask several factories for a quote on a need at once (or a team, one process code per factory)",
        {"type": "object", "required": ["need_id", "factory_ids", "message"], "properties": {
            "need_id": {"type": "integer"}, "factory_ids": {"type": "array", "maxItems": 12,
                                                            "items": {"type": "integer"}},
            "message": {"type": "string", "maxLength": 5000}, "quantity": {"type": "integer", "minimum": 1},
            "steps": {"type": "array", "items": {"type": "string"},
                      "description": "for a team: the process code each factory does, in order"}}},
        _REQUEST_OUT, 400, 401, 403, 404, 409, 415, status="201")},
    "/quote-requests/{request_id}": {"parameters": [_path_id("request_id")], "get": _get(
        "Compare the quotes of a request side by side (the requester)", _COMPARISON, 401, 404)},
    "/quotes/chains/{deal_id}": {"parameters": [_path_id("deal_id")], "get": _get(
        "A deal's total price and earliest finish, with the step that decides the date (the requester)", _CHAIN,
        401, 404)},
}

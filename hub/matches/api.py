"""Public matching endpoints (rate-limited per client): rank factories for a need, route a multi-step job."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_babel import force_locale
from flask_babel import gettext as _

from hub.api import bp
from hub.api.errors import ApiError
from hub.api.validation import get_float, get_int, get_str, get_str_list, json_body
from hub.core.cache import same_answer_for_same_body
from hub.core.i18n import request_locale
from hub.extensions import limiter
from hub.matches import explain, services
from matching import MAX_STEPS, WARDS, MatchingInputError, Resolved, normalise_ward, plan_chain

MAX_TEXT_CHARS = 1_048_576  # longer text is refused; the matcher reads the first 20,000 characters of what it gets


def _match_limit() -> str:
    return current_app.config["RATELIMIT_MATCH"]


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(400, "validation_failed", _("Some fields are not valid."), {field: message})


def _point(data: dict, field: str) -> tuple[float, float] | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _invalid(field, _("Expected an object with lat and lon."))
    lat = get_float(value, "lat", low=-90, high=90)
    lon = get_float(value, "lon", low=-180, high=180)
    if lat is None or lon is None:
        raise _invalid(field, _("Expected an object with lat and lon."))
    return lat, lon


def _ward(data: dict) -> str | None:
    raw = get_str(data, "ward", max_len=50)
    if raw is None:
        return None
    ward = normalise_ward(raw)
    if ward is None:
        raise _invalid("ward", _("Unknown ward."))
    return ward


def _resolved(items: list[Resolved], lang: str) -> list[dict]:
    return [{"code": r.code, "label": r.label(lang), "confidence": round(float(r.confidence), 3),
             "matched": r.source} for r in items]


@bp.route("/match/factories", methods=["POST"])
@limiter.limit(_match_limit)
@same_answer_for_same_body
def match_factories():
    """Rank factories for a need written in any language, with coverage and reasons."""
    data = json_body()
    lang = request_locale()
    text = data.get("text")
    if text is not None and not isinstance(text, str):
        raise _invalid("text", _("Expected text."))
    if text is not None and len(text) > MAX_TEXT_CHARS:
        raise _invalid("text", _("At most %(n)s characters.", n=MAX_TEXT_CHARS))
    text = (text or "").replace("\x00", " ")
    processes = get_str_list(data, "processes", max_items=30)
    materials = get_str_list(data, "materials", max_items=30)
    if not text.strip() and not processes:
        raise _invalid("text", _("Give a text or a list of processes."))
    limit = get_int(data, "limit", low=1, high=100, default=10)
    quantity = get_int(data, "quantity", low=1, high=1_000_000_000)
    near = _point(data, "near")
    ward = _ward(data)
    try:
        ranked = services.rank_for_text(text, lang, processes=processes, materials=materials, ward=ward,
                                        lat=near[0] if near else None, lon=near[1] if near else None,
                                        quantity=quantity, limit=limit)
    except MatchingInputError as exc:
        raise ApiError(400, "validation_failed", str(exc)) from None
    result = ranked.result
    with force_locale(lang):
        summaries = explain.summaries(ranked)
    return jsonify({
        "query": {"processes": _resolved(result.query_processes, lang),
                  "materials": _resolved(result.query_materials, lang),
                  "unresolved": list(result.unresolved)},
        "results": [{
            "id": factory.id, "external_id": factory.external_id, "name": factory.name, "ward": factory.ward,
            "score": round(float(match.score), 4), "covers": list(match.covers), "missing": list(match.missing),
            "reasons": list(match.reasons), "summary": summaries.get(factory.id, ""),
            "distance_km": round(match.distance_km, 2) if match.distance_km is not None else None,
        } for match, factory in ranked.rows()],
    })


def _factory_brief(factory) -> dict:
    return {"id": factory.id, "external_id": factory.external_id, "name": factory.name, "lat": factory.lat,
            "lon": factory.lon}


@bp.route("/match/chain", methods=["POST"])
@limiter.limit(_match_limit)
def match_chain():
    """Route 1–12 ordered steps through factories near each other (nakama-mawashi), with alternatives."""
    data = json_body()
    lang = request_locale()
    steps = data.get("steps")
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        raise _invalid("steps", _("Expected a list of text."))
    if not 1 <= len(steps) <= MAX_STEPS:
        raise _invalid("steps", _("Give between 1 and %(n)s steps.", n=MAX_STEPS))
    if any(len(s) > 200 or not s.strip() or "\x00" in s for s in steps):
        raise _invalid("steps", _("Each step must be 1 to 200 characters."))
    start = _point(data, "start")
    if start is None:
        ward = _ward(data)
        if ward is not None:
            start = (WARDS[ward].lat, WARDS[ward].lon)
    try:
        plan = plan_chain(services.current_index(), steps, start=start, lang=lang)
    except MatchingInputError as exc:
        raise ApiError(400, "validation_failed", str(exc)) from None
    ids = [s.factory_id for s in plan.steps if s.factory_id] + [a for s in plan.steps for a in s.alternatives]
    factories = services.load_factories(ids)
    out = []
    for step in plan.steps:
        out.append({
            "input": step.input,
            "process": {"code": step.process.code, "label": step.process.label(lang)} if step.process else None,
            "factory": _factory_brief(factories[step.factory_id]) if step.factory_id in factories else None,
            "alternatives": [_factory_brief(factories[a]) for a in step.alternatives if a in factories],
            "reason": step.reason or None,
        })
    return jsonify({"steps": out, "total_km": round(float(plan.total_km), 3)})


_ERRORS = {str(c): {"description": "Error", "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Error"}}}} for c in (400, 415, 429)}
_POINT = {"type": "object", "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}}
_FACTORY = {"type": "object", "properties": {k: {"type": t} for k, t in (
    ("id", "integer"), ("external_id", "string"), ("name", "string"), ("lat", "number"), ("lon", "number"))}}

OPENAPI_PATHS = {
    "/match/factories": {"post": {
        "summary": "Rank factories for a need (public, rate-limited)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "text": {"type": "string"}, "processes": {"type": "array", "items": {"type": "string"}},
                "materials": {"type": "array", "items": {"type": "string"}}, "ward": {"type": "string"},
                "near": _POINT, "quantity": {"type": "integer", "minimum": 1},
                "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}}}}}},
        "responses": {"200": {"description": "Query as understood, and ranked factories with reasons; each result's "
                                             "`summary` says in words what its `score` stands for (steps covered, "
                                             "distance, material, past jobs)"}, **_ERRORS},
    }},
    "/match/chain": {"post": {
        "summary": "Route an ordered multi-step job through nearby factories (public, rate-limited)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["steps"], "properties": {
                "steps": {"type": "array", "minItems": 1, "maxItems": MAX_STEPS, "items": {"type": "string"}},
                "start": _POINT, "ward": {"type": "string"}}}}}},
        "responses": {"200": {"description": "One factory per step with alternatives, and the route length",
                              "content": {"application/json": {"schema": {"type": "object", "properties": {
                                  "steps": {"type": "array", "items": {"type": "object", "properties": {
                                      "input": {"type": "string"}, "process": {"type": "object", "nullable": True},
                                      "factory": {**_FACTORY, "nullable": True},  # null: no factory found
                                      "alternatives": {"type": "array", "items": _FACTORY},
                                      "reason": {"type": "string", "nullable": True,
                                                 "description": "why the planner chose this factory over "
                                                                "the one on the shortest route"}}}},
                                  "total_km": {"type": "number"}}}}}},
                      **_ERRORS},
    }},
}

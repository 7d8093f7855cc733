"""Succession API: anonymous listings (successor or organiser token), matches for a successor, and disclosure
requests under NDA. Listings name the factory only for a successor whose request the owner approved."""

from __future__ import annotations

from flask import g, jsonify, request
from flask_babel import gettext as _

from hub.api import bp
from hub.api.auth import token_required
from hub.api.docs import error_responses, timestamp
from hub.api.errors import ApiError
from hub.api.validation import get_int, get_str, json_body, query_int
from hub.core.i18n import request_locale
from hub.core.timeutil import iso_utc
from hub.extensions import db
from hub.mail.services import deliver_pending
from hub.succession import fits, services
from hub.succession.models import DisclosureStatus, SuccessionListing
from hub.succession.services import SuccessionError
from matching import normalise_ward

_ASK = object()  # "look the disclosure up yourself"


def _as_seen_by(listing: SuccessionListing, locale: str, disclosure=_ASK) -> dict:
    """The anonymous listing, plus the factory's identity only for a successor the owner approved (logged).
    Lists pass the user's disclosure (loaded for the whole page in one query) to avoid a query per listing."""
    data = services.public_dict(listing, locale)
    user = g.api_user
    if disclosure is _ASK:
        disclosure = services.disclosure_for(user, listing)
    data["disclosure"] = disclosure.status if disclosure is not None else None
    if disclosure is not None and disclosure.status == DisclosureStatus.APPROVED \
            and services.can_see_identity(user, listing):
        data["factory"] = services.identity(listing)
        services.record_view(listing, user, "disclosed_viewed_api")
    return data


def _get(public_id: str) -> SuccessionListing:
    listing = None
    if len(public_id) <= 32:
        listing = db.session.scalar(db.select(SuccessionListing).where(SuccessionListing.public_id == public_id))
    if listing is None or not services.can_view(g.api_user, listing) \
            or not listing.is_shown_to_approved:
        raise ApiError(404, "not_found", _("No such listing."))
    return listing


@bp.route("/succession/listings")
@token_required("successor", "organiser")
def succession_listings():
    """Published listings, anonymous ("non-name"); filters: q, ward, process; paginated."""
    q = (request.args.get("q") or "").strip()
    if len(q) > 200:
        raise ApiError(400, "validation_failed", _("Some fields are not valid."),
                       {"q": _("At most %(n)s characters.", n=200)})
    ward_raw = (request.args.get("ward") or "").strip()
    ward = normalise_ward(ward_raw[:50]) if ward_raw else None
    if ward_raw and ward is None:
        raise ApiError(400, "validation_failed", _("Some fields are not valid."), {"ward": _("Unknown ward.")})
    process_raw = (request.args.get("process") or "").strip()
    process = None
    if process_raw:
        codes, _unknown = services.resolve_processes([process_raw[:200]])
        if not codes:
            raise ApiError(400, "validation_failed", _("Some fields are not valid."),
                           {"process": _("Unknown process.")})
        process = codes[0]
    page = query_int("page", 1, 1, 1_000_000)
    per_page = query_int("per_page", 20, 1, 100)
    query = services.browse_query(q=q or None, ward=ward, process=process)
    total = db.session.scalar(db.select(db.func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    locale = request_locale()
    mine = services.disclosures_by_listing(g.api_user, [listing.id for listing in rows])
    listings = [_as_seen_by(listing, locale, mine.get(listing.id)) for listing in rows]
    db.session.commit()  # views of disclosed data are logged
    return jsonify({"listings": listings, "total": total, "page": page, "per_page": per_page})


@bp.route("/succession/listings/<public_id>")
@token_required("successor", "organiser")
def succession_listing(public_id: str):
    """One listing, anonymous unless this successor's disclosure was approved."""
    listing = _get(public_id)
    data = _as_seen_by(listing, request_locale())
    db.session.commit()
    return jsonify(data)


@bp.route("/succession/matches")
@token_required("successor")
def succession_matches():
    """Listings for this successor's profile, best first, with reasons in their language."""
    profile = services.profile_for(g.api_user)
    if profile is None:
        raise ApiError(409, "no_profile", _("Please fill in your successor profile first: the owner decides on it."))
    limit = query_int("limit", 10, 1, 50)
    locale = request_locale()
    results = []
    for listing, fit in fits.listings_for(profile, locale, limit=limit):
        item = _as_seen_by(listing, locale)
        item.update({"score": fit.score, "reasons": fit.reasons})
        results.append(item)
    db.session.commit()
    return jsonify({"results": results})


@bp.route("/succession/listings/<public_id>/disclosures", methods=["POST"])
@token_required("successor")
def succession_request_disclosure(public_id: str):
    """Accept the current NDA and ask the owner to disclose the factory's identity."""
    listing = _get(public_id)
    data = json_body()
    accept = data.get("accept_nda")
    if not isinstance(accept, bool):
        raise ApiError(400, "validation_failed", _("Some fields are not valid."),
                       {"accept_nda": _("Please accept the NDA to continue.")})
    version = get_int(data, "nda_version", required=True, low=1, high=100000)
    message = get_str(data, "message", max_len=2000) or ""
    try:
        disclosure = services.request_disclosure(listing, g.api_user, accepted=accept, nda_version=version,
                                                 message=message)
    except SuccessionError as exc:
        db.session.rollback()
        raise ApiError(409, "conflict", str(exc)) from None
    db.session.commit()
    deliver_pending()
    return jsonify({"status": disclosure.status, "nda_version": version,
                    "nda_accepted_at": iso_utc(disclosure.nda_accepted_at)}), 201


@bp.route("/succession/nda")
@token_required("successor", "organiser")
def succession_nda():
    """The NDA in force (both languages) with its version number."""
    nda = services.current_nda()
    db.session.commit()
    return jsonify({"version": nda.version, "text_ja": nda.text_ja, "text_en": nda.text_en})


_ID = [{"name": "public_id", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "The listing's public id (never the factory's id)"}]
def _ok(description: str, ref: str) -> dict:
    return {"200": {"description": description,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}}


OPENAPI_SCHEMAS = {
    "SuccessionListing": {
        "type": "object",
        "description": "An anonymous listing, generalised until at least k published directory entries share "
                       "everything it shows; `factory` appears only for a successor whose disclosure request the "
                       "owner approved.",
        "properties": {
            "id": {"type": "string"}, "headline": {"type": "string"},
            "ward": {"type": "string", "nullable": True,
                     "description": "The ward, only when at least k directory entries share what the listing shows "
                                    "with it; otherwise null and `area` names several wards or all of Tokyo"},
            "ward_label": {"type": "string", "description": "The shown area's name"},
            "area": {"type": "object", "properties": {
                "level": {"type": "string", "enum": ["ward", "area", "tokyo"]},
                "key": {"type": "string", "nullable": True}, "label": {"type": "string"},
                "wards": {"type": "array", "nullable": True, "items": {"type": "string"}}}},
            "processes": {"type": "array", "items": {"type": "object", "properties": {
                "code": {"type": "string"}, "label": {"type": "string"},
                "kind": {"type": "string", "enum": ["process", "family"]}}}},
            "machines": {"type": "array", "items": {"type": "string"},
                         "description": "As the owner wrote them, when that keeps the listing anonymous"},
            "machine_categories": {"type": "array", "items": {"$ref": "#/components/schemas/Coded"},
                                   "description": "Kinds of machine (process families) instead of the machines"},
            "employees_band": {"type": "string", "nullable": True}, "revenue_band": {"type": "string"},
            "years_band": {"type": "string", "nullable": True},
            "generalised": {"type": "array", "items": {"type": "string",
                                                       "enum": ["machines", "bands", "area", "processes"]}},
            "reason": {"type": "string"}, "reason_text": {"type": "string"},
            "description": {"type": "string"},
            "schemes": {"type": "array", "items": {"type": "string",
                                                   "enum": ["family", "employee", "outside_manager", "sale"]}},
            "includes": {"type": "array", "items": {"type": "string",
                                                    "enum": ["equipment", "premises", "customers", "skills"]}},
            "timing": {"type": "string"}, "status": {"type": "string"},
            "published_on": {"type": "string", "format": "date", "nullable": True},
            "disclosure": {"type": "string", "nullable": True,
                           "enum": ["requested", "approved", "declined", "revoked", None]},
            "factory": {"type": "object", "properties": {
                "name": {"type": "string"}, "name_en": {"type": "string", "nullable": True},
                "address": {"type": "string", "nullable": True}, "website": {"type": "string", "nullable": True},
                "photos": {"type": "array", "items": {"type": "string"}},
                "documents": {"type": "array", "items": {"type": "object", "properties": {
                    "name": {"type": "string"}, "url": {"type": "string"}}}}}},
        },
    },
    "SuccessionListingPage": {"type": "object", "properties": {
        "listings": {"type": "array", "items": {"$ref": "#/components/schemas/SuccessionListing"}},
        "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}}},
}

OPENAPI_PATHS = {
    "/succession/listings": {"get": {
        "summary": "Anonymous succession listings (successor or organiser token)",
        "security": [{"bearer": []}],
        "parameters": [
            {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
            {"name": "ward", "in": "query", "schema": {"type": "string"}},
            {"name": "process", "in": "query", "schema": {"type": "string"}, "description": "code or any alias"},
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
            {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["ja", "en"]}},
        ],
        "responses": {**_ok("A page of listings", "SuccessionListingPage"), **error_responses(400, 401, 403)},
    }},
    "/succession/listings/{public_id}": {"parameters": _ID, "get": {
        "summary": "One listing (anonymous unless this successor's disclosure was approved)",
        "security": [{"bearer": []}],
        "responses": {**_ok("The listing", "SuccessionListing"), **error_responses(401, 403, 404)},
    }},
    "/succession/listings/{public_id}/disclosures": {"parameters": _ID, "post": {
        "summary": "Accept the current NDA and ask the owner for disclosure (successor token)",
        "security": [{"bearer": []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["accept_nda", "nda_version"], "properties": {
                "accept_nda": {"type": "boolean"}, "nda_version": {"type": "integer"},
                "message": {"type": "string", "maxLength": 2000}}}}}},
        "responses": {"201": {"description": "Requested", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"status": {"type": "string"}, "nda_version": {"type": "integer"},
                                             "nda_accepted_at": timestamp()}}}}},
                      **error_responses(400, 401, 403, 404, 409, 415)},
    }},
    "/succession/matches": {"get": {
        "summary": "Listings that fit this successor's profile, with reasons (successor token)",
        "security": [{"bearer": []}],
        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50}},
                       {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["ja", "en"]}}],
        "responses": {"200": {"description": "Ranked listings", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"results": {"type": "array", "items": {"allOf": [
                {"$ref": "#/components/schemas/SuccessionListing"},
                {"type": "object", "properties": {"score": {"type": "number"},
                                                  "reasons": {"type": "array", "items": {"type": "string"}}}}]}}}}}}},
                      **error_responses(401, 403, 409)},
    }},
    "/succession/nda": {"get": {
        "summary": "The NDA in force, both languages, with its version",
        "security": [{"bearer": []}],
        "responses": {"200": {"description": "NDA", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"version": {"type": "integer"}, "text_ja": {"type": "string"},
                                             "text_en": {"type": "string"}}}}}}, **error_responses(401, 403)},
    }},
}

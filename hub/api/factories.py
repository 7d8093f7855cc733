"""Directory endpoints (public) and profile updates (token, own factory only)."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import g, jsonify, request
from flask_babel import gettext as _

from hub.api import bp
from hub.api.auth import token_required
from hub.api.errors import ApiError
from hub.api.validation import get_float, get_int, get_str, get_str_list, json_body, query_int
from hub.core.cache import public_json
from hub.core.i18n import request_locale
from hub.extensions import db
from hub.factories import identity, services
from hub.factories.models import Factory
from matching import normalise_ward


def _capability_arg(kind: str) -> str | None:
    """A process or material filter given as a code or as any way people write it; 400 naming it when unknown."""
    try:
        return services.capability_code(kind, request.args.get(kind))
    except services.DirectoryProblem as exc:
        message = (_("Unknown process: %(value)s. Give a process code or a name such as 切削 or anodizing.",
                     value=exc.value) if kind == "process" else
                   _("Unknown material: %(value)s. Give a material code or a name such as SUS304 or aluminium.",
                     value=exc.value))
        raise ApiError(400, "validation_failed", message, {kind: message}) from None


@bp.route("/factories")
@public_json
def list_factories():
    """Public directory: search, filter by process/ward/material, paginate (per_page up to 1000)."""
    q = (request.args.get("q") or "").strip()
    if len(q) > 200:
        raise ApiError(400, "validation_failed", _("Some fields are not valid."),
                       {"q": _("At most %(n)s characters.", n=200)})
    process = _capability_arg("process")
    material = _capability_arg("material")
    ward_raw = (request.args.get("ward") or "").strip()
    ward = normalise_ward(ward_raw[:50]) if ward_raw else None
    if ward_raw and ward is None:
        raise ApiError(400, "validation_failed", _("Some fields are not valid."), {"ward": _("Unknown ward.")})
    page = query_int("page", 1, 1, 1_000_000)
    per_page = query_int("per_page", 50, 1, 1000)
    wanted = services.DirectorySearch(q, ward, process, material)
    cards = wanted.cards(per_page, (page - 1) * per_page)
    locale = request_locale()
    return jsonify({"factories": [services.card_dict(card, locale) for card in cards], "total": wanted.count(),
                    "page": page, "per_page": per_page})


@bp.route("/factories/<int:factory_id>")
@public_json
def get_factory(factory_id: int):
    """One public profile; 404 for an unknown or unpublished id."""
    factory = db.session.get(Factory, factory_id)
    if factory is None or not factory.is_public:
        raise ApiError(404, "not_found", _("No such factory."))
    return jsonify(services.public_dict(factory, request_locale(), detail=True))


@bp.route("/factories/<int:factory_id>", methods=["PATCH"])
@token_required("factory", "organiser")
def update_factory(factory_id: int):
    """Update a profile: the factory's own members or organisers (403 for anyone else)."""
    factory = db.session.get(Factory, factory_id)
    if factory is None:
        raise ApiError(404, "not_found", _("No such factory."))
    if not services.can_edit(g.api_user, factory):
        raise ApiError(403, "forbidden", _("You can only edit your own factory."))
    data = json_body()
    unknown = sorted(set(data) - set(services.PROFILE_FIELDS) - {"owner_birth_year", "successor_status"})
    if unknown:
        raise ApiError(400, "validation_failed", _("Some fields are not valid."),
                       {name[:50]: _("Unknown field.") for name in unknown[:10]})
    changes: dict = {}
    for name, limit in (("name", 200), ("name_en", 200), ("address", 300), ("tolerance", 100), ("website", 300)):
        if name in data:
            changes[name] = get_str(data, name, required=(name == "name"), max_len=limit)
    if changes.get("website"):
        parts = urlparse(changes["website"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ApiError(400, "validation_failed", _("Some fields are not valid."),
                           {"website": _("Give a web address starting with http:// or https://.")})
    if "description" in data:
        changes["description"] = get_str(data, "description", max_len=20000) or ""
    if "ward" in data:
        ward_raw = get_str(data, "ward", max_len=50)
        changes["ward"] = normalise_ward(ward_raw) if ward_raw else None
        if ward_raw and changes["ward"] is None:
            raise ApiError(400, "validation_failed", _("Some fields are not valid."), {"ward": _("Unknown ward.")})
    if "lat" in data or "lon" in data:
        changes["lat"] = get_float(data, "lat", low=-90, high=90)
        changes["lon"] = get_float(data, "lon", low=-180, high=180)
        if (changes["lat"] is None) != (changes["lon"] is None):
            raise ApiError(400, "validation_failed", _("Some fields are not valid."),
                           {"lat": _("Give both latitude and longitude, or neither.")})
    for name in ("processes", "materials", "equipment", "certifications"):
        if name in data:
            changes[name] = get_str_list(data, name, max_items=100)
    for name, low, high in (("lot_min", 1, 10_000_000), ("lot_max", 1, 10_000_000), ("employees", 0, 100_000),
                            ("founded", 1600, 2100), ("owner_birth_year", 1900, 2100)):
        if name in data:
            changes[name] = get_int(data, name, low=low, high=high)
    if "successor_status" in data:
        from hub.factories.models import SUCCESSOR_STATUSES

        status = get_str(data, "successor_status", max_len=20)
        if status is not None and status not in SUCCESSOR_STATUSES:
            raise ApiError(400, "validation_failed", _("Some fields are not valid."),
                           {"successor_status": _("Unknown value.")})
        changes["successor_status"] = status
    previous = (factory.name, factory.name_en)
    services.update_profile(factory, changes)
    identity.hold_if_duplicate(factory, g.api_user, previous)
    db.session.commit()
    return jsonify({**services.public_dict(factory, request_locale(), detail=True),
                    "review_status": factory.review_status})

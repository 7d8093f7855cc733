"""Open Factory Week bookings in the JSON API (public, rate-limited per client): slots, booking, cancelling."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from hub.api import bp
from hub.api.docs import error_responses as _errors
from hub.api.docs import timestamp
from hub.api.errors import ApiError
from hub.api.validation import get_int, get_str, json_body
from hub.core.i18n import request_locale as _locale
from hub.core.params import int_or_none
from hub.core.timeutil import iso_utc as _iso
from hub.events import confirmation, services, visibility
from hub.events.edge import api_error
from hub.events.errors import EventsError
from hub.events.models import Booking, Edition, Program, Slot
from hub.extensions import db, limiter


def _booking_limit() -> str:
    return current_app.config.get("RATELIMIT_BOOKING", "30 per minute")


def slot_dict(slot: Slot, counts: dict, locale: str) -> dict:
    program = slot.program
    factory = program.factory if program else None
    return {
        "id": slot.id,
        "factory": {"id": factory.id, "name": factory.display_name(locale), "ward": factory.ward} if factory else None,
        "program": {"id": program.id, "kind": program.kind, "title": program.display_title(locale)}
        if program else None,
        "starts_at": _iso(slot.starts_at), "ends_at": _iso(slot.ends_at),
        "capacity": slot.capacity, "booked": counts["booked"], "waitlisted": counts["waitlisted"],
        "admission": slot.admission, "language": slot.language, "fee_yen": slot.fee_yen,
        "booking": services.booking_state(slot),
    }


def _slot_or_404(slot_id: int) -> Slot:
    slot = visibility.public_slot(slot_id)
    if slot is None:
        raise ApiError(404, "not_found", _("This slot does not exist."))
    return slot


@bp.route("/openfactory/slots")
@limiter.limit(_booking_limit)
def openfactory_slots():
    """Every slot of an Open Factory edition (``edition=current`` or an id), with booked seats and waiting parties."""
    wanted = (request.args.get("edition") or "current").strip()
    if wanted == "current":
        edition = services.current_edition()
    else:
        edition_id = int_or_none(wanted)
        if edition_id is None:
            raise ApiError(400, "validation_failed", _("Some fields are not valid."),
                           {"edition": _("Use current or an edition id.")})
        edition = db.session.get(Edition, edition_id)
        if edition is None or not edition.is_published:
            raise ApiError(404, "not_found", _("No such edition."))
    if edition is None:
        return jsonify({"edition": None, "slots": []})
    slots = db.session.scalars(
        visibility.public_slots().join(Program, Program.id == Slot.program_id).where(Program.edition_id == edition.id)
        .options(joinedload(Slot.program).joinedload(Program.factory)).order_by(Slot.starts_at, Slot.id)).all()
    counts = services.slot_counts(s.id for s in slots)
    locale = _locale()
    return jsonify({"edition": {"id": edition.id, "name": edition.display_name(locale),
                                "starts_on": edition.starts_on.isoformat(), "ends_on": edition.ends_on.isoformat()},
                    "slots": [slot_dict(s, counts[s.id], locale) for s in slots]})


@bp.route("/openfactory/slots/<int:slot_id>")
@limiter.limit(_booking_limit)
def openfactory_slot(slot_id: int):
    """One slot with its booked seats and waiting parties."""
    slot = _slot_or_404(slot_id)
    return jsonify(slot_dict(slot, services.slot_counts([slot.id])[slot.id], _locale()))


@bp.route("/openfactory/slots/<int:slot_id>/bookings", methods=["POST"])
@limiter.limit(_booking_limit)
def openfactory_book(slot_id: int):
    """Book seats without an account: 201 confirmed or waitlisted; 202 "pending_confirmation" when the address must
    confirm by email (or already has a booking here: its owner is emailed); 409 when closed, or when the party is
    larger than the free seats and ``if_short`` does not say what to do (the error lists the choices); 400 when
    invalid."""
    data = json_body()
    name = get_str(data, "name", required=True, max_len=120)
    email = get_str(data, "email", required=True, max_len=254)
    party_size = get_int(data, "party_size", required=True, low=1, high=services.MAX_PARTY)
    locale = get_str(data, "locale", max_len=5) or _locale()
    if_short = get_str(data, "if_short", max_len=10) or None
    if if_short is not None and if_short not in services.IF_SHORT:
        raise ApiError(400, "validation_failed", _("Some fields are not valid."),
                       {"if_short": _("Use partial or waitlist.")})
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ApiError(400, "validation_failed", _("Some fields are not valid."),
                       {"email": _("Enter a valid email address.")}) from None
    _slot_or_404(slot_id)
    confirm = confirmation.confirmation_required()
    try:
        result = services.with_retry(lambda: confirmation.submit_booking(slot_id, name, email, party_size, locale,
                                                                         confirm=confirm, if_short=if_short))
    except EventsError as exc:
        raise api_error(exc) from None
    if result.booking is None:
        # The same answer whether the address already had a booking here or must confirm a new one: nothing
        # about anybody's bookings is told to whoever typed the address (issue 10, finding 3).
        return jsonify({"status": "pending_confirmation", "message": _(
            "Thank you. We have sent an email to this address: please follow its link to complete or see your "
            "booking.")}), 202
    booking = result.booking
    body = {"id": booking.id, "status": booking.status, "cancel_token": services.booking_token(booking),
            "position": services.waitlist_position(booking), "party_size": booking.party_size,
            "overlaps": [b.slot_id for b in result.overlaps]}
    return jsonify(body), 201


def _booking_or_404(booking_id: int) -> Booking:
    booking = services.booking_for_token(booking_id, request.args.get("token"))
    if booking is None:
        raise ApiError(404, "not_found", _("No booking matches this link."))
    return booking


@bp.route("/bookings/<int:booking_id>")
@limiter.limit(_booking_limit)
def booking_status(booking_id: int):
    """A booking's status, for whoever holds its token."""
    booking = _booking_or_404(booking_id)
    return jsonify({"id": booking.id, "status": booking.status, "slot_id": booking.slot_id,
                    "party_size": booking.party_size, "position": services.waitlist_position(booking)})


@bp.route("/bookings/<int:booking_id>", methods=["DELETE"])
@limiter.limit(_booking_limit)
def booking_cancel(booking_id: int):
    """Cancel with the booking's token; the waiting list moves up in the same transaction."""
    booking = _booking_or_404(booking_id)
    try:
        promoted = services.with_retry(lambda: services.cancel(db.session.get(Booking, booking.id)))
    except EventsError as exc:
        raise api_error(exc) from None
    return jsonify({"status": "cancelled", "promoted": len(promoted)})


def _ok(description: str, schema: dict, status: str = "200") -> dict:
    return {status: {"description": description, "content": {"application/json": {"schema": schema}}}}


_TOKEN = {"name": "token", "in": "query", "required": True, "schema": {"type": "string"},
          "description": "the cancel_token returned when booking"}

_CONFLICT = {"$ref": "#/components/schemas/BookingConflict"}

OPENAPI_SCHEMAS = {
    "OpenFactorySlot": {"type": "object", "properties": {
        "id": {"type": "integer"},
        "factory": {"type": "object", "nullable": True, "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "ward": {"type": "string", "nullable": True}}},
        "program": {"type": "object", "nullable": True, "properties": {
            "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["tour", "workshop", "sale", "talk"]},
            "title": {"type": "string"}}},
        "starts_at": timestamp(), "ends_at": timestamp(),
        "capacity": {"type": "integer"},
        "booked": {"type": "integer", "description": "confirmed seats (sum of party sizes)"},
        "waitlisted": {"type": "integer", "description": "waiting parties"},
        "admission": {"type": "string", "enum": ["booking", "walk_in"]},
        "language": {"type": "string"}, "fee_yen": {"type": "integer"},
        "booking": {"type": "string", "enum": ["open", "not_yet", "closed", "past", "walk_in"]}}},
    "BookingConflict": {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        "free_seats": {"type": "integer", "description": "only for party_exceeds_free_seats / no_free_seats"},
        "party_size": {"type": "integer"},
        "choices": {"type": "array", "items": {"type": "object", "properties": {
            "if_short": {"type": "string", "enum": ["partial", "waitlist"]},
            "party_size": {"type": "integer", "description": "seats this choice books or waits for"},
            "status": {"type": "string", "enum": ["confirmed", "waitlisted"]}}}}}}}},
}

OPENAPI_PATHS = {
    "/openfactory/slots": {"get": {
        "summary": "Open Factory slots of an edition (public, rate-limited)",
        "parameters": [{"name": "edition", "in": "query", "schema": {"type": "string", "default": "current"},
                        "description": "current, or an edition id"},
                       {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["ja", "en"]}}],
        "responses": {**_ok("Slots", {"type": "object", "properties": {
            "edition": {"type": "object", "nullable": True},
            "slots": {"type": "array", "items": {"$ref": "#/components/schemas/OpenFactorySlot"}}}}),
            **_errors(400, 404, 429)}}},
    "/openfactory/slots/{slot_id}": {
        "parameters": [{"name": "slot_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "get": {"summary": "One Open Factory slot (public)",
                "responses": {**_ok("Slot", {"$ref": "#/components/schemas/OpenFactorySlot"}), **_errors(404, 429)}}},
    "/openfactory/slots/{slot_id}/bookings": {
        "parameters": [{"name": "slot_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "post": {
            "summary": "Book seats without an account (public, rate-limited). 201 when booked. 202 "
                       "pending_confirmation when the address must confirm by email "
                       "(EVENTS_BOOKING_EMAIL_CONFIRMATION) or already has a booking on this slot: an existing "
                       "booking is never shown to the request, its owner is emailed instead.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["name", "email", "party_size"], "properties": {
                    "name": {"type": "string", "maxLength": 120}, "email": {"type": "string", "format": "email"},
                    "party_size": {"type": "integer", "minimum": 1, "maximum": 10},
                    "locale": {"type": "string", "enum": ["ja", "en"]},
                    "if_short": {"type": "string", "enum": ["partial", "waitlist"],
                                 "description": "when the party is larger than the free seats: book the free "
                                                "seats (partial: the booking's party_size is the seats booked), or "
                                                "join the waiting list for the whole party. Without it such a "
                                                "party gets a 409 party_exceeds_free_seats listing the choices; a "
                                                "full slot waitlists."}}}}}},
            "responses": {**_ok("Booked or waitlisted", {"type": "object", "properties": {
                "id": {"type": "integer"}, "status": {"type": "string", "enum": ["confirmed", "waitlisted"]},
                "cancel_token": {"type": "string"},
                "position": {"type": "integer", "nullable": True, "description": "place in the waiting list"},
                "overlaps": {"type": "array", "items": {"type": "integer"},
                             "description": "slots of this email's other bookings at the same time (only when "
                                            "the booker proved the address)"}}}, "201"),
                **_ok("Check your email: confirm the booking, or see the booking the address already has",
                      {"type": "object", "properties": {
                          "status": {"type": "string", "enum": ["pending_confirmation"]},
                          "message": {"type": "string"}}}, "202"),
                **_errors(400, 404, 415, 429),
                "409": {"description": "Booking is closed (booking_closed, booking_past …), or the party is larger "
                                       "than the free seats (party_exceeds_free_seats, no_free_seats): choose with "
                                       "if_short and send again",
                        "content": {"application/json": {"schema": _CONFLICT}}}}}},
    "/bookings/{booking_id}": {
        "parameters": [{"name": "booking_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                       _TOKEN],
        "get": {"summary": "A booking's status (with its token)",
                "responses": {**_ok("Booking", {"type": "object", "properties": {
                    "id": {"type": "integer"},
                    "status": {"type": "string", "enum": ["confirmed", "waitlisted", "cancelled"]},
                    "slot_id": {"type": "integer"}, "party_size": {"type": "integer"},
                    "position": {"type": "integer", "nullable": True}}}), **_errors(404, 429)}},
        "delete": {"summary": "Cancel a booking (with its token); waiting parties that now fit are confirmed, "
                              "in order, in the same transaction",
                   "responses": {**_ok("Cancelled", {"type": "object", "properties": {
                       "status": {"type": "string", "enum": ["cancelled"]}, "promoted": {"type": "integer"}}}),
                       **_errors(404, 409, 429)}}},
}

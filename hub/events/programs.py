"""Organising Open Factory Week: editions (organisers), a factory's programs and their time slots (its members and
organisers). Services take the actor, flush and never commit; the booking engine is :mod:`hub.events.services`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from hub.auth.models import ROLE_ORGANISER, User
from hub.events.errors import BookingInvalid, BookingNotFound, ParticipationError, ParticipationNotAllowed
from hub.events.models import Booking, Edition, Program, Slot
from hub.events.services import (
    can_edit_program,
    confirmed_seats,
    is_participating,
    lock_slot,
    promote_waitlist,
)
from hub.extensions import db
from hub.factories.access import user_factory_id

PROGRAM_FIELDS = ("kind", "title", "title_en", "description")


def create_program(edition: Edition, actor: User, data: dict) -> Program:
    """A factory member adds a program (``PROGRAM_FIELDS``) for their factory, once its participation is
    approved. Raises :class:`ParticipationNotAllowed` / :class:`ParticipationError`."""
    factory_id = user_factory_id(actor)
    if factory_id is None:
        raise ParticipationNotAllowed("forbidden", _l("Only a factory's members can add its programs."))
    if not is_participating(edition, factory_id):
        raise ParticipationError("not_participating", _l(
            "Programs can be added once the organisers have approved your participation."))
    program = Program(edition_id=edition.id, factory_id=factory_id)
    update_program(program, actor, data)
    db.session.add(program)
    db.session.flush()
    return program


def update_program(program: Program, actor: User, data: dict) -> Program:
    """Change a program's ``PROGRAM_FIELDS`` (its factory's members and organisers)."""
    if program.factory_id is not None and not can_edit_program(actor, program):
        raise ParticipationNotAllowed("forbidden", _l("Only the factory's members and organisers can edit it."))
    for name in PROGRAM_FIELDS:
        if name in data:
            setattr(program, name, data[name])
    db.session.flush()
    return program


SLOT_FIELDS = ("starts_at", "ends_at", "capacity", "admission", "booking_opens_at", "booking_closes_at", "language",
               "accessibility", "min_age", "max_age", "fee_yen")  # the times in naive UTC


def _apply_slot(slot: Slot, data: dict) -> None:
    for name in SLOT_FIELDS:
        setattr(slot, name, data[name])
    slot.accessibility = (data["accessibility"] or "").strip()
    slot.fee_yen = data["fee_yen"] or 0


def add_slot(program: Program, actor: User, data: dict) -> Slot:
    """Add a time slot (``SLOT_FIELDS``) to a program (its factory's members and organisers)."""
    if not can_edit_program(actor, program):
        raise ParticipationNotAllowed("forbidden", _l("Only the factory's members and organisers can edit it."))
    slot = Slot(program=program)
    _apply_slot(slot, data)
    db.session.add(slot)
    db.session.flush()
    return slot


def update_slot(slot_id: int, actor: User, data: dict) -> list[Booking]:
    """Change a slot under its lock; the capacity never goes below the confirmed seats, and a larger one confirms
    the waiting parties that now fit (returned). Call through :func:`with_retry`."""
    slot = lock_slot(slot_id)
    if slot is None:
        raise BookingNotFound("not_found", _l("This slot does not exist."))
    if slot.program is None or not can_edit_program(actor, slot.program):
        raise ParticipationNotAllowed("forbidden", _l("Only the factory's members and organisers can edit it."))
    booked = confirmed_seats(slot.id)
    if data["capacity"] < booked:
        raise BookingInvalid("capacity_below_booked", _l(
            "%(n)s seats are already booked; the capacity cannot be lower.", n=booked), "capacity")
    _apply_slot(slot, data)
    db.session.flush()
    return promote_waitlist(slot)


EDITION_FIELDS = ("name", "name_en", "description", "starts_on", "ends_on", "applications_open_on",
                  "applications_close_on", "is_published")


def save_edition(edition: Edition | None, actor: User, data: dict) -> Edition:
    """An organiser creates or changes an edition (its days and application window)."""
    if actor.role != ROLE_ORGANISER:
        raise ParticipationNotAllowed("forbidden", _l("Only organisers manage editions."))
    edition = edition or Edition()
    for name in EDITION_FIELDS:
        setattr(edition, name, data[name])
    db.session.add(edition)
    db.session.flush()
    return edition

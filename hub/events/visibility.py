"""What visitors may see of Open Factory Week — THE one definition, usable in SQL (where-clauses, EXISTS) and in
Python (:func:`is_public_slot` evaluates the same clause for one slot): a slot is public when its programme's
factory takes part — its participation in the edition is approved, the factory is public (published and not held
for review) and the edition is published. The API's slot list and single slot, the pages and direct links all use
it (issue 10, finding 11)."""

from __future__ import annotations

from sqlalchemy.orm import aliased

from hub.events.models import Edition, Participation, ParticipationStatus, Program, Slot
from hub.extensions import db
from hub.factories.models import Factory


def takes_part(edition_id, factory_id):
    """EXISTS clause: the factory's participation in the edition is approved, the factory and the edition are
    published. ``edition_id`` and ``factory_id`` are values or columns (e.g. ``Program.edition_id``: the EXISTS
    then correlates)."""
    factory, edition = aliased(Factory), aliased(Edition)  # aliases: an outer Factory/Edition stays correlated
    return (db.select(Participation.id)
            .join(factory, factory.id == Participation.factory_id)
            .join(edition, edition.id == Participation.edition_id)
            .where(Participation.edition_id == edition_id, Participation.factory_id == factory_id,
                   Participation.status == ParticipationStatus.APPROVED, factory.is_public, edition.is_published)
            .exists())


def program_is_public():
    """Where-clause over ``Program``: its factory takes part (see :func:`takes_part`)."""
    return takes_part(Program.edition_id, Program.factory_id)


def slot_is_public():
    """Where-clause over ``Slot``: the slot belongs to a public programme (a pitch night's slot never does)."""
    program = aliased(Program)  # an alias: a Program joined in the outer query stays correlated
    return (db.select(program.id)
            .where(program.id == Slot.program_id, takes_part(program.edition_id, program.factory_id)).exists())


def public_slots():
    """``SELECT`` of the slots visitors may see and book (add filters and ordering)."""
    return db.select(Slot).where(slot_is_public())


def public_slot(slot_id: int) -> Slot | None:
    """The slot if visitors may see and book it, else None."""
    return db.session.scalar(public_slots().where(Slot.id == slot_id))


def is_public_slot(slot: Slot) -> bool:
    """The same rule for a loaded slot (evaluated by the database, so it cannot drift from the SQL)."""
    return slot.id is not None and bool(db.session.scalar(db.select(slot_is_public()).where(Slot.id == slot.id)))

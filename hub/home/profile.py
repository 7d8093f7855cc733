"""What the home domain adds to every factory profile and directory card: who may send the factory an inquiry
(and where an anonymous visitor signs in first), and the factory's Open Factory programmes."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from sqlalchemy.orm import selectinload

from hub.auth.models import ROLE_FACTORY, ROLE_SEEKER, User
from hub.core.actors import is_signed_in
from hub.core.timeutil import tokyo_today, utcnow
from hub.events import services as events_services
from hub.events.models import Edition, Program, Slot
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.factories.models import Factory

ASK_ROLES = (ROLE_SEEKER, ROLE_FACTORY)


def _my_factory_id(user: User) -> int | None:
    """The user's factory id, looked up once per request (the directory asks for every card)."""
    if "home_factory_id" not in g:
        g.home_factory_id = user_factory_id(user)
    return g.home_factory_id


def ask_state(user: User | None, factory: Factory) -> str | None:
    """"ask" (the user may send this factory an inquiry), "sign_in" (a visitor: sign in first), or None (an
    organiser, a successor, or the factory's own member)."""
    if not is_signed_in(user):
        return "sign_in"
    if user.role not in ASK_ROLES:
        return None
    if user.role == ROLE_FACTORY and _my_factory_id(user) == factory.id:
        return None
    return "ask"


@dataclass
class ProgrammeLine:
    program: Program
    slots: list[tuple[Slot, dict, str]]  # (slot, counts, booking state) of the slots still to come


def programmes(factory: Factory) -> list[ProgrammeLine]:
    """The factory's public Open Factory programmes of editions not yet over, with their coming slots."""
    rows = db.session.scalars(
        db.select(Program).join(Edition, Edition.id == Program.edition_id)
        .where(Program.factory_id == factory.id, Edition.ends_on >= tokyo_today(),
               events_services.takes_part(Program.edition_id, Program.factory_id))
        .options(selectinload(Program.slots)).order_by(Edition.starts_on, Program.id)).all()
    now = utcnow()
    coming = {p.id: [s for s in p.slots if s.ends_at >= now] for p in rows}
    counts = events_services.slot_counts([s.id for slots in coming.values() for s in slots])
    return [ProgrammeLine(p, [(s, counts[s.id], events_services.booking_state(s, now)) for s in coming[p.id]])
            for p in rows]

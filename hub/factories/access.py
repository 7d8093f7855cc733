"""The one accessor for "the user's factory": every domain asks here, never writes its own query."""

from __future__ import annotations

from sqlalchemy import select

from hub.auth.models import ROLE_FACTORY, User
from hub.core.actors import is_signed_in
from hub.extensions import db
from hub.factories.models import Factory


def _organisation_of(user: User | None) -> int | None:
    """The organisation whose factory this user works for: signed-in factory members only."""
    if not is_signed_in(user) or user.role != ROLE_FACTORY or user.organisation_id is None:
        return None
    return user.organisation_id


def user_factory(user: User | None) -> Factory | None:
    """The factory a factory-role user works for (through their organisation; one factory per organisation)."""
    organisation_id = _organisation_of(user)
    if organisation_id is None:
        return None
    return db.session.scalar(select(Factory).where(Factory.organisation_id == organisation_id))


def user_factory_id(user: User | None) -> int | None:
    """The id of :func:`user_factory` without loading the row; remembered on the user object for its
    organisation (a factory never changes organisation), so permission checks in a loop query once."""
    organisation_id = _organisation_of(user)
    if organisation_id is None:
        return None
    cached = getattr(user, "_hub_factory_id", None)
    if cached is not None and cached[0] == organisation_id:
        return cached[1]
    factory_id = db.session.scalar(select(Factory.id).where(Factory.organisation_id == organisation_id))
    if factory_id is not None:
        user._hub_factory_id = (organisation_id, factory_id)
    return factory_id

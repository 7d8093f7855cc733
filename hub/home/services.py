"""The home page of each role: one function per role returns what its template shows. Reads only; never writes.

The sections are built from the other domains' public services and models (see ``Domain.uses`` of ``home``);
each builder lives in its own module (:mod:`hub.home.factory`, :mod:`hub.home.seeker`,
:mod:`hub.home.successor`, :mod:`hub.home.organiser`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from hub.auth.models import ROLE_FACTORY, ROLE_ORGANISER, ROLE_SEEKER, ROLE_SUCCESSOR, User
from hub.core.actors import is_signed_in

HOME_ROLES = (ROLE_FACTORY, ROLE_SEEKER, ROLE_SUCCESSOR, ROLE_ORGANISER)


def answer_days() -> int:
    """Days within which a factory should answer an inquiry (``HOME_ANSWER_DAYS``); older ones are "overdue"."""
    return int(current_app.config.get("HOME_ANSWER_DAYS") or 2)


def waited(since: datetime | None, now: datetime) -> timedelta:
    """How long something has waited (never negative)."""
    return max(now - since, timedelta(0)) if since else timedelta(0)


def home_for(user: User, lang: str) -> tuple[str, dict]:
    """(the role's template name, its sections) for a signed-in user."""
    if not is_signed_in(user) or user.role not in HOME_ROLES:
        raise ValueError("no home for this user")
    if user.role == ROLE_FACTORY:
        from hub.home import factory

        return "factory", factory.sections(user, lang)
    if user.role == ROLE_SEEKER:
        from hub.home import seeker

        return "seeker", seeker.sections(user, lang)
    if user.role == ROLE_SUCCESSOR:
        from hub.home import successor

        return "successor", successor.sections(user, lang)
    from hub.home import organiser

    return "organiser", organiser.sections(user, lang)

"""Tell the people of a pair what happened: a proposal waiting for their answer, the organiser's confirmation, the
certification. Emails are queued (the view commits and delivers); people without an account are told by the
organiser, and a junior without one through their factory's members."""

from __future__ import annotations

from hub.auth.identity import external_url
from hub.auth.models import ROLE_FACTORY, User
from hub.extensions import db
from hub.factories.models import Factory
from hub.mail.services import queue_email
from hub.people.models import Pair


def master_users(pair: Pair) -> list[User]:
    return [pair.master.user] if pair.master.user_id else []


def junior_users(pair: Pair) -> list[User]:
    """The junior, or — for an employee without an account — the members of their factory."""
    junior = pair.junior
    if junior.user_id:
        return [db.session.get(User, junior.user_id)]
    if junior.employer_id is None:
        return []
    organisation_id = db.session.scalar(db.select(Factory.organisation_id).where(Factory.id == junior.employer_id))
    if organisation_id is None:
        return []
    return list(db.session.scalars(db.select(User).where(User.organisation_id == organisation_id,
                                                         User.role == ROLE_FACTORY, User.is_active_account)))


def _send(users: list[User], kind: str, pair: Pair, actor=None) -> None:
    link = external_url("people.pair", pair_id=pair.id)
    for user in users:
        if actor is not None and user.id == actor.id:
            continue
        queue_email(user.email, f"people_{kind}", user.locale, template=f"people/mail/{kind}.txt", user=user,
                    pair=pair, link=link)


def proposed(pair: Pair, actor) -> None:
    """A pair was proposed: the side that has not accepted yet is asked to answer."""
    if pair.master_accepted_at is None:
        _send(master_users(pair), "proposed", pair, actor)
    if pair.junior_accepted_at is None:
        _send(junior_users(pair), "proposed", pair, actor)


def confirmed(pair: Pair) -> None:
    """The organiser confirmed the pair: both sides may start and log training."""
    _send(master_users(pair) + junior_users(pair), "confirmed", pair)


def certified(pair: Pair) -> None:
    """The junior was certified: both sides get the link to the certificate."""
    _send(master_users(pair) + junior_users(pair), "certified", pair)

"""Quote and order notifications: rows in the deals' notification list (so the inbox badge and the daily digest
carry them), emails by each person's deal email settings, and the sentence each one reads as."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from hub.auth.models import User
from hub.deals.models import Deal, EmailState, Notification, NotificationPreference
from hub.deals.services import factory_members, preferences, requester_side_users
from hub.extensions import db
from hub.mail.services import queue_email

# Which of the deal email settings (see deals/preferences) governs each kind.
SETTING = {"quote_new": "answer", "quote_revised": "answer", "quote_accepted": "outcome",
           "quote_not_chosen": "outcome", "order_acknowledged": "status", "order_delivered": "status",
           "quote_expired": "status"}
KINDS = tuple(SETTING)


def link(path_endpoint: str, **values) -> str:
    """An absolute link for emails; outside a request (the expiry command) from PUBLIC_BASE_URL."""
    try:
        return url_for(path_endpoint, _external=True, **values)
    except RuntimeError:
        base = current_app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        with current_app.test_request_context(base_url=base):
            return url_for(path_endpoint, _external=True, **values)


def notify(users, deal: Deal, kind: str, actor: User | None, params: dict, url: str) -> int:
    """Tell each user (but the actor) in the site, and by email now, in the digest or not, as they chose."""
    users = [u for u in {u.id: u for u in users}.values() if actor is None or u.id != actor.id]
    if not users:
        return 0
    prefs = {p.user_id: p for p in db.session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id.in_([u.id for u in users])))}
    params = {"deal_title": deal.title, "actor": actor.name if actor else "", "url": url, **params}
    for user in users:
        mode = getattr(prefs.get(user.id) or preferences(user), SETTING[kind])
        note = Notification(user_id=user.id, deal_id=deal.id, kind=kind, params=params,
                            email_state=EmailState.PENDING if mode == "digest" else EmailState.SKIPPED)
        if mode == "instant" and user.is_active_account:
            queue_email(user.email, f"quotes_{kind}", user.locale, template=f"quotes/mail/{kind}.txt", user=user,
                        params=params, link=url)
            note.email_state = EmailState.SENT
        db.session.add(note)
    db.session.flush()
    return len(users)


def factory_users(factory_id: int) -> list[User]:
    return factory_members([factory_id]).get(factory_id, [])


def requester_users(deal: Deal) -> list[User]:
    return requester_side_users(deal)


def text(note: Notification) -> str | None:
    """A quote or order notification as one sentence in the reader's language (None: not ours)."""
    p = note.params or {}
    title, factory, number = p.get("deal_title", ""), p.get("factory", ""), p.get("number", "")
    if note.kind == "quote_new":
        return _("New quote %(number)s from %(factory)s: %(title)s", number=number, factory=factory, title=title)
    if note.kind == "quote_revised":
        return _("%(factory)s revised quote %(number)s: %(title)s", number=number, factory=factory, title=title)
    if note.kind == "quote_accepted":
        return _("Your quote %(number)s was accepted; order %(order)s: %(title)s", number=number,
                 order=p.get("order", ""), title=title)
    if note.kind == "quote_not_chosen":
        return _("Thank you for quote %(number)s; another offer was chosen this time: %(title)s", number=number,
                 title=title)
    if note.kind == "order_acknowledged":
        return _("%(factory)s acknowledged order %(order)s: %(title)s", factory=factory, order=p.get("order", ""),
                 title=title)
    if note.kind == "order_delivered":
        return _("%(factory)s delivered order %(order)s: %(title)s", factory=factory, order=p.get("order", ""),
                 title=title)
    if note.kind == "quote_expired":
        return _("Quote %(number)s expired: %(title)s", number=number, title=title)
    return None

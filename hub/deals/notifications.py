"""Deal notifications: in-app rows, email by each user's preference, and the daily digest."""

from __future__ import annotations

from collections import defaultdict

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.auth.models import User
from hub.core.timeutil import utcnow
from hub.deals.models import (
    EMAIL_MODES,
    NOTIFICATION_KINDS,
    Deal,
    DealStep,
    EmailState,
    Notification,
    NotificationPreference,
)
from hub.deals.rules import factory_members
from hub.extensions import db
from hub.mail.services import queue_email

# --- notifications -----------------------------------------------------------------------------------------------

def preferences(user: User) -> NotificationPreference:
    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        pref = NotificationPreference(user_id=user.id)
        for kind in NOTIFICATION_KINDS:
            setattr(pref, kind, NotificationPreference.__table__.c[kind].default.arg)
    return pref


def save_preferences(user: User, choices: dict[str, str]) -> NotificationPreference:
    pref = db.session.get(NotificationPreference, user.id) or NotificationPreference(user_id=user.id)
    for kind in NOTIFICATION_KINDS:
        value = choices.get(kind)
        if value in EMAIL_MODES:
            setattr(pref, kind, value)
    pref.updated_at = utcnow()
    db.session.add(pref)
    db.session.flush()
    return pref


def deal_link(deal_id: int | None) -> str:
    """An absolute link for emails; outside a request (the digest command) from PUBLIC_BASE_URL."""
    endpoint_kwargs = {"deal_id": deal_id} if deal_id else {}
    endpoint = "deals.detail" if deal_id else "deals.inbox"
    try:
        return url_for(endpoint, _external=True, **endpoint_kwargs)
    except RuntimeError:
        base = current_app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        return base + (f"/deals/{deal_id}" if deal_id else "/deals/")


def notify(users, deal: Deal, kind: str, actor: User | None, params: dict | None = None) -> list[Notification]:
    """Tell each user (except the actor) in the site, and by email as they chose: now, in the digest, or not."""
    made = []
    params = {"deal_title": deal.title, "actor": actor.name if actor else "", **(params or {})}
    prefs = {p.user_id: p for p in db.session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id.in_([u.id for u in users])))} if users else {}
    for user in users:
        if actor is not None and user.id == actor.id:
            continue
        mode = getattr(prefs.get(user.id) or preferences(user), kind)
        note = Notification(user_id=user.id, deal_id=deal.id, kind=kind, params=params,
                            email_state=EmailState.PENDING if mode == "digest" else EmailState.SKIPPED)
        if mode == "instant":
            queue_email(user.email, f"deals_{kind}", user.locale, template=f"deals/mail/{kind}.txt",
                        user=user, params=params, link=deal_link(deal.id))
            note.email_state = EmailState.SENT
        db.session.add(note)
        made.append(note)
    db.session.flush()
    return made


def step_params(deal: Deal, step: DealStep) -> dict:
    """Which step of a chain an event is about (its position of how many, and its process), for notifications and
    emails; nothing for a one-step inquiry."""
    if deal.kind != "chain":
        return {}
    return {"step": step.position, "steps_total": max((s.position for s in deal.steps), default=step.position),
            "process": step.process_code or "", "input": step.input_text or ""}


def request_summary(step: DealStep) -> dict:
    """What was asked of one step, as the factory's email states it (stored with the notification)."""
    return {"position": step.position, "process": step.process_code or "", "input": step.input_text or "",
            "quantity": step.quantity, "due_date": step.due_date.isoformat() if step.due_date else None,
            "material": step.material or "", "note": step.message or "",
            "drawings": [d.original_name for d in step.drawings]}


def notify_factory(deal: Deal, step: DealStep, actor: User, steps: list[DealStep] | None = None) -> None:
    """Tell a factory's members about a request: what is asked of each of its ``steps`` (default: ``step``)."""
    members = factory_members([step.factory_id]).get(step.factory_id, [])
    notify(members, deal, "inquiry", actor, {"factory": step.factory.name, "requester": actor.name,
                                             "requests": [request_summary(s) for s in steps or [step]],
                                             **step_params(deal, step)})


def send_digests() -> int:
    """Bundle every notification waiting for the digest into one email per person; returns the emails queued."""
    pending = db.session.scalars(
        select(Notification).where(Notification.email_state == EmailState.PENDING)
        .options(selectinload(Notification.user)).order_by(Notification.user_id, Notification.id)
    ).all()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for note in pending:
        by_user[note.user_id].append(note)
    for notes in by_user.values():
        user = notes[0].user
        if user.is_active_account:
            queue_email(user.email, "deals_digest", user.locale, template="deals/mail/digest.txt", user=user,
                        notes=[(n, deal_link(n.deal_id)) for n in notes], link=deal_link(None))
        for note in notes:
            note.email_state = EmailState.SENT
    db.session.flush()
    return len(by_user)

"""Fixtures for the events domain: an edition with an approved factory, a program and slots."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hub.extensions import db


@pytest.fixture
def of(app, make_factory, make_user):
    """of(capacity=8, starts_in=timedelta(days=2), **slot fields) → dict of ids: edition, factory, program, slot,
    member (a factory user of that factory)."""

    def make(capacity: int = 8, starts_in: timedelta = timedelta(days=2), duration=timedelta(hours=1), **fields):
        from hub.core.timeutil import tokyo_today, utcnow
        from hub.events.models import Edition, Participation, Program, Slot

        factory_id = make_factory(name="見学製作所", name_en="Kengaku Works", address="東京都大田区1-2-3")
        member = make_user(role="factory", factory=factory_id)
        with app.app_context():
            today = tokyo_today()
            edition = Edition(name="オープンファクトリー2026", name_en="Open Factory 2026", starts_on=today,
                              ends_on=today + timedelta(days=5), applications_open_on=today - timedelta(days=10),
                              applications_close_on=today + timedelta(days=3))
            db.session.add(edition)
            db.session.flush()
            db.session.add(Participation(edition_id=edition.id, factory_id=factory_id, status="approved"))
            program = Program(edition_id=edition.id, factory_id=factory_id, kind="tour", title="旋盤の見学",
                              title_en="Lathe tour")
            start = (utcnow() + starts_in).replace(microsecond=0)
            slot = Slot(program=program, starts_at=start, ends_at=start + duration, capacity=capacity, **fields)
            db.session.add_all([program, slot])
            db.session.commit()
            return {"edition": edition.id, "factory": factory_id, "program": program.id, "slot": slot.id,
                    "member": member}

    return make


@pytest.fixture
def add_slot(app):
    """add_slot(program_id, starts_at, hours=1, capacity=8) → slot id."""

    def make(program_id: int, starts_at: datetime, hours: float = 1, capacity: int = 8, **fields) -> int:
        from hub.events.models import Slot

        with app.app_context():
            slot = Slot(program_id=program_id, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
                        capacity=capacity, **fields)
            db.session.add(slot)
            db.session.commit()
            return slot.id

    return make


@pytest.fixture
def book_api(client):
    """book_api(slot_id, email, party_size=1, name="…") → response."""

    def book(slot_id: int, email: str, party_size: int = 1, name: str = "来場 太郎", **extra):
        return client.post(f"/api/v1/openfactory/slots/{slot_id}/bookings",
                           json={"name": name, "email": email, "party_size": party_size, **extra})

    return book


@pytest.fixture
def outbox(app):
    """outbox(kind=None, recipient=None) → list of (recipient, kind, subject, body, locale), oldest first."""

    def read(kind: str | None = None, recipient: str | None = None):
        from hub.mail.models import EmailMessage

        with app.app_context():
            query = db.select(EmailMessage).order_by(EmailMessage.id)
            if kind:
                query = query.where(EmailMessage.kind == kind)
            if recipient:
                query = query.where(EmailMessage.recipient == recipient)
            return [(m.recipient, m.kind, m.subject, m.body_text, m.locale) for m in db.session.scalars(query)]

    return read

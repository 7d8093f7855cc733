"""Training: the log of sessions (confirmed by both sides), progress against the plan, and certification with a
verification code anyone can check."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from hub.core.timeutil import tokyo_today, utcnow
from hub.extensions import db
from hub.people.errors import Invalid, NotAllowed, PeopleError
from hub.people.models import Certificate, Milestone, Pair, PairStatus, SessionPhoto, TrainingSession
from hub.people.services import acts_for_junior, acts_for_master, is_organiser

MAX_HOURS_A_DAY = Decimal(12)
# Verification codes: no 0/O, 1/I/L, so that a code read off paper is typed right.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def log_session(actor, pair: Pair, held_on: date, hours: Decimal, skills: list[str], notes: str,
                photos=()) -> TrainingSession:
    """Either side logs a session of an active pair; the logging side's confirmation is given with it."""
    master_side, junior_side = acts_for_master(actor, pair), acts_for_junior(actor, pair)
    if not (master_side or junior_side):
        raise NotAllowed("not_allowed", _l("Only the master and the junior's side log training."))
    if pair.status != PairStatus.ACTIVE:
        raise PeopleError("not_active", _l("Training is logged while the pair is active."))
    if held_on > tokyo_today() or (pair.started_on and held_on < pair.started_on):
        raise Invalid("bad_date", _l("The date must be between the pair's start and today."), "held_on")
    if not (Decimal("0.25") <= hours <= MAX_HOURS_A_DAY):
        raise Invalid("bad_hours", _l("Between 0.25 and 12 hours."), "hours")
    session = TrainingSession(pair=pair, held_on=held_on, hours=hours, skills=list(skills) or [pair.process_code],
                              notes=notes or "", created_by_id=actor.id)
    now = utcnow()
    if master_side:
        session.master_confirmed_at = now
    if junior_side:
        session.junior_confirmed_at = now
    session.photos = [SessionPhoto(stored_name=p.stored_name, size_bytes=p.size_bytes) for p in photos]
    db.session.add(session)
    db.session.flush()
    return session


def confirm_session(actor, session: TrainingSession) -> TrainingSession:
    """The other side confirms a session (the hours then count toward the plan and the allowance)."""
    pair = session.pair
    master_side, junior_side = acts_for_master(actor, pair), acts_for_junior(actor, pair)
    if not (master_side or junior_side):
        raise NotAllowed("not_allowed", _l("Only the master and the junior's side confirm training."))
    now = utcnow()
    if master_side and session.master_confirmed_at is None:
        session.master_confirmed_at = now
    if junior_side and session.junior_confirmed_at is None:
        session.junior_confirmed_at = now
    db.session.flush()
    return session


@dataclass(frozen=True)
class Progress:
    confirmed_hours: Decimal
    pending_hours: Decimal
    target_hours: int
    reached: int
    milestones: int

    @property
    def percent(self) -> int:
        """Confirmed hours against the plan's hours (at most 100)."""
        if self.target_hours <= 0:
            return 0
        return min(100, int(self.confirmed_hours * 100 / self.target_hours))


def progress(pair: Pair) -> Progress:
    confirmed = sum((s.hours for s in pair.sessions if s.is_confirmed), Decimal(0))
    pending = sum((s.hours for s in pair.sessions if not s.is_confirmed), Decimal(0))
    return Progress(confirmed, pending, sum(m.target_hours for m in pair.milestones),
                    sum(1 for m in pair.milestones if m.reached_on), len(pair.milestones))


def mark_reached(actor, milestone: Milestone, reached: bool = True) -> Milestone:
    """An organiser marks a milestone of an active pair reached (or not yet)."""
    if not is_organiser(actor):
        raise NotAllowed("not_allowed", _l("Only organisers mark milestones."))
    if milestone.pair.status != PairStatus.ACTIVE:
        raise PeopleError("not_active", _l("Only an active pair's plan changes."))
    milestone.reached_on = tokyo_today() if reached else None
    db.session.flush()
    return milestone


def new_code() -> str:
    """A verification code such as ``MJ-7K3Q-XW9D-2HPN`` (60 bits of randomness)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"MJ-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def certify(actor, pair: Pair, milestone: Milestone) -> Certificate:
    """An organiser certifies the junior at a milestone of the plan (マイスター・ジュニア): the milestone is reached,
    the pair is certified today and counts toward ``meister_pairs``; the certificate gets its verification code."""
    if not is_organiser(actor):
        raise NotAllowed("not_allowed", _l("Only organisers certify."))
    if pair.status != PairStatus.ACTIVE:
        raise PeopleError("not_active", _l("Only an active pair can be certified."))
    if milestone.pair_id != pair.id:
        raise Invalid("bad_milestone", _l("Choose a milestone of this pair's plan."), "milestone_id")
    if progress(pair).confirmed_hours <= 0:
        raise PeopleError("no_training", _l("The pair has no confirmed training yet."))
    today = tokyo_today()
    milestone.reached_on = milestone.reached_on or today
    pair.status, pair.certified_on = PairStatus.CERTIFIED, today
    code = new_code()
    while db.session.scalar(db.select(Certificate.id).where(Certificate.code == code)) is not None:
        code = new_code()
    certificate = Certificate(pair=pair, code=code, milestone_title=milestone.title,
                              milestone_title_en=milestone.title_en or "", junior_name=pair.junior.name,
                              master_name=pair.master.name, process_code=pair.process_code, certified_on=today,
                              issued_by_id=actor.id)
    db.session.add(certificate)
    db.session.flush()
    return certificate


def normalise_code(text: str) -> str:
    """What a person types (lower case, spaces, full-width, no dashes) as a stored code."""
    import unicodedata

    raw = "".join(ch for ch in unicodedata.normalize("NFKC", text or "").upper() if ch.isalnum())
    if raw.startswith("MJ"):
        raw = raw[2:]
    return f"MJ-{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else ""


def find_certificate(text: str) -> Certificate | None:
    code = normalise_code(text)
    if not code:
        return None
    return db.session.scalar(db.select(Certificate).where(Certificate.code == code))

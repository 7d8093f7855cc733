"""Push-style outreach (プッシュ型事業承継支援), for organisers: factories likely to need a successor, ranked by risk,
and the dated visit log of each. Services add and flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from hub.auth.models import User
from hub.extensions import db
from hub.factories.models import Factory
from hub.succession.models import OutreachRecord, OutreachStep
from hub.succession.services import SuccessionError, is_organiser

STAGE_DATE = {"contacted": "contacted_on", "visited": "visited_on", "plan_drafted": "plan_drafted_on",
              "plan_complete": "plan_completed_on"}
STAGE_ORDER = ("candidate", "contacted", "visited", "plan_drafted", "plan_complete")


def owner_age(factory: Factory, today: date | None = None) -> int | None:
    if factory.owner_birth_year is None:
        return None
    return (today or date.today()).year - factory.owner_birth_year


def risk(factory: Factory, today: date | None = None) -> int:
    """0–5: older owners and no recorded successor first."""
    age = owner_age(factory, today)
    points = 0 if age is None else (3 if age >= 80 else 2 if age >= 75 else 1 if age >= 70 else 0)
    points += {"none": 2, "undecided": 1, None: 1}.get(factory.successor_status, 0)
    return points


@dataclass
class Candidate:
    factory: Factory
    age: int | None
    risk: int
    record: OutreachRecord | None


def outreach_candidates(*, ward: str | None = None, stage: str | None = None, min_age: int | None = None,
                        include_all: bool = False) -> list[Candidate]:
    """Factories likely to need succession support (or already in outreach), most at risk first."""
    if min_age is not None and min_age <= 0:
        min_age = None
    records = {r.factory_id: r for r in db.session.scalars(db.select(OutreachRecord))}
    query = db.select(Factory).options(db.selectinload(Factory.organisation))
    if ward:
        query = query.where(Factory.ward == ward)
    today = date.today()
    out = []
    for factory in db.session.scalars(query.order_by(Factory.name, Factory.id)):
        record = records.get(factory.id)
        age = owner_age(factory, today)
        likely = factory.successor_status in ("none", "undecided") or (age is not None and age >= 70)
        if not (likely or record is not None or include_all):
            continue
        if min_age is not None and (age is None or age < min_age):
            continue
        current = record.stage if record is not None else "candidate"
        if stage and current != stage:
            continue
        out.append(Candidate(factory, age, risk(factory, today), record))
    out.sort(key=lambda c: (-c.risk, -(c.age or 0), c.factory.name))
    return out


def outreach_record(factory: Factory, actor: User) -> OutreachRecord:
    if not is_organiser(actor):
        raise SuccessionError(_("Only organisers can do this."))
    record = db.session.scalar(db.select(OutreachRecord).where(OutreachRecord.factory_id == factory.id))
    if record is None:
        record = OutreachRecord(factory_id=factory.id, organiser_id=actor.id, stage="candidate")
        db.session.add(record)
        db.session.flush()
    return record


def add_outreach_step(record: OutreachRecord, actor: User, stage: str, on: date, note: str = "") -> OutreachStep:
    """Record a dated step (or a note with stage "note"); the record's stage only moves forward."""
    if not is_organiser(actor):
        raise SuccessionError(_("Only organisers can do this."))
    if stage not in STAGE_DATE and stage != "note":
        raise SuccessionError(_("Unknown step."))
    if stage == "note" and not note.strip():
        raise SuccessionError(_("Please write the note."))
    step = OutreachStep(record=record, stage=stage, happened_on=on, note=note.strip()[:5000], author_id=actor.id)
    db.session.add(step)
    if stage in STAGE_DATE:
        setattr(record, STAGE_DATE[stage], on)
        if STAGE_ORDER.index(stage) > STAGE_ORDER.index(record.stage):
            record.stage = stage
    if record.organiser_id is None:
        record.organiser_id = actor.id
    db.session.flush()
    return step


def plans_completed(year: int) -> int:
    return db.session.scalar(db.select(db.func.count(OutreachRecord.id)).where(
        OutreachRecord.plan_completed_on >= date(year, 1, 1),
        OutreachRecord.plan_completed_on <= date(year, 12, 31))) or 0

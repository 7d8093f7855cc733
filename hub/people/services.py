"""Masters, juniors and their pairs: who may see and act on what, registration, pairing suggestions through the
matching library's taxonomy and ward distances, and the accept → confirm flow.

Services take the acting user, add and flush, never commit (the views do).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from hub.auth.models import ROLE_ORGANISER
from hub.core.actors import is_signed_in
from hub.core.timeutil import tokyo_today, utcnow
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.people.errors import Invalid, NotAllowed, PeopleError
from hub.people.models import (
    Junior,
    JuniorKind,
    Master,
    MasterSkill,
    Milestone,
    Pair,
    PairStatus,
    PlanTemplate,
    ProgrammeSettings,
)
from matching import WARDS, Taxonomy, haversine_km

MASTER_FIELDS = ("name", "ward", "travel_km", "days_per_month", "is_retired", "bio", "max_juniors")
JUNIOR_FIELDS = ("name", "kind", "school", "ward", "goals", "days_per_month", "notes")
# Pairs that hold one of the master's places.
HOLDING = (PairStatus.PROPOSED, PairStatus.ACTIVE)


def is_organiser(user) -> bool:
    return is_signed_in(user) and user.role == ROLE_ORGANISER


# --- who is who ----------------------------------------------------------------------------------------------------

def master_of(user) -> Master | None:
    """The master profile of this account, if it has one."""
    if not is_signed_in(user):
        return None
    return db.session.scalar(db.select(Master).where(Master.user_id == user.id))


def junior_of(user) -> Junior | None:
    """The junior profile of this account, if it has one."""
    if not is_signed_in(user):
        return None
    return db.session.scalar(db.select(Junior).where(Junior.user_id == user.id))


def can_edit_master(user, master: Master) -> bool:
    return is_organiser(user) or (is_signed_in(user) and master.user_id == user.id)


def can_edit_junior(user, junior: Junior) -> bool:
    """The junior, an organiser, or a member of the junior's employer."""
    if is_organiser(user) or (is_signed_in(user) and junior.user_id == user.id):
        return True
    return junior.employer_id is not None and user_factory_id(user) == junior.employer_id


def is_master_side(user, pair: Pair) -> bool:
    return is_signed_in(user) and pair.master.user_id == user.id


def is_junior_side(user, pair: Pair) -> bool:
    """The junior themself, or a member of the junior's factory (which accepts and confirms for its employee)."""
    if not is_signed_in(user):
        return False
    junior = pair.junior
    return junior.user_id == user.id or (junior.employer_id is not None
                                         and user_factory_id(user) == junior.employer_id)


def acts_for_master(user, pair: Pair) -> bool:
    """The master — or an organiser, when the master has no account (registered by the office, or a pair recorded
    before the hub ran the programme): someone must answer and confirm for them."""
    return is_master_side(user, pair) or (is_organiser(user) and pair.master.user_id is None)


def acts_for_junior(user, pair: Pair) -> bool:
    """The junior's side — or an organiser, when the junior has neither an account nor a member factory."""
    return is_junior_side(user, pair) or (is_organiser(user) and pair.junior.user_id is None
                                          and pair.junior.employer_id is None)


def can_view_pair(user, pair: Pair) -> bool:
    """The pair, its plan, its training log and its allowance: both sides and organisers only."""
    return is_organiser(user) or is_master_side(user, pair) or is_junior_side(user, pair)


def pairs_for(user) -> list[Pair]:
    """Every pair this user is a side of (newest first)."""
    if not is_signed_in(user):
        return []
    factory_id = user_factory_id(user)
    condition = db.or_(Master.user_id == user.id, Junior.user_id == user.id)
    if factory_id is not None:
        condition = db.or_(condition, Junior.employer_id == factory_id)
    return list(db.session.scalars(
        db.select(Pair).join(Pair.master).join(Pair.junior).where(condition)
        .options(db.selectinload(Pair.master), db.selectinload(Pair.junior)).order_by(Pair.id.desc())))


def juniors_managed_by(user) -> list[Junior]:
    """The juniors this user may act for: their own profile and their factory's employees."""
    if not is_signed_in(user):
        return []
    factory_id = user_factory_id(user)
    condition = Junior.user_id == user.id
    if factory_id is not None:
        condition = db.or_(condition, Junior.employer_id == factory_id)
    return list(db.session.scalars(db.select(Junior).where(condition).order_by(Junior.id)))


# --- settings --------------------------------------------------------------------------------------------------------

def settings() -> ProgrammeSettings:
    """The programme's settings row (made on first use)."""
    row = db.session.get(ProgrammeSettings, 1)
    if row is None:
        row = ProgrammeSettings(id=1)
        db.session.add(row)
        db.session.flush()
    return row


def master_limit(master: Master) -> int:
    return master.max_juniors if master.max_juniors is not None else settings().max_juniors_per_master


def places_taken(master: Master) -> int:
    return int(db.session.scalar(db.select(db.func.count(Pair.id)).where(
        Pair.master_id == master.id, Pair.status.in_(HOLDING))) or 0)


# --- registration ----------------------------------------------------------------------------------------------------

def save_master(actor, master: Master | None, data: dict, skills: list[dict]) -> Master:
    """Register or update a master: an account registers itself, an organiser registers anyone (no account)."""
    if master is None:
        if not is_organiser(actor):
            if master_of(actor) is not None:
                raise PeopleError("exists", _l("You are already registered as a master."))
            master = Master(user_id=actor.id)
        else:
            master = Master()
        master.created_by_id = actor.id
        db.session.add(master)
    elif not can_edit_master(actor, master):
        raise NotAllowed("not_allowed", _l("You may not edit this master."))
    for name in MASTER_FIELDS:
        if name in data and (name != "max_juniors" or is_organiser(actor)):  # the limit is the organisers' to set
            setattr(master, name, data[name])
    codes = [s["process_code"] for s in skills]
    if not codes:
        raise Invalid("no_skill", _l("Name at least one skill."), "skills")
    if len(set(codes)) != len(codes):
        raise Invalid("duplicate_skill", _l("Each skill only once."), "skills")
    existing = {s.process_code: s for s in master.skills}
    master.skills = [_skill(existing.get(s["process_code"]), s) for s in skills]
    db.session.flush()
    return master


def _skill(row: MasterSkill | None, data: dict) -> MasterSkill:
    row = row or MasterSkill(process_code=data["process_code"])
    row.years, row.level = int(data["years"]), int(data["level"])
    return row


def save_junior(actor, junior: Junior | None, data: dict, *, is_self: bool = True,
                employer_id: int | None = None) -> Junior:
    """Register or update a junior. A factory member registers an employee of their own factory (or themselves);
    a student or apprentice registers themselves; an organiser registers anyone."""
    if junior is None:
        junior = Junior(created_by_id=actor.id)
        factory_id = user_factory_id(actor)
        if is_organiser(actor):
            junior.employer_id = employer_id
        else:
            junior.employer_id = factory_id
            if is_self or factory_id is None:
                if junior_of(actor) is not None:
                    raise PeopleError("exists", _l("You are already registered as a junior."))
                junior.user_id = actor.id
        db.session.add(junior)
    elif not can_edit_junior(actor, junior):
        raise NotAllowed("not_allowed", _l("You may not edit this junior."))
    elif is_organiser(actor):
        junior.employer_id = employer_id
    for name in JUNIOR_FIELDS:
        if name in data:
            setattr(junior, name, data[name])
    if junior.kind == JuniorKind.EMPLOYEE and junior.employer_id is None:
        raise Invalid("no_employer", _l("An employee needs the member factory they work for."), "kind")
    if not junior.goals:
        raise Invalid("no_goal", _l("Name at least one process to learn."), "goals")
    db.session.flush()
    return junior


# --- suggestions -----------------------------------------------------------------------------------------------------

@dataclass
class Suggestion:
    """A master for a junior's goal, with a score in [0, 1] and the reasons (message key + values)."""

    master: Master
    process_code: str
    score: float
    reasons: list[dict] = field(default_factory=list)


def ward_distance_km(a: str, b: str) -> float | None:
    """Between two ward centres (the matching library's ward table); None when a ward is unknown."""
    wa, wb = WARDS.get(a or ""), WARDS.get(b or "")
    if wa is None or wb is None:
        return None
    return haversine_km(wa.lat, wa.lon, wb.lat, wb.lon)


def _best_skill(master: Master, goals: list[str]) -> tuple[float, str, MasterSkill] | None:
    taxonomy = Taxonomy.default()
    best = None
    for goal in goals:
        for skill in master.skills:
            credit = taxonomy.process_similarity(goal, skill.process_code)
            if credit > 0 and (best is None or credit > best[0]):
                best = (credit, goal, skill)
    return best


def _score(master: Master, junior: Junior, found: tuple[float, str, MasterSkill], free: int) -> Suggestion:
    credit, goal, skill = found
    reasons = [{"key": "skill", "process": skill.process_code, "goal": goal, "years": skill.years,
                "level": skill.level, "exact": credit >= 1.0}]
    km = ward_distance_km(master.ward, junior.ward)
    if km is None:
        reach = 0.5
    else:
        reach = 1.0 if km <= master.travel_km else max(0.0, 1 - (km - master.travel_km) / 20)
        reasons.append({"key": "distance", "km": round(km, 1), "travel": master.travel_km})
    days = min(master.days_per_month, junior.days_per_month)
    reasons.append({"key": "days", "days": days})
    reasons.append({"key": "places", "free": free})
    score = 0.55 * credit + 0.15 * (skill.level / 5) + 0.2 * reach + 0.1 * min(days, 4) / 4
    return Suggestion(master, goal, round(score, 3), reasons)


def suggestions(junior: Junior, limit: int = 10) -> list[Suggestion]:
    """Masters for this junior, best first: skills against goals (taxonomy similarity), ward distance against the
    master's travel radius, days both can give, and places left under the master's limit."""
    taken_by_master = dict(db.session.execute(
        db.select(Pair.master_id, db.func.count(Pair.id)).where(Pair.status.in_(HOLDING)).group_by(Pair.master_id)
    ).all())
    paired = set(db.session.scalars(db.select(Pair.master_id).where(
        Pair.junior_id == junior.id, Pair.status.in_(HOLDING))))
    default_limit = settings().max_juniors_per_master
    out = []
    masters = db.session.scalars(db.select(Master).options(db.selectinload(Master.skills)))
    for master in masters:
        if master.id in paired or (junior.user_id is not None and master.user_id == junior.user_id):
            continue
        limit_for = master.max_juniors if master.max_juniors is not None else default_limit
        free = limit_for - taken_by_master.get(master.id, 0)
        if free <= 0 or master.days_per_month <= 0:
            continue
        found = _best_skill(master, list(junior.goals or []))
        if found is not None:
            out.append(_score(master, junior, found, free))
    out.sort(key=lambda s: (-s.score, s.master.id))
    return out[:limit]


# --- the pairing flow ------------------------------------------------------------------------------------------------

def propose(actor, junior: Junior, master: Master, process_code: str) -> Pair:
    """Propose a pair from a suggestion: the proposing side (or an organiser) starts it; the proposer's side counts
    as accepted."""
    if not (is_organiser(actor) or can_edit_junior(actor, junior) or can_edit_master(actor, master)):
        raise NotAllowed("not_allowed", _l("You may not propose this pair."))
    found = next((s for s in suggestions(junior, limit=1000) if s.master.id == master.id), None)
    if found is None:
        raise PeopleError("not_suggested", _l("This master cannot take this junior now (skills, distance or "
                                              "places)."))
    if process_code not in (junior.goals or []):  # only one of the junior's goals, else the suggestion's
        process_code = found.process_code
    pair = Pair(master=master, junior=junior, process_code=process_code,
                reasons=found.reasons, created_by_id=actor.id)
    db.session.add(pair)
    if acts_for_master(actor, pair):
        pair.master_accepted_at = utcnow()
    if acts_for_junior(actor, pair):
        pair.junior_accepted_at = utcnow()
    db.session.flush()
    return pair


def accept(actor, pair: Pair, yes: bool = True) -> Pair:
    """The master, or the junior's side (the junior or their factory), accepts or declines a proposed pair."""
    if pair.status != PairStatus.PROPOSED:
        raise PeopleError("not_proposed", _l("This pair is no longer waiting for an answer."))
    master_side, junior_side = acts_for_master(actor, pair), acts_for_junior(actor, pair)
    if not (master_side or junior_side):
        raise NotAllowed("not_allowed", _l("Only the master and the junior's side answer."))
    if not yes:
        pair.status = PairStatus.DECLINED
    else:
        if master_side and pair.master_accepted_at is None:
            if places_taken(pair.master) > master_limit(pair.master):
                raise PeopleError("full", _l("The master has no place left."))
            pair.master_accepted_at = utcnow()
        if junior_side and pair.junior_accepted_at is None:
            pair.junior_accepted_at = utcnow()
    db.session.flush()
    return pair


def confirm(actor, pair: Pair, yes: bool = True) -> Pair:
    """An organiser confirms a pair both sides accepted: training starts and the plan is made from the template."""
    if not is_organiser(actor):
        raise NotAllowed("not_allowed", _l("Only organisers confirm pairs."))
    if pair.status != PairStatus.PROPOSED:
        raise PeopleError("not_proposed", _l("This pair is no longer waiting for an answer."))
    if not yes:
        pair.status = PairStatus.DECLINED
        db.session.flush()
        return pair
    if pair.master_accepted_at is None or pair.junior_accepted_at is None:
        raise PeopleError("not_accepted", _l("Both the master and the junior's side must accept first."))
    pair.status, pair.confirmed_at, pair.confirmed_by_id = PairStatus.ACTIVE, utcnow(), actor.id
    pair.started_on = tokyo_today()
    pair.milestones = [Milestone(position=i, title=m["title"], title_en=m.get("title_en", ""),
                                 target_hours=int(m.get("hours", 0)))
                       for i, m in enumerate(plan_template(pair.process_code))]
    db.session.flush()
    return pair


def end(actor, pair: Pair) -> Pair:
    """An organiser ends an active pair without certification."""
    if not is_organiser(actor):
        raise NotAllowed("not_allowed", _l("Only organisers end pairs."))
    if pair.status != PairStatus.ACTIVE:
        raise PeopleError("not_active", _l("Only an active pair can be ended."))
    pair.status = PairStatus.ENDED
    db.session.flush()
    return pair


# --- plan templates --------------------------------------------------------------------------------------------------

DEFAULT_PLAN = (
    {"title": "安全と段取り", "title_en": "Safety and set-up", "hours": 8},
    {"title": "基本作業を指導のもとで", "title_en": "Basic work under guidance", "hours": 24},
    {"title": "一人で所定の精度", "title_en": "Working alone to the required accuracy", "hours": 40},
)


def plan_template(process_code: str) -> list[dict]:
    """The organisers' milestones for this process, else the programme's default three."""
    row = db.session.scalar(db.select(PlanTemplate).where(PlanTemplate.process_code == process_code))
    return list(row.milestones) if row is not None and row.milestones else [dict(m) for m in DEFAULT_PLAN]


def parse_milestones(text: str) -> list[dict]:
    """Lines ``日本語 | English | hours`` (English and hours optional) into template milestones."""
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        hours = parts[2] if len(parts) > 2 else "0"
        if not parts[0] or not hours.isdigit() or int(hours) > 10000:
            raise Invalid("bad_line", _l("Line %(n)s: write 'title | English title | hours'.", n=number),
                          "milestones")
        out.append({"title": parts[0][:200], "title_en": (parts[1] if len(parts) > 1 else "")[:200],
                    "hours": int(hours)})
    if not out:
        raise Invalid("empty", _l("Write at least one milestone."), "milestones")
    return out


def save_template(actor, process_code: str, milestones: list[dict]) -> PlanTemplate:
    if not is_organiser(actor):
        raise NotAllowed("not_allowed", _l("Only organisers edit plan templates."))
    row = db.session.scalar(db.select(PlanTemplate).where(PlanTemplate.process_code == process_code))
    if row is None:
        row = PlanTemplate(process_code=process_code)
        db.session.add(row)
    row.milestones = milestones
    db.session.flush()
    return row

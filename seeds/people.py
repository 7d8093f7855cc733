"""Demo skill transfer: masters and juniors in the demo factories, their pairs (two certified), a training log,
the ward's allowance rates and a public know-how card (idempotent: skipped when any master exists)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hub.core.timeutil import utcnow
from hub.extensions import db
from hub.factories.models import Factory
from hub.people.models import (
    AllowanceRate,
    Certificate,
    Junior,
    KnowhowCard,
    Master,
    MasterSkill,
    Milestone,
    Pair,
    TrainingSession,
)
from hub.people.services import DEFAULT_PLAN
from hub.people.training import new_code

PAIRS = (
    ("demo-ota-003", "佐藤 昭二", "田中 翔", "cylindrical_grinding", 400, 30),
    ("demo-ota-007", "鈴木 勝", "高橋 美咲", "metal_spinning", 500, 60),
    ("demo-ota-002", "伊藤 正男", "山本 大輝", "induction_hardening", 200, None),
    ("demo-sumida-001", "渡辺 清", "中村 あかり", "edo_kiriko", 700, 120),
)


def _pair(factory_id, master_name, junior_name, code, started, certified, today) -> Pair:
    master = Master(name=master_name, ward="ota", travel_km=10, days_per_month=6, is_retired=True,
                    skills=[MasterSkill(process_code=code, years=40, level=5)])
    junior = Junior(name=junior_name, employer_id=factory_id, kind="employee" if factory_id else "apprentice",
                    ward="ota", goals=[code], days_per_month=4)
    now = utcnow()
    pair = Pair(master=master, junior=junior, process_code=code, status="certified" if certified else "active",
                master_accepted_at=now, junior_accepted_at=now, confirmed_at=now, started_on=started,
                certified_on=certified, reasons=[])
    pair.milestones = [Milestone(position=i, title=m["title"], title_en=m["title_en"], target_hours=m["hours"],
                                 reached_on=certified) for i, m in enumerate(DEFAULT_PLAN)]
    pair.sessions = [TrainingSession(held_on=started + timedelta(days=7 * week), hours=Decimal(4), skills=[code],
                                     notes="", master_confirmed_at=now, junior_confirmed_at=now)
                     for week in range(1, 4)]
    if certified:
        pair.certificate = Certificate(code=new_code(), milestone_title=DEFAULT_PLAN[-1]["title"],
                                       milestone_title_en=DEFAULT_PLAN[-1]["title_en"],
                                       junior_name=junior_name, master_name=master_name, process_code=code,
                                       certified_on=certified)
    return pair


def load(result) -> None:
    """Add the demo people once (not on a schema older than the skill-transfer tables, e.g. in a migration test)."""
    if not db.inspect(db.session.get_bind()).has_table("masters"):
        return
    if db.session.scalar(db.select(db.func.count(Master.id))):
        return
    today = date.today()
    for external_id, master, junior, code, started_days_ago, certified_days_ago in PAIRS:
        factory_id = db.session.scalar(db.select(Factory.id).where(Factory.external_id == external_id))
        certified = today - timedelta(days=certified_days_ago) if certified_days_ago is not None else None
        db.session.add(_pair(factory_id, master, junior, code, today - timedelta(days=started_days_ago), certified,
                             today))
    db.session.add(AllowanceRate(effective_from=date(today.year - 2, 4, 1), master_hourly_yen=1500,
                                 junior_hourly_yen=500, certification_incentive_yen=50000))
    factory_id = db.session.scalar(db.select(Factory.id).where(Factory.external_id == "demo-ota-007"))
    db.session.add(KnowhowCard(
        title="へら絞りの芯出しと送り", process_code="metal_spinning", factory_id=factory_id, visibility="public",
        summary="アルミ A1050 のカップを一発で絞るための段取り。",
        steps="型とブランクの芯を 0.05 mm 以内に合わせる\n潤滑はヘラ先に少量ずつ\n送りは外周から 3 回に分けて",
        tolerances="肉厚 ±0.1 mm", tools="ヘラ棒（樫）、センターゲージ", mistakes="一度に寄せすぎてしわが出る"))
    db.session.flush()
    result.extra["meister_pairs"] = len(PAIRS)

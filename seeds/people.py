"""Demo master–junior pairs in the demo factories (idempotent: skipped when any pair exists)."""

from __future__ import annotations

from datetime import date, timedelta

from hub.extensions import db
from hub.factories.models import Factory
from hub.people.models import MeisterPair

PAIRS = (
    ("demo-ota-003", "佐藤 昭二", "田中 翔", "cylindrical_grinding", 400, 30),
    ("demo-ota-007", "鈴木 勝", "高橋 美咲", "metal_spinning", 500, 60),
    ("demo-ota-002", "伊藤 正男", "山本 大輝", "induction_hardening", 200, None),
    ("demo-sumida-001", "渡辺 清", "中村 あかり", "edo_kiriko", 700, 120),
)


def load(result) -> None:
    """Add the demo pairs once."""
    if db.session.scalar(db.select(db.func.count(MeisterPair.id))):
        return
    today = date.today()
    for external_id, master, junior, code, started_days_ago, certified_days_ago in PAIRS:
        factory_id = db.session.scalar(db.select(Factory.id).where(Factory.external_id == external_id))
        db.session.add(MeisterPair(
            factory_id=factory_id, master_name=master, junior_name=junior, process_code=code,
            started_on=today - timedelta(days=started_days_ago),
            certified_on=today - timedelta(days=certified_days_ago) if certified_days_ago is not None else None,
        ))
    db.session.flush()
    result.extra["meister_pairs"] = len(PAIRS)

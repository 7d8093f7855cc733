"""Demo data for business succession: two published anonymous listings, one draft, the demo successor's profile,
a second successor, and push-style outreach records at several stages (one plan completed this year).

Idempotent: listings are keyed by ``external_id``, profiles by user, outreach records by factory.
"""

from __future__ import annotations

from datetime import date, timedelta

from hub.auth.services import find_user
from hub.core.timeutil import utcnow
from hub.extensions import db
from hub.factories.models import Factory
from hub.succession import kanon, outreach, services
from hub.succession.models import OutreachRecord, OutreachStep, SuccessionListing
from seeds import DemoResult

LISTINGS = [
    {
        "external_id": "demo-succession-ota-003", "factory": "demo-ota-003", "status": "published",
        "processes": ["surface_grinding", "cylindrical_grinding", "centerless_grinding", "grinding"],
        "machines": ["平面研削盤（テーブル600mm）", "円筒研削盤（振り350mm）", "センタレス研削盤", "真円度測定機"],
        "employees_band": "1_4", "revenue_band": "under_30m", "years_band": "50_plus", "reason": "age",
        "reason_text": "代表が80代になり、体力的に続けるのが難しくなってきました。家族に継ぐ者はいません。",
        "description": "精密部品の仕上げ加工。平面度・真円度ともμm単位の仕上げを得意とします。"
                       "長年の取引先（金型・治具メーカー）から毎月安定した注文があります。"
                       "作業手順と砥石の選び方をノートにまとめてあり、引継ぎ期間は代表が現場で教えます。",
        "schemes": ["employee", "outside_manager", "sale"], "includes": ["equipment", "customers", "skills"],
        "timing": "within_1y",
    },
    {
        "external_id": "demo-succession-sumida-009", "factory": "demo-sumida-009", "status": "published",
        "processes": ["sand_casting", "investment_casting", "casting"],
        "machines": ["電気炉（200kg）", "るつぼ炉", "ワックス射出機"],
        "employees_band": "1_4", "revenue_band": "30m_100m", "years_band": "50_plus", "reason": "no_successor",
        "reason_text": "職人はいますが経営を引き継ぐ人がいません。",
        # Written in general terms: naming the alloys and both casting methods would point to the factory.
        "description": "非鉄金属の鋳物。美術品から機械部品まで小ロットで対応。"
                       "デザイナーや作家からの依頼も多く、仕上げまで一貫して行います。",
        "schemes": ["employee", "sale"], "includes": ["equipment", "premises", "customers", "skills"],
        "timing": "1_3y",
    },
    {
        "external_id": "demo-succession-ota-001", "factory": "demo-ota-001", "status": "draft",
        "processes": ["turning", "mill_turn"],
        "machines": ["NC旋盤 2台", "複合加工機 1台"],
        "employees_band": "5_9", "revenue_band": "undisclosed", "years_band": "50_plus", "reason": "age",
        "reason_text": "", "description": "小径シャフト・ねじ部品の量産と試作。",
        "schemes": ["family", "employee"], "includes": ["equipment", "customers"], "timing": "3_5y",
    },
]

PROFILES = [
    {"email": "successor@example.jp",
     "background": "精密機器メーカーで生産技術を15年。研削と旋削の現場経験があり、町工場を引き継いで"
                   "若い職人を育てたいと考えています。",
     "skills": ["cylindrical_grinding", "turning"], "processes": ["surface_grinding", "cylindrical_grinding"],
     "wards": ["ota", "shinagawa"], "schemes": ["outside_manager", "sale"], "budget_band": "10m_50m"},
]

OUTREACH = [
    ("demo-ota-003", ["contacted", "visited", "plan_drafted"], "ご本人は引退を決意。従業員1名が承継に前向き。"),
    ("demo-edogawa-004", ["contacted", "visited", "plan_drafted", "plan_complete"],
     "和竿の技術を弟子に引き継ぐ計画を作成済み。"),
    ("demo-katsushika-002", ["contacted"], "電話でご案内。来月訪問予定。"),
    ("demo-sumida-009", ["contacted", "visited"], "鋳造設備の評価が必要。"),
]


def _factory(external_id: str) -> Factory | None:
    return db.session.scalar(db.select(Factory).where(Factory.external_id == external_id))


def load(result: DemoResult) -> None:
    """Add the succession demo records that are not there yet (flushes; the loader commits)."""
    organiser = find_user("organiser@example.jp")
    existing = set(db.session.scalars(db.select(SuccessionListing.external_id)
                                      .where(SuccessionListing.external_id.isnot(None))))
    listings = 0
    for record in LISTINGS:
        factory = _factory(record["factory"])
        if record["external_id"] in existing or factory is None or services.active_listing(factory) is not None:
            continue
        listing = SuccessionListing(factory=factory, external_id=record["external_id"], status=record["status"])
        services._apply(listing, {k: v for k, v in record.items() if k in services.LISTING_FIELDS})
        if record["status"] == "published":
            listing.submitted_at = listing.published_at = listing.reviewed_at = utcnow()
            listing.reviewed_by_id = organiser.id if organiser else None
            # Published only in the form that hides it among k directory entries; held when none does.
            view = kanon.generalise(listing)
            listing.public_view = view
            listing.search_text = services._search_text(listing)
            if view["blocked"]:
                listing.status, listing.hold_reason, listing.held_at = "held", "seed_below_k", utcnow()
        db.session.add(listing)
        listings += 1
    db.session.flush()

    profiles = 0
    for record in PROFILES:
        user = find_user(record["email"])
        if user is None or services.profile_for(user) is not None:
            continue
        services.save_profile(user, {k: v for k, v in record.items() if k != "email"})
        profiles += 1

    records = 0
    today = date.today()
    for external_id, stages, notes in OUTREACH:
        factory = _factory(external_id)
        if factory is None or db.session.scalar(
                db.select(OutreachRecord.id).where(OutreachRecord.factory_id == factory.id)) is not None:
            continue
        record = OutreachRecord(factory_id=factory.id, organiser_id=organiser.id if organiser else None,
                                notes=notes)
        db.session.add(record)
        for i, stage in enumerate(stages):
            # Steps in the past, a fortnight apart, all in the current year.
            on = max(date(today.year, 1, 1), today - timedelta(days=14 * (len(stages) - i)))
            record.steps.append(OutreachStep(stage=stage, happened_on=on, note="",
                                             author_id=organiser.id if organiser else None))
            setattr(record, outreach.STAGE_DATE[stage], on)
            record.stage = stage
        records += 1
    db.session.flush()
    result.extra["succession_listings"] = listings
    result.extra["successor_profiles"] = profiles
    result.extra["outreach_records"] = records

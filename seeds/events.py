"""Demo events: a current Open Factory Week (dates relative to today) with many factories' programs and bookable
slots — some nearly full, one full with a waiting list — and a pitch night with submitted pitches.

Idempotent: the edition and the pitch night are found by name; nothing is added twice."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from hub.auth.services import find_user
from hub.core.timeutil import from_tokyo, tokyo_today
from hub.events.models import (
    BOOKING_CONFIRMED,
    BOOKING_WAITLISTED,
    Booking,
    Edition,
    Participation,
    Pitch,
    PitchCriterion,
    PitchNight,
    Program,
    Slot,
)
from hub.extensions import db
from hub.factories.models import Factory

EDITION_NAME = "オープンファクトリー・ウィーク（デモ）"
NIGHT_TITLE = "町工場ピッチナイト（デモ）"

# (external_id, kind, title, title_en, description, capacity, language)
PROGRAMS = [
    ("demo-ota-001", "tour", "5軸マシニングの現場見学", "5-axis machining tour",
     "一個から量産まで。5軸加工機が動く様子を間近で見られます。", 8, "ja_en"),
    ("demo-ota-002", "tour", "熱処理炉の見学と焼入れ実演", "Heat treatment furnace tour",
     "焼入れで鋼がどう変わるか、硬さ試験も体験できます。", 10, "ja"),
    ("demo-ota-003", "workshop", "研削でつくる鏡面プレート", "Make a mirror-finish plate",
     "平面研削盤で、自分だけの鏡面プレートを仕上げます。", 6, "ja"),
    ("demo-ota-004", "tour", "めっきラインの見学", "Plating line tour",
     "色とりどりのめっき見本を手に取れます。", 12, "ja"),
    ("demo-ota-006", "workshop", "板金で名刺入れをつくる", "Bend your own card case",
     "ベンダーで曲げて、名刺入れを作ります。", 6, "ja"),
    ("demo-ota-007", "tour", "へら絞りの実演", "Metal spinning demonstration",
     "一枚の板がへらで器に変わる、職人技の実演です。", 8, "ja_en"),
    ("demo-ota-010", "sale", "アルマイト小物の工場直売", "Anodised goods factory sale",
     "カラフルなアルマイト小物を工場価格で。", 30, "ja"),
    ("demo-ota-017", "talk", "歯車の話 — 町工場三代", "Gears: three generations of a machi-koba",
     "三代目が語る歯車づくりと、これからの町工場。", 20, "ja"),
    ("demo-sumida-001", "workshop", "江戸切子の体験", "Edo kiriko glass cutting",
     "グラスにカットを入れて、自分の切子を作ります。", 6, "ja_en"),
    ("demo-sumida-003", "workshop", "レザーのキーホルダーづくり", "Make a leather key fob",
     "革の裁断から縫製まで。", 8, "ja"),
    ("demo-sumida-006", "tour", "活版印刷と製本の見学", "Letterpress and bookbinding tour",
     "活字を組んで、一枚刷ってみましょう。", 10, "ja"),
    ("demo-katsushika-001", "tour", "ゴム成形の現場", "Rubber moulding tour", "ゴム製品ができるまで。", 10, "ja"),
    ("demo-adachi-001", "tour", "製缶・溶接の現場見学", "Fabrication and welding tour",
     "大型の製缶と溶接作業を安全な距離から見学します。", 12, "ja"),
]
# Visitors who booked: nearly full and full slots make the demo realistic.
VISITORS = ["山本 花", "Lee Min", "加藤 翔", "Sophie Martin", "鈴木 蓮", "渡辺 結衣", "松本 大輝", "Carlos Ruiz",
            "井上 さくら", "木村 陽", "林 悠真", "清水 美咲", "Anna Schmidt", "森 颯太"]


def load(result) -> None:
    """Add the demo edition and pitch night once."""
    _load_edition(result)
    _load_pitch_night(result)


def _factory(external_id: str) -> Factory | None:
    return db.session.scalar(db.select(Factory).where(Factory.external_id == external_id))


def _at(day, hour: int, minute: int = 0) -> datetime:
    return from_tokyo(datetime.combine(day, time(hour, minute)))


def _load_edition(result) -> None:
    if db.session.scalar(db.select(Edition.id).where(Edition.name == EDITION_NAME)):
        return
    today = tokyo_today()
    start = today + timedelta(days=1)
    edition = Edition(name=EDITION_NAME, name_en="Open Factory Week (demo)", starts_on=start,
                      ends_on=start + timedelta(days=3), applications_open_on=today - timedelta(days=60),
                      applications_close_on=today + timedelta(days=14),
                      description="区内の町工場が一斉に扉を開きます。見学・ワークショップ・直売・トーク。予約は無料、アカウント不要です。")
    db.session.add(edition)
    db.session.flush()
    programs = slots = bookings = 0
    serial = 0
    for index, (external_id, kind, title, title_en, description, capacity, language) in enumerate(PROGRAMS):
        factory = _factory(external_id)
        if factory is None:
            continue
        db.session.add(Participation(edition_id=edition.id, factory_id=factory.id, status="approved"))
        program = Program(edition_id=edition.id, factory_id=factory.id, kind=kind, title=title, title_en=title_en,
                          description=description)
        db.session.add(program)
        programs += 1
        for day_offset in range(2):
            day = start + timedelta(days=(index + day_offset) % 4)
            for hour in (10, 14):
                slot = Slot(program=program, starts_at=_at(day, hour), ends_at=_at(day, hour + 1, 30),
                            capacity=capacity, language=language, fee_yen=1000 if kind == "workshop" else 0,
                            admission="walk_in" if kind == "sale" else "booking",
                            accessibility="車椅子可" if index % 3 == 0 else "段差あり・安全靴貸出",
                            min_age=10 if kind == "workshop" else None)
                db.session.add(slot)
                slots += 1
                # The first slot of each of the first programs fills up; the very first one has a waiting list.
                fill = 0
                if hour == 10 and day_offset == 0 and kind != "sale":
                    fill = capacity if index in (0, 2) else max(capacity - 2, 0) if index < 6 else capacity // 2
                seats = 0
                while seats < fill:
                    size = min(2 if serial % 3 else 1, fill - seats)
                    name = VISITORS[serial % len(VISITORS)]
                    serial += 1
                    db.session.add(Booking(slot=slot, name=name, email=f"visitor{serial}@example.jp",
                                           email_key=f"visitor{serial}@example.jp", party_size=size,
                                           status=BOOKING_CONFIRMED, locale="en" if name.isascii() else "ja"))
                    seats += size
                    bookings += 1
                if fill and index == 0:
                    for extra in range(2):
                        serial += 1
                        db.session.add(Booking(slot=slot, name=VISITORS[serial % len(VISITORS)],
                                               email=f"visitor{serial}@example.jp",
                                               email_key=f"visitor{serial}@example.jp", party_size=2 - extra,
                                               status=BOOKING_WAITLISTED, locale="ja"))
                        bookings += 1
    # Two factories have applied and wait for the organisers' decision.
    for external_id in ("demo-ota-005", "demo-katsushika-003"):
        factory = _factory(external_id)
        if factory is not None:
            db.session.add(Participation(edition_id=edition.id, factory_id=factory.id, status="pending",
                                         message="初参加です。工場見学を企画しています。"))
    db.session.flush()
    result.extra["openfactory_programs"] = programs
    result.extra["openfactory_slots"] = slots
    result.extra["openfactory_bookings"] = bookings


def _load_pitch_night(result) -> None:
    if db.session.scalar(db.select(PitchNight.id).where(PitchNight.title == NIGHT_TITLE)):
        return
    today = tokyo_today()
    day = today + timedelta(days=21)
    organiser = find_user("organiser@example.jp")
    night = PitchNight(
        title=NIGHT_TITLE, title_en="Machi-Koba Pitch Night (demo)", venue="大田区産業プラザPiO 小展示ホール",
        description="スタートアップと学生が町工場の前でピッチします。終了後は交流会。",
        starts_at=_at(day, 18, 30), ends_at=_at(day, 21), cfp_opens_at=_at(today - timedelta(days=14), 9),
        cfp_closes_at=_at(today + timedelta(days=10), 23, 59), is_blind_review=False,
        reviewer_emails=["factory@example.jp", "factory3@example.jp"],
        created_by_id=organiser.id if organiser else None)
    night.slot = Slot(starts_at=night.starts_at, ends_at=night.ends_at, capacity=60)
    night.criteria = [PitchCriterion(name="実現可能性", weight=2, position=0),
                      PitchCriterion(name="地域の工場との相性", weight=3, position=1),
                      PitchCriterion(name="チーム", weight=1, position=2)]
    db.session.add(night)
    db.session.flush()
    # The demo's invited reviewers have accepted (their demo accounts are confirmed).
    from hub.events.reviewers import accept, sync_invitations

    for invitation in sync_invitations(night, night.reviewer_emails):
        reviewer = find_user(invitation.email)
        if reviewer is not None and reviewer.role == invitation.role:
            accept(invitation, reviewer)
    pitches = [
        ("seeker@example.jp", "土壌センサーの量産化",
         "畑に挿すだけの土壌センサー。試作は3Dプリント、量産の道を探しています。",
         "佐藤 彩（CEO）、エンジニア2名", "アルミの筐体を削り出して黒アルマイト、50台から。防水のためのOリング溝も。"),
        ("founder@example.jp", "Tidal energy buoy housing",
         "A small buoy that harvests wave energy for coastal sensors.",
         "Daniel Okafor (founder), two engineers", "Seamless stainless steel cups, deep drawn or spun, 200 pieces; "
                                                  "the shaft wears out too fast, needs hardening."),
        ("student@example.jp", "搬送ロボットの軽量フレーム", "学内の搬送ロボットを軽量化したい。",
         "城南工科大学 ロボット研究会 5名", "板金の曲げと溶接、アルミ。10台分。"),
    ]
    for email, title, summary, team, needs in pitches:
        user = find_user(email)
        if user is None:
            continue
        db.session.add(Pitch(pitch_night_id=night.id, submitter_id=user.id, organisation_id=user.organisation_id,
                             title=title, summary=summary, team=team, needs=needs,
                             language=user.locale or "ja"))
    db.session.flush()
    result.extra["pitch_nights"] = 1
    result.extra["pitches"] = len(pitches)

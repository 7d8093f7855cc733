"""Events journeys in a real browser: a visitor books a tour on a phone and cancels from the email link; a factory
member checks the visitor in by QR code; an organiser reviews pitches and publishes the running order."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from playwright.sync_api import Page, expect

from hub.extensions import db

PASSWORD = "events-browser-pass-1"


def _setup_slot(app, capacity=8, starts_in=timedelta(days=2)):
    """A published edition with one approved factory, a tour and a slot (by default the day after tomorrow); a
    member."""
    from hub.auth.services import create_user
    from hub.core.timeutil import tokyo_today, utcnow
    from hub.events.models import Edition, Participation, Program, Slot
    from hub.factories.models import Factory

    tag = uuid.uuid4().hex[:6]
    with app.app_context():
        from hub.auth.models import Organisation

        factory = Factory(name=f"六郷へら絞り製作所{tag}", ward="ota", address="東京都大田区仲六郷2-1-1",
                          organisation=Organisation(kind="factory", name="六郷"))
        today = tokyo_today()
        edition = Edition(name="オープンファクトリー・ウィーク", starts_on=today, ends_on=today + timedelta(days=5),
                          applications_open_on=today - timedelta(days=9), applications_close_on=today)
        db.session.add_all([factory, edition])
        db.session.flush()
        db.session.add(Participation(edition_id=edition.id, factory_id=factory.id, status="approved"))
        program = Program(edition_id=edition.id, factory_id=factory.id, kind="tour", title=f"へら絞りの実演{tag}")
        start = (utcnow() + starts_in).replace(second=0, microsecond=0)
        slot = Slot(program=program, starts_at=start, ends_at=start + timedelta(hours=1), capacity=capacity)
        db.session.add_all([program, slot])
        member = create_user(f"member-{tag}@example.jp", PASSWORD, name="工場 次郎", role="factory", locale="ja",
                             email_verified=True)
        member.organisation_id = factory.organisation_id
        db.session.commit()
        return {"slot": slot.id, "title": program.title, "member": member.email, "tag": tag}


def _outbox_link(app, email: str, kind: str, pattern: str) -> str:
    from hub.mail.models import EmailMessage

    with app.app_context():
        body = db.session.scalar(db.select(EmailMessage.body_text).where(
            EmailMessage.recipient == email, EmailMessage.kind == kind).order_by(EmailMessage.id.desc()))
    assert body, f"no {kind} email for {email}"
    return re.search(pattern, body).group(0)


def _login(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="ログイン").click()


def test_visitor_books_on_a_phone_and_cancels_from_the_email(page: Page, live_server, live_server_app,
                                                             screenshot_dir):
    ids = _setup_slot(live_server_app)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/openfactory/")
    card = page.get_by_test_id("program-card").filter(has_text=ids["title"])
    card.get_by_test_id("slot-link").first.click()
    expect(page.get_by_test_id("slot-title")).to_have_text(ids["title"])
    page.get_by_label("お名前").fill("見学 花子")
    page.get_by_label("メールアドレス").fill(f"hanako-{ids['tag']}@example.jp")
    page.get_by_label("人数").fill("2")
    page.get_by_role("button", name="予約する").click()
    expect(page.get_by_text("ご予約が確定しました。詳細をメールでお送りしました。")).to_be_visible()
    expect(page.get_by_test_id("booking-status")).to_have_text("予約確定")
    qr = page.get_by_role("img", name="受付用QRコード")
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", qr.element_handle()) > 100
    page.screenshot(path=str(screenshot_dir / "events-booking-phone.png"), full_page=True)

    link = _outbox_link(live_server_app, f"hanako-{ids['tag']}@example.jp", "booking_confirmed",
                        r"http://\S+/cancel\?token=\S+")
    page.goto(re.sub(r"^http://[^/]+", live_server, link))
    expect(page.get_by_role("heading", name="予約のキャンセル")).to_be_visible()
    page.get_by_role("button", name="はい、キャンセルします").click()
    expect(page.get_by_text("予約をキャンセルしました。ご連絡ありがとうございます。")).to_be_visible()
    expect(page.get_by_test_id("booking-status")).to_have_text("キャンセル済み")
    from hub.events.services import confirmed_seats

    with live_server_app.app_context():
        assert confirmed_seats(ids["slot"]) == 0


def test_factory_member_checks_the_visitor_in_by_qr_code(page: Page, live_server, live_server_app, screenshot_dir):
    ids = _setup_slot(live_server_app, starts_in=timedelta(minutes=30))  # the visitor comes to today's slot
    response = page.request.post(f"{live_server}/api/v1/openfactory/slots/{ids['slot']}/bookings",
                                 data={"name": "来場 一郎", "email": f"ichiro-{ids['tag']}@example.jp",
                                       "party_size": 3})
    assert response.status == 201
    booking = response.json()
    # The visitor's booking page shows the signed code under the QR image; the scanner would read the same text.
    page.goto(f"{live_server}/openfactory/bookings/{booking['id']}?token={booking['cancel_token']}")
    code = page.get_by_test_id("checkin-code").inner_text().strip()

    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, live_server, ids["member"])
    page.goto(f"{live_server}/checkin")
    page.get_by_label("QRコードのコード").fill(code)
    page.get_by_role("button", name="受付する").click()
    expect(page.get_by_test_id("checkin-result")).to_contain_text("受付しました：来場 一郎様、3名。")
    page.screenshot(path=str(screenshot_dir / "events-checkin-phone.png"), full_page=True)
    page.get_by_label("QRコードのコード").fill(code)
    page.get_by_role("button", name="受付する").click()
    expect(page.get_by_test_id("checkin-result")).to_contain_text("二重には数えません")
    page.get_by_label("QRコードのコード").fill(code[:-3] + "abc")
    page.get_by_role("button", name="受付する").click()
    expect(page.get_by_test_id("checkin-result")).to_contain_text("このコードは無効です")

    page.goto(f"{live_server}/openfactory/slots/{ids['slot']}/roster")
    expect(page.get_by_test_id("roster-summary")).to_contain_text("受付済み3名")
    expect(page.get_by_test_id("checked-in")).to_have_count(1)


def test_organiser_reviews_pitches_and_publishes_the_running_order(page: Page, live_server, live_server_app,
                                                                   screenshot_dir):
    from hub.auth.models import Organisation
    from hub.auth.services import create_user
    from hub.core.timeutil import utcnow
    from hub.events.models import Pitch, PitchCriterion, PitchNight, Slot

    tag = uuid.uuid4().hex[:6]
    with live_server_app.app_context():
        organiser = create_user(f"org-{tag}@example.jp", PASSWORD, name="運営 三郎", role="organiser", locale="ja",
                             email_verified=True)
        teams = []
        for name in ("チーム土壌", "チームロボ"):
            user = create_user(f"{uuid.uuid4().hex[:6]}@example.jp", PASSWORD, name=name, role="seeker",
                               email_verified=True)
            user.organisation = Organisation(kind="team", name=name)
            teams.append(user)
        db.session.flush()
        now = utcnow()
        night = PitchNight(title=f"ピッチナイト{tag}", venue="大田区産業プラザPiO",
                           starts_at=now + timedelta(days=10), ends_at=now + timedelta(days=10, hours=2),
                           cfp_opens_at=now - timedelta(days=5), cfp_closes_at=now + timedelta(days=3))
        night.slot = Slot(capacity=50, starts_at=night.starts_at, ends_at=night.ends_at)
        night.criteria = [PitchCriterion(name="実現可能性", weight=2, position=0),
                          PitchCriterion(name="工場との相性", weight=3, position=1)]
        db.session.add(night)
        db.session.flush()
        for user, title in zip(teams, (f"土壌センサー{tag}", f"搬送ロボット{tag}"), strict=True):
            db.session.add(Pitch(pitch_night_id=night.id, submitter_id=user.id, organisation_id=user.organisation_id,
                                 title=title, summary="概要", team=user.name, needs="アルミの削り出し"))
        db.session.commit()
        night_id, email = night.id, organiser.email

    _login(page, live_server, email)
    page.goto(f"{live_server}/pitch-nights/{night_id}")
    page.get_by_role("link", name="ピッチを審査する").click()
    for title, scores in ((f"土壌センサー{tag}", ("4", "5")), (f"搬送ロボット{tag}", ("2", "3"))):
        page.get_by_test_id("review-link").filter(has_text=title).click()
        page.get_by_label("実現可能性").select_option(scores[0])
        page.get_by_label("工場との相性").select_option(scores[1])
        page.get_by_role("button", name="審査を保存").click()
        expect(page.get_by_text("審査を保存しました。")).to_be_visible()
        page.get_by_label("決定", exact=True).select_option("accepted")
        page.get_by_role("button", name="決定を保存").click()
        page.get_by_role("link", name="すべてのピッチ").click()
    ranking = page.get_by_test_id("ranked-row")
    expect(ranking.first).to_contain_text(f"土壌センサー{tag}")
    page.get_by_role("button", name="選考結果のメール2通をまとめて送信").click()
    expect(page.get_by_text("選考結果のメールを2通送信しました。")).to_be_visible()
    # Put the robot first, then publish.
    page.get_by_label(f"「搬送ロボット{tag}」の順番").fill("1")
    page.get_by_label(f"「土壌センサー{tag}」の順番").fill("2")
    page.get_by_label("登壇順を公開する").check()
    page.get_by_role("button", name="登壇順を保存").click()
    expect(page.get_by_text("登壇順を公開しました。")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "events-pitch-review.png"), full_page=True)
    page.goto(f"{live_server}/pitch-nights/{night_id}")
    items = page.get_by_test_id("running-order").locator("li")
    expect(items).to_have_text([f"搬送ロボット{tag}", f"土壌センサー{tag}"])

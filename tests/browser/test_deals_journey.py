"""The issue's acceptance journey: a startup posts a need, opens its matches and sends an inquiry; the factory
accepts in another session; they exchange a message with a PDF; the deal closes as a joint development, both rate
each other, and the organisers' count of joint projects goes up by one."""

from __future__ import annotations

import json
import urllib.request
from datetime import date

from playwright.sync_api import Browser, Page, expect

from hub.extensions import db
from tests.conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _setup(app) -> dict:
    """A published anodising-and-milling workshop with a member, a startup founder and an organiser."""
    from hub.auth.services import create_user, find_user
    from hub.factories.models import Factory
    from hub.factories.services import update_profile

    with app.app_context():
        if find_user("founder-deals@example.jp") is None:
            factory = update_profile(Factory(external_id="deals-browser-001"), {
                "name": "蒲田アルマイト精工", "ward": "ota", "address": "東京都大田区西蒲田7-1-1",
                "description": "アルミのMC加工から黒アルマイトまで一貫対応。試作1個から。",
                "processes": ["MC加工", "アルマイト"], "materials": ["A5052", "A6061"], "equipment": [],
                "certifications": []})
            db.session.flush()
            create_user("founder-deals@example.jp", PASSWORD, name="Aya Startup", role="seeker",
                        organisation_name="センシングラボ", email_verified=True)
            member = create_user("works-deals@example.jp", PASSWORD, name="蒲田 職人", role="factory",
                                 organisation_name="蒲田アルマイト精工", email_verified=True)
            factory.organisation_id = member.organisation_id
            create_user("office-deals@example.jp", PASSWORD, name="区 担当", role="organiser", email_verified=True)
            db.session.commit()
    return {"seeker": "founder-deals@example.jp", "factory": "works-deals@example.jp",
            "organiser": "office-deals@example.jp"}


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="ログイン").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def _joint_projects(base: str, email: str) -> int:
    """The organiser's KPI, read through the organiser API (GET /api/v1/kpis?year=…)."""
    request = urllib.request.Request(f"{base}/api/v1/auth/token", method="POST",
                                     data=json.dumps({"email": email, "password": PASSWORD}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        token = json.load(response)["token"]
    request = urllib.request.Request(f"{base}/api/v1/kpis?year={date.today().year}",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        indicators = json.load(response)["indicators"]
    return next(i["value"] for i in indicators if i["key"] == "joint_projects_formed")


def test_need_to_joint_development(browser: Browser, live_server, live_server_app, screenshot_dir, tmp_path):
    accounts = _setup(live_server_app)
    before = _joint_projects(live_server, accounts["organiser"])

    startup = browser.new_context(locale="ja-JP")
    seeker = startup.new_page()
    _sign_in(seeker, live_server, accounts["seeker"])
    deal_url = _post_need_and_inquire(seeker, live_server)

    workshop = browser.new_context(locale="ja-JP")
    factory = workshop.new_page()
    _sign_in(factory, live_server, accounts["factory"])
    _accept_inquiry(factory)

    _send_drawing(seeker, deal_url, tmp_path)
    _check_attachment_access(browser, startup, factory, live_server)
    _reply_and_start_work(factory, screenshot_dir)
    _close_as_joint_development(seeker, screenshot_dir)
    _factory_rates_back(factory)

    assert _joint_projects(live_server, accounts["organiser"]) == before + 1
    # The rating shows on the factory's record.
    seeker.goto(f"{live_server}/deals/inquiries/new?factory={_factory_id(live_server_app)}")
    expect(seeker.get_by_test_id("factory-record")).to_contain_text("品質 5.0")
    startup.close()
    workshop.close()


def _post_need_and_inquire(seeker: Page, base: str) -> str:
    """The startup posts its need, opens the matches and sends an inquiry; returns the deal's URL."""
    seeker.goto(f"{base}/needs/new")
    seeker.get_by_label("タイトル").fill("センサー用アルミ筐体 30個")
    seeker.get_by_label("どんなものが必要ですか？").fill(
        "IoTセンサーのアルミ筐体を30個。A5052を削り出して、黒アルマイトで仕上げたいです。")
    seeker.get_by_role("button", name="ニーズを投稿する").click()
    expect(seeker.get_by_test_id("need-title")).to_have_text("センサー用アルミ筐体 30個")

    matches = seeker.locator("#matches")
    expect(matches).to_contain_text("蒲田アルマイト精工")
    matches.get_by_role("link", name="問い合わせる").first.click()
    expect(seeker.get_by_test_id("inquiry-need")).to_have_text("センサー用アルミ筐体 30個")
    seeker.get_by_label("メッセージ").fill("はじめまして。30個の試作をお願いできますか？図面はPDFでお送りします。")
    seeker.get_by_label("電話番号（任意）").fill("03-5555-0101")
    seeker.get_by_role("button", name="問い合わせを送る").click()
    expect(seeker.get_by_text("蒲田アルマイト精工 に問い合わせを送りました。")).to_be_visible()
    expect(seeker.get_by_test_id("step-status")).to_have_text("依頼中")
    expect(seeker.get_by_test_id("factory-contact")).to_have_count(0)
    return seeker.url


def _accept_inquiry(factory: Page) -> None:
    """The factory finds the unread inquiry, accepts it and only then sees the startup's contact details."""
    expect(factory.get_by_test_id("deals-unread")).to_have_text("1")
    factory.get_by_test_id("deals-nav").click()
    factory.get_by_role("link", name="センサー用アルミ筐体 30個").click()
    expect(factory.get_by_test_id("requester-record")).to_contain_text("Aya Startup")
    expect(factory.get_by_test_id("requester-contact")).to_have_count(0)
    factory.get_by_label("承諾する").check()
    factory.get_by_label("電話番号（任意）").fill("03-3700-7777")
    factory.get_by_role("button", name="回答を送る").click()
    expect(factory.get_by_text("問い合わせを承諾しました。連絡先が共有されました。")).to_be_visible()
    expect(factory.get_by_test_id("requester-contact")).to_contain_text("founder-deals@example.jp")
    expect(factory.get_by_test_id("requester-contact")).to_contain_text("03-5555-0101")


def _send_drawing(seeker: Page, deal_url: str, tmp_path) -> None:
    """The startup, now seeing the factory's phone number, sends a message with the PDF drawing."""
    drawing = tmp_path / "enclosure.pdf"
    drawing.write_bytes(PDF)
    seeker.goto(deal_url)
    expect(seeker.get_by_test_id("factory-contact")).to_contain_text("03-3700-7777")
    seeker.locator("#message-form textarea").fill("図面をお送りします。ご確認ください。")
    seeker.locator("#message-form input[type=file]").set_input_files(str(drawing))
    seeker.locator("#message-form").get_by_role("button", name="メッセージを送る").click()
    expect(seeker.get_by_text("メッセージを送りました。")).to_be_visible()


def _check_attachment_access(browser: Browser, startup, factory: Page, base: str) -> None:
    """Both parties download the PDF as sent; an anonymous visitor is sent to sign in, never given the file."""
    factory.reload()
    expect(factory.get_by_test_id("thread")).to_contain_text("図面をお送りします。")
    link = factory.get_by_test_id("attachment")
    expect(link).to_have_text("enclosure.pdf")
    file_url = base + link.get_attribute("href")
    download = factory.request.get(file_url)
    assert download.status == 200 and download.body() == PDF
    assert startup.request.get(file_url).status == 200
    anonymous = browser.new_context()
    stranger = anonymous.request.get(file_url, max_redirects=0)
    assert stranger.status == 302 and "/auth/login" in stranger.headers["location"]  # sign in first; never the file
    anonymous.close()


def _reply_and_start_work(factory: Page, screenshot_dir) -> None:
    """The factory replies and moves the step to in progress."""
    factory.locator("#message-form textarea").fill("拝見しました。来週から加工に入ります。")
    factory.locator("#message-form").get_by_role("button", name="メッセージを送る").click()
    factory.get_by_label("進捗").first.select_option("in_progress")
    factory.get_by_role("button", name="状況を更新").click()
    expect(factory.get_by_test_id("step-status")).to_have_text("加工中")
    factory.screenshot(path=str(screenshot_dir / "deal-factory-ja.png"), full_page=True)


def _close_as_joint_development(seeker: Page, screenshot_dir) -> None:
    """The startup reads the reply, closes the deal as a joint development and rates the factory."""
    seeker.reload()
    expect(seeker.get_by_test_id("thread")).to_contain_text("来週から加工に入ります。")
    seeker.get_by_label("取引の結果").select_option("joint_development")
    seeker.get_by_role("button", name="取引を終了する").click()
    expect(seeker.get_by_test_id("outcome")).to_contain_text("共同開発")
    rating = seeker.get_by_test_id("rating-form")
    rating.get_by_label("品質").select_option("5")
    rating.get_by_label("納期").select_option("4")
    rating.get_by_label("コミュニケーション").select_option("5")
    rating.get_by_role("button", name="評価を保存").click()
    expect(seeker.get_by_test_id("rated")).to_contain_text("蒲田アルマイト精工")
    seeker.screenshot(path=str(screenshot_dir / "deal-startup-ja.png"), full_page=True)


def _factory_rates_back(factory: Page) -> None:
    """The factory rates the startup in turn."""
    factory.reload()
    rating = factory.get_by_test_id("rating-form")
    rating.get_by_label("コミュニケーション").select_option("4")
    rating.get_by_role("button", name="評価を保存").click()
    expect(factory.get_by_test_id("rated")).to_contain_text("Aya Startup")


def _factory_id(app) -> int:
    from hub.factories.models import Factory

    with app.app_context():
        return db.session.scalar(db.select(Factory.id).where(Factory.external_id == "deals-browser-001"))

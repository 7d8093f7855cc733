"""Skill transfer in a browser (issue 14): a master and a junior register, the suggestions pair them, both accept,
the organiser confirms, both log a session and confirm the other's, the organiser certifies, the certificate PDF
draws its Japanese (checked on the rasterised page against the same text drawn in a Japanese font) and anyone can
check its verification code."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from hub.auth.services import create_user
from hub.core.timeutil import tokyo_today
from hub.extensions import db
from hub.people.pdf import font_path
from tests.people import pdfcheck

PASSWORD = "skills-journey-1"
MASTER, JUNIOR = "岩井 源一", "森 ひかり"


def _setup(app) -> None:
    with app.app_context():
        from hub.auth.services import find_user

        if find_user("master-journey@example.jp") is not None:
            return
        for email, name, role in (("master-journey@example.jp", MASTER, "seeker"),
                                  ("junior-journey@example.jp", JUNIOR, "seeker"),
                                  ("office-journey@example.jp", "事務局 一郎", "organiser")):
            create_user(email, PASSWORD, name=name, role=role, locale="ja", email_verified=True)
        db.session.commit()


def _signed_in(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context(base_url=base).new_page()
    page.goto("/auth/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("#login-form").get_by_role("button", name="ログイン").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()
    return page


def _register_master(page: Page) -> None:
    page.goto("/people/")
    page.get_by_test_id("register-master").click()
    page.get_by_label("名前", exact=True).fill(MASTER)
    row = page.get_by_test_id("skill-row").first
    row.locator("select[name='skills-0-process_code']").select_option("turning")
    row.locator("input[name='skills-0-years']").fill("42")
    row.locator("select[name='skills-0-level']").select_option("5")
    page.get_by_label("地域（区）").select_option("ota")
    page.get_by_label("移動できる距離（km）").fill("12")
    page.get_by_label("月あたりの参加可能日数").fill("6")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("マイスター登録を保存しました")).to_be_visible()


def _register_junior_and_propose(page: Page) -> None:
    page.goto("/people/")
    page.get_by_test_id("register-junior").click()
    page.get_by_label("名前", exact=True).fill(JUNIOR)
    page.get_by_label("区分").select_option("student")
    page.get_by_label("学校・訓練校").fill("都立大田工科高校")
    page.get_by_label("地域（区）").select_option("ota")
    page.get_by_label("習得したい工程").select_option(["turning"])
    page.get_by_role("button", name="保存して候補のマイスターを見る").click()
    suggestion = page.get_by_test_id("suggestion").filter(has_text=MASTER)
    expect(suggestion).to_be_visible()
    expect(suggestion.get_by_test_id("reasons")).to_contain_text("経験 42年")  # the reasons are shown
    expect(suggestion.get_by_test_id("reasons")).to_contain_text("km")
    suggestion.get_by_role("button", name="このペアを申し込む").click()
    expect(page.get_by_text("マイスターにペアを申し込みました")).to_be_visible()


def _open_my_pair(page: Page) -> None:
    page.goto("/people/")
    page.get_by_test_id("my-pairs").get_by_role("link", name="ペアを開く").first.click()


def _log_session(page: Page, hours: str, notes: str) -> None:
    form = page.locator("#session-form")
    form.get_by_label("日付").fill(tokyo_today().isoformat())
    form.get_by_label("時間", exact=True).fill(hours)
    form.get_by_label("メモ").fill(notes)
    form.get_by_role("button", name="記録する").click()
    expect(page.get_by_text("指導記録を保存しました")).to_be_visible()


def _check_pdf(app, pdf: bytes) -> None:
    """The certificate's title and the junior's name are drawn in Japanese glyphs, not boxes or blanks."""
    page = pdfcheck.render(pdf)
    with app.app_context():
        font = str(font_path())
    title = pdfcheck.overlap(pdfcheck.band(page, 22, 42), pdfcheck.drawn("マイスター・ジュニア認定証", font))
    name = pdfcheck.overlap(pdfcheck.band(page, 58, 76), pdfcheck.drawn(f"{JUNIOR} 殿", font))
    assert title > 0.6 and name > 0.6, (title, name)


def test_skill_transfer_journey(browser: Browser, live_server, live_server_app, screenshot_dir):
    _setup(live_server_app)
    master = _signed_in(browser, live_server, "master-journey@example.jp")
    junior = _signed_in(browser, live_server, "junior-journey@example.jp")
    office = _signed_in(browser, live_server, "office-journey@example.jp")

    _register_master(master)
    _register_junior_and_propose(junior)

    # The master accepts; the organiser confirms.
    _open_my_pair(master)
    master.get_by_test_id("accept-pair").click()
    expect(master.get_by_text("ペアを承諾しました")).to_be_visible()
    office.goto("/people/pairs")
    office.get_by_test_id("pair-row").filter(has_text=JUNIOR).get_by_role("link", name="ペアを開く").click()
    office.get_by_test_id("confirm-pair").click()
    expect(office.get_by_test_id("pair-status")).to_have_text("指導中")
    pair_url = office.url

    # Both log a session and confirm the other's.
    _open_my_pair(master)
    _log_session(master, "3", "段取りと芯出し")
    _open_my_pair(junior)
    _log_session(junior, "2.5", "外径の仕上げ")
    junior.get_by_test_id("confirm-session").click()
    expect(junior.get_by_text("指導記録を確認しました")).to_be_visible()
    master.reload()
    master.get_by_test_id("confirm-session").click()
    expect(master.get_by_text("指導記録を確認しました")).to_be_visible()
    expect(master.get_by_test_id("confirm-session")).to_have_count(0)
    expect(master.get_by_test_id("progress")).to_have_attribute("value", re.compile(r"^[1-9]"))

    # The organiser certifies at the last milestone.
    office.goto(pair_url)
    office.locator("#certify-form select").select_option(index=2)
    office.get_by_role("button", name="マイスター・ジュニアとして認定する").click()
    expect(office.get_by_test_id("certificate")).to_contain_text(JUNIOR)
    code = office.get_by_test_id("certificate-code").inner_text().strip()
    assert re.fullmatch(r"MJ-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", code), code
    office.screenshot(path=str(screenshot_dir / "skill-transfer-certificate.png"), full_page=True)

    # The junior downloads the PDF; its Japanese is drawn.
    _open_my_pair(junior)
    junior.get_by_test_id("certificate-link").click()
    pdf_url = junior.get_by_test_id("certificate-pdf").get_attribute("href")
    response = junior.request.get(pdf_url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    (screenshot_dir / "skill-transfer-certificate.pdf").write_bytes(pdf)
    pdfcheck.render(pdf).save(screenshot_dir / "skill-transfer-certificate-pdf.png")
    _check_pdf(live_server_app, pdf)

    # Anyone checks the code (typed loosely); a wrong code is refused.
    visitor = browser.new_context(base_url=live_server).new_page()
    visitor.goto("/people/verify")
    visitor.get_by_label("認証コード").fill(code.lower().replace("-", " "))
    visitor.get_by_role("button", name="確認").click()
    expect(visitor.get_by_test_id("verify-valid")).to_contain_text(JUNIOR)
    expect(visitor.get_by_test_id("verify-valid")).to_contain_text(MASTER)
    visitor.goto("/people/verify?code=MJ-2345-6789-ABCD")
    expect(visitor.get_by_test_id("verify-invalid")).to_be_visible()

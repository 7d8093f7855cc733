"""The issue's acceptance journey for quotes: a seeker asks three factories for a quote from a need's page, they
quote (one revises), the seeker compares the three side by side and accepts one; the others are thanked by
email; the chosen factory acknowledges the order; the quote and the order PDFs are fetched in the signed-in
browser contexts and rendered to images, where the Japanese glyphs are checked (not blank, not tofu)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from playwright.sync_api import Browser, Page, expect

from hub.extensions import db
from tests.browser.test_deals_journey import _sign_in
from tests.conftest import PASSWORD
from tests.quotes.pdfcheck import japanese_drawn, page_image

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SHOPS = (("quotes-browser-1", "六郷精機", "q-rokugo"), ("quotes-browser-2", "糀谷製作所", "q-kojiya"),
         ("quotes-browser-3", "羽田切削工業", "q-haneda"))


def _setup(app) -> dict:
    """Three published machining shops with a member each; a seeker whose need carries a drawing."""
    from werkzeug.datastructures import FileStorage

    from hub.auth.services import create_user, find_user
    from hub.core import uploads
    from hub.factories.models import Factory
    from hub.factories.services import update_profile
    from hub.needs.models import Need, NeedAttachment
    from hub.needs.services import save_need

    with app.app_context():
        if find_user("seeker-quotes@example.jp") is None:
            for external_id, name, login in SHOPS:
                factory = update_profile(Factory(external_id=external_id), {
                    "name": name, "ward": "ota", "address": f"東京都大田区{name[:2]}1-2-3",
                    "description": "アルミ・ステンレスのマシニング加工。試作から量産まで。",
                    "processes": ["MC加工", "NC旋盤"], "materials": ["A5052", "SUS304"], "equipment": [],
                    "certifications": []})
                db.session.flush()
                member = create_user(f"{login}@example.jp", PASSWORD, name=f"{name} 担当", role="factory",
                                     organisation_name=name, email_verified=True)
                factory.organisation_id = member.organisation_id
            seeker = create_user("seeker-quotes@example.jp", PASSWORD, name="Ken Founder", role="seeker",
                                 organisation_name="ロボラボ", email_verified=True)
            need = save_need(Need(owner_id=seeker.id), {
                "title": "ロボット関節ブラケット 40個", "description": "A5052のブラケットをマシニングで40個。",
                "processes": ["MC加工"], "materials": ["A5052"], "quantity": 40, "deadline": None,
                "budget_band": "undecided", "kind": "fabrication", "visibility": "public",
                "attachment_access": "granted", "status": "open", "language": "ja", "ward": "ota"})
            stored = uploads.save_attachment(FileStorage(io.BytesIO(PDF), filename="bracket-rev-C.pdf"))
            db.session.add(NeedAttachment(need=need, **NeedAttachment.stored_columns(stored)))
            db.session.commit()
        need_id = db.session.scalar(db.select(Need.id).where(Need.title == "ロボット関節ブラケット 40個"))
    return {"need": need_id}


def _ask_three(seeker: Page, base: str, need_id: int) -> None:
    seeker.goto(f"{base}/needs/{need_id}")
    seeker.get_by_test_id("ask-quotes").click()
    for _external, name, _login in SHOPS:
        seeker.get_by_label(name).check()
    seeker.get_by_label("メッセージ").fill("ブラケット40個の見積をお願いします。図面は案件に添付しています。")
    seeker.get_by_role("button", name="これらの工場に依頼する").click()
    expect(seeker.get_by_text("3社に見積を依頼しました。")).to_be_visible()
    expect(seeker.get_by_test_id("offer")).to_have_count(3)


def _quote(factory: Page, base: str, price: str, days: str, valid_until: str, revise_to: str | None = None) -> None:
    """The factory opens the request from its inbox, writes its quote (and maybe a revision)."""
    factory.goto(f"{base}/deals/")
    factory.get_by_role("link", name="ロボット関節ブラケット 40個").first.click()
    factory.get_by_test_id("step-quotes").click()
    for amount in (price, revise_to) if revise_to else (price,):
        factory.get_by_test_id("write-quote").click()
        expect(factory.get_by_label("図面と版数", exact=False)).to_have_value("bracket-rev-C.pdf")
        factory.get_by_label("数量 1").fill("40")
        factory.locator('[name="lines-0-description"]').fill("ブラケット 削り出し")
        factory.get_by_label("単価（円） 1").fill(amount)
        factory.get_by_label("納期（営業日数）").fill(days)
        factory.get_by_label("有効期限").fill(valid_until)
        factory.get_by_test_id("send-quote").click()
        expect(factory.get_by_text("を送りました。")).to_be_visible()


def _pdf_check(context, url: str, phrase: str, out) -> str:
    response = context.request.get(url)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    body = response.body()
    drawn, why = japanese_drawn(body, phrase)
    page_image(body).save(out)
    assert drawn, why
    return why


def test_ask_three_compare_accept_acknowledge_and_pdfs(browser: Browser, live_server, live_server_app,
                                                        screenshot_dir):
    from hub.core.timeutil import tokyo_today

    ids = _setup(live_server_app)
    valid_until = (tokyo_today() + timedelta(days=30)).isoformat()
    seeker_context = browser.new_context(locale="ja-JP")
    seeker = seeker_context.new_page()
    _sign_in(seeker, live_server, "seeker-quotes@example.jp")
    _ask_three(seeker, live_server, ids["need"])
    compare_url = seeker.url

    factories = {}
    for (_external, name, login), (price, days, revised) in zip(
            SHOPS, (("1800", "12", None), ("2000", "7", "1650"), ("1900", "5", None)), strict=True):
        context = browser.new_context(locale="ja-JP")
        page = context.new_page()
        _sign_in(page, live_server, f"{login}@example.jp")
        _quote(page, live_server, price, days, valid_until, revised)
        factories[name] = (context, page)

    seeker.goto(compare_url)
    offers = seeker.get_by_test_id("offer")
    expect(offers).to_have_count(3)
    # 40 × 1,650 = 66,000 + 6,600; 40 × 1,800 = 72,000 + 7,200; 40 × 1,900 = 76,000 + 7,600 — cheapest first
    expect(seeker.get_by_test_id("offer-total")).to_have_text(["¥72,600", "¥79,200", "¥83,600"])
    expect(offers.first).to_contain_text("糀谷製作所")
    expect(offers.first).to_contain_text("第2版")
    seeker.screenshot(path=str(screenshot_dir / "quotes-compare.png"), full_page=True)
    offers.first.get_by_test_id("choose").click()
    expect(seeker.get_by_text("見積を採用し、注文書を工場へ送りました。")).to_be_visible()
    expect(seeker.get_by_test_id("order-banner")).to_contain_text("発注済み・請け待ち")

    context, chosen = factories["糀谷製作所"]
    chosen.reload()
    chosen.get_by_test_id("order-link").click()
    chosen.get_by_test_id("acknowledge-order").click()
    expect(chosen.get_by_text("注文を請けました。")).to_be_visible()
    expect(chosen.get_by_test_id("order-status")).to_have_text("工場が注文を請けました")
    order_pdf = chosen.get_by_test_id("order-pdf").get_attribute("href")
    assert re.search(r"/quotes/orders/\d+\.pdf$", order_pdf)

    seeker.goto(compare_url)
    quote_pdf = seeker.get_by_test_id("offer").first.get_by_role("link", name="詳細").get_attribute("href")
    seeker.goto(live_server + quote_pdf)
    quote_pdf_url = seeker.get_by_test_id("quote-pdf").first.get_attribute("href")
    print(_pdf_check(seeker_context, live_server + quote_pdf_url, "御見積書", screenshot_dir / "quotes-quote-pdf.png"))
    print(_pdf_check(context, live_server + order_pdf, "注文請書", screenshot_dir / "quotes-order-pdf.png"))
    # The other two factories cannot open the chosen quote's PDF, and were thanked by email.
    other_context, _page = factories["六郷精機"]
    assert other_context.request.get(live_server + quote_pdf_url).status == 404
    from hub.mail.models import EmailMessage

    with live_server_app.app_context():
        thanked = set(db.session.scalars(db.select(EmailMessage.recipient).where(
            EmailMessage.kind == "quotes_quote_not_chosen")))
    assert thanked == {"q-rokugo@example.jp", "q-haneda@example.jp"}

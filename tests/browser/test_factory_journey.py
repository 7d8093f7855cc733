"""A factory member signs up, fills the profile in Japanese, and finds the factory in the directory."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def _confirmation_path(app, email: str) -> str:
    from hub.extensions import db
    from hub.mail.models import EmailMessage

    with app.app_context():
        mail = db.session.scalars(db.select(EmailMessage).where(EmailMessage.recipient == email,
                                                                EmailMessage.kind == "verify_email")).first()
        return re.search(r"/auth/verify/\S+", mail.body_text).group(0)


def test_factory_member_signs_up_fills_profile_and_is_found(page: Page, live_server, live_server_app,
                                                            screenshot_dir):
    page.goto(f"{live_server}/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.get_by_role("link", name="新規登録").click()

    page.get_by_label("お名前").fill("六郷 一郎")
    page.get_by_label("メールアドレス").fill("rokugo@example.jp")
    page.get_by_label("パスワード", exact=True).fill("rokugo-password-1")
    page.get_by_label("パスワード（確認）").fill("rokugo-password-1")
    page.get_by_label("立場").select_option("factory")
    page.get_by_label("工場名・チーム名").fill("六郷へら絞り製作所")
    page.get_by_role("button", name="アカウントを作成").click()
    # The answer never says whether the address already had an account: the link in the email confirms it.
    expect(page.get_by_text("rokugo@example.jp 宛てにメールをお送りしました")).to_be_visible()
    page.goto(live_server + _confirmation_path(live_server_app, "rokugo@example.jp"))

    # Confirmed: sign in, and a factory member goes straight to the profile editor.
    expect(page.get_by_text("メールアドレスを確認しました", exact=False)).to_be_visible()
    page.get_by_label("メールアドレス").fill("rokugo@example.jp")
    page.get_by_label("パスワード").fill("rokugo-password-1")
    page.locator("form").get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="工場プロフィールの編集")).to_be_visible()
    page.get_by_label("英語の工場名").fill("Rokugo Metal Spinning")
    page.get_by_label("区", exact=True).select_option("ota")
    page.get_by_label("住所").fill("東京都大田区仲六郷2-1-1")
    page.get_by_label("事業内容").fill("へら絞り一筋五十年。ステンレスやアルミの継ぎ目のない容器を一個から作ります。")
    page.get_by_label("工程", exact=True).fill("へら絞り\nＴＩＧ溶接")
    page.get_by_label("材料", exact=True).fill("SUS304\nA1050")
    page.get_by_label("従業員数").fill("4")
    page.get_by_role("button", name="プロフィールを保存").click()

    expect(page.get_by_text("プロフィールを保存しました")).to_be_visible()
    expect(page.get_by_test_id("factory-name")).to_have_text("六郷へら絞り製作所")

    page.get_by_role("link", name="工場一覧", exact=True).click()
    page.get_by_label("検索", exact=True).fill("へら絞り")
    page.get_by_role("button", name="検索", exact=True).click()
    card = page.get_by_role("link", name="六郷へら絞り製作所")
    expect(card).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "directory-ja.png"), full_page=True)
    card.click()
    expect(page.get_by_test_id("factory-description")).to_contain_text("継ぎ目のない容器")
    expect(page.locator(".cap-badge").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "factory-ja.png"), full_page=True)


def test_japanese_text_renders_as_glyphs_not_boxes(page: Page, live_server, screenshot_dir):
    """Missing fonts draw every kanji as the same empty box (tofu): draw three kanji with the page's own font and
    require three different, non-blank bitmaps."""
    page.goto(f"{live_server}/")
    result = page.evaluate("""() => {
        const font = getComputedStyle(document.body).fontFamily;
        const draw = (ch) => {
            const canvas = document.createElement('canvas'); canvas.width = 48; canvas.height = 48;
            const c = canvas.getContext('2d'); c.fillStyle = '#fff'; c.fillRect(0, 0, 48, 48);
            c.fillStyle = '#000'; c.font = '40px ' + font; c.textBaseline = 'top'; c.fillText(ch, 2, 2);
            const data = c.getImageData(0, 0, 48, 48).data;
            let ink = 0; let sig = '';
            for (let i = 0; i < data.length; i += 4) {
                const dark = data[i] < 128; ink += dark; sig += dark ? '1' : '0';
            }
            return {ink, sig};
        };
        const glyphs = ['町', '工', '場'].map(draw);
        return {inks: glyphs.map(g => g.ink), distinct: new Set(glyphs.map(g => g.sig)).size};
    }""")
    assert all(ink > 20 for ink in result["inks"]), result
    assert result["distinct"] == 3, result
    page.screenshot(path=str(screenshot_dir / "home-ja.png"))

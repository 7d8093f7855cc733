"""An owner signs in, sees what the hub read from their description, rejects one capability and confirms
another; after re-saving the profile the rejection sticks (issue 9)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from hub.extensions import db

DESCRIPTION = "マシニングセンタでアルミ部品を削ります。溶接もできます。"


def _owner(app) -> int:
    from hub.auth.services import create_user
    from hub.factories.models import Factory
    from hub.factories.services import update_profile

    with app.app_context():
        user = create_user("kamata-owner@example.jp", "kamata-password-1", name="蒲田 花子", role="factory",
                           organisation_name="蒲田精工", email_verified=True)
        factory = update_profile(Factory(organisation_id=user.organisation_id, name="蒲田精工"), {
            "name": "蒲田精工", "ward": "ota", "description": DESCRIPTION, "processes": ["NC旋盤"],
            "materials": [], "equipment": [], "certifications": []})
        db.session.commit()
        return factory.id


def test_owner_confirms_and_rejects_what_was_read(page: Page, live_server, live_server_app, screenshot_dir):
    factory_id = _owner(live_server_app)
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("メールアドレス").fill("kamata-owner@example.jp")
    page.get_by_label("パスワード").fill("kamata-password-1")
    page.get_by_role("button", name="ログイン").click()

    page.goto(f"{live_server}/factories/{factory_id}/edit")
    reading = page.get_by_test_id("reading")
    expect(reading).to_contain_text("説明文から次のように読み取りました")
    welding = page.get_by_test_id("inferred-welding")
    expect(welding).to_contain_text("溶接")
    expect(welding).to_contain_text("溶接もできます")  # the phrase it was read from
    expect(page.get_by_test_id("inferred-milling")).to_contain_text("マシニングセンタ")
    page.screenshot(path=str(screenshot_dir / "capability-review-ja.png"), full_page=True)

    page.get_by_test_id("rejected-welding").click()
    expect(page.get_by_test_id("inferred-welding")).to_have_count(0)
    expect(page.get_by_test_id("rejected")).to_contain_text("溶接")
    page.get_by_test_id("confirmed-milling").click()
    expect(page.get_by_test_id("inferred-milling")).to_have_count(0)

    # The owner edits the description (still mentioning welding) and saves the profile.
    page.get_by_label("事業内容").fill(DESCRIPTION + "溶接の実績も多数あります。")
    page.get_by_role("button", name="プロフィールを保存").click()
    expect(page.get_by_text("プロフィールを保存しました")).to_be_visible()

    page.goto(f"{live_server}/factories/{factory_id}/edit")
    expect(page.get_by_test_id("inferred-welding")).to_have_count(0)
    expect(page.get_by_test_id("rejected")).to_contain_text("溶接")
    page.goto(f"{live_server}/factories/{factory_id}")
    badges = page.locator(".cap-badge")
    expect(badges.filter(has_text="フライス")).to_have_count(1)
    expect(badges.filter(has_text="溶接")).to_have_count(0)

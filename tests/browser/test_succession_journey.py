"""The whole succession path in a browser: the owner lists the factory anonymously → an organiser reviews and
publishes → a successor finds it through matching → accepts the NDA → the owner approves → the details are visible
to that successor only (a second successor still sees the anonymous listing)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from hub.auth.models import Organisation
from hub.auth.services import create_user
from hub.extensions import db
from hub.factories.models import Factory
from hub.factories.services import update_profile
from hub.succession import services

PASSWORD = "succession-journey-1"
NAME = "六郷精密研削所"
ADDRESS = "東京都大田区仲六郷4-3-2"


def _setup(app) -> None:
    with app.app_context():
        from hub.auth.services import find_user

        if find_user("owner-journey@example.jp") is not None:
            return
        factory = update_profile(Factory(), {"name": NAME, "name_en": "Rokugo Precision Grinding", "ward": "ota",
                                             "address": ADDRESS, "processes": ["平面研削", "円筒研削"],
                                             "owner_birth_year": 1944, "successor_status": "none"})
        factory.organisation = Organisation(kind="factory", name=NAME)
        # Five look-alike grinding shops in Ota: the listing's anonymity set (k = 5), so it can be shown as written.
        for i in range(5):
            update_profile(Factory(), {"name": f"大田研削{i}", "ward": "ota", "processes": ["平面研削", "円筒研削"],
                                       "equipment": ["平面研削盤 600mm", "円筒研削盤"], "employees": 3,
                                       "founded": 1985})
        db.session.flush()
        owner = create_user("owner-journey@example.jp", PASSWORD, name="六郷 一郎", role="factory", locale="ja",
                             email_verified=True)
        owner.organisation_id = factory.organisation_id
        create_user("organiser-journey@example.jp", PASSWORD, name="鈴木 事務局", role="organiser", locale="ja",
                             email_verified=True)
        first = create_user("successor-journey@example.jp", PASSWORD, name="松本 翔", role="successor", locale="ja",
                             email_verified=True)
        second = create_user("successor2-journey@example.jp", PASSWORD, name="田中 二郎", role="successor",
                             locale="ja", email_verified=True)
        db.session.flush()
        services.save_profile(second, {"background": "別の候補者です。", "processes": ["surface_grinding"],
                                       "wards": ["ota"], "schemes": ["sale"]})
        db.session.commit()
        assert first.id


def _login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("#login-form").get_by_role("button", name="ログイン").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def _logout(page: Page) -> None:
    page.get_by_test_id("current-user").click()  # sign-out sits in the user menu
    page.get_by_role("button", name="ログアウト").click()


def test_succession_journey(page: Page, live_server, live_server_app, screenshot_dir):
    _setup(live_server_app)
    base = live_server

    # 1. The owner writes an anonymous listing and submits it.
    _login(page, base, "owner-journey@example.jp")
    listing_url = _submit_anonymous_listing(page)
    _logout(page)

    # 2. An organiser reviews (sees which factory it is) and publishes.
    _login(page, base, "organiser-journey@example.jp")
    _review_and_publish(page, base)
    _logout(page)

    # 3. A successor fills in a profile and finds the listing through matching — anonymous.
    _login(page, base, "successor-journey@example.jp")
    _find_listing_anonymously(page, screenshot_dir)

    # 4. The NDA, accepted.
    _accept_nda(page)
    _logout(page)

    # 5. The owner approves.
    _login(page, base, "owner-journey@example.jp")
    _approve_disclosure(page, listing_url)
    _logout(page)

    # 6. The approved successor sees the factory; the second successor still does not.
    _login(page, base, "successor-journey@example.jp")
    _see_disclosed_identity(page, listing_url, screenshot_dir)
    _logout(page)
    _login(page, base, "successor2-journey@example.jp")
    _see_anonymous_listing_only(page, listing_url)
    _logout(page)

    # 7. The owner reads who saw what.
    _login(page, base, "owner-journey@example.jp")
    _read_audit_log(page, listing_url)


def _submit_anonymous_listing(page: Page) -> str:
    """The owner drafts an anonymous listing, saves it and submits it for review; returns the listing's URL."""
    page.get_by_role("link", name="事業承継", exact=True).click()
    page.get_by_role("link", name="匿名の案件を作成する").click()
    expect(page.get_by_test_id("anonymity-warning")).to_be_visible()
    page.get_by_label("工程", exact=True).fill("平面研削\n円筒研削")
    page.get_by_label("主な設備").fill("平面研削盤 600mm\n円筒研削盤")
    page.get_by_label("理由（自由記述）").fill("代表が80歳になり、後継ぎがいません。")
    page.get_by_label("事業の内容と、後継者が引き継ぐもの").fill("焼入れ部品の精密研削。常連の取引先があります。")
    page.get_by_label("第三者承継（M&A）").check()
    page.get_by_label("機械・設備").check()
    page.get_by_role("button", name="下書きを保存").click()
    expect(page.get_by_text("下書きを保存しました")).to_be_visible()
    listing_url = page.url
    page.get_by_role("button", name="審査に出す").click()
    expect(page.get_by_text("審査に出しました")).to_be_visible()
    return listing_url


def _review_and_publish(page: Page, base: str) -> None:
    """The organiser opens the review queue, where the factory is named, and publishes the listing."""
    page.goto(f"{base}/succession/review")
    queue = page.get_by_test_id("review-queue")
    expect(queue).to_contain_text(NAME)
    queue.get_by_role("link").first.click()
    page.get_by_role("button", name="承認して公開する").click()
    expect(page.get_by_text("案件を公開しました")).to_be_visible()


def _find_listing_anonymously(page: Page, screenshot_dir) -> None:
    """The successor saves a profile and opens the matched listing, which names neither factory nor address."""
    page.get_by_role("link", name="事業承継", exact=True).click()
    page.get_by_role("link", name="プロフィールを入力する").click()
    page.get_by_label("あなたの経歴").fill("精密機器メーカーで生産技術を15年。")
    page.get_by_label("引き継ぎたい工程").fill("平面研削")
    page.get_by_label("大田区").check()
    page.get_by_role("button", name="プロフィールを保存").click()
    match = page.get_by_test_id("match").first
    expect(match).to_contain_text("希望の工程：平面研削")
    expect(match).to_contain_text("希望地域内：大田区")
    assert NAME not in page.content()
    match.click()
    assert NAME not in page.content() and "仲六郷" not in page.content() and NAME not in page.title()
    page.screenshot(path=str(screenshot_dir / "succession-anonymous-ja.png"), full_page=True)


def _accept_nda(page: Page) -> None:
    """The successor accepts the NDA and requests disclosure; the listing stays anonymous while the owner decides."""
    page.get_by_role("link", name="開示をリクエストする").click()
    expect(page.get_by_test_id("nda-text")).to_contain_text("秘密保持誓約書")
    page.get_by_label("オーナーへのメッセージ（任意）").fill("ぜひお話を伺いたいです。")
    page.get_by_label("上記の秘密保持誓約を読み、同意します").check()
    page.get_by_role("button", name="秘密保持誓約に同意してリクエストを送る").click()
    expect(page.get_by_test_id("disclosure-status")).to_contain_text("オーナーの判断待ち")
    assert NAME not in page.content()


def _approve_disclosure(page: Page, listing_url: str) -> None:
    """The owner reads who asked (name and background) and approves the disclosure."""
    page.goto(listing_url)
    request = page.get_by_test_id("request")
    expect(request).to_contain_text("松本 翔")
    expect(request).to_contain_text("生産技術を15年")
    request.get_by_role("button", name="承認して詳細を開示する").click()
    expect(page.get_by_text("承認しました")).to_be_visible()


def _see_disclosed_identity(page: Page, listing_url: str, screenshot_dir) -> None:
    """The approved successor sees the factory's name and address on the listing."""
    page.goto(listing_url)
    expect(page.get_by_test_id("identity-name")).to_contain_text(NAME)
    expect(page.get_by_test_id("identity")).to_contain_text(ADDRESS)
    page.screenshot(path=str(screenshot_dir / "succession-disclosed-ja.png"), full_page=True)


def _see_anonymous_listing_only(page: Page, listing_url: str) -> None:
    """A successor without approval still sees only the anonymous listing."""
    page.goto(listing_url)
    expect(page.get_by_test_id("listing-headline")).to_be_visible()
    assert NAME not in page.content() and ADDRESS not in page.content()
    expect(page.get_by_test_id("identity")).to_have_count(0)


def _read_audit_log(page: Page, listing_url: str) -> None:
    """The owner's audit log records the approval and the disclosed view."""
    page.goto(listing_url.rstrip("/") + "/audit")
    log = page.get_by_test_id("audit-log")
    expect(log).to_contain_text("開示を承認")
    expect(log).to_contain_text("開示情報を閲覧")

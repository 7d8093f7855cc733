"""No single factory does both steps of a need: the seeker sees a proposed team with its reasons, opens the
prefilled chain composer (issue 12), reviews quantity, deadline and drawing, and sends it (issue 9)."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from hub.extensions import db
from tests.conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _setup(app) -> int:
    """A wire-EDM shop and an electroless-nickel plater a few hundred metres apart in Sumida, and a seeker's need
    for both steps."""
    from hub.auth.services import create_user
    from hub.factories.models import Factory
    from hub.factories.services import update_profile
    from hub.needs.models import Need
    from hub.needs.services import save_need

    with app.app_context():
        for name, process, lat in (("押上ワイヤーカット", "ワイヤー放電加工", 35.7101),
                                   ("業平無電解めっき", "無電解ニッケルめっき", 35.7122)):
            update_profile(Factory(), {"name": name, "ward": "sumida", "lat": lat, "lon": 139.8130,
                                       "description": "", "processes": [process], "materials": [], "equipment": [],
                                       "certifications": []})
        seeker = create_user("team-seeker@example.jp", PASSWORD, name="Team Seeker", role="seeker", email_verified=True)
        need = save_need(Need(owner_id=seeker.id), {
            "title": "精密金型部品の試作", "description": "ワイヤー放電加工のあと無電解ニッケルめっきをお願いします。",
            "quantity": 50, "deadline": date.today() + timedelta(days=40), "ward": "sumida"})
        db.session.commit()
        return need.id


def test_seeker_requests_a_proposed_team(page: Page, live_server, live_server_app, tmp_path, screenshot_dir):
    need_id = _setup(live_server_app)
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("メールアドレス").fill("team-seeker@example.jp")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="ログイン").click()

    page.goto(f"{live_server}/needs/{need_id}")
    drawing = tmp_path / "die-part.pdf"
    drawing.write_bytes(PDF)
    page.locator("input[type=file]").set_input_files(str(drawing))
    page.get_by_role("button", name="添付", exact=True).click()
    expect(page.get_by_text("die-part.pdf")).to_be_visible()

    team = page.get_by_test_id("team").first
    expect(team).to_contain_text("押上ワイヤーカット")
    expect(team).to_contain_text("業平無電解めっき")
    expect(team.get_by_test_id("team-reasons")).to_contain_text("2 工程中 2 工程を分担")
    page.screenshot(path=str(screenshot_dir / "need-teams-ja.png"), full_page=True)
    team.get_by_test_id("request-team").click()

    # The team opens the chain composer, prefilled from the need (issue 12).
    expect(page.get_by_role("heading", name="工程ごとの依頼を作成")).to_be_visible()
    first = page.get_by_test_id("compose-step-1")
    expect(first.get_by_label("数量")).to_have_value("50")
    expect(first.get_by_label("希望納期")).to_have_value((date.today() + timedelta(days=40)).isoformat())
    expect(first.get_by_label("押上ワイヤーカット")).to_be_checked()
    expect(page.get_by_label("die-part.pdf")).to_be_checked()
    page.screenshot(path=str(screenshot_dir / "team-request-ja.png"), full_page=True)
    page.get_by_test_id("compose-review").click()
    expect(page.get_by_test_id("review-steps")).to_contain_text("ワイヤーカット")
    expect(page.get_by_test_id("review-need-drawings")).to_contain_text("die-part.pdf")
    page.get_by_test_id("send-chain").click()

    expect(page.get_by_text("2件の依頼を送信しました。")).to_be_visible()
    expect(page.get_by_text("die-part.pdf")).to_be_visible()

"""Chain requests people can send (issue 12), in the browser:

1. the composer: a seeker plans a three-step chain, composes the requests (swapping one factory for the planner's
   alternative, quantity, deadline, material, a drawing and a note per step), reviews them and sends them; the
   swapped-in factory sees its own request and not the others';
2. the declined-step re-route: a factory declines its step, the requester sends that step to the next candidate,
   and the other steps stay as they were.
Screenshots are saved under tests/artifacts/."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Browser, Page, expect

from hub.extensions import db
from tests.conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DUE = date.today() + timedelta(days=45)
LAT, LON = 35.7436, 139.8473  # Katsushika


def _factory(name: str, process: str, lat: float, email: str | None = None, ward: str = "katsushika") -> int:
    from hub.auth.services import create_user
    from hub.factories.models import Factory
    from hub.factories.services import update_profile

    factory = update_profile(Factory(), {"name": name, "ward": ward, "lat": lat, "lon": LON, "description": "",
                                         "processes": [process], "materials": [], "equipment": [],
                                         "certifications": []})
    db.session.flush()
    if email:
        member = create_user(email, PASSWORD, name=f"{name} 担当", role="factory", organisation_name=name,
                             email_verified=True)
        factory.organisation_id = member.organisation_id
    return factory.id


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("alert").filter(has_text="ログインしました。")).to_be_visible()  # also on a phone


# --- 1. plan → compose with a swap → review → send ------------------------------------------------------------------

def _composer_world(app) -> None:
    """A spinning shop, two electropolishers (the nearer one is the planner's choice) and a laser marker, all in
    Katsushika; a seeker."""
    from hub.auth.services import create_user

    with app.app_context():
        _factory("立石へら絞り", "へら絞り", LAT + 0.001, "spin-chain@example.jp")
        _factory("堀切電解研磨", "電解研磨", LAT + 0.002, "polish-near@example.jp")
        _factory("金町電解研磨", "電解研磨", LAT + 0.030, "polish-far@example.jp")
        _factory("亀有レーザー", "レーザーマーキング", LAT + 0.003, "laser-chain@example.jp")
        create_user("chain-seeker@example.jp", PASSWORD, name="Chain Seeker", role="seeker", email_verified=True)
        db.session.commit()


def _plan_and_compose(page: Page, base: str, shots) -> None:
    page.goto(f"{base}/match/chain")
    page.get_by_label("工程（1行に1つずつ、順番に）").fill("へら絞り\n電解研磨\nレーザーマーキング")
    page.get_by_role("button", name="ルートを計画").click()
    table = page.get_by_test_id("chain-table")
    expect(table).to_contain_text("堀切電解研磨")
    expect(table).to_contain_text("金町電解研磨")  # the alternative
    page.get_by_test_id("compose-chain").click()

    expect(page.get_by_role("heading", name="工程ごとの依頼を作成")).to_be_visible()
    polish = page.get_by_test_id("compose-step-2")
    expect(polish.get_by_label("堀切電解研磨")).to_be_checked()
    polish.get_by_label("金町電解研磨").check()  # the swap
    for n, (quantity, material, note) in enumerate((("30", "SUS304 t1.0", "絞り後のカップ形状"),
                                                     ("30", "SUS304", "溶接焼けはありません。鏡面仕上げで"),
                                                     ("30", "", "ロゴを底面に刻印")), start=1):
        step = page.get_by_test_id(f"compose-step-{n}")
        step.get_by_label("数量").fill(quantity)
        step.get_by_label("希望納期").fill(DUE.isoformat())
        step.get_by_label("材料").fill(material)
        step.get_by_label("この工場へのメモ").fill(note)
    page.get_by_test_id("compose-step-3").locator("input[type=file]").set_input_files(
        files=[{"name": "logo.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.screenshot(path=str(shots / "chain-compose-ja.png"), full_page=True)
    page.get_by_test_id("compose-review").click()


def _review_and_send(page: Page, shots) -> None:
    expect(page.get_by_role("heading", name="依頼内容の確認")).to_be_visible()
    expect(page.get_by_test_id("review-step-2")).to_contain_text("金町電解研磨")
    expect(page.get_by_test_id("review-step-2")).to_contain_text("鏡面仕上げ")
    expect(page.get_by_test_id("review-step-3")).to_contain_text("logo.pdf")
    expect(page.get_by_test_id("review-step-1")).to_contain_text(DUE.isoformat())
    page.screenshot(path=str(shots / "chain-review-ja.png"), full_page=True)
    # Going back keeps everything; then review again and send.
    page.get_by_test_id("edit-chain").click()
    expect(page.get_by_test_id("compose-step-2").get_by_label("金町電解研磨")).to_be_checked()
    expect(page.get_by_test_id("compose-step-2").get_by_label("この工場へのメモ")).to_have_value(
        "溶接焼けはありません。鏡面仕上げで")
    expect(page.get_by_test_id("kept-drawings-3")).to_contain_text("logo.pdf")
    page.get_by_test_id("compose-review").click()
    page.get_by_test_id("send-chain").click()
    expect(page.get_by_text("3件の依頼を送信しました。")).to_be_visible()
    steps = page.get_by_test_id("steps")
    expect(steps).to_contain_text("金町電解研磨")
    expect(steps).not_to_contain_text("堀切電解研磨")
    page.screenshot(path=str(shots / "chain-sent-ja.png"), full_page=True)


def test_compose_a_chain_with_a_swapped_factory_review_and_send(page: Page, browser: Browser, live_server,
                                                                  live_server_app, screenshot_dir):
    _composer_world(live_server_app)
    _sign_in(page, live_server, "chain-seeker@example.jp")
    _plan_and_compose(page, live_server, screenshot_dir)
    _review_and_send(page, screenshot_dir)
    deal_url = page.url

    # The swapped-in polisher reads its own request, and only the route of the other steps.
    context = browser.new_context(viewport={"width": 390, "height": 844})
    factory = context.new_page()
    _sign_in(factory, live_server, "polish-far@example.jp")
    factory.goto(deal_url)
    expect(factory.get_by_test_id("steps")).to_contain_text("鏡面仕上げで")
    expect(factory.get_by_test_id("steps")).to_contain_text("数量")
    expect(factory.get_by_test_id("steps")).not_to_contain_text("ロゴを底面に刻印")
    expect(factory.get_by_test_id("steps")).not_to_contain_text("logo.pdf")
    expect(factory.get_by_test_id("steps")).to_contain_text("亀有レーザー")  # the route
    factory.screenshot(path=str(screenshot_dir / "chain-factory-request-ja-phone.png"), full_page=True)
    context.close()


# --- 2. a declined step goes to the next candidate ---------------------------------------------------------------

def _sent_chain(app) -> int:
    """A chain deal already sent by a seeker: turning, then induction hardening by 足立高周波 (with 千住熱処理 as
    the next candidate), in Adachi."""
    from hub.auth.models import User
    from hub.auth.services import create_user
    from hub.deals import services
    from hub.factories.models import Factory

    with app.test_request_context():
        lat = 35.775
        turner = _factory("足立旋盤工業", "NC旋盤", lat + 0.001, "turn-reroute@example.jp", ward="adachi")
        first = _factory("足立高周波", "高周波焼入れ", lat + 0.002, "heat-first@example.jp", ward="adachi")
        second = _factory("千住熱処理", "高周波焼入れ", lat + 0.004, "heat-second@example.jp", ward="adachi")
        seeker = create_user("reroute-seeker@example.jp", PASSWORD, name="Reroute Seeker", role="seeker",
                             email_verified=True)
        db.session.flush()
        deal = services.create_chain(seeker, [
            services.ChainStep("turning", db.session.get(Factory, turner), "旋盤", quantity=100, due_date=DUE,
                               material="S45C", note="φ20 のシャフト"),
            services.ChainStep("induction_hardening", db.session.get(Factory, first), "高周波焼入れ", quantity=100,
                               due_date=DUE, material="S45C", note="HRC55 以上", candidates=[second])])
        db.session.commit()
        assert isinstance(db.session.get(User, seeker.id), User)
        return deal.id


def test_a_declined_step_is_sent_to_the_next_candidate_alone(page: Page, browser: Browser, live_server,
                                                              live_server_app, screenshot_dir):
    deal_id = _sent_chain(live_server_app)

    # The first heat treater reads its request and declines with a reason.
    context = browser.new_context()
    factory = context.new_page()
    _sign_in(factory, live_server, "heat-first@example.jp")
    factory.goto(f"{live_server}/deals/{deal_id}")
    expect(factory.get_by_test_id("steps")).to_contain_text("HRC55 以上")
    expect(factory.get_by_test_id("steps")).not_to_contain_text("φ20 のシャフト")
    form = factory.get_by_test_id("answer-form")
    form.get_by_label("お断りする").check()
    form.get_by_label("理由（お断りの場合は必須）").fill("今月は設備が埋まっています")
    form.get_by_role("button", name="回答を送る").click()
    expect(factory.get_by_text("問い合わせをお断りしました。依頼者に理由を伝えました。")).to_be_visible()
    context.close()

    _sign_in(page, live_server, "reroute-seeker@example.jp")
    page.goto(f"{live_server}/deals/{deal_id}")
    thread = page.get_by_test_id("thread")
    expect(thread).to_contain_text("工程 2/2（高周波焼入れ）: 足立高周波 が問い合わせをお断りしました。")
    reroute = page.get_by_test_id("reroute-form")
    expect(reroute.get_by_label("千住熱処理")).to_be_checked()
    page.screenshot(path=str(screenshot_dir / "chain-reroute-ja.png"), full_page=True)
    reroute.get_by_test_id("reroute").click()
    expect(page.get_by_text("この工程の依頼を千住熱処理に送信しました。")).to_be_visible()
    steps = page.get_by_test_id("steps")
    expect(steps.get_by_test_id("step-1")).to_contain_text("依頼中")  # untouched
    expect(steps.get_by_test_id("step-2")).to_contain_text("千住熱処理")
    expect(steps.get_by_test_id("step-2")).to_contain_text("依頼中")
    expect(page.get_by_test_id("reroute-form")).to_have_count(0)
    expect(thread).to_contain_text("足立高周波の代わりに千住熱処理へ依頼を送り直しました。")
    page.screenshot(path=str(screenshot_dir / "chain-rerouted-ja.png"), full_page=True)

    # The next candidate receives the same request.
    context = browser.new_context()
    second = context.new_page()
    _sign_in(second, live_server, "heat-second@example.jp")
    second.goto(f"{live_server}/deals/{deal_id}")
    expect(second.get_by_test_id("steps")).to_contain_text("HRC55 以上")
    expect(second.get_by_test_id("answer-form")).to_be_visible()
    context.close()

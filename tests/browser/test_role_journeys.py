"""One journey per role, from signing in to the role's home to its main task, on the demo data, at a desktop and
a phone size, in Japanese and in English. Screenshots go to tests/artifacts/journeys/ (ignored by git); the
README's pictures in docs/ are copied from them (see ``README_SHOTS``).

One server with the demo data serves the four tests (module scope); each size × language runs in its own browser
context. Each iteration first puts back what the previous one changed (a fresh inquiry to answer, the successor's
request withdrawn, the application pending again), so every run walks the same path.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from hub.extensions import db
from tests.browser.conftest import ARTIFACTS
from tests.conftest import demo_app

PASSWORD = "demo-journeys-1"
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
LANGS = ("ja", "en")
SHOTS = ARTIFACTS / "journeys"
DOCS = Path(__file__).resolve().parent.parent.parent / "docs"
# (screenshot taken by these tests, picture in docs/ used by the README): refreshed when HUB_REFRESH_DOCS=1.
README_SHOTS = {
    "seeker-directory-ja-desktop.png": "screenshot-directory.png",
    "seeker-need-en-desktop.png": "screenshot-need-matches.png",
    "factory-home-ja-desktop.png": "screenshot-factory-home.png",
    "seeker-home-ja-desktop.png": "screenshot-seeker-home.png",
    "seeker-profile-en-desktop.png": "screenshot-factory-profile.png",
    "successor-home-ja-phone.png": "screenshot-successor-home-phone.png",
    "organiser-home-en-desktop.png": "screenshot-organiser-home.png",
    "factory-editor-ja-desktop.png": "screenshot-profile-editor-map.png",
}
WORDS = {  # what each page says, in each language
    "ja": {"signin": "ログイン", "waiting": "返事を待っている問い合わせ", "answered": "問い合わせを承諾しました",
           "sent": "に問い合わせを送りました", "fits": "あなたに合う承継案件", "desk": "事務局のページ"},
    "en": {"signin": "Sign in", "waiting": "Waiting for your answer", "answered": "You accepted the inquiry",
           "sent": "Your inquiry has been sent", "fits": "Listings that fit you", "desk": "Organiser's desk"},
}


@pytest.fixture(scope="module")
def demo(tmp_root, live_server_app):
    """A live server on its own SQLite file with the demo data loaded (accounts' password: PASSWORD). It asks for
    ``live_server_app`` only so that tests/conftest.py leaves db.session alone (real commits, as the browser's)."""
    app = demo_app(tmp_root, "journeys", PASSWORD, DEMO_ACCOUNTS_FILE=str(tmp_root / "journeys-accounts.txt"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=15_000)  # a shared two-core machine: pages with the matcher can take seconds
    yield app, f"http://127.0.0.1:{server.server_port}"
    expect.set_options(timeout=5_000)
    server.shutdown()
    with app.app_context():
        db.engine.dispose()
    if os.environ.get("HUB_REFRESH_DOCS"):
        for shot, doc in README_SHOTS.items():
            if (SHOTS / shot).exists():
                shutil.copyfile(SHOTS / shot, DOCS / doc)


def _combinations():
    return [(size, lang) for size in SIZES for lang in LANGS]


def _new_page(browser, base: str, size: str, lang: str) -> Page:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="ja-JP" if lang == "ja" else "en-US")
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda m: page.csp_errors.append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text else None)
    page.goto(f"{base}/?lang={lang}")
    return page


def _sign_in(page: Page, email: str, lang: str) -> None:
    """From the front page, through the navbar (opened first on a phone), to the role's home."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        expect(page.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))  # the menu has finished opening
    page.locator("#nav").get_by_role("link", name=WORDS[lang]["signin"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/auth/login"))
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name=WORDS[lang]["signin"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/home/$"))
    expect(page.get_by_test_id("home-title")).to_be_visible()


def _shot(page: Page, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def _close(page: Page) -> None:
    assert page.csp_errors == [], page.csp_errors
    page.context.close()


def _fresh_inquiry(app, n: int) -> int:
    """A new inquiry from the demo seeker to the demo heat-treatment shop (factory2), unanswered."""
    from hub.auth.models import User
    from hub.deals import services
    from hub.factories.models import Factory

    with app.test_request_context():
        seeker = db.session.scalar(db.select(User).where(User.email == "seeker@example.jp"))
        factory = db.session.scalar(db.select(Factory).where(Factory.external_id == "demo-ota-002"))
        deal = services.create_inquiry(seeker, factory, quantity=40 + n,
                                       message=f"SCM435のシャフト{n}本、浸炭焼入れをお願いできますか。")
        db.session.commit()
        return deal.id


def test_factory_journey_answers_a_waiting_inquiry(browser, demo):
    app, base = demo
    for n, (size, lang) in enumerate(_combinations()):
        deal_id = _fresh_inquiry(app, n)
        page = _new_page(browser, base, size, lang)
        _sign_in(page, "factory2@example.jp", lang)
        waiting = page.get_by_test_id(f"waiting-{deal_id}")
        expect(page.get_by_test_id("home-waiting")).to_contain_text(WORDS[lang]["waiting"])
        expect(waiting.get_by_test_id("waited")).to_be_visible()
        _shot(page, f"factory-home-{lang}-{size}")
        waiting.get_by_role("link").first.click()
        expect(page).to_have_url(re.compile(rf"/deals/{deal_id}$"))
        form = page.get_by_test_id("answer-form")
        form.locator("input[value=accept]").check()
        form.locator("button[type=submit]").click()
        expect(page.locator(".alert-success")).to_contain_text(WORDS[lang]["answered"])
        _shot(page, f"factory-answered-{lang}-{size}")
        page.goto(f"{base}/home/")
        expect(page.get_by_test_id(f"waiting-{deal_id}")).to_have_count(0)
        # The profile editor places the factory on the offline map from its address: no coordinates to type.
        page.goto(f"{base}/factories/mine")
        expect(page.locator("#lat")).to_be_hidden()
        expect(page.get_by_test_id("location-map").locator(".leaflet-marker-icon")).to_be_visible()
        page.get_by_test_id("place-from-address").click()
        expect(page.get_by_test_id("map-status")).to_contain_text("大森" if lang == "ja" else "Ota")
        assert page.locator("#lat").input_value() != ""
        _shot(page, f"factory-editor-{lang}-{size}")
        _close(page)


def test_seeker_journey_finds_a_factory_and_sends_an_inquiry(browser, demo):
    _app, base = demo
    for size, lang in _combinations():
        page = _new_page(browser, base, size, lang)
        _sign_in(page, "seeker@example.jp", lang)
        expect(page.get_by_test_id("home-needs")).to_be_visible()
        expect(page.get_by_test_id("home-replies")).to_be_visible()
        _shot(page, f"seeker-home-{lang}-{size}")
        page.get_by_test_id("home-needs").locator("a[href^='/needs/']").first.click()
        expect(page).to_have_url(re.compile(r"/needs/\d+$"))
        _shot(page, f"seeker-need-{lang}-{size}")
        page.goto(f"{base}/factories/")
        _shot(page, f"seeker-directory-{lang}-{size}", full_page=False)
        page.goto(f"{base}/home/")
        suggestions = page.get_by_test_id("home-suggestions")
        suggestions.locator("a[href^='/factories/']").first.click()
        expect(page).to_have_url(re.compile(r"/factories/\d+$"))
        factory_id = page.url.rsplit("/", 1)[1]
        # The location is a map (Leaflet from the hub, offline ward names), never raw coordinates.
        expect(page.locator("#factory-map .leaflet-marker-icon")).to_be_visible()
        expect(page.locator("#factory-map .ward-label").first).to_be_attached()
        expect(page.get_by_test_id("factory-location")).not_to_contain_text(re.compile(r"\d{2}\.\d{4}, \d{3}\.\d{4}"))
        _shot(page, f"seeker-profile-{lang}-{size}")
        page.get_by_test_id(f"ask-factory-{factory_id}").click()
        page.locator("#message").fill("試作を相談させてください。 / We would like to discuss a prototype.")
        page.locator("#inquiry-form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/deals/\d+$"))
        expect(page.locator(".alert-success")).to_contain_text(WORDS[lang]["sent"])
        _shot(page, f"seeker-sent-{lang}-{size}")
        _close(page)


def test_successor_journey_asks_for_disclosure_of_a_fitting_listing(browser, demo):
    app, base = demo
    from hub.auth.models import User
    from hub.succession.models import Disclosure

    for size, lang in _combinations():
        with app.app_context():  # the previous iteration's request, withdrawn, so the listing can be asked again
            successor = db.session.scalar(db.select(User).where(User.email == "successor@example.jp"))
            db.session.execute(db.delete(Disclosure).where(Disclosure.successor_id == successor.id))
            db.session.commit()
        page = _new_page(browser, base, size, lang)
        _sign_in(page, "successor@example.jp", lang)
        listings = page.get_by_test_id("home-listings")
        expect(listings).to_contain_text(WORDS[lang]["fits"])
        _shot(page, f"successor-home-{lang}-{size}")
        listings.get_by_test_id("fit-listing").first.locator("a.btn").click()
        expect(page).to_have_url(re.compile(r"/succession/l/[\w-]+$"))
        page.locator("a[href$='/disclose']").click()
        page.locator("#accept").check()
        page.locator("main form button[type=submit]").click()
        page.goto(f"{base}/home/")
        requests = page.get_by_test_id("home-requests")
        expect(requests.locator("a[href^='/succession/l/']")).to_have_count(1)
        _shot(page, f"successor-requested-{lang}-{size}")
        _close(page)


def test_organiser_journey_approves_an_open_factory_application(browser, demo):
    app, base = demo
    from hub.events.models import Participation
    from hub.factories.models import Factory

    for size, lang in _combinations():
        with app.app_context():  # the application waits again, as in the demo
            factory = db.session.scalar(db.select(Factory).where(Factory.external_id == "demo-ota-005"))
            row = db.session.scalar(db.select(Participation).where(Participation.factory_id == factory.id))
            row.status = "pending"
            db.session.commit()
            name = factory.name
        page = _new_page(browser, base, size, lang)
        _sign_in(page, "organiser@example.jp", lang)
        expect(page.get_by_test_id("home-title")).to_have_text(WORDS[lang]["desk"])
        queue = page.get_by_test_id("queue-participations")
        expect(queue.locator(".badge")).to_have_text("2")
        expect(page.get_by_test_id("home-indicators")).to_be_visible()
        _shot(page, f"organiser-home-{lang}-{size}")
        queue.get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"/openfactory/editions/\d+/dashboard$"))
        row = page.get_by_test_id("participation-row").filter(has_text=name)
        row.locator("button.btn-success").click()
        page.goto(f"{base}/home/")
        expect(page.get_by_test_id("queue-participations").locator(".badge")).to_have_text("1")
        _shot(page, f"organiser-after-{lang}-{size}")
        _close(page)

"""axe-core over the main pages of every role, in Japanese and English (issue 12, accessibility).

One live server on its own SQLite file with the demo data (CSRF on, as in production, so every form carries its
token), one browser context per role and language; axe-core 4 (tests/browser/assets/axe-core, MPL-2.0) is injected
from the local file — no network. The test fails on any serious or critical finding and prints every finding by
impact (``-s``), so a run also measures the moderate and minor ones.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from werkzeug.serving import make_server

from hub.extensions import db
from tests.browser.conftest import ARTIFACTS
from tests.conftest import demo_app

AXE = Path(__file__).resolve().parent / "assets" / "axe-core" / "axe.min.js"
PASSWORD = "axe-demo-pass-1"
BLOCKING = ("serious", "critical")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
               "resultTypes": ["violations"]}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, live_server_app):
    """The demo data behind a live server (module scope: one seeding for every page and role). Asking for
    ``live_server_app`` keeps the suite's per-test transaction off this server's session (tests/conftest.py)."""
    app = demo_app(tmp_path_factory.mktemp("axe"), "axe", PASSWORD, WTF_CSRF_ENABLED=True)
    with app.app_context():
        urls = _role_pages()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", urls
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def _role_pages() -> dict[str, list[str]]:
    """The main pages of each role, with ids from the demo data."""
    from hub.deals.models import Deal
    from hub.events.models import Edition, Pitch, PitchNight, Slot
    from hub.factories.models import Factory
    from hub.needs.models import Need
    from hub.succession.models import SuccessionListing

    first = lambda model, *where: db.session.scalar(db.select(model).where(*where).order_by(model.id))  # noqa: E731
    factory = first(Factory, Factory.is_public)
    need = first(Need)
    slot = first(Slot, Slot.program_id.isnot(None))
    edition = first(Edition)
    night = first(PitchNight)
    pitch = first(Pitch)
    deal = first(Deal)
    listing = first(SuccessionListing, SuccessionListing.status == "published")
    deal_page = [f"/deals/{deal.id}"] if deal else []
    public = ["/", "/factories/", f"/factories/{factory.id}", "/needs/", f"/needs/{need.id}",
              "/match/?text=アルミ 切削", "/match/chain", "/openfactory/", f"/openfactory/slots/{slot.id}",
              "/openfactory/factories", "/pitch-nights/", "/about", "/auth/login", "/auth/signup"]
    pages = {
        "anonymous": public,
        "factory": ["/deals/", "/deals/opportunities", "/openfactory/mine", "/checkin", "/factories/mine",
                    "/needs/new", "/succession/mine", f"/openfactory/slots/{slot.id}/roster", *deal_page],
        "seeker": ["/needs/mine", "/needs/new", "/deals/", "/deals/notifications", f"/needs/{need.id}", *deal_page],
        "successor": ["/succession/", "/succession/listings", "/succession/requests",
                      *([f"/succession/l/{listing.public_id}"] if listing else [])],
        "organiser": ["/organiser/dashboard", "/openfactory/editions", f"/openfactory/editions/{edition.id}/dashboard",
                      "/organiser/imports", "/organiser/aliases", "/factories/review", "/organiser/outbox/",
                      "/organiser/cluster-risk", "/people/pairs", "/succession/review", "/succession/outreach",
                      "/deals/reports", *([f"/pitch-nights/{night.id}/review"] if night else []),
                      *([f"/pitch-nights/pitches/{pitch.id}"] if pitch else [])],
    }
    return pages


ACCOUNTS = {"factory": "factory@example.jp", "seeker": "seeker@example.jp", "successor": "successor@example.jp",
            "organiser": "organiser@example.jp"}


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


MARKUP_CHECKS = """() => {
  const seen = {};
  document.querySelectorAll('[id]').forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
  return {duplicate_ids: Object.keys(seen).filter(k => seen[k] > 1),
          empty_actions: document.querySelectorAll('form[action=""]').length};
}"""


# Buttons broken one character per line (the phone-size bug of issue 12): a label of 3+ characters laid out on as
# many lines as it has characters.
SQUEEZED_BUTTONS = """() => Array.from(document.querySelectorAll('button, .btn, input[type=submit]')).filter(b => {
  const text = (b.innerText || b.value || '').replace(/\\s+/g, '');
  if (text.length < 3 || !b.offsetParent) { return false; }
  const range = document.createRange();
  range.selectNodeContents(b);
  const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
  return lines.size >= text.length - 1;
}).map(b => (b.innerText || b.value).trim())"""


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("options => axe.run(document, options).then(r => r.violations.map(v => ({id: v.id, "
                         "impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})))",
                         AXE_OPTIONS)


def test_axe_finds_no_serious_or_critical_issue_on_the_main_pages(browser: Browser, demo_server):
    base, pages = demo_server
    by_impact: Counter = Counter()  # findings: one rule broken on one page
    nodes_by_impact: Counter = Counter()  # the elements those findings name
    everything = []
    blocking = []
    visited = 0
    for role, paths in pages.items():
        for lang in ("ja", "en"):
            context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)  # axe is injected
            page = context.new_page()
            if role != "anonymous":
                _login(page, base, ACCOUNTS[role])
            for path in dict.fromkeys(paths):
                url = f"{base}{path}{'&' if '?' in path else '?'}lang={lang}"
                response = page.goto(url)
                assert response.status < 400, f"{role} {url}: {response.status}"
                visited += 1
                markup = page.evaluate(MARKUP_CHECKS)  # what axe 4.9+ no longer checks (duplicate-id was retired)
                if markup["duplicate_ids"] or markup["empty_actions"]:
                    blocking.append({"role": role, "lang": lang, "path": path, **markup})
                if "dashboard" in path:
                    page.screenshot(path=str(ARTIFACTS / f"a11y-{role}-{lang}-{path.strip('/').replace('/', '-')}.png"),
                                    full_page=True)
                page.set_viewport_size({"width": 390, "height": 844})
                squeezed = page.evaluate(SQUEEZED_BUTTONS)
                page.set_viewport_size({"width": 1366, "height": 900})
                if squeezed:
                    blocking.append({"role": role, "lang": lang, "path": path, "squeezed_buttons": squeezed})
                for finding in _axe(page):
                    by_impact[finding["impact"]] += 1
                    nodes_by_impact[finding["impact"]] += len(finding["nodes"])
                    everything.append(f"{finding['impact']:9} {role:9} {lang} {path} {finding['id']} "
                                      f"{finding['nodes'][:3]}")
                    if finding["impact"] in BLOCKING:
                        blocking.append({"role": role, "lang": lang, "path": path, **finding})
            context.close()
    print(f"\naxe: {visited} pages; findings by impact {dict(by_impact)}; elements {dict(nodes_by_impact)}")
    print("\n".join(sorted(everything)))
    for item in blocking:
        print(item)
    assert not blocking, f"{len(blocking)} serious/critical axe findings (run with -s for the list)"


# Bootstrap scrolls smoothly (scroll-behavior: smooth): wait until the page has stopped moving before measuring.
FOCUS_CHECK = """async () => {
  let last = -1;
  for (let i = 0; i < 120 && scrollY !== last; i++) {
    last = scrollY;
    await new Promise(done => setTimeout(done, 50));
  }
  const e = document.activeElement, r = e.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  return {submit: e.matches('#need-form button[type=submit]'), top: r.top, bottom: r.bottom, left: r.left,
          right: r.right, width: innerWidth, height: innerHeight, uncovered: !!hit && e.contains(hit)};
}"""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_need_forms_submit_button_is_on_screen_when_reached_by_tab_on_a_phone(browser: Browser, demo_server,
                                                                                    lang):
    """Tabbing through the need form at 390×844 reaches its submit button inside the viewport, not covered by the
    sticky parts of the page (issue 12: it was focused off-screen)."""
    base, _pages = demo_server
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _login(page, base, ACCOUNTS["seeker"])
    page.goto(f"{base}/needs/new?lang={lang}")
    page.locator("#need-form input:visible, #need-form textarea:visible").first.focus()
    state = page.evaluate(FOCUS_CHECK)
    for _ in range(40):
        if state["submit"]:
            break
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_CHECK)
    context.close()
    assert state["submit"], "Tab never reached the need form's submit button"
    assert 0 <= state["top"] and state["bottom"] <= state["height"], state
    assert 0 <= state["left"] and state["right"] <= state["width"], state
    assert state["uncovered"], f"the focused submit button is covered by another element: {state}"

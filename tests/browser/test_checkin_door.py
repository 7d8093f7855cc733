"""Check-in at the door in a real browser, on a phone (issue 12): a factory member finds a visitor without a code
in today's list with the keyboard alone; and scans a QR code with the camera — Chromium's fake camera plays a
video of the booking's own QR code, the page reads it (jsQR: headless Chromium has no BarcodeDetector on Linux)
and checks the party in."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import qrcode
from PIL import Image
from playwright.sync_api import BrowserType, Page, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_events_journeys import _login, _setup_slot

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def door_slot(live_server_app):
    """Today's slot starting in 20 minutes; its edition is unpublished afterwards, so that the other journeys
    sharing this server still find their own edition as the current one."""
    ids = _setup_slot(live_server_app, starts_in=timedelta(minutes=20))
    yield ids
    from hub.events.models import Slot
    from hub.extensions import db

    with live_server_app.app_context():
        db.session.get(Slot, ids["slot"]).program.edition.is_published = False
        db.session.commit()


def _book(page: Page, live_server: str, slot_id: int, name: str, email: str, party: int = 2) -> dict:
    response = page.request.post(f"{live_server}/api/v1/openfactory/slots/{slot_id}/bookings",
                                 data={"name": name, "email": email, "party_size": party})
    assert response.status == 201, response.text()
    return response.json()


def test_a_visitor_without_a_code_is_found_by_name_and_checked_in_with_the_keyboard(page: Page, live_server, door_slot,
                                                                                      screenshot_dir):
    ids = door_slot
    _book(page, live_server, ids["slot"], "山田 花子", f"hanako-{ids['tag']}@example.jp", 2)
    _book(page, live_server, ids["slot"], "Suzuki Ken", f"ken-{ids['tag']}@example.jp", 1)
    page.set_viewport_size(PHONE)
    _login(page, live_server, ids["member"])
    page.goto(f"{live_server}/checkin")
    page.get_by_test_id("checkin-list-link").click()
    expect(page.get_by_role("heading", name="本日の一覧")).to_be_visible()
    search = page.get_by_label("名前", exact=True)
    expect(search).to_be_focused()  # ready to type at once
    page.keyboard.type("山田花子")  # typed without the space the booking has
    page.keyboard.press("Enter")
    rows = page.get_by_test_id("checkin-row")
    expect(rows).to_have_count(1)
    button = page.get_by_role("button", name="山田 花子様を受付する")
    button.focus()
    focus_ring = page.evaluate("el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth",
                               button.element_handle())
    assert focus_ring.startswith("solid") and not focus_ring.endswith(" 0px"), focus_ring
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("checked-in")).to_be_visible()
    expect(page.get_by_role("alert").or_(page.locator(".alert-success")).first).to_contain_text("受付しました")
    page.screenshot(path=str(screenshot_dir / "checkin-list-phone.png"), full_page=True)
    page.goto(f"{live_server}/openfactory/slots/{ids['slot']}/roster")
    expect(page.get_by_test_id("roster-summary")).to_contain_text("受付済み2名")


def _y4m_of(text: str, path: Path) -> Path:
    """A short Y4M video (what Chromium's fake camera plays) showing the QR code of ``text`` on white."""
    code = qrcode.make(text, box_size=6, border=4).convert("L")
    frame = Image.new("L", (640, 480), 255)
    side = min(440, code.size[0])
    frame.paste(code.resize((side, side), Image.NEAREST), ((640 - side) // 2, (480 - side) // 2))
    ycbcr = Image.merge("RGB", (frame, frame, frame)).convert("YCbCr")
    y, cb, cr = ycbcr.split()
    planes = y.tobytes() + cb.resize((320, 240)).tobytes() + cr.resize((320, 240)).tobytes()
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(10):
            out.write(b"FRAME\n" + planes)
    return path


def test_the_phone_camera_reads_the_qr_code_and_checks_the_party_in(browser_type: BrowserType, live_server, door_slot,
                                                                     live_server_app, screenshot_dir, tmp_path):
    ids = door_slot
    # The booking and its signed code, as the visitor's booking page shows them.
    from hub.events.models import Booking
    from hub.events.services import checkin_code, confirmed_seats
    from hub.extensions import db

    setup = browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        booking = _book(setup.new_page(), live_server, ids["slot"], "来場 一郎", f"ichiro-{ids['tag']}@example.jp", 3)
    finally:
        setup.close()
    with live_server_app.test_request_context():
        code = checkin_code(db.session.get(Booking, booking["id"]))
    video = _y4m_of(code, tmp_path / "qr.y4m")
    browser = browser_type.launch(executable_path=CHROMIUM, headless=True, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = browser.new_context(viewport=PHONE, permissions=["camera"])
        page = context.new_page()
        _login(page, live_server, ids["member"])
        page.goto(f"{live_server}/checkin")
        page.get_by_test_id("camera-start").click()
        expect(page.get_by_test_id("checkin-result")).to_contain_text("受付しました：来場 一郎様、3名。",
                                                                      timeout=20_000)
        page.screenshot(path=str(screenshot_dir / "checkin-camera-phone.png"), full_page=True)
        context.close()
    finally:
        browser.close()
    with live_server_app.app_context():
        assert confirmed_seats(ids["slot"]) == 3
        assert db.session.get(Booking, booking["id"]).checked_in_at is not None

"""The quote and the order as PDFs: Japanese glyphs really drawn (checked on the rendered image), both parties,
numbers, dates, lines, subtotal, tax, total and the registration number; English on request; prices only for
the two parties."""

from __future__ import annotations

import warnings

import pytest

from hub.extensions import db
from tests.quotes.conftest import form_data
from tests.quotes.pdfcheck import japanese_drawn, page_text

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@pytest.fixture
def ordered(app, world, asked, signin):
    """Factory A (with a registration number) quoted, the seeker accepted, the factory acknowledged."""
    from hub.quotes.models import PurchaseOrder, Quote

    a = asked.factories[0]
    member = signin(asked.members[a])
    assert member.post("/quotes/settings", data={"invoice_number": "T7000012050002", "closures": ""}).status_code == 302
    assert member.post(f"/quotes/steps/{asked.steps[a]}/new", data=form_data()).status_code == 302
    seeker = signin(world.seeker)
    with app.app_context():
        quote_id = db.session.scalar(db.select(Quote.id).where(Quote.step_id == asked.steps[a]))
    assert seeker.post(f"/quotes/{quote_id}/accept").status_code == 302
    with app.app_context():
        order_id = db.session.scalar(db.select(PurchaseOrder.id))
    assert member.post(f"/quotes/orders/{order_id}/acknowledge").status_code == 302
    return {"quote": quote_id, "order": order_id, "seeker": seeker, "member": member}


def _pdf(client, url):
    with client.get(url) as response:
        assert response.status_code == 200, response.status_code
        assert response.mimetype == "application/pdf"
        return response.data


def test_quote_pdf_in_japanese_has_everything_and_real_glyphs(app, world, ordered):
    pdf = _pdf(ordered["seeker"], f"/quotes/{ordered['quote']}.pdf")
    text = page_text(pdf)
    for expected in ("御見積書", "蒲田精密", "東京都大田区蒲田1-2-3", "登録番号：T7000012050002", "筐体 削り出し",
                     "治具費", "小計（税抜）", "¥75,000", "消費税", "¥7,500", "合計（税込）", "¥82,500", "有効期限",
                     "DWG-001 rev.B", "検査成績書", "佐藤 彩 様"):
        assert expected in text, expected
    drawn, why = japanese_drawn(pdf, "御見積書")
    assert drawn, why


def test_order_pdf_carries_the_acknowledgement(app, world, ordered):
    pdf = _pdf(ordered["member"], f"/quotes/orders/{ordered['order']}.pdf")
    text = page_text(pdf)
    for expected in ("注文書", "注文請書", "蒲田精密 御中", "¥82,500", "T7000012050002", "佐藤 彩"):
        assert expected in text, expected
    drawn, why = japanese_drawn(pdf, "注文請書")
    assert drawn, why


def test_english_on_request(ordered):
    text = page_text(_pdf(ordered["seeker"], f"/quotes/{ordered['quote']}.pdf?lang=en"))
    assert "Quotation" in text and "Total (including tax)" in text and "蒲田精密" in text


def test_the_glyph_check_catches_a_font_without_japanese(app):
    """Control: the same title drawn with DejaVu Sans (no Japanese) fails the check, so the check can fail."""
    from fpdf import FPDF

    if not __import__("os").path.exists(DEJAVU):
        pytest.skip("DejaVu Sans is not installed")
    sheet = FPDF()
    sheet.add_font("dejavu", fname=DEJAVU)
    sheet.add_page()
    sheet.set_font("dejavu", size=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fpdf2 warns about the missing glyphs: that is the point
        sheet.cell(0, 12, "御見積書")
        pdf = bytes(sheet.output())
    drawn, why = japanese_drawn(pdf, "御見積書")
    assert not drawn, why


def test_the_glyph_check_catches_identical_or_blank_characters(app):
    """Control for the pixel part: four identical characters (as tofu boxes would be) and blanks are refused."""
    from fpdf import FPDF

    from hub.quotes.documents import font_path

    with app.app_context():
        path = font_path()
    for phrase, reason in (("ロロロロ", "look the same"), ("見　積", "blank")):
        sheet = FPDF()
        sheet.add_font("jp", fname=path)
        sheet.add_page()
        sheet.set_font("jp", size=20)
        sheet.cell(0, 12, phrase)
        drawn, why = japanese_drawn(bytes(sheet.output()), phrase)
        assert not drawn and reason in why, why


def test_only_the_two_parties_get_the_pdfs(app, world, ordered, signin):
    for user in (world.stranger, world.other_factory_user, world.organiser, world.successor):
        client = signin(user)
        assert client.get(f"/quotes/{ordered['quote']}.pdf").status_code == 404
        assert client.get(f"/quotes/orders/{ordered['order']}.pdf").status_code == 404
    assert app.test_client().get(f"/quotes/{ordered['quote']}.pdf").status_code == 302  # to sign in


def test_a_missing_font_is_a_clear_503(app, ordered):
    app.config["PDF_FONT"] = "/nonexistent/font.ttf"
    try:
        response = ordered["seeker"].get(f"/quotes/{ordered['quote']}.pdf")
        assert response.status_code == 503
    finally:
        app.config.pop("PDF_FONT")

"""Quote (御見積書) and purchase order (注文書 / 注文請書) as PDF documents, in Japanese or English (fpdf2).

Japanese text needs a Japanese TrueType font embedded in the PDF (a PDF viewer cannot be trusted to have one).
The font is the hub's one PDF font (``hub.core.pdf``); without one the PDF routes answer 503 with a message
that says what to install (see docs/quotes.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF

from hub.core.pdf import FontMissing, font_path  # noqa: F401 (FontMissing: the routes catch it here)
from hub.quotes import pricing
from hub.quotes.models import PurchaseOrder, Quote

FONT = "jp"


@dataclass
class Party:
    name: str
    address: str = ""
    extra: str = ""
    is_person: bool = False  # addressed 様 (a person) rather than 御中 (an organisation)


def _date(value: date | None, lang: str) -> str:
    if value is None:
        return "—"
    return f"{value.year}年{value.month}月{value.day}日" if lang == "ja" else value.isoformat()


def _qty(value) -> str:
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text


class _Sheet(FPDF):
    def __init__(self, font: str):
        super().__init__(format="A4", unit="mm")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, 18)
        self.add_font(FONT, fname=font)
        self.set_title("")
        self.add_page()

    def text_line(self, text: str, size: float = 9.5, h: float = 5, align: str = "L", w: float = 0) -> None:
        self.set_font(FONT, size=size)
        self.cell(w, h, text, new_x="LMARGIN", new_y="NEXT", align=align)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, size=7.5)
        self.cell(0, 5, f"{_('Machi-Koba Co-Creation Hub')} · {self.page_no()}", align="C")


def _parties(sheet: _Sheet, to: Party, issuer: Party, to_label: str, issuer_label: str, lang: str) -> None:
    top = sheet.get_y()
    sheet.set_font(FONT, size=8)
    sheet.cell(90, 5, to_label, new_x="LMARGIN", new_y="NEXT")
    sheet.set_font(FONT, size=12)
    sheet.multi_cell(90, 6.5, to.name + ((" 様" if to.is_person else " 御中") if lang == "ja" else ""), new_x="LMARGIN",
                     new_y="NEXT")
    sheet.set_font(FONT, size=8.5)
    for extra in (to.address, to.extra):
        if extra:
            sheet.multi_cell(90, 4.5, extra, new_x="LMARGIN", new_y="NEXT")
    left_end = sheet.get_y()
    sheet.set_xy(115, top)
    sheet.set_font(FONT, size=8)
    sheet.cell(80, 5, issuer_label, new_x="LEFT", new_y="NEXT")
    sheet.set_font(FONT, size=11)
    sheet.multi_cell(80, 6, issuer.name, new_x="LEFT", new_y="NEXT")
    sheet.set_font(FONT, size=8.5)
    for extra in (issuer.address, issuer.extra):
        if extra:
            sheet.multi_cell(80, 4.5, extra, new_x="LEFT", new_y="NEXT")
    sheet.set_xy(15, max(left_end, sheet.get_y()) + 4)


def _facts(sheet: _Sheet, rows: list[tuple[str, str]]) -> None:
    for label, value in rows:
        sheet.set_font(FONT, size=8.5)
        sheet.cell(38, 5.5, label, border="B")
        sheet.set_font(FONT, size=9.5)
        sheet.cell(0, 5.5, value, border="B", new_x="LMARGIN", new_y="NEXT")
    sheet.ln(3)


def _lines(sheet: _Sheet, quote: Quote) -> None:
    widths = (74, 20, 14, 28, 30, 14)
    heads = (_("Description"), _("Quantity"), _("Unit"), _("Unit price"), _("Amount"), _("Tax"))
    sheet.set_font(FONT, size=8.5)
    sheet.set_fill_color(234, 238, 244)
    for width, head in zip(widths, heads, strict=True):
        sheet.cell(width, 6.5, head, border=1, align="C", fill=True)
    sheet.ln()
    sheet.set_font(FONT, size=9)
    for line in quote.lines:
        cells = (line.description, _qty(line.quantity), line.unit, f"¥{_qty(line.unit_price)}",
                 pricing.yen(line.amount), f"{line.tax_rate}%")
        for index, (width, value) in enumerate(zip(widths, cells, strict=True)):
            sheet.cell(width, 6.5, value, border=1, align="L" if index in (0, 2) else "R")
        sheet.ln()
    sheet.ln(2)


def _totals(sheet: _Sheet, quote: Quote) -> None:
    basis = _("Prices excluding tax") if quote.price_basis == "excl" else _("Prices including tax")
    rounding = {"floor": _("rounded down"), "half_up": _("rounded half up"), "ceiling": _("rounded up")}
    totals = pricing.compute([pricing.Line(x.description, x.quantity, x.unit_price, x.tax_rate) for x in quote.lines],
                             quote.price_basis, quote.rounding)
    rows = []
    for rate in totals.by_rate:
        rows.append((_("%(rate)s%% items, excluding tax", rate=rate.rate), pricing.yen(rate.base)))
        rows.append((_("Consumption tax (%(rate)s%%)", rate=rate.rate), pricing.yen(rate.tax)))
    rows += [(_("Subtotal (excluding tax)"), pricing.yen(totals.subtotal)), (_("Consumption tax"),
             pricing.yen(totals.tax)), (_("Total (including tax)"), pricing.yen(totals.total))]
    for index, (label, value) in enumerate(rows):
        last = index == len(rows) - 1
        sheet.set_x(105)
        sheet.set_font(FONT, size=11 if last else 9)
        sheet.cell(55, 6.5 if last else 5.5, label, border="B")
        sheet.cell(35, 6.5 if last else 5.5, value, border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    sheet.set_font(FONT, size=7.5)
    note = _("tax computed once per rate on this document, %(mode)s to the yen.", mode=rounding[quote.rounding])
    sheet.cell(0, 5, f"{basis}; {note}", new_x="LMARGIN", new_y="NEXT", align="R")
    sheet.ln(3)


def _conditions(quote: Quote, lang: str) -> list[tuple[str, str]]:
    yes, no = _("Yes"), _("No")
    shipping = {"included": _("Shipping included"), "separate": _("Shipping charged separately"),
                "pickup": _("Collected by the customer")}
    lead = (_("%(n)s working days after the order", n=quote.lead_days) if quote.lead_days is not None
            else _date(quote.delivery_date, lang))
    return [(_("Lead time"), lead), (_("Material supplied by the customer"), yes if quote.material_supplied else no),
            (_("Inspection certificate"), yes if quote.inspection_certificate else no),
            (_("Shipping"), shipping.get(quote.shipping, quote.shipping)),
            (_("Drawing revision"), quote.drawing_revision or "—")]


def _requester(deal) -> Party:
    if deal.requester_factory is not None:
        factory = deal.requester_factory
        return Party(factory.name, factory.address or "", deal.requester.name)
    org = deal.requester.organisation
    return Party(org.name if org else deal.requester.name, "", deal.requester.name if org else "", is_person=not org)


def _issuer(quote: Quote) -> Party:
    number = quote.invoice_number
    return Party(quote.factory.name, quote.factory.address or "",
                 (_("Registration number: %(number)s", number=number)) if number else "")


def _notes(sheet: _Sheet, quote: Quote) -> None:
    if quote.notes:
        sheet.text_line(_("Notes"), size=8.5)
        sheet.set_font(FONT, size=9)
        sheet.multi_cell(0, 5, quote.notes, new_x="LMARGIN", new_y="NEXT")


def quote_pdf(quote: Quote, lang: str = "ja") -> bytes:
    """The quote as the factory sends it to the requester."""
    with force_locale(lang):
        sheet = _Sheet(font_path())
        sheet.text_line(_("Quotation"), size=20, h=12, align="C")
        sheet.ln(2)
        _parties(sheet, _requester(quote.deal), _issuer(quote), _("To"), _("From"), lang)
        sheet.text_line(_("We are pleased to quote as follows."), size=9)
        sheet.ln(1)
        _facts(sheet, [(_("Quote number"), quote.number or ""), (_("Revision"), str(quote.revision)),
                       (_("Issued on"), _date(quote.issued_on, lang)),
                       (_("Valid until"), _date(quote.valid_until, lang)),
                       (_("Subject"), quote.deal.title), (_("Total (including tax)"), pricing.yen(quote.total))])
        _lines(sheet, quote)
        _totals(sheet, quote)
        _facts(sheet, _conditions(quote, lang))
        _notes(sheet, quote)
        return bytes(sheet.output())


def order_pdf(order: PurchaseOrder, lang: str = "ja") -> bytes:
    """The purchase order (注文書) the requester issues; once the factory acknowledged it, with its
    acknowledgement (注文請書) block."""
    quote = order.quote
    with force_locale(lang):
        sheet = _Sheet(font_path())
        sheet.text_line(_("Purchase order"), size=20, h=12, align="C")
        sheet.ln(2)
        _parties(sheet, Party(quote.factory.name, quote.factory.address or "", _issuer(quote).extra),
                 _requester(order.deal), _("To"), _("Ordered by"), lang)
        sheet.text_line(_("We place our order as follows."), size=9)
        sheet.ln(1)
        _facts(sheet, [(_("Order number"), order.number or ""), (_("Issued on"), _date(order.issued_on, lang)),
                       (_("Quote number"), quote.number or ""), (_("Subject"), order.deal.title),
                       (_("Delivery date"), _date(order.due_on, lang)),
                       (_("Total (including tax)"), pricing.yen(quote.total))])
        _lines(sheet, quote)
        _totals(sheet, quote)
        _facts(sheet, _conditions(quote, lang)[1:])
        _notes(sheet, quote)
        sheet.ln(2)
        if order.acknowledged_at is not None:
            from hub.core.timeutil import to_tokyo

            who = order.acknowledged_by.name if order.acknowledged_by else ""
            sheet.text_line(_("Order acknowledgement"), size=13, h=8)
            sheet.text_line(_("%(factory)s accepts this order (%(number)s) on %(date)s. %(who)s",
                              factory=quote.factory.name, number=order.number,
                              date=_date(to_tokyo(order.acknowledged_at).date(), lang), who=who), size=9.5)
        else:
            sheet.text_line(_("Not yet acknowledged by the factory."), size=9)
        return bytes(sheet.output())

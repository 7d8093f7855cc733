"""The certificate as a PDF (fpdf2) in Japanese and English, with a Japanese font found on the system.

The font is the hub's one PDF font (``hub.core.pdf``: ``HUB_PDF_FONT`` or an installed IPA font); without one the
PDF cannot be made and :class:`FontMissing` says why.
"""

from __future__ import annotations

from fpdf import FPDF

from hub.core.labels import capability_label
from hub.core.pdf import FontMissing, font_path  # noqa: F401 (FontMissing: the views catch it here)
from hub.people.models import Certificate


def _centred(pdf: FPDF, size: float, text: str, height: float) -> None:
    pdf.set_font("jp", size=size)
    pdf.cell(0, height, text, align="C", new_x="LMARGIN", new_y="NEXT")


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    """An A4 landscape certificate: Japanese first, English under it, the verification code and where to check."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"マイスター・ジュニア認定証 {certificate.code}")
    pdf.set_author("Machi-Koba Co-Creation Hub")
    pdf.add_font("jp", fname=str(font_path()))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(24)
    _centred(pdf, 30, "マイスター・ジュニア認定証", 16)
    _centred(pdf, 14, "Meister Junior Certificate", 10)
    pdf.ln(8)
    _centred(pdf, 26, f"{certificate.junior_name} 殿", 14)
    pdf.ln(4)
    skill_ja = capability_label(certificate.process_code, "ja")
    skill_en = capability_label(certificate.process_code, "en")
    _centred(pdf, 14, f"あなたはシニア・マイスター {certificate.master_name} のもとで「{skill_ja}」の技能を修得し、", 9)
    _centred(pdf, 14, f"到達目標「{certificate.milestone_title}」に達したことをここに認定します。", 9)
    pdf.ln(3)
    _centred(pdf, 11, f"This certifies that {certificate.junior_name} has learned {skill_en} under senior master "
                      f"{certificate.master_name}", 7)
    _centred(pdf, 11, f"and reached the milestone \u201c{certificate.milestone_in('en')}\u201d.", 7)
    pdf.ln(8)
    day = certificate.certified_on
    _centred(pdf, 13, f"認定日 {day.year}年{day.month}月{day.day}日 / Certified on {day.isoformat()}", 9)
    _centred(pdf, 13, "町工場共創ハブ 事務局 / Machi-Koba Co-Creation Hub", 9)
    pdf.ln(10)
    _centred(pdf, 16, f"認証コード Verification code: {certificate.code}", 10)
    _centred(pdf, 10, f"真正性の確認 / Check it at: {verify_url}", 7)
    return bytes(pdf.output())

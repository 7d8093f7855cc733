"""The certificate as a PDF (fpdf2) in Japanese and English, with a Japanese font found on the system.

The font is looked up in the IPA font paths (Debian's ``fonts-ipafont-gothic``, which CI installs) or at
``PEOPLE_PDF_FONT`` in the config; without one the PDF cannot be made and :class:`FontMissing` says why (a
certificate in tofu boxes would be worse than none).
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from fpdf import FPDF

from hub.core.labels import capability_label
from hub.people.models import Certificate

FONT_PATHS = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipafont-mincho/ipamp.ttf",
)


class FontMissing(RuntimeError):
    """No Japanese font is installed."""


def font_path() -> Path:
    """The configured font, else the first IPA font installed."""
    configured = current_app.config.get("PEOPLE_PDF_FONT")
    for candidate in ([configured] if configured else []) + list(FONT_PATHS):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing("No Japanese font found: install fonts-ipafont-gothic (Debian) or set PEOPLE_PDF_FONT to a "
                      f"TrueType font with Japanese glyphs; looked in {', '.join(FONT_PATHS)}")


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

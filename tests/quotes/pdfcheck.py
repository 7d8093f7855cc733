"""Checks that a PDF really draws Japanese glyphs (not empty boxes, not blanks): render the page to an image with
PDFium (pypdfium2), find each character of a phrase through the PDF's text layer, crop it from the image and
compare the crops. A font without Japanese draws every missing character with the same .notdef box (tofu) or
nothing at all, so its crops are blank or identical; real glyphs have ink and differ from each other."""

from __future__ import annotations

import itertools

import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageStat

SCALE = 3


def page_image(pdf: bytes, index: int = 0) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        return document[index].render(scale=SCALE).to_pil().convert("L")
    finally:
        document.close()


def page_text(pdf: bytes, index: int = 0) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return document[index].get_textpage().get_text_range()
    finally:
        document.close()


def glyph_crops(pdf: bytes, phrase: str, index: int = 0) -> list[Image.Image]:
    """One cropped image per character of ``phrase`` where it first appears on the page (found via the text
    layer; the boxes come from the font's metrics, the pixels from the rendering)."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        text_page = page.get_textpage()
        count = text_page.count_chars()
        text = text_page.get_text_range(0, count)
        start = text.find(phrase)
        assert start >= 0, f"{phrase!r} is not in the PDF's text: {text[:300]!r}"
        image = page.render(scale=SCALE).to_pil().convert("L")
        height = page.get_height()
        crops = []
        for offset in range(len(phrase)):
            left, bottom, right, top = text_page.get_charbox(start + offset, loose=True)
            box = (int(left * SCALE), int((height - top) * SCALE), int(right * SCALE) + 1,
                   int((height - bottom) * SCALE) + 1)
            crops.append(image.crop(box).resize((48, 48)))
        return crops
    finally:
        document.close()


def ink(crop: Image.Image) -> float:
    """Share of dark pixels."""
    histogram = crop.histogram()  # 256 counts of a greyscale image
    return sum(histogram[:128]) / (crop.width * crop.height)


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute pixel difference, 0 (same) to 255."""
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


def japanese_drawn(pdf: bytes, phrase: str) -> tuple[bool, str]:
    """Whether every character of ``phrase`` (distinct Japanese characters) is drawn as its own glyph."""
    try:
        crops = glyph_crops(pdf, phrase)
    except AssertionError as exc:
        return False, str(exc)
    inks = [ink(c) for c in crops]
    if min(inks) < 0.03:
        return False, f"a character is blank: ink {inks}"
    diffs = [difference(a, b) for a, b in itertools.combinations(crops, 2)]
    if min(diffs) < 12:
        return False, f"two characters look the same (tofu?): differences {diffs}"
    return True, f"ink {[round(i, 2) for i in inks]}, smallest difference {min(diffs):.0f}"

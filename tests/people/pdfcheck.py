"""Is Japanese really drawn in a PDF? Rasterise the page (pypdfium2) and compare the ink of a line of text with the
same text drawn by Pillow in a Japanese font: real glyphs match it, tofu boxes or blanks do not."""

from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

SCALE = 2.0  # 144 dpi
MM = SCALE * 72 / 25.4  # pixels per millimetre
SIZE = (640, 48)


def render(pdf: bytes, page: int = 0) -> Image.Image:
    """The page as a greyscale image."""
    document = pdfium.PdfDocument(pdf)
    try:
        return document[page].render(scale=SCALE).to_pil().convert("L")
    finally:
        document.close()


def _ink(image: Image.Image) -> np.ndarray:
    """The bounding box of the dark pixels, scaled to SIZE, as booleans."""
    array = np.asarray(image) < 128
    rows, cols = np.where(array)
    if rows.size == 0:
        return np.zeros(SIZE[::-1], dtype=bool)
    crop = image.crop((cols.min(), rows.min(), cols.max() + 1, rows.max() + 1)).resize(SIZE)
    return np.asarray(crop) < 160


def band(page: Image.Image, top_mm: float, bottom_mm: float, left_mm: float = 15, right_mm: float = 282):
    """The ink of a horizontal band of the page (inside the certificate's frame)."""
    return _ink(page.crop((int(left_mm * MM), int(top_mm * MM), int(right_mm * MM), int(bottom_mm * MM))))


def drawn(text: str, font_path: str) -> np.ndarray:
    """The ink of ``text`` drawn by Pillow in the given font."""
    font = ImageFont.truetype(font_path, 96)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (right + 20, bottom + 20), 255)
    ImageDraw.Draw(image).text((10, 10), text, font=font, fill=0)
    return _ink(image)


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two ink masks (1: the same shapes)."""
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 0.0

"""The Japanese TrueType font that the hub's PDF documents embed (quotes, orders, certificates).

A PDF viewer cannot be trusted to have a Japanese font, so every document embeds one. The hub does not ship a font
file: it uses ``PDF_FONT`` (environment ``HUB_PDF_FONT``) when set, else the first of :data:`FONT_PATHS` that exists
— the IPA fonts that Debian and Ubuntu install with ``fonts-ipafont-gothic`` (``.ci/run`` installs it) or
``fonts-ipaexfont-gothic``, and the usual places of IPAex on macOS. With none, :class:`FontMissing` says what to
install (a document in tofu boxes would be worse than none).
"""

from __future__ import annotations

import os

from flask import current_app

FONT_PATHS = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/ipafont-mincho/ipamp.ttf",
    "/usr/local/share/fonts/ipaexg.ttf",
    "/Library/Fonts/ipaexg.ttf",
    os.path.expanduser("~/Library/Fonts/ipaexg.ttf"),
)


class FontMissing(RuntimeError):
    """No Japanese TrueType font was found: the document cannot be drawn."""


def font_path() -> str:
    """The configured font, else the first Japanese font installed."""
    configured = current_app.config.get("PDF_FONT")
    for path in (configured,) if configured else FONT_PATHS:
        if path and os.path.isfile(path):
            return path
    raise FontMissing("No Japanese font found: install fonts-ipafont-gothic (Debian) or set HUB_PDF_FONT to a "
                      "TrueType font with Japanese glyphs")

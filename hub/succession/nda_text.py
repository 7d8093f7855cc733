"""Version 1 of the non-disclosure agreement (``templates/succession/nda/v1_*.txt``, shipped with the package
data), stored in the database on first use. Later versions are published by organisers and kept as data."""

from __future__ import annotations

from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "templates" / "succession" / "nda"

TEXT_JA = (_DATA / "v1_ja.txt").read_text(encoding="utf-8").strip()
TEXT_EN = (_DATA / "v1_en.txt").read_text(encoding="utf-8").strip()

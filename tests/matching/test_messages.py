"""The matcher's one message table: every key in both languages with the same placeholders, and used."""

import pathlib
import re
import string

import pytest

from matching._messages import LANGUAGES, MESSAGES, message

MATCHING = pathlib.Path(__file__).resolve().parents[2] / "matching"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(key):
    texts = MESSAGES[key]
    assert set(texts) == set(LANGUAGES)
    assert all(texts[lang].strip() for lang in LANGUAGES)
    assert _fields(texts["ja"]) == _fields(texts["en"])


def test_every_message_is_used_and_no_inline_translations_are_left():
    source = "\n".join(p.read_text(encoding="utf-8") for p in MATCHING.glob("*.py") if p.name != "_messages.py")
    quoted = set(re.findall(r'"([a-z_]+)"', source))
    assert set(MESSAGES) <= quoted, sorted(set(MESSAGES) - quoted)
    assert " if en else " not in source and 'en = lang == "en"' not in source


def test_message_fills_placeholders_and_defaults_to_japanese():
    assert message("track_record", "en", rate=0.5) == "Track record 50%"
    assert message("track_record", "ja", rate=0.5) == "実績評価 50%"
    assert message("track_record", "fr", rate=0.5) == "実績評価 50%"
    assert message("covers_steps_list", "en", covered=1, total=2, items="Milling") == "Covers 1/2 steps: Milling"

"""Form pieces shared by several domains."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import FloatField, TextAreaField
from wtforms.validators import ValidationError

_SPLIT = re.compile(r"[\n\r,、，;；]+")


class DecimalField(FloatField):
    """A float field whose error speaks like the rest of the hub (WTForms' own says "無効なfloat値です")."""

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        try:
            self.data = float(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a number, e.g. 35.5621.")) from None
        if self.data != self.data or self.data in (float("inf"), float("-inf")):
            self.data = None
            raise ValueError(_l("Enter a number, e.g. 35.5621."))


def language_choices() -> list[tuple[str, str]]:
    """The two interface languages, each named in itself."""
    return [("ja", "日本語"), ("en", "English")]


def split_terms(text: str | None) -> list[str]:
    """'MC加工、NC旋盤\\nSUS304' → ['MC加工', 'NC旋盤', 'SUS304'] (commas, Japanese commas, semicolons, lines)."""
    if not text:
        return []
    return [t.strip() for t in _SPLIT.split(text) if t.strip()]


class TermListField(TextAreaField):
    """A free-text list: one term per line or separated by commas; kept as the user wrote each term."""

    def __init__(self, label=None, validators=None, max_items: int = 100, max_len: int = 200, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.max_items = max_items
        self.max_len = max_len

    def _value(self) -> str:
        if isinstance(self.data, list):
            return "\n".join(self.data)
        return self.data or ""

    def process_formdata(self, valuelist):
        self.data = split_terms(valuelist[0]) if valuelist else []

    def pre_validate(self, form):
        if len(self.data or []) > self.max_items:
            raise ValidationError(_l("At most %(n)s entries.", n=self.max_items))
        if any(len(t) > self.max_len for t in self.data or []):
            raise ValidationError(_l("Each entry can be at most %(n)s characters.", n=self.max_len))


def flash_form_errors(form) -> None:
    """Show every validation message of ``form`` as a danger flash (for forms posted from another page)."""
    from flask import flash

    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "danger")

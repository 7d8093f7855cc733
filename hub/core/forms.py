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


def install_field_rendering() -> None:
    """Two HTML rules WTForms breaks, fixed once for every form (called by the app factory):

    - hidden inputs (the CSRF token above all) are rendered without an ``id``: a page with several forms otherwise
      repeats ``id="csrf_token"`` once per form (48 times on a deal's page), which HTML forbids and which confuses
      assistive technology. Nothing refers to a hidden input by id; an explicit ``id=`` still wins;
    - a required single ``<select>`` whose first option is a real choice (not an empty placeholder) is rendered
      without ``required`` (HTML: such a select must start with a placeholder). A select always sends one of its
      options, and the server validates the choice as before. Bootstrap-Flask's ``render_field`` passes
      ``required=True`` itself, so an explicit ``required`` is dropped as well."""
    from flask_wtf import FlaskForm
    from wtforms.fields import HiddenField, SelectField

    meta = FlaskForm.Meta
    if getattr(meta, "_hub_field_rendering", False):
        return
    original = meta.render_field

    def render_field(self, field, render_kw):
        own = field.render_kw or {}
        if isinstance(field, HiddenField) and "id" not in render_kw and not own.get("id"):
            render_kw = {**render_kw, "id": False}
        elif type(field) is SelectField and (field.flags.required or render_kw.get("required")):
            first = next(iter(field.iter_choices()), None)
            if first is not None and first[0] not in ("", None):
                render_kw = {**render_kw, "required": False}
        return original(self, field, render_kw)

    meta.render_field = render_field
    meta._hub_field_rendering = True


def field_id(field, new_id: str):
    """The field, rendered under another id (a template global): the same form shown several times on one page
    (an answer form per step, a rating form per party) gets one id per copy, and its label follows."""
    field.id = new_id
    field.label.field_id = new_id
    return field

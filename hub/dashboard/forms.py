"""Editing the programme's targets."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from hub.dashboard.services import LABELS, PROGRAMME_TARGETS


def target_form_class():
    """A form with one bounded integer field per indicator."""

    class TargetForm(FlaskForm):
        pass

    for key in PROGRAMME_TARGETS:
        setattr(TargetForm, key, IntegerField(LABELS[key], validators=[
            InputRequired(), NumberRange(min=0, max=100_000, message=_l("Between 0 and 100,000."))]))
    return TargetForm

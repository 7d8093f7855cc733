"""Forms of the chain composer: one :class:`StepRequestForm` per planned step (prefixed ``steps-N-``) under a
:class:`ComposeForm` that carries the CSRF token; every field bounded."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Form,
    IntegerField,
    MultipleFileField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from hub.deals.chains import MAX_MATERIAL, MAX_NOTE, MAX_QUANTITY


class StepRequestForm(Form):
    """What is asked of one step; ``factory`` lists the step's candidates (set by the view) and "" (not sent)."""

    factory = RadioField(_l("Factory"), choices=[], validate_choice=False)
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), NumberRange(min=1, max=MAX_QUANTITY)])
    due_date = DateField(_l("Needed by"), validators=[Optional()])
    material = StringField(_l("Material"), validators=[Optional(), Length(max=MAX_MATERIAL)],
                           description=_l("e.g. A5052, SUS304, or “supplied by us”"))
    note = TextAreaField(_l("Note for this factory"), validators=[Optional(), Length(max=MAX_NOTE)],
                         description=_l("Tolerances, finish, how the parts arrive and leave, questions."))
    drawing = MultipleFileField(_l("Drawings (PDF, PNG, JPEG or STEP)"))

    def validate_factory(self, field):
        if (field.data or "") not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Please choose one of the factories offered for this step."))

    def validate_due_date(self, field):
        if field.data and field.data < date.today():
            raise ValidationError(_l("The date is in the past."))


class ComposeForm(FlaskForm):
    """The CSRF token and the requester's phone number; the steps are StepRequestForms."""

    phone = StringField(_l("Your phone number (optional)"), validators=[Optional(), Length(max=40)],
                        description=_l("Shown to a factory only after it accepts."))


class RerouteForm(FlaskForm):
    """Which of the step's remaining candidates gets the request (the view checks it is one of them)."""

    factory = StringField(validators=[Optional(), Length(max=12)])

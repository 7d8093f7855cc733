"""Recording a master–junior pair."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from hub.core.labels import process_choices


class PairForm(FlaskForm):
    master_name = StringField(_l("Master (シニア・マイスター)"), validators=[DataRequired(), Length(max=120)])
    junior_name = StringField(_l("Junior"), validators=[DataRequired(), Length(max=120)])
    factory_id = SelectField(_l("Factory"), coerce=int, validators=[Optional()])
    process_code = SelectField(_l("Skill passed on"), choices=lambda: process_choices(), validators=[DataRequired()])
    started_on = DateField(_l("Started"), validators=[DataRequired()])
    certified_on = DateField(_l("Certified"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])

    def validate_certified_on(self, field):
        if field.data and self.started_on.data and field.data < self.started_on.data:
            raise ValidationError(_l("Certification cannot come before the start."))

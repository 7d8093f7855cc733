"""Forms of the matching pages: free-text search, the chain planner, aliases and imports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from hub.core.forms import split_terms
from hub.core.labels import material_choices, process_choices, ward_choices
from matching import MAX_STEPS


def _ward_choices():
    return [("", _l("(anywhere)"))] + ward_choices()


class SearchForm(FlaskForm):
    """What do you need made? (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    text = TextAreaField(_l("What do you need?"), validators=[DataRequired(), Length(max=5000)],
                         description=_l("Your own words are fine, e.g. “the steel shaft wears out too fast”."))
    ward = SelectField(_l("Near"), choices=_ward_choices, validators=[Optional()])


class ChainForm(FlaskForm):
    """Steps of one job, in order, routed through nearby workshops (GET, no CSRF)."""

    class Meta:
        csrf = False

    steps = TextAreaField(_l("Steps, one per line, in order"), validators=[DataRequired(), Length(max=3000)],
                          description=_l("e.g. NC旋盤 / 焼入れ / 研削 / 無電解ニッケルめっき"))
    start = SelectField(_l("Start from"), choices=_ward_choices, validators=[Optional()])

    def validate_steps(self, field):
        steps = split_terms(field.data)
        if not steps:
            raise ValidationError(_l("Write at least one step."))
        if len(steps) > MAX_STEPS:
            raise ValidationError(_l("At most %(n)s steps.", n=MAX_STEPS))
        if any(len(step) > 200 for step in steps):
            raise ValidationError(_l("Each step can be at most %(n)s characters.", n=200))

    def step_list(self) -> list[str]:
        return split_terms(self.steps.data)


class PartnerForm(FlaskForm):
    class Meta:
        csrf = False

    # Not "process": that name would shadow Form.process().
    step = SelectField(_l("Step you need a partner for"), choices=lambda: process_choices(),
                       validators=[DataRequired()])


def _kind_choices():
    return [("process", _l("Process")), ("material", _l("Material"))]


def _code_choices():
    return ([("", _l("(choose)"))] + [(f"process:{c}", f"{label} [{_l('Process')}]") for c, label in process_choices()]
            + [(f"material:{c}", f"{label} [{_l('Material')}]") for c, label in material_choices()])


class AliasForm(FlaskForm):
    alias = StringField(_l("Term as people write it"), validators=[DataRequired(), Length(max=100)])
    target = SelectField(_l("Means"), choices=_code_choices, validators=[DataRequired()])


class ImportForm(FlaskForm):
    file = FileField(_l("Directory file (.csv or .json)"), validators=[FileRequired(_l("Please choose a file."))],
                     render_kw={"accept": ".csv,.json,text/csv,application/json"})


class TeamRequestForm(FlaskForm):
    """A proposed team, as it travels from the need's page to the chain composer ("milling:12,anodizing:15")."""

    team = HiddenField(validators=[DataRequired(), Length(max=1000)])

"""Forms to post and edit a need, attach drawings and grant access."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional, ValidationError

from hub.core.forms import TermListField, language_choices
from hub.core.labels import ward_choices
from hub.needs.models import NeedStatus


def kind_choices():
    return [("fabrication", _l("Fabrication (make parts or products)")),
            ("co_development", _l("Co-development (develop together)")),
            ("student_project", _l("Student project"))]


def budget_choices():
    return [("undecided", _l("Not decided")), ("under_100k", _l("Under ¥100,000")),
            ("100k_500k", _l("¥100,000–500,000")), ("500k_2m", _l("¥500,000–2 million")),
            ("2m_10m", _l("¥2–10 million")), ("over_10m", _l("Over ¥10 million"))]


def visibility_choices():
    return [("public", _l("Public: anyone can read it")),
            ("members", _l("Members: only signed-in users")),
            ("private", _l("Private: only me and the organisers"))]


def status_choices():
    return [("open", _l("Open")), ("in_progress", _l("In progress")), ("closed", _l("Closed"))]


def attachment_access_choices():
    return [("private", _l("Only me and the organisers")),
            ("factories", _l("Any signed-in factory member")),
            ("granted", _l("Only the factories I choose"))]


class NeedForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("What do you need?"), validators=[DataRequired(), Length(max=20000)],
        description=_l("Describe it in your own words: what it is for, what goes wrong today, how many."))
    processes = TermListField(_l("Processes (if you know them)"))
    materials = TermListField(_l("Materials"))
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), NumberRange(min=1, max=10_000_000)])
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    budget_band = SelectField(_l("Budget"), choices=budget_choices, default="undecided")
    kind = SelectField(_l("Kind"), choices=kind_choices, default="fabrication")
    visibility = SelectField(_l("Who can see it"), choices=visibility_choices, default="public")
    attachment_access = SelectField(_l("Who can open the drawings"), choices=attachment_access_choices,
                                    default="private")
    status = SelectField(_l("Status"), choices=status_choices, default=NeedStatus.OPEN)
    language = SelectField(_l("Written in"), choices=language_choices, default="ja")
    ward = SelectField(_l("Where (for distances)"), choices=lambda: [("", _l("(anywhere)"))] + ward_choices(),
                       validators=[Optional()])

    def validate_deadline(self, field):
        if field.data and field.data < date.today() and self.status.data == NeedStatus.OPEN:
            raise ValidationError(_l("The deadline is in the past."))

    def need_data(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "title", "description", "processes", "materials", "quantity", "deadline", "budget_band", "kind",
            "visibility", "attachment_access", "status", "language", "ward")}
        data["title"] = data["title"].strip()
        data["ward"] = data["ward"] or None
        return data


class ReadingForm(FlaskForm):
    """One correction of the reading (hidden fields, or the "add a step" select)."""

    action = StringField(validators=[DataRequired(), AnyOf(("remove", "add", "restore", "reset"))])
    code = StringField(validators=[Optional(), Length(max=60)])


class AttachmentForm(FlaskForm):
    file = FileField(_l("Drawing (PDF, PNG, JPEG or STEP)"), validators=[FileRequired(_l("Please choose a file."))])


class GrantForm(FlaskForm):
    factory_id = SelectField(_l("Factory"), coerce=int, validators=[DataRequired()])


class NeedFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])

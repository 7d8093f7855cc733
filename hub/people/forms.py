"""Forms of the skill-transfer programme: every field bounded."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from hub.core.labels import process_choices, ward_choices
from hub.people.models import JuniorKind, OfferKind, Visibility


def _processes():
    return process_choices()


def _optional_processes():
    return [("", "—")] + process_choices()


def _levels():
    return [(n, str(n)) for n in range(1, 6)]


def _wards():
    return [("", "—")] + ward_choices()


def junior_kind_choices():
    return [(JuniorKind.EMPLOYEE, _l("Employee of a member factory")), (JuniorKind.APPRENTICE, _l("Apprentice")),
            (JuniorKind.STUDENT, _l("Student"))]


def visibility_choices():
    return [(Visibility.PRIVATE, _l("Private to the factory")), (Visibility.JUNIORS, _l("Shared with its juniors")),
            (Visibility.PUBLIC, _l("Public"))]


def offer_kind_choices():
    return [(OfferKind.INTERNSHIP, _l("Internship places")), (OfferKind.VISIT, _l("School visit (出前授業)"))]


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class SkillForm(Form):
    process_code = SelectField(_l("Skill"), choices=_optional_processes, validators=[Optional()])
    years = IntegerField(_l("Years"), default=10, validators=[Optional(), NumberRange(min=0, max=80)])
    level = SelectField(_l("Level"), coerce=int, default=4, choices=_levels)


class MasterForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    skills = FieldList(FormField(SkillForm), min_entries=3, max_entries=3)
    ward = SelectField(_l("Area (ward)"), choices=_wards, validators=[Optional()])
    travel_km = IntegerField(_l("How far you will travel (km)"), default=10,
                             validators=[InputRequired(), NumberRange(min=0, max=200)])
    days_per_month = IntegerField(_l("Days available per month"), default=4,
                                  validators=[InputRequired(), NumberRange(min=0, max=31)])
    is_retired = BooleanField(_l("Retired"), default=True)
    bio = TextAreaField(_l("About you"), validators=[Optional(), Length(max=3000)])
    max_juniors = IntegerField(_l("Juniors at once (empty: the programme's limit)"),
                               validators=[Optional(), NumberRange(min=0, max=20)])

    def skill_rows(self) -> list[dict]:
        return [{"process_code": row.process_code.data, "years": row.years.data or 0, "level": row.level.data}
                for row in self.skills if row.process_code.data]


class JuniorForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("I am"), choices=junior_kind_choices, validators=[DataRequired()])
    is_self = BooleanField(_l("This is me (else: an employee of our factory without an account)"), default=True)
    employer_id = SelectField(_l("Employer (member factory)"), coerce=int, validators=[Optional()])
    school = StringField(_l("School or training centre"), validators=[Optional(), Length(max=200)])
    ward = SelectField(_l("Area (ward)"), choices=_wards, validators=[Optional()])
    goals = SelectMultipleField(_l("Processes to learn"), choices=_processes, validators=[DataRequired()])
    days_per_month = IntegerField(_l("Days available per month"), default=4,
                                  validators=[InputRequired(), NumberRange(min=0, max=31)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=3000)])


class SessionForm(FlaskForm):
    held_on = DateField(_l("Session date"), validators=[DataRequired()])
    hours = DecimalField(_l("Hours"), places=2, validators=[InputRequired(), NumberRange(min=0.25, max=12)])
    skills = SelectMultipleField(_l("Skills practised"), choices=_processes, validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    photo = FileField(_l("Photo"))


class CertifyForm(FlaskForm):
    milestone_id = SelectField(_l("Milestone reached"), coerce=int, validators=[DataRequired()])


class TemplateForm(FlaskForm):
    process_code = SelectField(_l("Process"), choices=_processes, validators=[DataRequired()])
    milestones = TextAreaField(_l("Milestones: one a line, 'title | English title | hours'"),
                               validators=[DataRequired(), Length(max=5000)])


class RateForm(FlaskForm):
    effective_from = DateField(_l("In force from"), validators=[DataRequired()])
    master_hourly_yen = IntegerField(_l("Master, yen per hour"), validators=[InputRequired(),
                                                                              NumberRange(min=0, max=100000)])
    junior_hourly_yen = IntegerField(_l("Junior, yen per hour"), validators=[InputRequired(),
                                                                              NumberRange(min=0, max=100000)])
    certification_incentive_yen = IntegerField(_l("Incentive on certification (yen)"),
                                               validators=[InputRequired(), NumberRange(min=0, max=10_000_000)])


class SettingsForm(FlaskForm):
    max_juniors_per_master = IntegerField(_l("Juniors a master may train at once"),
                                          validators=[InputRequired(), NumberRange(min=1, max=20)])
    visits_target = IntegerField(_l("School visits a year (target)"),
                                 validators=[InputRequired(), NumberRange(min=0, max=10000)])


class CardForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    process_code = SelectField(_l("Process"), choices=_processes, validators=[DataRequired()])
    visibility = SelectField(_l("Who may read it"), choices=visibility_choices, validators=[DataRequired()])
    summary = TextAreaField(_l("What it is about"), validators=[Optional(), Length(max=3000)])
    steps = TextAreaField(_l("Steps (one a line)"), validators=[Optional(), Length(max=10000)])
    tolerances = TextAreaField(_l("Tolerances"), validators=[Optional(), Length(max=3000)])
    tools = TextAreaField(_l("Tools and jigs"), validators=[Optional(), Length(max=3000)])
    mistakes = TextAreaField(_l("Common mistakes"), validators=[Optional(), Length(max=5000)])


class MediaForm(FlaskForm):
    file = FileField(_l("Photo or short video (MP4/WebM)"), validators=[FileRequired()])
    caption = StringField(_l("Caption"), validators=[Optional(), Length(max=200)])


class OfferForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=offer_kind_choices, validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    places = IntegerField(_l("Places"), default=1, validators=[InputRequired(), NumberRange(min=1, max=500)])
    is_open = BooleanField(_l("Open for applications"), default=True)


class ApplyForm(FlaskForm):
    school = StringField(_l("School (or your name as a student)"), validators=[DataRequired(), Length(max=200)])
    message = TextAreaField(_l("Message"), validators=[Optional(), Length(max=3000)])
    preferred_on = DateField(_l("Preferred date"), validators=[Optional()])

"""Forms: listings, successor profiles, NDA acceptance, review, documents, outreach."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from hub.core.forms import TermListField
from hub.core.i18n import join_list
from hub.core.labels import ward_choices
from hub.succession import labels
from hub.succession.services import resolve_processes


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _resolve(field) -> list[str]:
    codes, unknown = resolve_processes(field.data or [])
    if unknown:
        # gettext, not _l: a lazy string counts as safe HTML, and this one carries the user's words.
        raise ValidationError(gettext("Not recognised as a process: %(terms)s. Try another word (e.g. 旋盤, "
                                      "plating).", terms=join_list(unknown[:5])))
    return codes


class ListingForm(FlaskForm):
    processes = TermListField(
        _l("Processes"), validators=[DataRequired(_l("Please name at least one process."))], max_items=30,
        description=_l("One per line, in your own words (e.g. 平面研削, NC旋盤, plating)."))
    machines = TermListField(_l("Main machines"), max_items=40,
                             description=_l("Type and size are enough (e.g. 平面研削盤 600mm). Do not copy the "
                                            "list from your public profile word for word: it can be searched."))
    employees_band = SelectField(_l("Employees"), choices=lambda: labels.choices(labels.EMPLOYEE_LABELS))
    revenue_band = SelectField(_l("Annual revenue"), choices=lambda: labels.choices(labels.REVENUE_LABELS),
                               default="undisclosed")
    years_band = SelectField(_l("Years in business"), choices=lambda: labels.choices(labels.YEARS_LABELS),
                             default="30_49")
    reason = SelectField(_l("Main reason for the handover"), choices=lambda: labels.choices(labels.REASON_LABELS))
    reason_text = TextAreaField(_l("The reason in your words"), validators=[Optional(), Length(max=2000)])
    description = TextAreaField(
        _l("What the business does and what a successor takes over"), validators=[Optional(), Length(max=10000)])
    schemes = MultiCheckboxField(_l("Handover schemes you would consider"),
                                 choices=lambda: labels.choices(labels.SCHEME_LABELS),
                                 validators=[DataRequired(_l("Choose at least one scheme."))])
    includes = MultiCheckboxField(_l("What is included"), choices=lambda: labels.choices(labels.INCLUDE_LABELS),
                                  validators=[Optional()])
    timing = SelectField(_l("Timing"), choices=lambda: labels.choices(labels.TIMING_LABELS), default="undecided")

    def validate_processes(self, field):
        self.process_codes = _resolve(field)

    def listing_data(self) -> dict:
        return {
            "processes": getattr(self, "process_codes", []), "machines": self.machines.data or [],
            "employees_band": self.employees_band.data, "revenue_band": self.revenue_band.data,
            "years_band": self.years_band.data, "reason": self.reason.data,
            "reason_text": (self.reason_text.data or "").strip(), "description": (self.description.data or "").strip(),
            "schemes": list(self.schemes.data or []), "includes": list(self.includes.data or []),
            "timing": self.timing.data,
        }


class ProfileForm(FlaskForm):
    background = TextAreaField(
        _l("Your background"), validators=[DataRequired(), Length(max=5000)],
        description=_l("Work history, what you want to build, why a machi-koba."))
    skills = TermListField(_l("Processes you can do"), max_items=30,
                           description=_l("One per line, in your own words."))
    processes = TermListField(_l("Processes you want to take over"), max_items=30)
    wards = MultiCheckboxField(_l("Preferred areas"), choices=lambda: ward_choices(), validators=[Optional()])
    schemes = MultiCheckboxField(_l("Schemes you consider"), choices=lambda: labels.choices(labels.SCHEME_LABELS),
                                 validators=[Optional()])
    budget_band = SelectField(_l("Budget"), choices=lambda: labels.choices(labels.BUDGET_LABELS),
                              default="undecided")
    is_discoverable = BooleanField(_l("Let owners find my profile (without my name) when it fits their listing"),
                                   default=True)

    def validate_skills(self, field):
        self.skill_codes = _resolve(field)

    def validate_processes(self, field):
        self.process_codes = _resolve(field)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and not (self.skills.data or self.processes.data):
            self.processes.errors.append(_l("Name at least one process you can do or want to take over."))
            return False
        return ok

    def profile_data(self) -> dict:
        return {"background": self.background.data.strip(), "skills": getattr(self, "skill_codes", []),
                "processes": getattr(self, "process_codes", []), "wards": list(self.wards.data or []),
                "schemes": list(self.schemes.data or []), "budget_band": self.budget_band.data,
                "is_discoverable": bool(self.is_discoverable.data)}


class DisclosureForm(FlaskForm):
    nda_version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=100000)])
    accept = BooleanField(_l("I have read the NDA above and accept it"),
                          validators=[DataRequired(_l("Please accept the NDA to continue."))])
    message = TextAreaField(_l("A message to the owner (optional)"), validators=[Optional(), Length(max=2000)])


class ReturnForm(FlaskForm):
    note = TextAreaField(_l("What should the owner change?"),
                         validators=[DataRequired(_l("Please tell the owner what to change.")), Length(max=5000)])


class ActionForm(FlaskForm):
    """A button that changes state (CSRF only)."""


class DocumentForm(FlaskForm):
    file = FileField(_l("Document (PDF)"), validators=[FileRequired(_l("Please choose a file."))])


class NdaForm(FlaskForm):
    text_ja = TextAreaField(_l("NDA in Japanese"), validators=[DataRequired(), Length(max=20000)])
    text_en = TextAreaField(_l("NDA in English"), validators=[DataRequired(), Length(max=20000)])


def step_choices():
    return [(key, labels.STAGE_LABELS[key]) for key in ("contacted", "visited", "plan_drafted", "plan_complete")] \
        + [("note", _l("Note only"))]


class OutreachStepForm(FlaskForm):
    stage = SelectField(_l("Stage"), choices=step_choices)
    happened_on = DateField(_l("Date"), validators=[DataRequired(_l("Please give the date."))], default=date.today)
    note = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])

    def validate_happened_on(self, field):
        if field.data and field.data > date.today() + timedelta(days=1):
            raise ValidationError(_l("The date is in the future."))
        if field.data and field.data.year < 2000:
            raise ValidationError(_l("The date is too far in the past."))


class OutreachNotesForm(FlaskForm):
    notes = TextAreaField(_l("Organiser notes"), validators=[Optional(), Length(max=10000)])


class BrowseForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    ward = SelectField(_l("Area"), validators=[Optional()])
    process_q = StringField(_l("Process"), validators=[Optional(), Length(max=100)])


class OutreachFilterForm(FlaskForm):
    class Meta:
        csrf = False

    ward = SelectField(_l("Area"), validators=[Optional()])
    stage = SelectField(_l("Stage"), validators=[Optional()])
    min_age = IntegerField(_l("Owner aged at least"), validators=[Optional(), NumberRange(min=0, max=120)])

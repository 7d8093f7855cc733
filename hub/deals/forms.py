"""Forms of the deals domain: every field bounded, CSRF on."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError


def outcome_choices():
    return [("joint_order", _l("Joint order (the work was ordered)")),
            ("joint_development", _l("Joint development (we developed it together)")),
            ("abandoned", _l("Abandoned"))]


def email_mode_choices():
    return [("instant", _l("Email me at once")), ("digest", _l("In a daily digest")), ("none", _l("No email"))]


def decision_choices():
    return [("accept", _l("Accept this inquiry")), ("decline", _l("Decline this inquiry"))]


def step_status_choices():
    return [("accepted", _l("Accepted by the factory")), ("in_progress", _l("Work in progress")),
            ("delivered", _l("Delivered"))]


def score_choices():
    return [("5", "5"), ("4", "4"), ("3", "3"), ("2", "2"), ("1", "1")]


class InquiryForm(FlaskForm):
    message = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)],
                            description=_l("What you need, how many, by when, and any question for the factory."))
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), NumberRange(min=1, max=10_000_000)])
    due_date = DateField(_l("Needed by"), validators=[Optional()])
    phone = StringField(_l("Your phone number (optional)"), validators=[Optional(), Length(max=40)],
                        description=_l("Shown to the factory only after it accepts."))

    def validate_due_date(self, field):
        if field.data and field.data < date.today():
            raise ValidationError(_l("The date is in the past."))


class AnswerForm(FlaskForm):
    decision = RadioField(_l("Your answer"), choices=decision_choices,
                          validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (required when declining)"), validators=[Optional(), Length(max=1000)])
    phone = StringField(_l("Your phone number (optional)"), validators=[Optional(), Length(max=40)],
                        description=_l("Shown to the requester once you accept."))

    def validate_reason(self, field):
        if self.decision.data == "decline" and not (field.data or "").strip():
            raise ValidationError(_l("Please give a reason, so the requester knows what to change."))


class StepStatusForm(FlaskForm):
    status = SelectField(_l("Progress"), choices=step_status_choices, validators=[DataRequired()])


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[Optional(), Length(max=20000)])
    files = MultipleFileField(_l("Files (PDF, PNG, JPEG or STEP)"))


class CloseForm(FlaskForm):
    outcome = SelectField(_l("How did it end?"), choices=outcome_choices, validators=[DataRequired()])
    reason = TextAreaField(_l("Notes (required when abandoned)"), validators=[Optional(), Length(max=1000)])
    confirm = HiddenField(validators=[Optional(), Length(max=1)])  # "1": close although requests await answers

    def validate_reason(self, field):
        if self.outcome.data == "abandoned" and not (field.data or "").strip():
            raise ValidationError(_l("Please say why the deal was abandoned."))


class RatingForm(FlaskForm):
    target = StringField(validators=[DataRequired(), Length(max=30)])
    quality = SelectField(_l("Quality"), choices=score_choices, default="5", validators=[DataRequired()])
    delivery = SelectField(_l("Delivery"), choices=score_choices, default="5", validators=[DataRequired()])
    communication = SelectField(_l("Communication"), choices=score_choices, default="5",
                                validators=[DataRequired()])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=1000)])


class PreferencesForm(FlaskForm):
    inquiry = SelectField(_l("New inquiries"), choices=email_mode_choices)
    answer = SelectField(_l("Answers to my inquiries"), choices=email_mode_choices)
    message = SelectField(_l("New messages"), choices=email_mode_choices)
    status = SelectField(_l("Status changes"), choices=email_mode_choices)
    outcome = SelectField(_l("Closed deals"), choices=email_mode_choices)


class ReportForm(FlaskForm):
    reason = TextAreaField(_l("What is wrong?"), validators=[DataRequired(), Length(max=2000)])


class TargetForm(FlaskForm):
    target = StringField(validators=[DataRequired(), Length(max=30)])


class ResolveForm(FlaskForm):
    resolution = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (buttons that change state)."""


"""Sign-up, sign-in and password forms."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional, ValidationError

from hub.auth.models import API_TOKEN_NAME_MAX, SEEKER_KINDS
from hub.core.forms import language_choices


def role_choices():
    return [
        ("factory", _l("Factory (machi-koba) member")),
        ("seeker", _l("Startup, designer, student or researcher")),
        ("successor", _l("Prospective successor")),
    ]


def seeker_kind_choices():
    labels = {"startup": _l("Startup"), "designer": _l("Designer"), "student": _l("Student"),
              "researcher": _l("Researcher")}
    return [("", _l("(not applicable)"))] + [(k, labels[k]) for k in SEEKER_KINDS]


class SignupForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=10, max=128)],
                             description=_l("At least 10 characters."))
    confirm = PasswordField(_l("Repeat password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("Passwords do not match."))])
    role = SelectField(_l("I am a"), choices=role_choices, validators=[DataRequired()])
    organisation = StringField(_l("Factory or team name"), validators=[Optional(), Length(max=200)],
                               description=_l("Factory members: your factory's registered name. "
                                              "Others: your company, lab or team (optional)."))
    seeker_kind = SelectField(_l("Kind of team"), choices=seeker_kind_choices, validators=[Optional()])
    locale = SelectField(_l("Language"), choices=language_choices, default="ja")


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("Keep me signed in"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=128)])
    confirm = PasswordField(_l("Repeat password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("Passwords do not match."))])


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=API_TOKEN_NAME_MAX)],
                       description=_l("What the token is for, e.g. \"inventory script\"."))
    days = IntegerField(_l("Valid for (days)"), validators=[DataRequired(), NumberRange(min=1, max=365)], default=30)

    def validate_days(self, field) -> None:
        longest = current_app.config["API_TOKEN_MAX_AGE_DAYS"]
        if field.data is not None and field.data > longest:
            raise ValidationError(_l("At most %(days)s days.", days=longest))


class RevokeTokenForm(FlaskForm):
    """Only the CSRF token: revoking is a POST from the owner's own page."""

"""Forms for bookings, check-in, editions, programs, slots and pitch nights (times are typed in Tokyo time)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Email, Length, NumberRange, Optional, ValidationError

from hub.core.forms import language_choices
from hub.events.services import MAX_PARTY

DT_FORMAT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _text(value):
    """Trimmed text; an absent field becomes "" (the columns are NOT NULL)."""
    return (value or "").strip()


def kind_choices():
    return [("tour", _l("Factory tour")), ("workshop", _l("Workshop")), ("sale", _l("Sale")), ("talk", _l("Talk"))]


def slot_language_choices():
    return [("ja", _l("Japanese")), ("en", _l("English")), ("ja_en", _l("Japanese and English"))]


def admission_choices():
    return [("booking", _l("Booking required")), ("walk_in", _l("Walk in, no booking"))]


class BookingForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)],
                       description=_l("We send the confirmation, a calendar file and a cancel link here."))
    party_size = IntegerField(_l("Number of people"), default=1,
                              validators=[DataRequired(), NumberRange(min=1, max=MAX_PARTY)])
    locale = SelectField(_l("Language for emails"), choices=language_choices, default="ja")
    # Sent by the choice buttons shown when the party is larger than the free seats (never rendered as a field).
    if_short = StringField(validators=[Optional(), AnyOf(("partial", "waitlist"))])
    short_choice = None  # the PartyExceedsFreeSeats the page is asking about, set by the view


class ConfirmForm(FlaskForm):
    """An empty form: a CSRF-protected button."""


class CheckinForm(FlaskForm):
    code = StringField(_l("Code from the QR"), validators=[DataRequired(), Length(max=300)],
                       description=_l("Scan the visitor's QR code with the camera or a scanner, or type the code "
                                      "printed under it."))
    force = HiddenField()  # "1": admit although the booking is for another day or slot (after the warning)


class WalkInForm(FlaskForm):
    delta = HiddenField(default="1")


class EditionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)], filters=[_text])
    starts_on = DateField(_l("First day"), validators=[DataRequired()])
    ends_on = DateField(_l("Last day"), validators=[DataRequired()])
    applications_open_on = DateField(_l("Applications open"), validators=[DataRequired()])
    applications_close_on = DateField(_l("Applications close"), validators=[DataRequired()])
    is_published = BooleanField(_l("Published"), default=True)

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day is before the first day."))

    def validate_applications_close_on(self, field):
        if self.applications_open_on.data and field.data and field.data < self.applications_open_on.data:
            raise ValidationError(_l("Applications close before they open."))


class ApplyForm(FlaskForm):
    message = TextAreaField(_l("What would you like to show visitors?"), validators=[Optional(), Length(max=2000)],
                            filters=[_text])


class ProgramForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=kind_choices, default="tour")
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)], filters=[_text])


class SlotForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("Starts (Tokyo time)"), format=DT_FORMAT, validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends (Tokyo time)"), format=DT_FORMAT, validators=[DataRequired()])
    capacity = IntegerField(_l("Capacity (people)"), default=8, validators=[DataRequired(), NumberRange(1, 500)])
    admission = SelectField(_l("Admission"), choices=admission_choices, default="booking")
    booking_opens_at = DateTimeLocalField(_l("Booking opens (optional)"), format=DT_FORMAT, validators=[Optional()])
    booking_closes_at = DateTimeLocalField(_l("Booking closes (optional; default: when it starts)"),
                                           format=DT_FORMAT, validators=[Optional()])
    language = SelectField(_l("Language"), choices=slot_language_choices, default="ja")
    accessibility = StringField(_l("Accessibility"), validators=[Optional(), Length(max=300)],
                                description=_l("e.g. wheelchair access, steps, noise, safety shoes provided"))
    min_age = IntegerField(_l("Minimum age"), validators=[Optional(), NumberRange(0, 120)])
    max_age = IntegerField(_l("Maximum age"), validators=[Optional(), NumberRange(0, 120)])
    fee_yen = IntegerField(_l("Fee (yen, 0 = free)"), default=0, validators=[Optional(), NumberRange(0, 1_000_000)])

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_max_age(self, field):
        if field.data is not None and self.min_age.data is not None and field.data < self.min_age.data:
            raise ValidationError(_l("The maximum age is below the minimum age."))

    def validate_booking_closes_at(self, field):
        if field.data and self.booking_opens_at.data and field.data <= self.booking_opens_at.data:
            raise ValidationError(_l("Booking must close after it opens."))


class PitchNightForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)], filters=[_text])
    venue = StringField(_l("Venue"), validators=[DataRequired(), Length(max=300)])
    starts_at = DateTimeLocalField(_l("Starts (Tokyo time)"), format=DT_FORMAT, validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends (Tokyo time)"), format=DT_FORMAT, validators=[DataRequired()])
    capacity = IntegerField(_l("Audience capacity"), default=60, validators=[DataRequired(), NumberRange(1, 2000)])
    cfp_opens_at = DateTimeLocalField(_l("Call for pitches opens"), format=DT_FORMAT, validators=[DataRequired()])
    cfp_closes_at = DateTimeLocalField(_l("Call for pitches closes"), format=DT_FORMAT, validators=[DataRequired()])
    criteria = TextAreaField(
        _l("Review criteria"), validators=[DataRequired(), Length(max=2000)],
        description=_l("One per line: name | weight (1–10), e.g. “Feasibility | 2”."))
    reviewer_emails = TextAreaField(_l("Invited reviewers (emails of factory members)"),
                                    validators=[Optional(), Length(max=5000)],
                                    description=_l("One email per line. Organisers always review."))
    is_blind_review = BooleanField(_l("Blind review (reviewers do not see team names)"))
    hide_scores_until_reviewed = BooleanField(_l("Reviewers see others' scores only after submitting their own"),
                                              default=True)

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_cfp_closes_at(self, field):
        if self.cfp_opens_at.data and field.data and field.data <= self.cfp_opens_at.data:
            raise ValidationError(_l("The call must close after it opens."))
        if self.starts_at.data and field.data and field.data > self.starts_at.data:
            raise ValidationError(_l("The call must close before the pitch night starts."))

    def validate_criteria(self, field):
        self.parsed_criteria = parse_criteria(field.data or "")
        if not self.parsed_criteria:
            raise ValidationError(_l("Give at least one criterion, one per line: name | weight."))

    def validate_reviewer_emails(self, field):
        from email_validator import EmailNotValidError, validate_email

        emails = [e.strip() for e in (field.data or "").replace(",", "\n").splitlines() if e.strip()]
        if len(emails) > 50:
            raise ValidationError(_l("At most %(n)s entries.", n=50))
        for email in emails:
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                # gettext, not lazy_gettext: a lazy string counts as safe HTML, and this one carries user input.
                raise ValidationError(_("Not an email address: %(value)s", value=email[:80])) from None
        self.parsed_emails = [e.lower() for e in emails]


def parse_criteria(text: str) -> list[tuple[str, int]] | None:
    """'Feasibility | 2' lines → [("Feasibility", 2)]; None when a line is malformed."""
    result = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, weight = line.rpartition("|")
        if not sep:
            name, weight = line, "1"
        name = name.strip()
        try:
            value = int(weight.strip())
        except ValueError:
            return None
        if not name or len(name) > 120 or not 1 <= value <= 10:
            return None
        result.append((name, value))
    return result[:12] or None


class PitchForm(FlaskForm):
    title = StringField(_l("Title of your pitch"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=5000)])
    team = TextAreaField(_l("Team"), validators=[DataRequired(), Length(max=2000)],
                         description=_l("Who you are: names, roles, school or company."))
    needs = TextAreaField(_l("What you need from factories"), validators=[DataRequired(), Length(max=5000)],
                          description=_l("In your own words, e.g. “a seamless stainless cup, 200 pieces”. We suggest "
                                         "factories to the organisers."))
    language = SelectField(_l("Language of the pitch"), choices=language_choices, default="ja")


def decision_choices():
    return [("accepted", _l("Accept")), ("rejected", _l("Reject")), ("submitted", _l("Undecided"))]


class DecisionForm(FlaskForm):
    decision = SelectField(choices=decision_choices)


class RunningOrderForm(FlaskForm):
    """Positions come as ``position-<pitch id>`` fields, one per accepted pitch."""

    publish = BooleanField(_l("Publish the running order"))

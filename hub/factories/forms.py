"""The factory profile form and the photo form."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, AnyOf, DataRequired, Length, NumberRange, Optional, ValidationError

from hub.core.forms import DecimalField, TermListField
from hub.core.labels import ward_choices
from hub.factories.models import SUCCESSOR_STATUSES


def _ward_choices():
    return [("", _l("(choose a ward)"))] + ward_choices()


def _successor_choices():
    labels = {"none": _l("No successor yet"), "family": _l("Family member"), "employee": _l("Employee"),
              "external": _l("Outside successor or buyer"), "undecided": _l("Undecided")}
    return [("", _l("(not stated)"))] + [(k, labels[k]) for k in SUCCESSOR_STATUSES]


class FactoryForm(FlaskForm):
    name = StringField(_l("Factory name (Japanese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Factory name (English)"), validators=[Optional(), Length(max=200)])
    ward = SelectField(_l("Ward"), choices=_ward_choices, validators=[Optional()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    # Hidden fields that the map in the editor fills (hub/static/js/factory-map.js): nobody types coordinates.
    # Empty: the address's town or the ward's centre. ``location_approx`` = "1": the pin was placed from the address.
    lat = DecimalField(_l("Latitude"), validators=[Optional(), NumberRange(min=20, max=46)])
    lon = DecimalField(_l("Longitude"), validators=[Optional(), NumberRange(min=122, max=154)])
    # An explicit id: hidden fields render without one (hub.core.forms), and the editor's map script sets this one.
    location_approx = HiddenField(validators=[Optional(), AnyOf(("", "1"))], render_kw={"id": "location_approx"})
    description = TextAreaField(_l("What we do"), validators=[Optional(), Length(max=20000)],
                                description=_l("In your own words: processes, materials, strengths."))
    processes = TermListField(_l("Processes"), description=_l("One per line, as you call them (e.g. MC加工, NC旋盤)."))
    materials = TermListField(_l("Materials"), description=_l("Grades are fine (e.g. SUS304, A5052, C3604)."))
    equipment = TermListField(_l("Equipment"), description=_l("Machines, one per line."))
    certifications = TermListField(_l("Certifications"))
    tolerance = StringField(_l("Tolerance"), validators=[Optional(), Length(max=100)],
                            description=_l("e.g. ±0.005 mm"))
    lot_min = IntegerField(_l("Smallest lot"), validators=[Optional(), NumberRange(min=1, max=10_000_000)])
    lot_max = IntegerField(_l("Largest lot"), validators=[Optional(), NumberRange(min=1, max=10_000_000)])
    employees = IntegerField(_l("Employees"), validators=[Optional(), NumberRange(min=0, max=100_000)])
    founded = IntegerField(_l("Founded (year)"), validators=[Optional(), NumberRange(min=1600, max=2100)])
    website = URLField(_l("Website"), validators=[Optional(), Length(max=300), URL(require_tld=True)])
    owner_birth_year = IntegerField(_l("Owner's year of birth (private)"),
                                    validators=[Optional(), NumberRange(min=1900, max=2100)])
    successor_status = SelectField(_l("Successor (private)"), choices=_successor_choices, validators=[Optional()])

    def validate_founded(self, field):
        if field.data and field.data > date.today().year:
            raise ValidationError(_l("The year cannot be in the future."))

    def validate_lot_max(self, field):
        if field.data and self.lot_min.data and field.data < self.lot_min.data:
            raise ValidationError(_l("The largest lot must not be smaller than the smallest."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Checked here, not in validate_lon: Optional() skips inline validators of an empty field.
        if (self.lon.data is None) != (self.lat.data is None) and not (self.lat.errors or self.lon.errors):
            self.lon.errors.append(_l("Give both latitude and longitude, or neither."))
            ok = False
        return ok

    def profile_data(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "name", "name_en", "ward", "address", "lat", "lon", "description", "processes", "materials",
            "equipment", "certifications", "tolerance", "lot_min", "lot_max", "employees", "founded", "website",
            "owner_birth_year", "successor_status")}
        for key in ("name_en", "ward", "address", "tolerance", "website", "successor_status"):
            data[key] = (data[key] or "").strip() or None
        data["name"] = data["name"].strip()
        data["location_approx"] = self.location_approx.data == "1"
        data["description"] = data["description"] or ""
        return data


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo"), validators=[FileRequired(_l("Please choose a file."))])
    caption = StringField(_l("Caption"), validators=[Optional(), Length(max=200)])


class ReviewForm(FlaskForm):
    """The owner's word on one capability read from the description (hidden fields; the buttons set decision)."""

    kind = StringField(validators=[DataRequired(), AnyOf(("process", "material"))])
    code = StringField(validators=[DataRequired(), Length(max=60)])
    decision = StringField(validators=[DataRequired(), AnyOf(("confirmed", "rejected", "undo"))])


def claim_method_choices():
    return [("domain_email", _l("Send a link to an address at our website's domain")),
            ("organiser", _l("Ask the organisers to confirm it"))]


class ClaimForm(FlaskForm):
    method = SelectField(_l("How we can tell it is yours"), choices=claim_method_choices,
                         validators=[DataRequired()])
    email = StringField(_l("Address at the factory's domain"), validators=[Optional(), Length(max=254)])
    message = TextAreaField(_l("Message to the organisers"), validators=[Optional(), Length(max=2000)],
                            description=_l("Your position in the factory and how the organisers can reach you."))


class DecisionForm(FlaskForm):
    decision = StringField(validators=[DataRequired(), AnyOf(("approve", "reject"))])

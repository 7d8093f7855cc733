"""Forms of the quotes domain: every field bounded, CSRF on (the line rows are sub-forms without their own)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

LINE_ROWS = 5


def basis_choices():
    return [("excl", _l("Prices excluding tax (税抜)")), ("incl", _l("Prices including tax (税込)"))]


def rounding_choices():
    return [("floor", _l("Round down (切り捨て)")), ("half_up", _l("Round half up (四捨五入)")),
            ("ceiling", _l("Round up (切り上げ)"))]


def shipping_choices():
    return [("separate", _l("Shipping charged separately")), ("included", _l("Shipping included")),
            ("pickup", _l("Collected by the customer"))]


def tax_choices():
    return [("10", "10%"), ("8", "8%")]


def lead_choices():
    return [("days", _l("Lead time in working days")), ("date", _l("A delivery date"))]


class LineForm(Form):
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)])
    quantity = DecimalField(_l("Quantity"), places=2, validators=[Optional(), NumberRange(min=0.01, max=9_999_999)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=10)])
    unit_price = DecimalField(_l("Unit price (yen)"), places=2,
                              validators=[Optional(), NumberRange(min=0, max=999_999_999)])
    tax_rate = SelectField(_l("Tax"), choices=tax_choices, default="10")


class QuoteForm(FlaskForm):
    lines = FieldList(FormField(LineForm), min_entries=LINE_ROWS, max_entries=30)
    price_basis = RadioField(_l("Prices"), choices=basis_choices, default="excl")
    rounding = SelectField(_l("Rounding of the tax"), choices=rounding_choices, default="floor",
                           description=_l("The tax is computed once per rate on the whole quote, as a qualified "
                                          "invoice requires."))
    lead_kind = RadioField(_l("How the delivery is stated"), choices=lead_choices, default="days")
    lead_days = IntegerField(_l("Lead time (working days)"), validators=[Optional(), NumberRange(min=1, max=365)])
    delivery_date = DateField(_l("Delivery date"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[DataRequired()])
    material_supplied = BooleanField(_l("Material supplied by the customer (支給材)"))
    inspection_certificate = BooleanField(_l("Inspection certificate included (検査成績書)"))
    shipping = SelectField(_l("Shipping"), choices=shipping_choices, default="separate")
    drawing_revision = StringField(_l("Drawing and revision this quote is based on"),
                                   validators=[Optional(), Length(max=80)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class RequestForm(FlaskForm):
    factories = SelectMultipleField(_l("Factories to ask"), coerce=int, widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput())
    message = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)],
                            description=_l("What you need quoted; the need's drawings and quantity are sent with it."))
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), NumberRange(min=1, max=10_000_000)])


class SettingsForm(FlaskForm):
    invoice_number = StringField(_l("Qualified invoice registration number"),
                                 validators=[Optional(), Length(max=30)],
                                 description=_l("T followed by 13 digits (適格請求書発行事業者登録番号); "
                                                "leave empty if "
                                                "you have none."))
    works_saturday = BooleanField(_l("We work on Saturdays"))
    closures = TextAreaField(_l("Closing periods"), validators=[Optional(), Length(max=1000)],
                             description=_l("One per line: first and last day and a name, e.g. 08-13 08-16 お盆."))


class EmptyForm(FlaskForm):
    pass

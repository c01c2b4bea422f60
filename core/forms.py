"""The core's WTForms: they keep what was typed and say what is wrong next to each field."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from core.models import ROLES
from core.phones import phone_problem


def strip(value: str | None) -> str | None:
    """WTForms filter: drop the spaces people paste around e-mails and names."""
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = StringField("E-mail", validators=[InputRequired(), Email()], filters=[strip])
    password = PasswordField("Password", validators=[InputRequired()])
    next = HiddenField()


class ActionForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons (confirm, cancel, delete)."""


class CustomerForm(FlaskForm):
    """Create or edit a customer."""

    name = StringField("Name", validators=[InputRequired(), Length(max=200)])
    company = StringField("Company", validators=[Optional(), Length(max=200)])
    email = StringField(
        "E-mail", validators=[Optional(), Email(), Length(max=254)], filters=[strip]
    )
    phone = StringField(
        "Phone",
        validators=[Optional(), Length(max=40)],
        description="Any format; add +country for abroad.",
    )
    country = StringField(
        "Country",
        validators=[
            Optional(),
            Length(min=2, max=2, message="Use the two-letter country code, e.g. DE."),
        ],
        description="Two letters, e.g. DE, FR, GB.",
        filters=[strip],
    )
    region = StringField("Region", validators=[Optional(), Length(max=100)])
    city = StringField("City", validators=[Optional(), Length(max=100)])
    channel = StringField(
        "Acquisition channel",
        validators=[Optional(), Length(max=50)],
        description="How they found us: web, referral, fair …",
    )
    birthday = DateField("Birthday", validators=[Optional()])
    owner_id = SelectField("Account owner", coerce=int, validators=[Optional()])
    tags = StringField(
        "Tags",
        validators=[Optional(), Length(max=500)],
        description="Comma-separated, e.g. vip, wholesale.",
    )
    external_id = StringField(
        "External ID",
        validators=[Optional(), Length(max=64)],
        description="The key used by imports.",
    )
    marketing_opt_out = BooleanField("Opted out of all marketing mail")
    notes = TextAreaField("Notes", validators=[Optional()])

    def __init__(self, *args: object, default_region: str = "DE", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.default_region = default_region

    def validate_phone(self, field: StringField) -> None:
        """Reject text that is not a phone number in the customer's (or the company's) country."""
        problem = phone_problem(field.data or "", (self.country.data or self.default_region))
        if problem:
            raise ValidationError(problem)

    def validate_country(self, field: StringField) -> None:
        """Two letters only."""
        if field.data and not field.data.strip().isalpha():
            raise ValidationError("Use the two-letter country code, e.g. DE.")


class ProductForm(FlaskForm):
    """Create or edit a product."""

    sku = StringField("SKU", validators=[InputRequired(), Length(max=64)])
    name = StringField("Name", validators=[InputRequired(), Length(max=200)])
    category = StringField("Category", validators=[Optional(), Length(max=100)])
    list_price = DecimalField(
        "List price", places=2, validators=[InputRequired(), NumberRange(min=0)]
    )
    unit_cost = DecimalField(
        "Unit cost", places=2, validators=[InputRequired(), NumberRange(min=0)]
    )
    active = BooleanField("Sold (active)", default=True)

    def validate_list_price(self, field: DecimalField) -> None:
        """At most two decimals."""
        _two_places(field)

    def validate_unit_cost(self, field: DecimalField) -> None:
        """At most two decimals."""
        _two_places(field)


def _two_places(field: DecimalField) -> None:
    if field.data is not None and field.data != field.data.quantize(Decimal("0.01")):
        raise ValidationError("Use at most two decimals.")


class OrderLineForm(Form):
    """One line of a new order (no CSRF of its own: it is part of OrderForm)."""

    product_id = SelectField("Product", coerce=int, validators=[Optional()])
    quantity = DecimalField(
        "Quantity", places=3, validators=[Optional(), NumberRange(min=Decimal("0.001"))]
    )
    unit_price = DecimalField(
        "Price",
        places=2,
        validators=[Optional(), NumberRange(min=0)],
        description="Empty: list price",
    )
    discount_percent = DecimalField(
        "Discount %", places=2, validators=[Optional(), NumberRange(min=0, max=100)]
    )


class OrderForm(FlaskForm):
    """A new draft order for a customer chosen beforehand: salesperson, date and lines."""

    customer_id = HiddenField(validators=[InputRequired()])
    salesperson_id = SelectField("Salesperson", coerce=int, validators=[Optional()])
    order_date = DateField("Order date", validators=[InputRequired()])
    notes = TextAreaField("Notes", validators=[Optional()])
    lines = FieldList(FormField(OrderLineForm), min_entries=5, max_entries=50)


class UserForm(FlaskForm):
    """Create or edit a staff user."""

    email = StringField(
        "E-mail", validators=[InputRequired(), Email(), Length(max=254)], filters=[strip]
    )
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    role = SelectField("Role", choices=list(ROLES))
    password = PasswordField(
        "Password",
        validators=[Optional(), Length(min=8)],
        description="At least 8 characters. Leave empty to keep the current one.",
    )
    active = BooleanField("Active (may log in)", default=True)

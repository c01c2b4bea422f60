"""The core's WTForms: they keep what was typed and say what is wrong next to each field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app, has_app_context
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
from wtforms.validators import (
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from core.countries import UnknownCountry, country_code
from core.i18n import lazy_gettext as _l
from core.models import ROLES
from core.phones import read_phone
from core.quality import no_phone_message
from core.roles import ROLE_LABELS
from core.validation import InputProblem, currency_places, limit_of, parse_decimal, text_problem


def strip(value: str | None) -> str | None:
    """WTForms filter: drop the spaces people paste around e-mails and names."""
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """The form every page of the core and the plugins uses: FlaskForm (CSRF) plus edge checks.

    Besides each field's own validators it refuses text holding a NUL or another control
    character, in any field and any sub-form, with a message next to the field, so SQLite
    and PostgreSQL see the same input (PostgreSQL cannot store a NUL; SQLite would).
    """

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' validators, then the control-character check over every text field."""
        valid = super().validate(extra_validators)
        clean = _refuse_control_characters(self)
        return valid and clean


def _refuse_control_characters(form: Any) -> bool:
    """Add an error to every text field (sub-forms and lists included) holding a control character."""
    clean = True
    for field in form:
        if isinstance(field, FormField):
            clean = _refuse_control_characters(field.form) and clean
        elif isinstance(field, FieldList):
            for entry in field.entries:
                if isinstance(entry, FormField):
                    clean = _refuse_control_characters(entry.form) and clean
                else:
                    clean = _check_text(entry) and clean
        else:
            clean = _check_text(field) and clean
    return clean


def _check_text(field: Any) -> bool:
    """False (and an error on the field) when its data or raw text has a control character."""
    texts = [value for value in (field.raw_data or []) if isinstance(value, str)]
    if isinstance(field.data, str):
        texts.append(field.data)
    for value in texts:
        problem = text_problem(value)
        if problem:
            field.errors = [*field.errors, problem]
            return False
    return True


class NumberField(DecimalField):
    """A decimal typed in a form, read by core.validation.parse_decimal (one way everywhere).

    Refuses 1e309, Infinity, NaN, more decimals than ``places``, numbers the column cannot
    hold (``precision``/``scale`` as in the model's Numeric) and, unless ``negative``, numbers
    below 0; −0 is 0. With ``money=True`` the places are the company currency's (0 for JPY).
    """

    data: Any

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        places: int = 2,
        precision: int = 14,
        scale: int | None = None,
        money: bool = False,
        negative: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, places=places, **kwargs)
        self.limit = limit_of(precision, places if scale is None else scale)
        self.money = money
        self.negative = negative

    @property
    def allowed_places(self) -> int:
        """The decimals a value may have: the field's, or fewer when the currency has fewer."""
        places = int(self.places or 0)
        if self.money and has_app_context():
            places = min(places, currency_places(current_app.config["CLIENTELE"]["currency"]))
        return places

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the typed text; an empty field is None, a bad one keeps its text and a message."""
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = parse_decimal(
                str(valuelist[0]),
                places=self.allowed_places,
                limit=self.limit,
                allow_negative=self.negative,
            )
        except InputProblem as problem:
            self.data = None
            raise ValueError(str(problem)) from None


class MoneyField(NumberField):
    """An amount in the company currency: its places (2, or 0 for JPY), stored as Numeric(14, 2)."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("money", True)
        super().__init__(label, validators, places=2, precision=14, **kwargs)


class QuantityField(NumberField):
    """A quantity with up to three decimals (3.5 kg), stored as Numeric(12, 3)."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, places=3, precision=12, **kwargs)


class PercentField(NumberField):
    """A percentage with up to two decimals (12.5 = 12.5 %); give NumberRange for its bounds."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, places=2, precision=5, **kwargs)


class LoginForm(BaseForm):
    """E-mail and password."""

    email = StringField(_l("E-mail"), validators=[InputRequired(), Email()], filters=[strip])
    password = PasswordField(_l("Password"), validators=[InputRequired()])
    next = HiddenField()


#: The shortest password the app accepts (own change, admin's reset, new users).
MIN_PASSWORD_LENGTH = 8
PASSWORD_LENGTH_MESSAGE = _l(
    "Use at least %(count)s characters (and at most 200).", count=MIN_PASSWORD_LENGTH
)


class PasswordChangeForm(BaseForm):
    """A user's own password: the current one, then the new one twice."""

    current = PasswordField(_l("Current password"), validators=[InputRequired()])
    new = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message=PASSWORD_LENGTH_MESSAGE),
        ],
        description=_l("At least %(count)s characters.", count=MIN_PASSWORD_LENGTH),
    )
    repeat = PasswordField(
        _l("New password again"),
        validators=[InputRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )


class LanguageForm(BaseForm):
    """A user's own language; empty follows the company's."""

    language = SelectField(_l("Language"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from core.i18n import LANGUAGES, company_language
        from core.i18n import _ as translate

        super().__init__(*args, prefix="language", **kwargs)
        company = LANGUAGES[company_language()]
        self.language.choices = [
            ("", translate("As the company (%(language)s)", language=company)),
            *LANGUAGES.items(),
        ]


class ActionForm(BaseForm):
    """A form with only the CSRF token, for POST buttons (confirm, cancel, delete)."""


class CustomerForm(BaseForm):
    """Create or edit a customer."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    email = StringField(
        _l("E-mail"), validators=[Optional(), Email(), Length(max=254)], filters=[strip]
    )
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), Length(max=40)],
        description=_l("Any format; add +country for abroad."),
    )
    country = StringField(
        _l("Country"),
        validators=[Optional(), Length(max=100)],
        description=_l(
            "A name or ISO code in any common language: DE, Germany, Deutschland, 德国."
        ),
        filters=[strip],
    )
    region = StringField(_l("Region"), validators=[Optional(), Length(max=100)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    channel = StringField(
        _l("Acquisition channel"),
        validators=[Optional(), Length(max=50)],
        description=_l("How they found us: web, referral, fair …"),
    )
    birthday = DateField(_l("Birthday"), validators=[Optional()])
    owner_id = SelectField(_l("Account owner"), coerce=int, validators=[Optional()])
    tags = StringField(
        _l("Tags"),
        validators=[Optional(), Length(max=500)],
        description=_l("Comma-separated, e.g. vip, wholesale."),
    )
    external_id = StringField(
        _l("External ID"),
        validators=[Optional(), Length(max=64)],
        description=_l("The key used by imports."),
    )
    marketing_opt_out = BooleanField(_l("Opted out of all marketing mail"))
    notes = TextAreaField(_l("Notes"), validators=[Optional()])

    def __init__(self, *args: object, default_region: str = "DE", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.default_region = default_region

    def validate_phone(self, field: StringField) -> None:
        """Refuse only text with no digit at all: a number that cannot be verified is saved as
        typed and flagged (core.quality), and the page says so."""
        if read_phone(field.data or "", self.default_region).holds_no_phone:
            raise ValidationError(no_phone_message(field.data or ""))

    def validate_country(self, field: StringField) -> None:
        """A country by name or code in any common language, kept as its ISO code."""
        try:
            field.data = country_code(field.data or "")
        except UnknownCountry as error:
            raise ValidationError(str(error)) from None


class ProductForm(BaseForm):
    """Create or edit a product."""

    sku = StringField(_l("SKU"), validators=[InputRequired(), Length(max=64)])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    category = StringField(_l("Category"), validators=[Optional(), Length(max=100)])
    list_price = MoneyField(_l("List price"), validators=[InputRequired()])
    unit_cost = MoneyField(_l("Unit cost"), validators=[InputRequired()])
    active = BooleanField(_l("Sold (active)"), default=True)


class OrderLineForm(Form):
    """One line of a new order (no CSRF of its own: it is part of OrderForm)."""

    product_id = SelectField(_l("Product"), coerce=int, validators=[Optional()])
    quantity = QuantityField(
        _l("Quantity"), validators=[Optional(), NumberRange(min=Decimal("0.001"))]
    )
    unit_price = MoneyField(
        _l("Price"), validators=[Optional()], description=_l("Empty: list price")
    )
    discount_percent = PercentField(
        _l("Discount %"), validators=[Optional(), NumberRange(min=0, max=100)]
    )


class OrderForm(BaseForm):
    """A new draft order for a customer chosen beforehand: salesperson, date and lines."""

    customer_id = HiddenField(validators=[InputRequired()])
    salesperson_id = SelectField(_l("Salesperson"), coerce=int, validators=[Optional()])
    order_date = DateField(_l("Order date"), validators=[InputRequired()])
    notes = TextAreaField(_l("Notes"), validators=[Optional()])
    lines = FieldList(FormField(OrderLineForm), min_entries=5, max_entries=50)


class UserForm(BaseForm):
    """Create or edit a staff user."""

    email = StringField(
        _l("E-mail"), validators=[InputRequired(), Email(), Length(max=254)], filters=[strip]
    )
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=[(role, ROLE_LABELS[role]) for role in ROLES])
    password = PasswordField(
        _l("Password"),
        validators=[
            Optional(),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message=PASSWORD_LENGTH_MESSAGE),
        ],
        description=_l(
            "At least %(count)s characters. Leave empty to keep the current one; a new password"
            " signs the user out everywhere.",
            count=MIN_PASSWORD_LENGTH,
        ),
    )
    active = BooleanField(_l("Active (may log in)"), default=True)

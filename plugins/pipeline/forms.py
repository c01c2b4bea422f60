"""Pipeline forms: a deal with its products, a follow-up, a move, a lost reason, the stages."""

from __future__ import annotations

from decimal import Decimal

from wtforms import DateField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from core.forms import BaseForm, MoneyField, PercentField, QuantityField, strip
from core.i18n import lazy_gettext as _l


class DealLineForm(Form):
    """One product of a deal (no CSRF of its own: part of DealForm)."""

    product_id = SelectField(_l("Product"), coerce=int, validators=[Optional()])
    quantity = QuantityField(
        _l("Quantity"), validators=[Optional(), NumberRange(min=Decimal("0.001"))]
    )
    unit_price = MoneyField(
        _l("Price"), validators=[Optional()], description=_l("Empty: list price")
    )


class DealForm(BaseForm):
    """A deal: title, who it is with (a customer or a prospect), owner, money and dates."""

    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    customer = StringField(
        _l("Customer"),
        validators=[Optional(), Length(max=254)],
        filters=[strip],
        description=_l("The customer's e-mail or external id; empty for a prospect."),
    )
    prospect_name = StringField(_l("Prospect's name"), validators=[Optional(), Length(max=200)])
    prospect_company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    prospect_email = StringField(
        _l("E-mail"), validators=[Optional(), Email(), Length(max=254)], filters=[strip]
    )
    prospect_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    channel = StringField(
        _l("Channel"),
        validators=[Optional(), Length(max=50)],
        description=_l("Empty: the customer's acquisition channel."),
    )
    owner_id = SelectField(_l("Owner"), coerce=int)
    amount = MoneyField(
        _l("Expected amount"),
        validators=[Optional()],
        description=_l("Empty: the sum of the products below."),
    )
    probability_percent = PercentField(
        _l("Probability %"),
        validators=[Optional(), NumberRange(min=0, max=100)],
        description=_l(
            "Empty: the stage's default. A number typed here is kept when the deal moves."
        ),
    )
    expected_close_on = DateField(_l("Expected close"), validators=[Optional()])
    next_activity = StringField(_l("Next activity"), validators=[Optional(), Length(max=200)])
    next_activity_on = DateField(_l("Due"), validators=[Optional()])
    lines = FieldList(FormField(DealLineForm), min_entries=3, max_entries=30)


class FollowUpForm(BaseForm):
    """A call, visit, meeting or e-mail: what was said and when to follow up next."""

    kind = SelectField(
        _l("Kind"),
        choices=[
            ("call", _l("Call")),
            ("visit", _l("Visit")),
            ("meeting", _l("Meeting")),
            ("email", _l("E-mail")),
        ],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    outcome = StringField(_l("Outcome"), validators=[Optional(), Length(max=200)])
    next_contact_on = DateField(_l("Next contact"), validators=[Optional()])


class MoveForm(BaseForm):
    """Move a card to another stage (the board's plain form; drag and drop submits it too)."""

    stage_id = SelectField(_l("Stage"), coerce=int)


class LostForm(BaseForm):
    """Why the deal was lost."""

    reason_id = SelectField(_l("Lost because"), coerce=int, validators=[InputRequired()])


class StageForm(BaseForm):
    """A new open stage: its name and default probability (the rules are in stages.py)."""

    name = StringField(_l("Name"), filters=[strip])
    probability_percent = PercentField(
        _l("Default probability %"),
        validators=[Optional()],
        description=_l("From 0 to 100; the stage's deals take it unless typed by hand."),
    )


class StageNameForm(BaseForm):
    """A stage's new name."""

    name = StringField(_l("New name"), filters=[strip])


class StageProbabilityForm(BaseForm):
    """An open stage's new default probability, as a percentage."""

    probability_percent = PercentField(_l("Default probability %"), validators=[Optional()])

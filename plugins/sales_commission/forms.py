"""The plugin's forms: they keep what was typed and show errors next to each field."""

from __future__ import annotations

from typing import Any

from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from core.forms import BaseForm, PercentField
from core.i18n import lazy_gettext as _l
from plugins.sales_commission.models import BASES, GRADINGS

BASE_LABELS = {"revenue": _l("revenue (net)"), "profit": _l("profit (net − cost)")}
GRADING_LABELS = {
    "line": _l("line: margin of the sale after discount"),
    "product": _l("product: list margin"),
}


class TierForm(Form):
    """One tier row of a new rule version (no CSRF of its own: part of RuleVersionForm)."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=40)])
    min_margin = StringField(_l("Min margin"), description=_l("fraction, 0.40 = 40 %"))
    rate = StringField(_l("Rate"), description=_l("fraction, 0.08 = 8 %"))


class RuleVersionForm(BaseForm):
    """A new version of the rules, in force for orders dated from ``effective_from`` on."""

    effective_from = DateField(_l("Effective from"), validators=[InputRequired()])
    base = SelectField(_l("Base"))
    grade_by = SelectField(_l("Grade by"))
    note = StringField(_l("Why the rules change"), validators=[Optional(), Length(max=200)])
    tiers = FieldList(FormField(TierForm), min_entries=6, max_entries=12)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """The form with its choices of base and grading."""
        super().__init__(*args, **kwargs)
        # Choices are set here rather than on the class (WTForms deprecates class-level tuples).
        self.base.choices = [(base, BASE_LABELS[base]) for base in BASES]
        self.grade_by.choices = [(grading, GRADING_LABELS[grading]) for grading in GRADINGS]


class PaymentForm(BaseForm):
    """Mark an approved statement paid."""

    paid_on = DateField(_l("Paid on"), validators=[Optional()])
    reference = StringField(_l("Payment reference"), validators=[Optional(), Length(max=100)])


class ShareForm(Form):
    """One salesperson's share of a split (part of SplitForm)."""

    salesperson_id = SelectField(_l("Salesperson"), coerce=int, validators=[Optional()])
    percent = PercentField(_l("Percent"), validators=[Optional(), NumberRange(min=0, max=100)])


class SplitForm(BaseForm):
    """Who shares an order's commission, in percent (the first gets rounding remainders)."""

    shares = FieldList(FormField(ShareForm), min_entries=4, max_entries=10)

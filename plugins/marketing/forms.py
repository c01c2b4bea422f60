"""Marketing forms: segment name, campaign, schedule, cost, consent change, saving an audience."""

from __future__ import annotations

from decimal import Decimal

from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from core import placeholders
from core.forms import BaseForm, MoneyField
from core.i18n import _l
from plugins.marketing.messages import MERGE_FIELDS, problems


def _known_merge_fields(field: StringField | TextAreaField) -> None:
    """Only the documented {{ fields }} may be used, written in double braces."""
    found = problems(field.data or "")
    if found:
        raise ValidationError(" ".join(found))


class SegmentForm(BaseForm):
    """A segment's name, description and how its conditions combine (the conditions are rows of their own)."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    match = SelectField(
        _l("Customers who match"),
        choices=[("all", _l("all of the conditions")), ("any", _l("any of the conditions"))],
    )


class CampaignForm(BaseForm):
    """A campaign: message with merge fields, topic, segment, cost."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    topic = SelectField(
        _l("Consent topic"), description=_l("Customers who opted out of this topic are skipped.")
    )
    segment_id = SelectField(_l("Segment"), coerce=int)
    subject = StringField(_l("Subject"), validators=[InputRequired(), Length(max=300)])
    body = TextAreaField(
        _l("Message"),
        validators=[InputRequired(), Length(max=20000)],
        description=_l(
            "Plain text. Merge fields: %(fields)s. An unsubscribe link is always added at the end.",
            fields=placeholders.listing(MERGE_FIELDS),
        ),
    )
    cost = MoneyField(
        _l("Cost"),
        default=Decimal("0.00"),
        validators=[Optional()],
        description=_l("What the campaign cost; used for cost per acquired customer and return."),
    )

    def validate_subject(self, field: StringField) -> None:
        """Merge fields only."""
        _known_merge_fields(field)

    def validate_body(self, field: TextAreaField) -> None:
        """Merge fields only."""
        _known_merge_fields(field)


class ScheduleForm(BaseForm):
    """When the send job may start the campaign, in the company's time zone."""

    send_at = DateTimeLocalField(
        _l("Send at"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )


class CostForm(BaseForm):
    """The campaign's cost, which may become known after sending."""

    cost = MoneyField(_l("Cost"), validators=[InputRequired()])


class ConsentForm(BaseForm):
    """A consent change a member of staff records (the customer called, wrote, signed a form)."""

    topic = SelectField(_l("Topic"))
    choice = SelectField(_l("Change"), choices=[("out", _l("opts out")), ("in", _l("opts in"))])
    note = StringField(
        _l("How we know"),
        validators=[InputRequired(), Length(max=500)],
        description=_l("E.g. 'phone call 12 March', 'signed form at the fair'."),
    )


class AudienceSegmentForm(BaseForm):
    """Save a product's audience as a segment."""

    name = StringField(_l("Segment name"), validators=[InputRequired(), Length(max=120)])

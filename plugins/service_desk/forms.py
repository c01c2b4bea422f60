"""The service desk's forms; choices that come from the database are filled in by the views."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from core.forms import BaseForm
from core.i18n import _, _l
from core.phones import phone_problem
from plugins.service_desk.models import CHANNEL_LABELS, KIND_LABELS, PRIORITY_LABELS, Ticket

KIND_CHOICES = [(kind, _l(english)) for kind, english in KIND_LABELS.items()]
CHANNEL_CHOICES = [(channel, _l(english)) for channel, english in CHANNEL_LABELS.items()]
PRIORITY_CHOICES = [(priority, _l(english)) for priority, english in PRIORITY_LABELS.items()]


def _optional_id(value: object) -> int | None:
    """Select values "" / "0" mean "none"; anything else must be a number."""
    if value in (None, "", "0", 0):
        return None
    return int(str(value))


class TicketForm(BaseForm):
    """Open a ticket for a customer (customer_id) or for a new contact (contact fields)."""

    customer_id = HiddenField()
    kind = SelectField(_l("Type"), choices=KIND_CHOICES, default="complaint")
    channel = SelectField(_l("Channel"), choices=CHANNEL_CHOICES, default="phone")
    order_id = SelectField(_l("Order"), coerce=_optional_id, validators=[Optional()])
    subject = StringField(_l("Subject"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("What the customer says"), validators=[Optional()])
    priority = SelectField(_l("Priority"), choices=PRIORITY_CHOICES, default="normal")
    category = SelectField(_l("Category"), validators=[Optional()])
    team_id = SelectField(_l("Team"), coerce=_optional_id, validators=[Optional()])
    assignee_id = SelectField(_l("Assignee"), coerce=_optional_id, validators=[Optional()])
    contact_name = StringField(_l("Contact name"), validators=[Optional(), Length(max=200)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    contact_email = StringField(
        _l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)]
    )
    create_customer = BooleanField(_l("Also create a customer record for this contact"))
    attachments = MultipleFileField(_l("Attachments"))

    def __init__(self, *args: object, default_region: str = "DE", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.default_region = default_region

    def validate_contact_phone(self, field: StringField) -> None:
        """A contact phone must be a phone number."""
        problem = phone_problem(field.data or "", self.default_region)
        if problem:
            raise ValidationError(problem)

    def validate_contact_name(self, field: StringField) -> None:
        """Without a customer, say at least who called; a new customer record needs a name."""
        if self.customer_id.data:
            return
        if not (field.data or self.contact_phone.data or self.contact_email.data):
            raise ValidationError(_("Give the caller's name, phone or e-mail."))
        if self.create_customer.data and not (field.data or "").strip():
            raise ValidationError(_("A customer record needs a name."))


class MessageForm(BaseForm):
    """A reply to the customer, an internal note or a message from the customer, with files."""

    kind = RadioField(
        _l("Kind"),
        choices=[
            ("reply", _l("Reply to the customer (mailed)")),
            ("note", _l("Internal note")),
            ("customer", _l("Message from the customer")),
        ],
        default="reply",
    )
    body = TextAreaField(_l("Message"), validators=[InputRequired()])
    attachments = MultipleFileField(_l("Attachments"))


class TicketUpdateForm(BaseForm):
    """Type, priority, category, team and assignee of a ticket."""

    kind = SelectField(_l("Type"), choices=KIND_CHOICES)
    priority = SelectField(_l("Priority"), choices=PRIORITY_CHOICES)
    category = SelectField(_l("Category"), validators=[Optional()])
    team_id = SelectField(_l("Team"), coerce=_optional_id, validators=[Optional()])
    assignee_id = SelectField(_l("Assignee"), coerce=_optional_id, validators=[Optional()])
    # What the page showed, so that only the fields the user changed are written.
    seen_kind = HiddenField()
    seen_priority = HiddenField()
    seen_category = HiddenField()
    seen_team_id = HiddenField()
    seen_assignee_id = HiddenField()

    def show(self, ticket: Ticket) -> None:
        """Fill the form and its "seen" fields from the ticket as the page shows it."""
        self.team_id.data = ticket.team_id
        self.assignee_id.data = ticket.assignee_id
        self.seen_kind.data = ticket.kind
        self.seen_priority.data = ticket.priority
        self.seen_category.data = ticket.category or ""
        self.seen_team_id.data = str(ticket.team_id or "")
        self.seen_assignee_id.data = str(ticket.assignee_id or "")

    def seen(self) -> dict[str, object] | None:
        """The values the user saw, keyed like update_ticket's changes; None from an old page."""
        if self.seen_kind.data in (None, ""):
            return None
        return {
            "kind": self.seen_kind.data,
            "priority": self.seen_priority.data,
            "category": self.seen_category.data or "",
            "team": _optional_id(self.seen_team_id.data),
            "assignee": _optional_id(self.seen_assignee_id.data),
        }


class LinkCustomerForm(BaseForm):
    """Link a new contact's ticket to an existing customer found by phone, name or e-mail."""

    customer_query = StringField(
        _l("Customer"),
        validators=[InputRequired(), Length(max=200)],
        description=_l("Phone in any format, name or e-mail; it must match exactly one customer."),
    )


class BulkAssignForm(BaseForm):
    """Assign the ticked tickets of a queue to an agent and/or a team."""

    assignee_id = SelectField(_l("Assign to"), coerce=_optional_id, validators=[Optional()])
    team_id = SelectField(_l("Move to team"), coerce=_optional_id, validators=[Optional()])


class SurveyForm(BaseForm):
    """The public satisfaction survey."""

    rating = RadioField(
        _l("Your rating"),
        choices=[
            ("5", _l("5 – very good")),
            ("4", _l("4 – good")),
            ("3", _l("3 – fair")),
            ("2", _l("2 – poor")),
            ("1", _l("1 – very poor")),
        ],  # fmt: skip
        validators=[InputRequired(message=_l("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(
        _l("Anything you want to tell us?"), validators=[Optional(), Length(max=2000)]
    )


class TeamForm(BaseForm):
    """Create or edit a team."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=100)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=500)])
    restricted = BooleanField(
        _l("Restricted: only members (and managers) read internal notes and work its tickets")
    )
    active = BooleanField(_l("Active"), default=True)
    member_ids = SelectMultipleField(_l("Members"), coerce=int, validators=[Optional()])

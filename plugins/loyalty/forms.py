"""The loyalty forms: preferences, interactions, completing a care task, greeting templates."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from core.forms import BaseForm
from plugins.loyalty.greetings import template_problems
from plugins.loyalty.models import CONTACT_KINDS, INTERACTION_KINDS, SENTIMENTS
from plugins.loyalty.preferences import SENTIMENT_LABELS


class PreferenceForm(BaseForm):
    """A new preference: category, likes/avoids/note and the text."""

    sentiment = SelectField(
        "Kind", choices=[(key, SENTIMENT_LABELS[key]) for key in SENTIMENTS], default="likes"
    )
    category = StringField(
        "Category",
        validators=[Optional(), Length(max=100)],
        description="e.g. Food, Seating, or a product category so recommendations respect it.",
    )
    text = StringField(
        "Preference",
        validators=[InputRequired(message="Write what the customer prefers."), Length(max=500)],
        description='e.g. "window seat", "sweet-and-sour, no spicy food".',
    )
    next = HiddenField()


class InteractionForm(BaseForm):
    """A call, visit, e-mail or note to log."""

    kind = SelectField("Kind", choices=[(kind, kind.title()) for kind in INTERACTION_KINDS])
    happened_at = DateTimeLocalField(
        "When",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description="Leave empty for now.",
    )
    summary = TextAreaField(
        "What was said or done",
        validators=[InputRequired(message="Write what was said or done."), Length(max=5000)],
        render_kw={"rows": 4},
    )
    next = HiddenField()


class CompleteTaskForm(BaseForm):
    """Completing a care task: what kind of contact it was and notes."""

    kind = SelectField(
        "It was a", choices=[(kind, kind.title()) for kind in CONTACT_KINDS], default="call"
    )
    notes = TextAreaField(
        "Notes",
        validators=[InputRequired(message="Write a few words on how it went."), Length(max=5000)],
        description="Saved on the customer's timeline.",
        render_kw={"rows": 5},
    )


def _valid_template(form: BaseForm, field: StringField) -> None:
    """Only known {{ placeholders }} and matching braces."""
    problems = template_problems(field.data or "")
    if problems:
        raise ValidationError(" ".join(problems))


class GreetingTemplateForm(BaseForm):
    """The subject and text of a greeting."""

    subject = StringField("Subject", validators=[InputRequired(), Length(max=300), _valid_template])
    body = TextAreaField(
        "Text",
        validators=[InputRequired(), Length(max=10000), _valid_template],
        render_kw={"rows": 12},
    )
    active = BooleanField("Send this greeting")

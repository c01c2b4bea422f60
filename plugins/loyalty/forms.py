"""The loyalty forms: preferences, interactions, completing a care task, greeting templates."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from core.forms import BaseForm
from core.i18n import _l
from plugins.loyalty.greetings import template_problems
from plugins.loyalty.models import CONTACT_KINDS, INTERACTION_KINDS, KIND_LABELS, SENTIMENTS
from plugins.loyalty.preferences import SENTIMENT_LABELS


class PreferenceForm(BaseForm):
    """A new preference: category, likes/avoids/note and the text."""

    sentiment = SelectField(
        _l("Kind"), choices=[(key, SENTIMENT_LABELS[key]) for key in SENTIMENTS], default="likes"
    )
    category = StringField(
        _l("Category"),
        validators=[Optional(), Length(max=100)],
        description=_l("e.g. Food, Seating, or a product category so recommendations respect it."),
    )
    text = StringField(
        _l("Preference"),
        validators=[
            InputRequired(message=_l("Write what the customer prefers.")),
            Length(max=500),
        ],
        description=_l('e.g. "window seat", "sweet-and-sour, no spicy food".'),
    )
    next = HiddenField()


class InteractionForm(BaseForm):
    """A call, visit, e-mail or note to log."""

    kind = SelectField(
        _l("Kind"), choices=[(kind, KIND_LABELS[kind]) for kind in INTERACTION_KINDS]
    )
    happened_at = DateTimeLocalField(
        _l("When"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("Leave empty for now."),
    )
    summary = TextAreaField(
        _l("What was said or done"),
        validators=[InputRequired(message=_l("Write what was said or done.")), Length(max=5000)],
        render_kw={"rows": 4},
    )
    next = HiddenField()


class CompleteTaskForm(BaseForm):
    """Completing a care task: what kind of contact it was and notes."""

    kind = SelectField(
        _l("It was a"),
        choices=[(kind, KIND_LABELS[kind]) for kind in CONTACT_KINDS],
        default="call",
    )
    notes = TextAreaField(
        _l("Notes"),
        validators=[
            InputRequired(message=_l("Write a few words on how it went.")),
            Length(max=5000),
        ],
        description=_l("Saved on the customer's timeline."),
        render_kw={"rows": 5},
    )


def _valid_template(form: BaseForm, field: StringField) -> None:
    """Only known {{ placeholders }} and matching braces."""
    problems = template_problems(field.data or "")
    if problems:
        raise ValidationError(" ".join(problems))


class GreetingTemplateForm(BaseForm):
    """The subject and text of a greeting."""

    subject = StringField(
        _l("Subject"), validators=[InputRequired(), Length(max=300), _valid_template]
    )
    body = TextAreaField(
        _l("Text"),
        validators=[InputRequired(), Length(max=10000), _valid_template],
        render_kw={"rows": 12},
    )
    active = BooleanField(_l("Send this greeting"))

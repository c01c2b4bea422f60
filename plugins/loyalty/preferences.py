"""Preferences (what a customer likes, avoids, or a note to remember) and the interaction log."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select

from core.db import db
from core.i18n import _, _l
from core.models import Customer, Product, User, utcnow
from plugins.loyalty.models import INTERACTION_KINDS, SENTIMENTS, Interaction, Preference

SENTIMENT_LABELS = {"likes": _l("Likes"), "avoids": _l("Avoids"), "note": _l("Note")}
SENTIMENT_ORDER = {"avoids": 0, "likes": 1, "note": 2}
RECENT_INTERACTIONS = 5


class NoteError(ValueError):
    """A preference or interaction cannot be saved; the message is for the user.

    ``field`` names the form field the message belongs to, when it is not the text.
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def add_preference(
    customer: Customer, user: User, category: str, sentiment: str, text: str
) -> Preference:
    """Remember a preference of the customer."""
    if sentiment not in SENTIMENTS:
        raise NoteError(_("Choose one of %(choices)s.", choices=", ".join(SENTIMENTS)))
    if not text.strip():
        raise NoteError(_("Write what the customer prefers."))
    preference = Preference(
        customer_id=customer.id,
        category=category.strip(),
        sentiment=sentiment,
        text=text.strip(),
        created_by_id=user.id,
        created_at=utcnow(),
    )
    db.session.add(preference)
    return preference


def log_interaction(
    customer: Customer, user: User, kind: str, summary: str, happened_at: dt.datetime | None = None
) -> Interaction:
    """Record a call, visit, e-mail or note about the customer."""
    if kind not in INTERACTION_KINDS:
        raise NoteError(_("Choose one of %(choices)s.", choices=", ".join(INTERACTION_KINDS)))
    if not summary.strip():
        raise NoteError(_("Write what was said or done."))
    now = utcnow()
    if happened_at is not None and happened_at > now + dt.timedelta(minutes=5):
        raise NoteError(_("An interaction cannot be in the future."), "happened_at")
    interaction = Interaction(
        customer_id=customer.id,
        user_id=user.id,
        kind=kind,
        summary=summary.strip(),
        happened_at=happened_at or now,
        created_at=now,
    )
    db.session.add(interaction)
    return interaction


def most_important_first(preferences: Iterable[Preference]) -> list[Preference]:
    """Avoids first (they matter most when serving), then likes, then notes; oldest first within each."""
    return sorted(preferences, key=lambda preference: SENTIMENT_ORDER.get(preference.sentiment, 3))


def preferences_of(customer_id: int) -> list[Preference]:
    """The customer's preferences, most important first."""
    statement = (
        select(Preference).where(Preference.customer_id == customer_id).order_by(Preference.id)
    )
    return most_important_first(db.session.scalars(statement))


def recent_interactions(customer_id: int, limit: int = RECENT_INTERACTIONS) -> list[Interaction]:
    """The customer's latest interactions, newest first."""
    statement = (
        select(Interaction)
        .where(Interaction.customer_id == customer_id)
        .order_by(Interaction.happened_at.desc(), Interaction.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def describe(preference: Preference) -> str:
    """ "Avoids (Food): spicy dishes"."""
    label = SENTIMENT_LABELS.get(preference.sentiment, preference.sentiment)
    category = f" ({preference.category})" if preference.category else ""
    return _(
        "%(label)s%(category)s: %(text)s", label=label, category=category, text=preference.text
    )


def product_categories() -> list[str]:
    """Distinct product categories, for suggestions in the preference form."""
    statement = (
        select(Product.category).where(Product.category != "").distinct().order_by(Product.category)
    )
    return list(db.session.scalars(statement))


def avoided_categories(customer_ids: Sequence[int]) -> dict[int, set[str]]:
    """{customer id: product categories (as spelled on products) the customer avoids}, in one query."""
    if not customer_ids:
        return {}
    statement = (
        select(Preference.customer_id, Product.category)
        .join(Product, func.lower(Product.category) == func.lower(Preference.category))
        .where(
            Preference.customer_id.in_(list(customer_ids)),
            Preference.sentiment == "avoids",
            Preference.category != "",
        )
        .distinct()
    )
    result: dict[int, set[str]] = defaultdict(set)
    for customer_id, category in db.session.execute(statement):
        result[customer_id].add(category)
    return dict(result)

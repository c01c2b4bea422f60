"""The [plugins.marketing] settings: consent topics, attribution window, batch size and limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app

from core.i18n import _
from core.plugins import Setting, SettingError, settings_of

TOPIC_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")


def _topics(value: list[Any]) -> list[str]:
    """At least one topic; each a short lowercase name; "all" is reserved for every topic."""
    if not value:
        raise SettingError(_('name at least one topic, e.g. ["newsletter", "offers"]'))
    topics: list[str] = []
    for index, topic in enumerate(value):
        if not isinstance(topic, str) or not TOPIC_PATTERN.match(topic):
            raise SettingError(
                _('a topic is a lowercase name (letters, digits, - or _), e.g. "offers"'),
                path=f"[{index}]",
            )
        if topic == "all":
            raise SettingError(_('"all" is reserved for every topic at once'), path=f"[{index}]")
        if topic in topics:
            raise SettingError(_('"%(topic)s" is listed twice', topic=topic), path=f"[{index}]")
        topics.append(topic)
    return topics


def _positive(value: int) -> int:
    """A whole number of at least 1."""
    if value < 1:
        raise SettingError(_("expected at least 1, got %(value)s", value=value))
    return value


SETTINGS = [
    Setting(
        "topics",
        list,
        ["newsletter", "offers", "events"],
        "consent topics a campaign is sent on; customers opt out of each one separately",
        check=_topics,
    ),
    Setting(
        "attribution_days",
        int,
        30,
        "an order counts for a campaign when placed less than this many days after the mail",
        check=_positive,
    ),
    Setting(
        "batch_size",
        int,
        200,
        "recipients handled per committed batch when sending",
        check=_positive,
    ),
    Setting(
        "unsubscribe_link_days",
        int,
        730,
        "how long an unsubscribe link in a sent message keeps working",
        check=_positive,
    ),
    Setting(
        "recommendations",
        int,
        5,
        "products shown on a customer's recommendations panel",
        check=_positive,
    ),
    Setting(
        "similar_products",
        int,
        50,
        "most similar products kept per product by the nightly recommendations refresh",
        check=_positive,
    ),
    Setting(
        "audience_size",
        int,
        500,
        'customers on a product\'s "who should get this" list (the best-scored ones)',
        check=_positive,
    ),
]


@dataclass(frozen=True)
class MarketingSettings:
    """The plugin's settings, typed, plus what it takes from [clientele]."""

    topics: tuple[str, ...]
    attribution_days: int
    batch_size: int
    unsubscribe_link_days: int
    recommendations: int
    similar_products: int
    audience_size: int
    base_url: str
    company: str
    currency: str


def current() -> MarketingSettings:
    """The current app's marketing settings: the one way the plugin reads them."""
    raw = settings_of("marketing")
    core = current_app.config["CLIENTELE"]
    return MarketingSettings(
        topics=tuple(raw["topics"]),
        attribution_days=raw["attribution_days"],
        batch_size=raw["batch_size"],
        unsubscribe_link_days=raw["unsubscribe_link_days"],
        recommendations=raw["recommendations"],
        similar_products=raw["similar_products"],
        audience_size=raw["audience_size"],
        base_url=core["base_url"],
        company=core["company"],
        currency=core["currency"],
    )

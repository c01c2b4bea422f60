"""The marketing plugin's hook implementations: thin, they call the modules beside them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, has_request_context, request
from sqlalchemy import select

from core.db import db
from core.i18n import _, _l
from core.models import Customer, User
from core.plugins import Job, NavItem, Panel, Permission, Setting, TimelineEvent, hookimpl
from core.unsubscribe import ENDPOINT as UNSUBSCRIBE_ENDPOINT
from plugins.marketing import consent, criteria, labels, recommendations
from plugins.marketing import settings as marketing_settings
from plugins.marketing.access import sees_recommendations
from plugins.marketing.models import ALL_TOPICS, ConsentEvent
from plugins.marketing.settings import SETTINGS


@hookimpl
def blueprints() -> list[Blueprint]:
    """The marketing pages and the public unsubscribe page."""
    from plugins.marketing.views import bp

    return [bp]


@hookimpl
def permissions() -> list[Permission]:
    """Marketing staff and managers build segments, send campaigns and read attribution."""
    return [
        Permission(
            "marketing.segments", "Build, preview and export segments", ("marketing", "manager")
        ),
        Permission(
            "marketing.campaigns", "Write, schedule and send campaigns", ("marketing", "manager")
        ),
        Permission(
            "marketing.attribution",
            "See channel, campaign and regional attribution",
            ("marketing", "manager"),
        ),
        Permission(
            "marketing.recommendations",
            "See product recommendations (sales: on their own customers)",
            ("marketing", "manager", "sales"),
        ),
        Permission(
            "marketing.consent",
            "Record a customer's marketing consent",
            ("marketing", "manager", "sales", "support"),
        ),
    ]


@hookimpl
def nav_items(user: Any) -> list[NavItem]:
    """Segments, campaigns and attribution in the top navigation."""
    return [
        NavItem(_l("Segments"), "marketing.segments", "marketing.segments", 400),
        NavItem(_l("Campaigns"), "marketing.campaigns", "marketing.campaigns", 410),
        NavItem(_l("Attribution"), "marketing.attribution", "marketing.attribution", 420),
    ]


@hookimpl
def plugin_settings() -> list[Setting]:
    """[plugins.marketing]: topics, attribution window, batch size, link lifetime, list sizes."""
    return SETTINGS


@hookimpl
def register_commands(cli: Any) -> None:
    """clientele marketing segment-count | attribution | consent-import | refresh-recommendations."""
    from plugins.marketing.cli import marketing

    cli.add_command(marketing)


@hookimpl
def scheduled_jobs() -> list[Job]:
    """Send due and unfinished campaigns every minute; refresh the co-purchase snapshot nightly."""
    from plugins.marketing.jobs import (
        REFRESH_JOB,
        SEND_JOB,
        refresh_recommendations,
        send_campaigns,
    )

    return [
        Job(SEND_JOB, "* * * * *", send_campaigns),
        Job(REFRESH_JOB, "40 2 * * *", refresh_recommendations),
    ]


@hookimpl
def segment_criteria() -> list[dict[str, Any]]:
    """Marketing's own criteria: customer facts, order facts, and "should get product"."""
    return [
        *criteria.core_criteria(),
        {
            "key": "marketing.likely_buyer",
            "label": _l("Should get product (SKU, by co-purchases)"),
            "kind": "text",
            "build": lambda sku: recommendations.likely_buyers(
                sku, marketing_settings.current().audience_size
            ),
        },
    ]


@hookimpl
def customer_panels(customer: Customer, user: User) -> list[Panel]:
    """Consent by topic with its evidence, and product recommendations where the user may see them."""
    topics = marketing_settings.current().topics
    state = consent.states([customer.id])[customer.id]
    panels = [
        Panel(
            _("Marketing consent"),
            "marketing/panel_consent.html",
            {
                "consent_topics": topics,
                "consent_state": state,
                "consent_history": consent.history(customer.id, limit=5),
                "consent_can_record": user.can("marketing.consent"),
            },
            order=60,
        )
    ]
    if sees_recommendations(user, customer):
        excluded = recommendations.exclusions([customer.id])[customer.id]
        items = recommendations.recommend_for(
            customer.id, excluded, marketing_settings.current().recommendations
        )
        panels.append(
            Panel(
                _("Recommended products"),
                "marketing/panel_recommendations.html",
                {
                    "recommendations": items,
                    "recommendation_exclusions": sorted(excluded),
                    "recommendations_as_of": recommendations.last_refresh(),
                },
                order=70,
            )
        )
    return panels


@hookimpl
def customer_timeline(customer: Customer, since: dt.datetime | None) -> list[TimelineEvent]:
    """Opt-ins and opt-outs, with their source."""
    statement = select(ConsentEvent).where(ConsentEvent.customer_id == customer.id)
    if since is not None:
        statement = statement.where(ConsentEvent.at >= since)
    events = []
    for event in db.session.scalars(statement.order_by(ConsentEvent.at.desc()).limit(200)):
        if event.topic == ALL_TOPICS:
            title = (
                _("Opted in to all marketing")
                if event.opted_in
                else _("Opted out of all marketing")
            )
        elif event.opted_in:
            title = _("Opted in to %(topic)s mail", topic=event.topic)
        else:
            title = _("Opted out of %(topic)s mail", topic=event.topic)
        source = labels.consent_source(event.source)
        if event.user:
            source = _("%(source)s by %(name)s", source=source, name=event.user.name)
        detail = f"{source}. {labels.note(event.note)}".strip()
        events.append(TimelineEvent(event.at, "consent", title, detail))
    return events


@hookimpl
def customer_created(customer: Customer, user: User | None) -> None:
    """A customer created as opted out of all marketing gets an evidence row for it."""
    if customer.marketing_opt_out and not consent.recording_now():
        consent.log_event(
            customer.id,
            ALL_TOPICS,
            False,
            "staff",
            "Opted out when the customer was created.",
            user,
        )


@hookimpl
def customer_updated(customer: Customer, changes: Any, user: User | None) -> None:
    """A change of the core opt-out flag is kept as evidence (staff, or the core's unsubscribe link)."""
    if "marketing_opt_out" in changes and not consent.recording_now():
        _, new = changes["marketing_opt_out"]
        source, note = "staff", "Changed on the customer form."
        if user is None and has_request_context() and request.endpoint == UNSUBSCRIBE_ENDPOINT:
            source, note = "link", "The core's unsubscribe link in a mail: all marketing."
        consent.log_event(customer.id, ALL_TOPICS, not new, source, note, user)


@hookimpl
def seed_demo(session: Any, rng: Any) -> None:
    """Demo segments, a sent campaign with attribution, and some opt-outs."""
    from plugins.marketing.demo import seed

    seed(session, rng)


# Hooks of other plugins (insights), in bridges.py; re-exported so they register with this module.
from plugins.marketing.bridges import (  # noqa: E402, F401
    insights_customer_costs,
    insights_promotions,
    insights_segments,
)

"""The public unsubscribe page: a signed link, no login, effective at once."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.exceptions import BadRequest

from core.db import db
from core.models import Customer
from core.tokens import TokenError
from plugins.marketing import consent
from plugins.marketing.messages import Unsubscribe, read_token
from plugins.marketing.models import ALL_TOPICS, Campaign
from plugins.marketing.settings import setting
from plugins.marketing.views import bp


def _invalid(message: str) -> tuple[str, int]:
    """The page for a link that cannot be used."""
    return render_template("marketing/unsubscribe.html", title="Unsubscribe", invalid=message), 400


def _page(customer: Customer, link: Unsubscribe, done: str) -> str:
    """What the customer now receives, with the buttons for everything / resubscribe."""
    return render_template(
        "marketing/unsubscribe.html",
        title="Unsubscribe",
        invalid="",
        customer=customer,
        topic=link.topic,
        state=consent.states([customer.id])[customer.id],
        done=done,
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> str | tuple[str, int]:
    """Opening the link unsubscribes from its topic; the page offers everything or undoing it."""
    try:
        link = read_token(token, setting("unsubscribe_link_days"))
    except TokenError as error:
        return _invalid(str(error))
    customer = db.session.get(Customer, link.customer_id)
    if customer is None:
        return _invalid("This link is not valid.")
    topics = setting("topics")
    # A topic no longer configured: honour the wish with the widest opt-out.
    topic = link.topic if link.topic in topics else ALL_TOPICS
    campaign_id = (
        link.campaign_id
        if link.campaign_id and db.session.get(Campaign, link.campaign_id)
        else None
    )
    link = Unsubscribe(link.customer_id, topic, campaign_id)
    action = request.form.get("action", "") if request.method == "POST" else "topic"
    if action not in ("topic", "all", "resubscribe"):
        raise BadRequest("Unknown action.")
    changes = {
        "topic": (topic, False, "Unsubscribe link."),
        "all": (ALL_TOPICS, False, "Unsubscribe link: everything."),
        "resubscribe": (topic, True, "Resubscribed from the unsubscribe page."),
    }
    chosen_topic, opted_in, note = changes[action]
    consent.record_consent(
        customer, chosen_topic, opted_in, "link", topics, note=note, campaign_id=link.campaign_id
    )
    db.session.commit()
    return _page(customer, link, action)

"""The public unsubscribe page: a signed link, no login; opening it changes nothing, a POST does.

A GET (the customer, or a mail scanner following links) shows what the customer receives
now and what a button will change. The change is a POST: a button on the page, or the
mail client's own unsubscribe button, which POSTs ``List-Unsubscribe=One-Click`` to the
same link (RFC 8058) and gets a short plain-text answer. The signed token in the URL is
the protection, so the view is CSRF-exempt (core.tokens.signed_link_view).
"""

from __future__ import annotations

from flask import render_template, request
from werkzeug.exceptions import BadRequest

from core.db import db
from core.i18n import _, force_locale
from core.models import Customer
from core.tokens import TokenError, signed_link_view
from plugins.marketing import consent
from plugins.marketing import settings as marketing_settings
from plugins.marketing.messages import Unsubscribe, read_token, recipient_language
from plugins.marketing.models import ALL_TOPICS, Campaign

#: The buttons of the page: (topic, None = the link's topic; opted in; the evidence's note).
ACTIONS = {
    "topic": (None, False, "Unsubscribe link."),
    "all": (ALL_TOPICS, False, "Unsubscribe link: everything."),
    "resubscribe": (None, True, "Resubscribed from the unsubscribe page."),
    "resubscribe_all": (
        ALL_TOPICS,
        True,
        "Resubscribed to all marketing from the unsubscribe page.",
    ),
}
#: What a mail client POSTs for a one-click unsubscribe (RFC 8058).
ONE_CLICK = ("List-Unsubscribe", "One-Click")


def _invalid(message: str) -> tuple[str, int]:
    """The page for a link that cannot be used."""
    page = render_template("marketing/unsubscribe.html", title=_("Unsubscribe"), invalid=message)
    return page, 400


def _page(customer: Customer, link: Unsubscribe, done: str) -> str:
    """What the customer receives now, what happened (done: an action or ""), and the buttons.

    In the customer's language when known, else the company's (nobody is signed in here).
    """
    with force_locale(recipient_language(customer)):
        return render_template(
            "marketing/unsubscribe.html",
            title=_("Unsubscribe"),
            invalid="",
            customer=customer,
            topic=link.topic,
            state=consent.states([customer.id])[customer.id],
            done=done,
        )


def _read_link(token: str) -> tuple[Customer, Unsubscribe] | str:
    """The customer and the link's wish (an unconfigured topic widened to "all"), or why not."""
    try:
        link = read_token(token, marketing_settings.current().unsubscribe_link_days)
    except TokenError as error:
        return str(error)
    customer = db.session.get(Customer, link.customer_id)
    if customer is None:
        return _("This link is not valid.")
    # A topic no longer configured: honour the wish with the widest opt-out.
    topic = link.topic if link.topic in marketing_settings.current().topics else ALL_TOPICS
    campaign_id = (
        link.campaign_id
        if link.campaign_id and db.session.get(Campaign, link.campaign_id)
        else None
    )
    return customer, Unsubscribe(link.customer_id, topic, campaign_id)


def _change(customer: Customer, link: Unsubscribe, action: str) -> None:
    """Record the action's consent change with the link as evidence, and commit."""
    topic, opted_in, note = ACTIONS[action]
    consent.record_consent(
        customer,
        topic or link.topic,
        opted_in,
        "link",
        marketing_settings.current().topics,
        note=note,
        campaign_id=link.campaign_id,
    )
    db.session.commit()


@signed_link_view
def unsubscribe(token: str) -> str | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """GET shows the choice; POST unsubscribes (page button or one-click), or resubscribes."""
    found = _read_link(token)
    if isinstance(found, str):
        return _invalid(found)
    customer, link = found
    if request.method != "POST":  # GET or HEAD: show, never change
        return _page(customer, link, "")
    if request.form.get(ONE_CLICK[0]) == ONE_CLICK[1]:
        _change(customer, link, "topic")
        with force_locale(recipient_language(customer)):
            if link.topic == ALL_TOPICS:
                answer = _("Unsubscribed from all marketing mail.")
            else:
                answer = _("Unsubscribed from %(topic)s mail.", topic=link.topic)
        return f"{answer}\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
    action = request.form.get("action", "")
    if action not in ACTIONS:
        raise BadRequest(_("Unknown action."))
    _change(customer, link, action)
    return _page(customer, link, action)

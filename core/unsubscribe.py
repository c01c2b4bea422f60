"""The core's one-click unsubscribe: every marketing mail can be stopped from the mail itself.

A plugin that sends marketing mail with a link of its own (marketing's topic links) passes it
to ``core.outbox.queue_email(unsubscribe_url=...)``. Marketing mail queued without one
(loyalty's greetings, a third-party plugin's mail) gets the customer's core link, sent as
``List-Unsubscribe`` with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058).

The link opens /unsubscribe/<token>: a GET shows what will change and a button, a POST (the
button, or the mail client's own one-click POST) sets the customer's ``marketing_opt_out``
through ``core.customers.update_customer``, so the ``customer_updated`` hook tells plugins
(marketing keeps it as consent evidence). The link never expires: stopping mail must keep
working for as long as an old mail can be opened, and it can do nothing else.
"""

from __future__ import annotations

from flask import current_app

from core.db import db
from core.i18n import _
from core.models import Customer
from core.tokens import TokenError, sign, unsign

PURPOSE = "unsubscribe"
#: The endpoint of the page (plugins' hooks may tell a change made there from a staff edit).
ENDPOINT = "public.unsubscribe"


def unsubscribe_url(customer_id: int) -> str:
    """The customer's public link that stops all marketing mail."""
    base_url = str(current_app.config["CLIENTELE"]["base_url"]).rstrip("/")
    return f"{base_url}/unsubscribe/{sign(PURPOSE, customer_id)}"


def customer_of(token: str) -> Customer:
    """The customer a link was made for; TokenError when it is forged or the customer is gone."""
    customer_id = unsign(PURPOSE, token)
    customer = db.session.get(Customer, customer_id) if isinstance(customer_id, int) else None
    if customer is None:
        raise TokenError(_("This link is not valid."))
    return customer

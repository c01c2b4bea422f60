"""The core's one-click unsubscribe: marketing mail without a link of its own still carries one."""

from __future__ import annotations

import pytest

from core.db import db
from core.models import Customer, OutboxMessage
from core.outbox import build_email, queue_email
from core.unsubscribe import unsubscribe_url

BASE = "http://127.0.0.1:5000/unsubscribe/"


def one_click(client, url: str):
    return client.post(
        url.removeprefix("http://127.0.0.1:5000"),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )


def test_marketing_mail_without_its_own_link_gets_the_core_one(app, make_customer):
    ada = make_customer(name="Ada", email="ada@example.com")
    greeting = queue_email("ada@example.com", "Hi", "...", customer=ada, category="marketing")
    receipt = queue_email("ada@example.com", "Receipt", "...", customer=ada)
    own = "https://crm.example/marketing/unsubscribe/abc"
    offer = queue_email(
        "ada@example.com", "Offer", "...", customer=ada, category="marketing", unsubscribe_url=own
    )
    db.session.commit()
    assert greeting.unsubscribe_url == unsubscribe_url(ada.id)
    assert greeting.unsubscribe_url.startswith(BASE)
    email = build_email(greeting, "Shop <shop@example.com>")
    assert email["List-Unsubscribe"] == f"<{greeting.unsubscribe_url}>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert receipt.unsubscribe_url == ""  # transactional mail cannot be unsubscribed from
    assert offer.unsubscribe_url == own  # a plugin's own link is kept


def test_opening_the_link_changes_nothing_and_the_button_stops_marketing(
    app, client, make_customer
):
    app.config["WTF_CSRF_ENABLED"] = True  # the signed token is the protection, not a session
    ada = make_customer(name="Ada", email="ada@example.com")
    link = unsubscribe_url(ada.id).removeprefix("http://127.0.0.1:5000")
    page = client.get(link)
    assert page.status_code == 200
    assert b"Stop all marketing mail" in page.data
    assert client.head(link).status_code == 200
    assert db.session.get(Customer, ada.id).marketing_opt_out is False
    done = client.post(link, data={"action": "stop"})
    assert done.status_code == 200
    assert b"You are unsubscribed from all marketing mail" in done.data
    db.session.expire_all()
    assert db.session.get(Customer, ada.id).marketing_opt_out is True
    assert b"You are not getting marketing mail" in client.get(link).data


def test_a_mail_clients_one_click_post_needs_no_page(app, client, make_customer):
    ada = make_customer(name="Ada", email="ada@example.com")
    response = one_click(client, unsubscribe_url(ada.id))
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "Unsubscribed from all marketing mail.\n"
    db.session.expire_all()
    assert db.session.get(Customer, ada.id).marketing_opt_out is True
    # Marketing mail is no longer queued for her.
    assert queue_email("ada@example.com", "Hi", "...", customer=ada, category="marketing") is None


@pytest.mark.parametrize("form", [{"action": "stop"}, {"List-Unsubscribe": "One-Click"}])
def test_a_forged_link_or_unknown_action_changes_nothing(app, client, make_customer, form):
    ada = make_customer(name="Ada", email="ada@example.com")
    link = unsubscribe_url(ada.id).removeprefix("http://127.0.0.1:5000")
    page = client.get(link + "x")
    assert page.status_code == 400 and b"This link cannot be used" in page.data
    assert client.post(link + "x", data=form).status_code == 400
    assert client.post(link, data={"action": "everything"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Customer, ada.id).marketing_opt_out is False
    assert db.session.query(OutboxMessage).count() == 0

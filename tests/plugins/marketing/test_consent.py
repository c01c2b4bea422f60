"""Consent by purpose: topic opt-outs with evidence, the public unsubscribe link, staff and import records."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from sqlalchemy import func, select

from core import tokens
from core.customers import update_customer
from core.db import db
from core.models import OutboxMessage
from core.outbox import queue_email
from plugins.marketing import consent
from plugins.marketing.messages import unsubscribe_token
from plugins.marketing.models import ConsentEvent, TopicOptOut

TOPICS = ["newsletter", "offers", "events"]


def events_of(customer):
    """(topic, opted_in, source) of the customer's evidence, oldest first."""
    rows = db.session.execute(
        select(ConsentEvent.topic, ConsentEvent.opted_in, ConsentEvent.source)
        .where(ConsentEvent.customer_id == customer.id)
        .order_by(ConsentEvent.id)
    )
    return [tuple(row) for row in rows]


def test_record_consent_keeps_state_and_evidence(shop):
    at = dt.datetime(2026, 3, 1, 10, 0)
    event = consent.record_consent(
        shop.ada, "offers", False, "staff", TOPICS, note="phone call", at=at
    )
    assert event.at == at and event.note == "phone call"
    assert consent.states([shop.ada.id])[shop.ada.id] == consent.ConsentState(
        False, frozenset({"offers"})
    )
    # The same choice again records nothing.
    assert consent.record_consent(shop.ada, "offers", False, "staff", TOPICS, note="again") is None
    consent.record_consent(shop.ada, "offers", True, "link", TOPICS)
    assert consent.states([shop.ada.id])[shop.ada.id].allows("offers")
    assert events_of(shop.ada) == [("offers", False, "staff"), ("offers", True, "link")]


def test_all_topics_is_the_core_flag_with_one_evidence_row(shop):
    consent.record_consent(shop.bob, "all", False, "staff", TOPICS, note="letter")
    assert shop.bob.marketing_opt_out is True
    state = consent.states([shop.bob.id])[shop.bob.id]
    assert not state.allows("newsletter") and not state.allows("offers")
    # The customer_updated hook saw the flag change but did not record it a second time.
    assert events_of(shop.bob) == [("all", False, "staff")]


def test_bad_topic_or_source_is_refused(shop):
    with pytest.raises(consent.ConsentError, match="'spam' is not a consent topic"):
        consent.record_consent(shop.ada, "spam", False, "staff", TOPICS)
    with pytest.raises(consent.ConsentError, match="'fax' is not a consent source"):
        consent.record_consent(shop.ada, "offers", False, "fax", TOPICS)
    assert events_of(shop.ada) == []


def test_changing_the_flag_on_the_customer_form_is_evidence(shop, client, login_as):
    user = login_as("support")
    form = {"name": "Bob Brown", "email": "bob@example.com", "country": "DE", "region": "Berlin",
            "city": "Berlin", "channel": "fair", "owner_id": "0", "marketing_opt_out": "y"}  # fmt: skip
    response = client.post(f"/customers/{shop.bob.id}/edit", data=form)
    assert response.status_code == 302
    event = db.session.scalar(select(ConsentEvent).where(ConsentEvent.customer_id == shop.bob.id))
    assert (event.topic, event.opted_in, event.source, event.user_id) == (
        "all",
        False,
        "staff",
        user.id,
    )
    # Outside a request (CLI, scripts) the change is still kept, without a user.
    update_customer(shop.bob, marketing_opt_out=False)
    assert events_of(shop.bob) == [("all", False, "staff"), ("all", True, "staff")]


def test_a_customer_created_opted_out_gets_evidence(make_customer):
    customer = make_customer(name="Quiet", marketing_opt_out=True)
    assert events_of(customer) == [("all", False, "staff")]


def test_transactional_mail_is_never_blocked(shop):
    consent.record_consent(shop.ada, "all", False, "staff", TOPICS, note="no marketing")
    consent.record_consent(shop.ada, "offers", False, "staff", TOPICS, note="no offers")
    receipt = queue_email("ada@example.com", "Your order", "Thanks", customer=shop.ada)
    advert = queue_email(
        "ada@example.com", "Offers", "Buy", customer=shop.ada, category="marketing"
    )
    assert receipt is not None and receipt.category == "transactional"
    assert advert is None


def unsubscribe(client, token, **form):
    """POST to the public link (no login, no CSRF token), as the page's buttons do."""
    return client.post(f"/marketing/unsubscribe/{token}", data=form)


def test_opening_the_link_changes_nothing_and_shows_the_choice(shop, client):
    token = unsubscribe_token(shop.ada.id, "offers", None)
    for _ in range(2):  # the customer, and a mail scanner following every link
        page = client.get(f"/marketing/unsubscribe/{token}")
        assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Do you want to stop getting offers mail from us?" in text
    assert "Nothing changes until you press a button below." in text
    assert "Offers mail: yes" in text and "Marketing mail: yes" in text
    assert "Unsubscribe from offers mail</button>" in text
    assert "Unsubscribe from all marketing mail</button>" in text
    assert "Resubscribe" not in text and "Receive marketing mail again" not in text
    assert client.head(f"/marketing/unsubscribe/{token}").status_code == 200
    assert db.session.get(TopicOptOut, (shop.ada.id, "offers")) is None
    assert events_of(shop.ada) == []


def test_the_button_unsubscribes_and_resubscribing_tells_the_truth(shop, client):
    token = unsubscribe_token(shop.ada.id, "offers", None)
    done = unsubscribe(client, token, action="topic").get_data(as_text=True)
    assert "You are unsubscribed from offers mail. This takes effect immediately." in done
    assert "Offers mail: no, you unsubscribed" in done and "not affected" not in done
    assert db.session.get(TopicOptOut, (shop.ada.id, "offers")) is not None
    unsubscribe(client, token, action="topic")  # pressed twice: nothing new recorded
    assert events_of(shop.ada) == [("offers", False, "link")]

    everything = unsubscribe(client, token, action="all").get_data(as_text=True)
    assert "You are unsubscribed from all marketing mail." in everything
    db.session.refresh(shop.ada)
    assert shop.ada.marketing_opt_out is True

    # Back to offers, but still out of all marketing: the page says she gets nothing yet.
    back = unsubscribe(client, token, action="resubscribe").get_data(as_text=True)
    assert "Welcome back" not in back
    assert (
        "You are resubscribed to offers mail, but you are still unsubscribed from all our "
        "marketing mail, so you will not get offers mail until you choose"
    ) in back
    assert "Offers mail: no, you unsubscribed from all marketing mail" in back
    assert "Receive marketing mail again</button>" in back

    again = unsubscribe(client, token, action="resubscribe_all").get_data(as_text=True)
    assert "Welcome back: you will receive offers mail again." in again
    assert "Offers mail: yes" in again and "Marketing mail: yes" in again
    assert consent.states([shop.ada.id])[shop.ada.id].allows("offers")
    assert events_of(shop.ada) == [
        ("offers", False, "link"),
        ("all", False, "link"),
        ("offers", True, "link"),
        ("all", True, "link"),
    ]


def test_resubscribing_to_everything_keeps_a_topic_opt_out_and_says_so(shop, client):
    consent.record_consent(shop.ada, "offers", False, "staff", TOPICS, note="phone")
    consent.record_consent(shop.ada, "all", False, "staff", TOPICS, note="letter")
    token = unsubscribe_token(shop.ada.id, "offers", None)
    page = client.get(f"/marketing/unsubscribe/{token}").get_data(as_text=True)
    assert "You are not getting offers mail from us now." in page
    page = unsubscribe(client, token, action="resubscribe_all").get_data(as_text=True)
    assert "You accept our marketing mail again, except offers mail" in page
    assert "Resubscribe to offers mail</button>" in page
    assert not consent.states([shop.ada.id])[shop.ada.id].allows("offers")
    assert consent.states([shop.ada.id])[shop.ada.id].allows("newsletter")


def test_one_click_post_unsubscribes_without_a_page_or_csrf_token(app, shop, client):
    app.config["WTF_CSRF_ENABLED"] = True
    token = unsubscribe_token(shop.ada.id, "offers", None)
    response = client.post(
        f"/marketing/unsubscribe/{token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "Unsubscribed from offers mail.\n"
    assert events_of(shop.ada) == [("offers", False, "link")]
    # The page's own buttons work without a session too; the token is their protection.
    assert unsubscribe(client, token, action="all").status_code == 200
    assert events_of(shop.ada)[-1] == ("all", False, "link")
    # A forged link stays refused, and staff forms keep their CSRF check.
    forged = client.post(
        f"/marketing/unsubscribe/{token}x",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert forged.status_code == 400
    staff = client.post(
        f"/marketing/customers/{shop.bob.id}/consent",
        data={"topic": "events", "choice": "out", "note": "x"},
    )
    assert staff.status_code == 400
    assert events_of(shop.bob) == []


def test_evidence_page_and_customer_page_agree(shop, client, login_as):
    login_as("marketing")
    consent.record_consent(shop.bob, "all", False, "staff", TOPICS, note="letter")
    consent.record_consent(shop.bob, "events", False, "staff", TOPICS, note="phone")
    db.session.commit()

    def states(url):
        page = client.get(url).get_data(as_text=True)
        block = page[page.index("<ul", page.index("data-consent") - 60) :]
        block = block[: block.index("</ul>")]
        return re.findall(r"<li>([^:<]+): <span[^>]*>([^<]+)</span>", block)

    expected = [
        ("All marketing mail", "opted out"),
        ("newsletter", "off (all marketing)"),
        ("offers", "off (all marketing)"),
        ("events", "opted out"),
    ]
    assert states(f"/customers/{shop.bob.id}") == expected
    assert states(f"/marketing/customers/{shop.bob.id}/consent") == expected


def test_unsubscribe_link_remembers_the_campaign(shop, client):
    from plugins.marketing.models import Campaign, Segment

    campaign = Campaign(
        name="C",
        topic="newsletter",
        subject="s",
        body="b",
        segment=Segment(name="S", definition="{}"),
    )
    db.session.add(campaign)
    db.session.commit()
    unsubscribe(client, unsubscribe_token(shop.bob.id, "newsletter", campaign.id), action="topic")
    event = db.session.scalar(select(ConsentEvent).where(ConsentEvent.customer_id == shop.bob.id))
    assert event.campaign_id == campaign.id and event.note == "Unsubscribe link."


def test_a_link_for_a_topic_no_longer_configured_opts_out_of_everything(shop, client):
    unsubscribe(client, unsubscribe_token(shop.bob.id, "old-topic", None), action="topic")
    db.session.refresh(shop.bob)
    assert shop.bob.marketing_opt_out is True


@pytest.mark.parametrize(
    "make_token",
    [
        lambda shop: unsubscribe_token(shop.ada.id, "offers", None) + "x",  # tampered
        lambda shop: tokens.sign(
            "survey", {"c": shop.ada.id, "t": "offers", "m": None}
        ),  # other purpose
        lambda shop: unsubscribe_token(999_999, "offers", None),  # unknown customer
        lambda shop: tokens.sign("marketing.unsubscribe", ["not", "a", "dict"]),
    ],
)
def test_invalid_links_change_nothing(shop, client, make_token):
    token = make_token(shop)
    page = client.get(f"/marketing/unsubscribe/{token}")
    assert page.status_code == 400 and b"This link cannot be used" in page.data
    for form in ({"action": "all"}, {"List-Unsubscribe": "One-Click"}):
        assert unsubscribe(client, token, **form).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ConsentEvent)) == 0


def test_expired_links_are_refused(shop, client):
    with time_machine.travel(dt.datetime(2024, 1, 1, tzinfo=dt.UTC)):
        token = unsubscribe_token(shop.ada.id, "offers", None)
    # The default lifetime is 730 days; this link is older.
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)):
        page = client.get(f"/marketing/unsubscribe/{token}")
    assert page.status_code == 400 and b"expired" in page.data


def test_unknown_action_is_a_clean_400(shop, client):
    token = unsubscribe_token(shop.ada.id, "offers", None)
    assert (
        client.post(f"/marketing/unsubscribe/{token}", data={"action": "hack"}).status_code == 400
    )


def test_staff_record_consent_on_the_customer_page(shop, client, login_as):
    user = login_as("support")
    page = client.get(f"/customers/{shop.ada.id}")
    assert b"Marketing consent" in page.data and b"Record consent" in page.data
    response = client.post(
        f"/marketing/customers/{shop.ada.id}/consent",
        data={"topic": "events", "choice": "out", "note": "Said so at the counter"},
    )
    assert response.status_code == 302
    event = db.session.scalar(select(ConsentEvent).where(ConsentEvent.customer_id == shop.ada.id))
    assert (event.topic, event.opted_in, event.source, event.user_id) == (
        "events",
        False,
        "staff",
        user.id,
    )
    assert event.note == "Said so at the counter"
    page = client.get(f"/customers/{shop.ada.id}")
    assert b"Said so at the counter" in page.data  # panel and timeline
    history = client.get(f"/marketing/customers/{shop.ada.id}/consent")
    assert history.status_code == 200 and user.name.encode() in history.data


def test_staff_consent_needs_a_note_and_a_known_topic(shop, client, login_as):
    login_as("sales")
    no_note = client.post(
        f"/marketing/customers/{shop.ada.id}/consent",
        data={"topic": "events", "choice": "out", "note": ""},
        follow_redirects=True,
    )
    assert b"Consent not recorded" in no_note.data
    bad_topic = client.post(
        f"/marketing/customers/{shop.ada.id}/consent",
        data={"topic": "spam", "choice": "out", "note": "x"},
    )
    assert bad_topic.status_code == 302
    assert events_of(shop.ada) == []
    assert client.post("/marketing/customers/999/consent", data={}).status_code == 404


def test_marketing_and_admin_read_the_evidence(shop, client, login_as):
    login_as("marketing")
    assert client.get(f"/marketing/customers/{shop.ada.id}/consent").status_code == 200
    login_as("admin")  # admin holds every permission
    assert client.get(f"/marketing/customers/{shop.ada.id}/consent").status_code == 200


def test_consent_import(shop, cli, tmp_path, db):
    shop.ada.external_id, shop.bob.external_id = "C-1", "C-2"
    db.session.commit()
    good = tmp_path / "consent.csv"
    good.write_text(
        "external_id,topic,status,at,note\n"
        "C-1,offers,out,2025-12-01,paper form\n"
        "C-2,all,out,2025-12-02T15:30,\n"
        "C-1,newsletter,in,,\n"  # already allowed: nothing to record
    )
    result = cli.invoke(["marketing", "consent-import", str(good)])
    assert result.exit_code == 0, result.output
    assert "2 consent change(s) recorded; 1 row(s) were already so." in result.output
    ada_event = db.session.scalar(
        select(ConsentEvent).where(ConsentEvent.customer_id == shop.ada.id)
    )
    assert (ada_event.source, ada_event.at, ada_event.note) == (
        "import",
        dt.datetime(2025, 12, 1),
        "paper form",
    )
    bob_event = db.session.scalar(
        select(ConsentEvent).where(ConsentEvent.customer_id == shop.bob.id)
    )
    assert (
        bob_event.at == dt.datetime(2025, 12, 2, 15, 30)
        and bob_event.note == "Imported from consent.csv."
    )
    again = cli.invoke(["marketing", "consent-import", str(good)])
    assert "0 consent change(s) recorded; 3 row(s) were already so." in again.output


def test_a_bad_consent_file_imports_nothing(shop, cli, tmp_path, db):
    shop.ada.external_id = "C-1"
    db.session.commit()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "external_id,topic,status,at,note\n"
        "C-1,offers,out,,\n"
        "C-1,spam,out,,\n"
        "C-1,offers,maybe,,\n"
        "C-1,offers,out,yesterday,\n"
    )
    result = cli.invoke(["marketing", "consent-import", str(bad)])
    assert result.exit_code == 1
    assert "Line 3: topic 'spam'" in result.output and "Line 4: status must be" in result.output
    assert (
        "Line 5: 'yesterday' is not a date" in result.output
        and "Nothing was imported." in result.output
    )
    missing = tmp_path / "missing.csv"
    missing.write_text("external_id,topic,status,at,note\nNOPE,offers,out,,\n")
    result = cli.invoke(["marketing", "consent-import", str(missing)])
    assert "Line 2: no customer has external_id 'NOPE'" in result.output
    header = tmp_path / "header.csv"
    header.write_text("id,topic\n1,offers\n")
    assert (
        "the columns must be exactly"
        in cli.invoke(["marketing", "consent-import", str(header)]).output
    )
    assert db.session.scalar(select(func.count()).select_from(ConsentEvent)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_cores_unsubscribe_link_is_link_evidence(shop, client):
    from core.unsubscribe import unsubscribe_url

    link = unsubscribe_url(shop.ada.id).removeprefix("http://127.0.0.1:5000")
    assert client.post(link, data={"action": "stop"}).status_code == 200
    assert events_of(shop.ada) == [("all", False, "link")]
    assert not consent.states([shop.ada.id])[shop.ada.id].allows("offers")

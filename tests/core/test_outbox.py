"""The outbox: queued in the action's transaction, delivered to a real SMTP server on loopback
(or .eml files), retried on a schedule, failed after the last attempt, never sent twice."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import fcntl
import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from core import orders
from core.models import OutboxMessage
from core.outbox import (
    MAX_ATTEMPTS,
    RETRY_SCHEDULE,
    DeliveryResult,
    deliver_pending,
    due_statement,
    queue_email,
)
from core.plugins import hookimpl
from tests.core.servers import free_port, make_instance, smtp_server

SENDER = "Acme Fresh Foods <hello@acme-fresh.example.com>"


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1 for the test."""
    with smtp_server() as server:
        yield server


@pytest.fixture
def app(make_app, smtp):
    """The app of every fixture here delivers to the loopback SMTP server.

    Tests that need another mail set-up make their own app with make_app(); the last app
    made is the current one (use the db fixture, not client, with it).
    """
    return make_app(smtp_host="127.0.0.1", smtp_port=smtp.port, mail_from=SENDER)


def outbox_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def age(db, message: OutboxMessage, by: dt.timedelta) -> None:
    """Pretend the message was queued `by` earlier (time passing, without sleeping)."""
    db.session.refresh(message)
    message.created_at -= by
    db.session.commit()


class ConfirmationMail:
    """A plugin that mails the customer when an order is confirmed, and can fail after that."""

    def __init__(self, fail: bool) -> None:
        self.fail = fail

    @hookimpl
    def order_confirmed(self, order):
        queue_email(
            order.customer.email,
            f"Order {order.number} confirmed",
            f"Thank you, {order.customer.name}.",
            customer=order.customer,
            source="confirmation_mail",
        )
        if self.fail:
            raise ValueError("stock check failed")


def test_delivers_to_smtp_with_from_to_subject_and_body(smtp, db, make_customer):
    ada = make_customer(name="Ada Lovelace", email="ada@example.com")
    message = queue_email(
        "ada@example.com",
        "Your order SO-000042",
        "Thank you, Ada.\nTotal: 25.76 EUR",
        customer=ada,
    )
    db.session.commit()

    assert deliver_pending() == DeliveryResult(sent=1)

    [received] = smtp.inbox.messages
    assert received["From"] == SENDER
    assert received["To"] == "ada@example.com"
    assert received["Subject"] == "Your order SO-000042"
    assert received.get_content() == "Thank you, Ada.\nTotal: 25.76 EUR\n"
    assert received["Message-ID"].startswith(f"<outbox.{message.id}.")
    assert received["Message-ID"].endswith("@acme-fresh.example.com>")
    assert smtp.inbox.envelopes == [("hello@acme-fresh.example.com", ["ada@example.com"])]
    db.session.refresh(message)
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert message.sent_at is not None


def test_without_smtp_host_mail_becomes_eml_files_in_the_instance_folder(make_app, db):
    app = make_app(mail_from=SENDER)
    message = queue_email("bob@example.com", "Welcome", "Hello Bob, nice to meet you.")
    db.session.commit()

    assert deliver_pending() == DeliveryResult(sent=1)

    folder = Path(app.instance_path) / "mail"
    assert sorted(path.name for path in folder.iterdir()) == [f"{message.id:08d}.eml"]
    parsed = email.message_from_bytes(
        (folder / f"{message.id:08d}.eml").read_bytes(), policy=email.policy.default
    )
    assert (parsed["From"], parsed["To"], parsed["Subject"]) == (
        SENDER,
        "bob@example.com",
        "Welcome",
    )
    assert parsed.get_content() == "Hello Bob, nice to meet you.\n"


def test_a_confirmation_whose_hook_raises_leaves_no_mail_and_sends_nothing(
    smtp, db, temp_plugin, make_order, make_customer, make_user
):
    temp_plugin(ConfirmationMail(fail=True), name="confirmation_mail")
    order = make_order(customer=make_customer(name="Ada"), confirm=False)

    with pytest.raises(Exception, match="stock check failed"):
        orders.confirm(order)
    db.session.rollback()

    assert outbox_count(db) == 0
    assert deliver_pending() == DeliveryResult()
    assert smtp.inbox.messages == []


def test_a_confirmation_that_commits_mails_the_customer(
    smtp, db, temp_plugin, make_order, make_customer
):
    temp_plugin(ConfirmationMail(fail=False), name="confirmation_mail")
    order = make_order(customer=make_customer(name="Ada", email="ada@example.com"), confirm=False)
    orders.confirm(order)
    db.session.commit()

    assert deliver_pending() == DeliveryResult(sent=1)
    [received] = smtp.inbox.messages
    assert received["Subject"] == f"Order {order.number} confirmed"
    assert received.get_content() == "Thank you, Ada.\n"


def test_a_view_that_rolls_back_sends_nothing(smtp, db, client, login_as, temp_plugin, make_order):
    temp_plugin(ConfirmationMail(fail=True), name="confirmation_mail")
    manager = login_as("manager")
    order = make_order(salesperson=manager, confirm=False)

    page = client.post(f"/orders/{order.id}/confirm", follow_redirects=True)

    assert b"stock check failed" in page.data
    db.session.refresh(order)
    assert order.status == "draft"
    assert outbox_count(db) == 0
    assert deliver_pending() == DeliveryResult()
    assert smtp.inbox.messages == []


def test_server_down_keeps_mail_pending_with_the_error_and_a_later_run_delivers(make_app, db):
    port = free_port()
    make_app(smtp_host="127.0.0.1", smtp_port=port, mail_from=SENDER)
    first = queue_email("ada@example.com", "One", "First")
    second = queue_email("bob@example.com", "Two", "Second")
    db.session.commit()

    # Both due messages count the failed attempt; nothing is lost.
    assert deliver_pending() == DeliveryResult(deferred=2)
    for message in (first, second):
        db.session.refresh(message)
        assert (message.status, message.attempts) == ("pending", 1)
        assert f"127.0.0.1:{port}" in message.last_error
        assert "Connection refused" in message.last_error

    # The second attempt is due 1 minute after queueing: an immediate run does not try.
    assert deliver_pending() == DeliveryResult()
    db.session.refresh(first)
    assert first.attempts == 1

    with smtp_server(port) as server:
        age(db, first, dt.timedelta(minutes=1))
        age(db, second, dt.timedelta(minutes=1))
        assert deliver_pending() == DeliveryResult(sent=2)
        assert sorted(message["Subject"] for message in server.inbox.messages) == ["One", "Two"]
    for message in (first, second):
        db.session.refresh(message)
        assert (message.status, message.attempts, message.last_error) == ("sent", 2, "")


def test_after_the_last_attempt_the_message_fails_and_the_dashboard_counts_it(
    make_app, db, make_user
):
    app = make_app(smtp_host="127.0.0.1", smtp_port=free_port(), mail_from=SENDER)
    last_chance = queue_email("ada@example.com", "Last chance", "...")
    one_more = queue_email("bob@example.com", "One more", "...")
    db.session.flush()
    # Attempt 8 (index 7) is due 24 h after queueing, attempt 7 (index 6) after 8 h.
    last_chance.attempts = MAX_ATTEMPTS - 1
    one_more.attempts = MAX_ATTEMPTS - 2
    db.session.commit()
    age(db, last_chance, dt.timedelta(hours=25))
    age(db, one_more, dt.timedelta(hours=25))

    assert deliver_pending() == DeliveryResult(failed=1, deferred=1)

    db.session.refresh(last_chance)
    db.session.refresh(one_more)
    assert (last_chance.status, last_chance.attempts) == ("failed", 8)
    assert "Connection refused" in last_chance.last_error
    assert (one_more.status, one_more.attempts) == ("pending", 7)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(make_user("admin").id)
    page = client.get("/")
    assert b"1 message(s) waiting, 1 failed." in page.data


def test_retry_schedule_is_counted_from_queueing(db):
    message = queue_email("ada@example.com", "Later", "...")
    db.session.commit()
    queued = message.created_at
    assert [delay.total_seconds() / 60 for delay in RETRY_SCHEDULE] == [
        0,
        1,
        5,
        15,
        60,
        180,
        480,
        1440,
    ]
    for attempts, delay in enumerate(RETRY_SCHEDULE):
        message.attempts = attempts
        db.session.commit()
        if attempts:
            just_before = queued + delay - dt.timedelta(seconds=1)
            assert db.session.scalars(due_statement(just_before)).first() is None
        assert db.session.scalars(due_statement(queued + delay)).first().id == message.id


def test_temporary_refusal_retries_permanent_refusal_fails_and_other_mail_still_goes(smtp, db):
    smtp.inbox.refuse["busy@example.com"] = "451 4.7.1 Try again later"
    smtp.inbox.refuse["nobody@example.com"] = "550 5.1.1 No such user"
    busy = queue_email("busy@example.com", "To busy", "...")
    nobody = queue_email("nobody@example.com", "To nobody", "...")
    ada = queue_email("ada@example.com", "To Ada", "...")
    db.session.commit()

    assert deliver_pending() == DeliveryResult(sent=1, failed=1, deferred=1)

    for message in (busy, nobody, ada):
        db.session.refresh(message)
    assert (busy.status, busy.attempts) == ("pending", 1)
    assert busy.last_error == "busy@example.com: 451 4.7.1 Try again later"
    assert (nobody.status, nobody.attempts) == ("failed", 1)
    assert nobody.last_error == "nobody@example.com: 550 5.1.1 No such user"
    assert ada.status == "sent"
    assert [message["To"] for message in smtp.inbox.messages] == ["ada@example.com"]


def test_delivery_is_idempotent(smtp, db):
    queue_email("ada@example.com", "Once", "Only once")
    db.session.commit()
    assert deliver_pending() == DeliveryResult(sent=1)
    assert deliver_pending() == DeliveryResult()
    assert len(smtp.inbox.messages) == 1


def test_one_connection_carries_many_messages_up_to_the_limit(smtp, db):
    for number in range(1, 6):
        queue_email(f"customer{number}@example.com", f"Message {number}", "...")
    db.session.commit()
    assert deliver_pending(limit=3) == DeliveryResult(sent=3)
    assert deliver_pending() == DeliveryResult(sent=2)
    assert [message["Subject"] for message in smtp.inbox.messages] == [
        f"Message {number}" for number in range(1, 6)
    ]


def test_queue_rules_address_opt_out_dedupe_and_headers(db, make_customer):
    opted_out = make_customer(email="quiet@example.com", marketing_opt_out=True)
    assert queue_email("", "No address", "...") is None
    assert (
        queue_email("quiet@example.com", "Sale", "...", customer=opted_out, category="marketing")
        is None
    )
    # Without customer= the address itself is looked up (any case).
    assert queue_email("QUIET@example.com", "Sale", "...", category="marketing") is None
    receipt = queue_email("quiet@example.com", "Your receipt", "...", customer=opted_out)
    assert receipt is not None and receipt.category == "transactional"
    first = queue_email("ada@example.com", "Happy birthday", "...", dedupe_key="birthday:2026:1")
    assert first is not None
    assert (
        queue_email("ada@example.com", "Happy birthday", "...", dedupe_key="birthday:2026:1")
        is None
    )
    injected = queue_email("ada@example.com", "Hello\r\nBcc: everyone@example.com", "...")
    assert injected.subject == "Hello Bcc: everyone@example.com"
    with pytest.raises(ValueError, match="category"):
        queue_email("ada@example.com", "Hi", "...", category="newsletter")
    db.session.commit()
    assert outbox_count(db) == 3


def test_marketing_mail_with_an_unsubscribe_link_carries_rfc_8058_headers(smtp, db):
    link = "https://crm.acme.example/marketing/unsubscribe/abc.def"
    queue_email("ada@example.com", "Offers", "Buy", category="marketing", unsubscribe_url=link)
    queue_email("bob@example.com", "Your receipt", "Thanks")
    db.session.commit()
    assert deliver_pending() == DeliveryResult(sent=2)
    offer, receipt = smtp.inbox.messages
    assert offer["List-Unsubscribe"] == f"<{link}>"
    assert offer["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert receipt["List-Unsubscribe"] is None and receipt["List-Unsubscribe-Post"] is None
    for bad in ("javascript:alert(1)", "https://x.example/a>b", "https://x.example/\r\nBcc: y"):
        with pytest.raises(ValueError, match="unsubscribe_url"):
            queue_email("ada@example.com", "Offers", "Buy", unsubscribe_url=bad)


def test_an_unusable_address_is_kept_as_failed_and_never_sent(smtp, db):
    message = queue_email("ada at example dot com", "Hello", "...")
    db.session.commit()
    assert (message.status, message.last_error) == (
        "failed",
        "'ada at example dot com' is not an e-mail address.",
    )
    assert deliver_pending() == DeliveryResult()
    assert smtp.inbox.messages == []


def test_marketing_mail_is_cancelled_when_the_customer_opts_out_before_delivery(
    smtp, db, make_customer
):
    ada = make_customer(email="ada@example.com")
    offer = queue_email("ada@example.com", "Offer", "...", customer=ada, category="marketing")
    receipt = queue_email("ada@example.com", "Receipt", "...", customer=ada)
    db.session.commit()
    ada.marketing_opt_out = True
    db.session.commit()

    assert deliver_pending() == DeliveryResult(sent=1, cancelled=1)
    db.session.refresh(offer)
    assert offer.status == "cancelled"
    assert "opted out" in offer.last_error
    assert [message["Subject"] for message in smtp.inbox.messages] == ["Receipt"]
    assert receipt.id


@pytest.fixture
def committed(tmp_path, smtp):
    """An app on a migrated scratch database where every commit is real (SQLite or PostgreSQL)."""
    from core.migrate import upgrade

    instance = make_instance(tmp_path, "outbox", smtp_host="127.0.0.1", smtp_port=smtp.port)
    app = instance.app(check_migrations=False)
    upgrade(app)
    yield app
    with app.app_context():
        db_engine = app.extensions["sqlalchemy"].engines[None]
        db_engine.dispose()


def queue_committed(app, count: int) -> list[int]:
    """Queue count messages and commit them for real; returns their ids."""
    from core.db import db

    with app.app_context():
        ids = []
        for number in range(1, count + 1):
            message = queue_email(f"c{number}@example.com", f"Message {number}", "...")
            db.session.commit()
            ids.append(message.id)
        return ids


def test_several_deliveries_at_once_send_each_message_exactly_once(committed, smtp):
    queue_committed(committed, 30)
    start = threading.Barrier(3)
    results: list[DeliveryResult] = []

    def deliver() -> None:
        with committed.app_context():
            start.wait()
            results.append(deliver_pending())

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(result.sent for result in results) == 30
    assert sum(result.failed + result.deferred for result in results) == 0
    subjects = sorted(message["Subject"] for message in smtp.inbox.messages)
    assert subjects == sorted(f"Message {number}" for number in range(1, 31))
    assert len({message["Message-ID"] for message in smtp.inbox.messages}) == 30


@pytest.mark.postgres
def test_postgresql_skips_a_message_another_worker_has_locked(committed, smtp):
    from core.db import db

    with committed.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks are PostgreSQL's; set CLIENTELE_TEST_DATABASE_URL")
        first, second = queue_committed(committed, 2)
        other = db.engine.connect()
        locking = other.begin()
        other.execute(select(OutboxMessage.id).where(OutboxMessage.id == first).with_for_update())
        try:
            assert deliver_pending() == DeliveryResult(sent=1)
        finally:
            locking.rollback()
            other.close()
        assert deliver_pending() == DeliveryResult(sent=1)
    assert [message["Subject"] for message in smtp.inbox.messages] == ["Message 2", "Message 1"]


def test_sqlite_runs_one_delivery_at_a_time(committed, smtp):
    from core.db import db

    with committed.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the file lock is for SQLite (PostgreSQL locks rows)")
        queue_committed(committed, 1)
        with open(f"{db.engine.url.database}.outbox-lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            assert deliver_pending() == DeliveryResult()
            fcntl.flock(handle, fcntl.LOCK_UN)
        assert deliver_pending() == DeliveryResult(sent=1)
    assert len(smtp.inbox.messages) == 1


@pytest.mark.postgres
def test_a_dedupe_key_queued_by_a_concurrent_transaction_is_not_queued_again(committed):
    from core.db import db

    with committed.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs two concurrent writers; set CLIENTELE_TEST_DATABASE_URL")
        other = db.engine.connect()
        concurrent = other.begin()
        other.execute(
            insert(OutboxMessage).values(
                to_address="ada@example.com",
                subject="Happy birthday",
                body="...",
                dedupe_key="birthday:2026:7",
            )
        )
        # Our insert waits for the other transaction's key; it commits half a second later.
        timer = threading.Timer(0.5, concurrent.commit)
        timer.start()
        try:
            ours = queue_email(
                "ada@example.com", "Happy birthday", "...", dedupe_key="birthday:2026:7"
            )
            other_work = queue_email("bob@example.com", "Receipt", "...")
            db.session.commit()
        finally:
            timer.join()
            other.close()
        assert ours is None
        assert other_work.id is not None
        keys = db.session.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.to_address == "ada@example.com")
        ).all()
        assert keys == ["Happy birthday"]


def test_a_commit_that_queues_mail_succeeds_while_the_queue_is_down(tmp_path, caplog):
    from core.db import db
    from core.migrate import upgrade

    instance = make_instance(tmp_path, "queue_down")
    app = instance.app(redis_url=f"redis://127.0.0.1:{free_port()}/0", check_migrations=False)
    upgrade(app)
    with app.app_context(), caplog.at_level(logging.ERROR, logger="clientele.jobs"):
        message = queue_email("ada@example.com", "Receipt", "...")
        db.session.commit()  # asks the worker for a delivery run: Redis refuses, the commit stands
        assert db.session.get(OutboxMessage, message.id).status == "pending"
        db.engine.dispose()
    assert "job core.deliver_outbox: could not reach the queue" in caplog.text

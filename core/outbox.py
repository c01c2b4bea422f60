"""Mail goes out through the outbox: written in the action's transaction, delivered by a job.

A rolled-back action therefore sends nothing. Delivery goes to SMTP when [clientele].smtp_host
is set, otherwise to .eml files in <instance>/mail/ (handy on a laptop and in tests).

Delivery (the job core.deliver_outbox, every minute, and a few seconds after a commit that
queued mail) is safe with several workers: on PostgreSQL each message is locked with
``FOR UPDATE SKIP LOCKED`` while it is sent, so no two workers send one message; on SQLite
one delivery runs at a time (a file lock beside the database file). A message the server
accepted is marked sent in the next statement; only a crash between the two sends it twice.

Retries: attempt n of a message is made no sooner than RETRY_SCHEDULE[n] after it was
queued (at once, then after 1 min, 5 min, 15 min, 1 h, 3 h, 8 h and 24 h). When the server
cannot be reached every due message counts one attempt; a temporary refusal (4xx) counts
for that message; a permanent refusal (5xx) or an unusable message fails it at once. After
MAX_ATTEMPTS the message is "failed" (counted on the admin dashboard). Marketing mail is
cancelled instead of sent when the customer opted out after it was queued.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import DateTime, Select, and_, case, exists, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from core.db import db, is_sqlite
from core.jobs import after_commit, enqueue_job, run_soon
from core.mailer import Mailer, MessageProblem, ServerProblem, describe
from core.models import Customer, OutboxMessage, User, utcnow
from core.unsubscribe import unsubscribe_url as core_unsubscribe_url

log = logging.getLogger("clientele.outbox")

CATEGORIES = ("transactional", "marketing")
#: When attempt n may be made, counted from the moment the message was queued.
RETRY_SCHEDULE = tuple(
    dt.timedelta(minutes=minutes) for minutes in (0, 1, 5, 15, 60, 180, 480, 1440)
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE)
#: A delivery run stops after this many seconds and asks for another (so a worker can stop).
TIME_BUDGET_SECONDS = 45.0
DELIVERY_JOB = "core.deliver_outbox"
SUBJECT_LENGTH = 300
ADDRESS_LENGTH = 254
UNSUBSCRIBE_URL_LENGTH = 500
ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+$")
OPTED_OUT = "The customer opted out of marketing mail before it was sent."


def queue_email(
    to_address: str,
    subject: str,
    body: str,
    *,
    customer: Customer | None = None,
    user: User | None = None,
    source: str = "core",
    category: str = "transactional",
    dedupe_key: str | None = None,
    unsubscribe_url: str = "",
) -> OutboxMessage | None:
    """Write a message to the outbox in the current transaction; returns None when it is not queued.

    Not queued: no address, a marketing message to a customer who opted out of marketing
    (``customer``, or when it is left out any customer with that address), or a dedupe_key
    already queued (so a job that runs twice mails once). An address that cannot be mailed
    is kept as a failed message, so the mistake shows on the dashboard and the timeline.
    Pass ``customer`` for marketing mail: looking the address up costs a query per message.
    ``unsubscribe_url`` is the recipient's signed one-click link: the mail then carries
    ``List-Unsubscribe`` and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058),
    and the link must unsubscribe on a POST without a login, a page or a CSRF token.
    Marketing mail to a customer without a link of its own gets the core's link, which
    stops all marketing mail (core.unsubscribe).
    When the transaction commits the worker is asked for a delivery run (not under testing,
    where tests call deliver_pending() themselves).
    """
    if category not in CATEGORIES:
        raise ValueError(f"category must be one of {CATEGORIES}")
    to_address = (to_address or "").strip()
    if not to_address:
        return None
    if category == "marketing" and _opted_out(to_address, customer):
        return None
    if category == "marketing" and customer is not None and not unsubscribe_url:
        unsubscribe_url = core_unsubscribe_url(customer.id)
    message = OutboxMessage(
        to_address=to_address[:ADDRESS_LENGTH],
        subject=" ".join((subject or "").split())[:SUBJECT_LENGTH],
        body=body,
        customer_id=customer.id if customer is not None else None,
        user_id=user.id if user is not None else None,
        source=source,
        category=category,
        dedupe_key=dedupe_key,
        unsubscribe_url=unsubscribe_url,
        status="pending",
        attempts=0,
        last_error="",
    )
    if unsubscribe_url and (
        len(unsubscribe_url) > UNSUBSCRIBE_URL_LENGTH
        or not unsubscribe_url.startswith(("https://", "http://"))
        or any(char in unsubscribe_url for char in "<>\r\n ")
    ):
        raise ValueError("unsubscribe_url must be an http(s) link of at most 500 characters")
    if len(to_address) > ADDRESS_LENGTH or not ADDRESS.match(to_address):
        message.status = "failed"
        message.last_error = f"'{to_address}' is not an e-mail address."
    if not _insert_once(message):
        return None
    if message.status == "pending" and not current_app.config["CLIENTELE"]["testing"]:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        after_commit(db.session(), "outbox.deliver", lambda: enqueue_job(app, DELIVERY_JOB))
    return message


def _opted_out(to_address: str, customer: Customer | None) -> bool:
    """True when the customer (or, without one, a customer with this address) refuses marketing."""
    if customer is not None:
        return bool(customer.marketing_opt_out)
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    func.lower(Customer.email) == to_address.lower(),
                    Customer.marketing_opt_out.is_(True),
                )
            )
        )
    )


def _insert_once(message: OutboxMessage) -> bool:
    """Add the message unless its dedupe_key is queued already (also by a concurrent transaction)."""
    if message.dedupe_key is None:
        db.session.add(message)
        return True
    taken = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == message.dedupe_key)
    if db.session.scalar(taken) is not None:
        return False
    try:
        # A concurrent transaction may insert the same key between our check and our insert;
        # the savepoint lets the unique index refuse ours without spoiling the caller's work.
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return False
    return True


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The RFC 5322 message for an outbox row (its Message-ID stays the same on every attempt)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "clientele.invalid"
    stamp = message.created_at.strftime("%Y%m%d%H%M%S") if message.created_at else "0"
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = f"<outbox.{message.id}.{stamp}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"
    if message.unsubscribe_url:
        # RFC 8058: the client POSTs "List-Unsubscribe=One-Click" to the link, no page shown.
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.body)
    return email


@dataclass
class DeliveryResult:
    """What one delivery run did: messages sent, failed for good, left for a retry, cancelled."""

    sent: int = 0
    failed: int = 0
    deferred: int = 0
    cancelled: int = 0


def due_statement(now: dt.datetime) -> Select[OutboxMessage]:
    """The oldest pending message whose next attempt is due, locked (PostgreSQL) and skipping locked ones."""
    return (
        select(OutboxMessage)
        .where(_due(now))
        .order_by(OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def _due(now: dt.datetime) -> Any:
    """SQL: pending, and queued at least RETRY_SCHEDULE[attempts] ago (the cut-offs are bound values)."""
    cutoff = case(
        {attempt: literal(now - delay, DateTime()) for attempt, delay in enumerate(RETRY_SCHEDULE)},
        value=OutboxMessage.attempts,
        else_=literal(now - RETRY_SCHEDULE[-1], DateTime()),
    )
    return and_(
        OutboxMessage.status == "pending",
        or_(OutboxMessage.attempts == 0, OutboxMessage.created_at <= cutoff),
    )


def deliver_pending(
    limit: int | None = None, time_budget: float = TIME_BUDGET_SECONDS
) -> DeliveryResult:
    """Deliver the due messages (at most limit), committing after each; returns the counts."""
    settings = current_app.config["CLIENTELE"]
    result = DeliveryResult()
    with _delivery_lock() as acquired:
        if not acquired:
            log.info("outbox: another delivery is running; this one stops")
            return result
        started = time.monotonic()
        with Mailer(settings, current_app.instance_path) as mailer:
            while limit is None or sum(vars(result).values()) < limit:
                if time.monotonic() - started > time_budget:
                    run_soon(DELIVERY_JOB)  # more to do: carry on in a fresh run
                    break
                if not _deliver_next(mailer, settings["mail_from"], result):
                    break
    if any(vars(result).values()):
        log.info(
            "outbox: %d sent, %d failed, %d to retry, %d cancelled",
            result.sent,
            result.failed,
            result.deferred,
            result.cancelled,
        )
    return result


def _deliver_next(mailer: Mailer, sender: str, result: DeliveryResult) -> bool:
    """Try the next due message; False when there is none or the server is unreachable."""
    now = utcnow()
    message = db.session.scalars(due_statement(now)).first()
    if message is None:
        db.session.commit()
        return False
    message_id, attempts = message.id, message.attempts
    cancel = message.category == "marketing" and _opted_out_now(message)
    email, unusable = None, ""
    if not cancel:
        try:
            email = build_email(message, sender)
        except (ValueError, TypeError, UnicodeError) as error:
            unusable = describe(error)
    if is_sqlite(db.session.get_bind()):
        # End the read so the write below starts a fresh transaction: a SQLite snapshot taken
        # before another connection's commit could not be written from (and the file lock
        # already keeps other deliveries out). PostgreSQL keeps the row lock until the commit.
        db.session.commit()
    if cancel:
        _finish(message_id, status="cancelled", last_error=OPTED_OUT)
        result.cancelled += 1
        return True
    if email is None:
        _finish(message_id, status="failed", attempts=attempts + 1, last_error=unusable)
        result.failed += 1
        return True
    try:
        mailer.send(email, message_id)
    except ServerProblem as problem:
        log.warning("outbox: cannot deliver now (%s)", problem)
        _charge_all_due(now, str(problem), result)
        return False
    except MessageProblem as problem:
        final = problem.permanent or attempts + 1 >= MAX_ATTEMPTS
        status = "failed" if final else "pending"
        _finish(message_id, status=status, attempts=attempts + 1, last_error=str(problem))
        log.warning("outbox: message %s refused (%s), now %s", message_id, problem, status)
        if final:
            result.failed += 1
        else:
            result.deferred += 1
        return True
    _finish(message_id, status="sent", attempts=attempts + 1, sent_at=utcnow(), last_error="")
    result.sent += 1
    return True


def _opted_out_now(message: OutboxMessage) -> bool:
    """Has the customer of a queued marketing message opted out since it was queued?"""
    customer = db.session.get(Customer, message.customer_id) if message.customer_id else None
    return _opted_out(message.to_address, customer)


def _finish(message_id: int, **values: Any) -> None:
    """Record the outcome of one attempt and commit."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _charge_all_due(now: dt.datetime, error: str, result: DeliveryResult) -> None:
    """The server is unreachable: every due message counts one attempt (failed after the last)."""
    due_ids = select(OutboxMessage.id).where(_due(now)).with_for_update(skip_locked=True)
    for last, status in ((True, "failed"), (False, "pending")):
        reaches_max = OutboxMessage.attempts + 1 >= MAX_ATTEMPTS
        changed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due_ids), reaches_max if last else ~reaches_max)
            .values(attempts=OutboxMessage.attempts + 1, last_error=error, status=status)
            .execution_options(synchronize_session=False)
        )
        count = changed.rowcount  # type: ignore[attr-defined]
        if last:
            result.failed += count
        else:
            result.deferred += count
    db.session.commit()


@contextmanager
def _delivery_lock() -> Iterator[bool]:
    """On SQLite, hold a file lock beside the database so one delivery runs at a time."""
    bind = db.session.get_bind()
    if not is_sqlite(bind):
        yield True
        return
    database = bind.engine.url.database
    if database and database != ":memory:":
        path = Path(f"{database}.outbox-lock")
    else:
        path = Path(current_app.instance_path) / "outbox.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

"""A plugin hook that fails shows a short message naming the plugin; SQL and internals go to the log."""

from __future__ import annotations

import logging
import re

from sqlalchemy import text

from core.db import db
from core.plugins import hookimpl
from core.plugins._calls import short_error

#: About the size of the statement the probe saw leak into a page (17,974 characters).
LONG_SQL = "SELECT " + ", ".join(f"secret_column_{n}" for n in range(1200)) + " FROM missing_table"


class LeakyConfirm:
    @hookimpl
    def order_confirmed(self, order):
        db.session.execute(text(LONG_SQL))


class LeakyPanel:
    @hookimpl
    def customer_panels(self, customer, user):
        db.session.execute(text(LONG_SQL))


def test_a_database_error_in_a_transactional_hook_is_one_short_line(
    app, client, login_as, temp_plugin, make_order, caplog
):
    assert len(LONG_SQL) > 17_000
    login_as("manager")
    order = make_order(confirm=False)
    temp_plugin(LeakyConfirm(), name="leaky")
    with caplog.at_level(logging.ERROR, logger="clientele.plugins"):
        response = client.post(f"/orders/{order.id}/confirm")
    cookie = response.headers["Set-Cookie"]
    assert len(cookie) < 1000  # browsers drop cookies over 4096 bytes
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    # SQLite says OperationalError ("no such table"), PostgreSQL ProgrammingError.
    assert re.search(
        r"Nothing changed: Plugin &#39;leaky&#39;: order_confirmed failed: "
        r"(OperationalError|ProgrammingError) \(the details are in the server log\)\. "
        r"Nothing was saved\.",
        page,
    )
    assert "secret_column" not in page and "missing_table" not in page
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "plugin leaky: order_confirmed failed" in logged
    db.session.refresh(order)
    assert order.status == "draft"


class QueryingPanel:
    """A panel after the failing one that reads the database (PostgreSQL: a fresh transaction)."""

    def __init__(self):
        self.answers = []

    @hookimpl
    def customer_panels(self, customer, user):
        self.answers.append(db.session.scalar(text("SELECT 1")))
        return []


def test_a_database_error_in_a_panel_shows_an_error_box_without_sql(
    app, client, login_as, temp_plugin, make_customer
):
    app.config["RERAISE_HOOK_ERRORS"] = False
    login_as("manager")
    customer = make_customer(name="Ada")
    temp_plugin(LeakyPanel(), name="leaky_panel")
    after = temp_plugin(QueryingPanel(), name="querying_panel")
    response = client.get(f"/customers/{customer.id}")
    assert response.status_code == 200 and after.answers == [1]
    page = response.get_data(as_text=True)
    assert "querying_panel" not in page  # it ran without an error box
    assert "Ada" in page and "leaky_panel" in page
    assert re.search(
        r"customer_panels failed: (OperationalError|ProgrammingError) "
        r"\(the details are in the server log\)\.",
        page,
    )
    assert "secret_column" not in page and "missing_table" not in page


def test_a_plugins_reason_is_shown_short():
    assert short_error(ValueError("credit check failed")) == "ValueError: credit check failed"
    long = short_error(RuntimeError("x" * 500 + "\nsecond line"))
    assert long == "RuntimeError: " + "x" * 199 + "…"
    assert short_error(KeyError("internal_key")) == "KeyError (the details are in the server log)"
    assert short_error(ValueError("")) == "ValueError (the details are in the server log)"

"""The real app served over HTTP in a background thread, on a migrated file database, for browser tests.

Unlike the `app` fixture of core.testing, nothing here runs in a rolled-back transaction:
the browser and the test both commit for real, CSRF is checked, and each test starts from an
emptied database (rows written by migrations are put back). See tests/e2e/README.md.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, got_request_exception, url_for
from sqlalchemy import MetaData, create_engine, func, insert, select, text
from sqlalchemy.engine import Engine, make_url
from werkzeug.serving import BaseWSGIServer, make_server

from core.db import db
from core.models import Customer, Order, Product, User

E2E_SUFFIX = "_e2e"
VERSION_TABLE = "alembic_version"
Model = TypeVar("Model")


def e2e_database_url(test_database_url: str | None, folder: Path) -> str:
    """SQLite in folder, or the PostgreSQL database <test database>_e2e[_<xdist worker>], created and emptied."""
    if not test_database_url:
        return f"sqlite:///{folder / 'e2e.sqlite3'}"
    parsed = make_url(test_database_url)
    name = f"{parsed.database}{E2E_SUFFIX}"
    if os.environ.get("PYTEST_XDIST_WORKER"):
        name += f"_{os.environ['PYTEST_XDIST_WORKER']}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = parsed.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    with engine.begin() as connection:
        # A previous session's tables and revisions would hide migrations that fail.
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


class E2EDatabase:
    """The session's browser-test database: migrated branch by branch, emptied before each test."""

    def __init__(self, url: str) -> None:
        self.url = url
        #: Alembic branches applied so far (core, then plugins as tests enable them).
        self.branches: set[str] = set()
        #: Rows the migrations themselves wrote, by table, restored after each emptying.
        self.seeds: dict[str, list[dict[str, Any]]] = {}
        self.tables = MetaData()

    def prepare(self, app: Flask, empty: bool) -> None:
        """Empty the tables when asked, then apply the branches the app's plugins need."""
        from core.migrate import branches_to_upgrade, upgrade

        with app.app_context():
            engine = db.engine
            if empty:
                self._empty(engine)
            needed = set(branches_to_upgrade(app.extensions["clientele"]))
            if not needed <= self.branches:
                upgrade(app)
                self.branches |= needed
                self._remember_seeds(engine)

    def _empty(self, engine: Engine) -> None:
        """Delete every row (IDs start at 1 again), then put back the migrations' own rows."""
        tables = [table for table in self.tables.sorted_tables if table.name != VERSION_TABLE]
        if not tables:
            return
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                quote = engine.dialect.identifier_preparer.quote
                names = ", ".join(quote(table.name) for table in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                # Checked at commit, so tables that refer to each other empty in any order.
                connection.execute(text("PRAGMA defer_foreign_keys = ON"))
                for table in reversed(tables):
                    connection.execute(table.delete())
            for table in tables:
                if self.seeds.get(table.name):
                    connection.execute(insert(table), self.seeds[table.name])

    def _remember_seeds(self, engine: Engine) -> None:
        """Reflect the migrated tables and keep the rows migrations inserted (the tables were empty)."""
        self.tables = MetaData()
        with warnings.catch_warnings():
            # Expression indexes (lower(name)) cannot be reflected; emptying needs only the tables.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection")
            self.tables.reflect(bind=engine)
        with engine.connect() as connection:
            self.seeds = {}
            for table in self.tables.sorted_tables:
                if table.name == VERSION_TABLE:
                    continue
                rows = [dict(row) for row in connection.execute(select(table)).mappings()]
                if rows:
                    self.seeds[table.name] = rows


class LiveServer:
    """A running app: its URL, the app itself, and helpers that write test data for real.

    The helpers each work in their own app context and commit, and return detached copies
    whose column values are loaded (``user.id``, ``order.number``); use ``data()`` for more.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        #: Passwords of users made by create_user, for log_in.
        self.passwords: dict[str, str] = {}
        #: Exceptions the app raised while serving; the fixture fails the test when any is left.
        self.errors: list[BaseException] = []
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        got_request_exception.connect(self._record_error, app)

    def _record_error(self, sender: Flask, exception: BaseException, **extra: Any) -> None:
        """Remember a server-side exception so a 500 never passes unnoticed."""
        self.errors.append(exception)

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:43117 (no trailing slash)."""
        assert self._server is not None, "the server is not running"
        return f"http://127.0.0.1:{self._server.port}"

    def start(self) -> LiveServer:
        """Serve the app on a free port of 127.0.0.1 in a daemon thread."""
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="clientele-live-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the database connections."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def url_for(self, endpoint: str, **values: Any) -> str:
        """The absolute URL of an endpoint, e.g. url_for("customers.detail", customer_id=3)."""
        with self.app.test_request_context():
            return self.url + url_for(endpoint, **values)

    @contextmanager
    def data(self) -> Iterator[Any]:
        """An app context with db.session; commits when the block ends without an error."""
        with self.app.app_context():
            yield db.session
            db.session.commit()

    def get(self, model: type[Model], id: int) -> Model:
        """A fresh detached copy of a row, as the database holds it now (after the browser's changes)."""
        with self.app.app_context():
            row = db.session.get(model, id)
            assert row is not None, f"{model.__name__} {id} does not exist"
            return row

    def create_user(
        self,
        role: str = "sales",
        email: str | None = None,
        password: str = "password",
        name: str | None = None,
        **fields: Any,
    ) -> User:
        """A saved staff user whose password log_in knows."""
        with self.app.app_context():
            number = (db.session.scalar(select(func.max(User.id))) or 0) + 1
            user = User(
                email=email or f"{role}{number}@example.com",
                name=name or f"{role.title()} {number}",
                role=role,
                **fields,
            )
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            self.passwords[user.email] = password
            return user

    def create_customer(self, **fields: Any) -> Customer:
        """A saved customer, made by core.customers.create_customer (so customer hooks run)."""
        from core.customers import create_customer

        with self.app.app_context():
            number = (db.session.scalar(select(func.max(Customer.id))) or 0) + 1
            fields.setdefault("name", f"Customer {number}")
            fields.setdefault("email", f"customer{number}@example.com")
            if isinstance(fields.get("owner_id"), User):
                fields["owner_id"] = fields["owner_id"].id
            customer = create_customer(**fields)
            db.session.commit()
            db.session.refresh(customer)
            return customer

    def create_product(
        self, list_price: Any = "10.00", unit_cost: Any = "6.00", **fields: Any
    ) -> Product:
        """A saved active product; prices are given as strings or Decimals."""
        with self.app.app_context():
            number = (db.session.scalar(select(func.max(Product.id))) or 0) + 1
            fields.setdefault("sku", f"SKU-{number:04d}")
            fields.setdefault("name", f"Product {number}")
            fields.setdefault("category", "General")
            product = Product(
                list_price=Decimal(str(list_price)), unit_cost=Decimal(str(unit_cost)), **fields
            )
            db.session.add(product)
            db.session.commit()
            db.session.refresh(product)
            return product

    def create_order(
        self,
        customer: Customer,
        salesperson: User | None,
        lines: Sequence[tuple[Any, ...]],
        order_date: dt.date | None = None,
        confirm: bool = True,
        number: str | None = None,
    ) -> Order:
        """An order through core.orders: lines are (product, quantity[, unit_price[, discount]]).

        A unit_price of None takes the list price; discount is a fraction ("0.15" = 15 %).
        Confirmed by default, so every enabled plugin's order_confirmed runs as in the app.
        """
        from core import orders

        with self.app.app_context():
            inputs = []
            for product, quantity, *rest in lines:
                price = rest[0] if rest else None
                discount = rest[1] if len(rest) > 1 else "0"
                inputs.append(
                    orders.LineInput(
                        db.session.get(Product, product.id),
                        Decimal(str(quantity)),
                        None if price is None else Decimal(str(price)),
                        Decimal(str(discount)),
                    )
                )
            order = orders.create_order(
                db.session.get(Customer, customer.id),
                db.session.get(User, salesperson.id) if salesperson else None,
                inputs,
                order_date,
                number=number,
            )
            if confirm:
                orders.confirm(order)
            db.session.commit()
            db.session.refresh(order)
            list(order.lines)  # loaded now, so the detached copy still has its lines
            return order

    def log_in(self, page: Any, user: User | str, password: str | None = None) -> None:
        """Log in through the real login form and wait for the page it leads to."""
        email = user if isinstance(user, str) else user.email
        page.goto(self.url + "/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password or self.passwords[email])
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        if "/login" in page.url:
            alerts = page.locator(".alert, .invalid-feedback").all_inner_texts()
            raise AssertionError(f"Logging in as {email} failed: {alerts}")

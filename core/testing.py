"""pytest fixtures for Clientele and its plugins (registered as a pytest plugin via the pytest11 entry point).

The database is migrated once per test session (SQLite in a temporary folder, or the
PostgreSQL database named by $CLIENTELE_TEST_DATABASE_URL) and every test runs inside a
transaction that is rolled back at its end, so tests never see each other's rows. Code
under test may commit freely: commits only release a SAVEPOINT.

    def test_my_plugin(check_plugin):
        check_plugin("my_plugin")

    @pytest.fixture
    def clientele_plugins():
        return ["my_plugin"]

    def test_panel(client, login_as, make_customer):
        login_as("sales")
        customer = make_customer(name="Ada")
        assert b"Ada" in client.get(f"/customers/{customer.id}").data
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from core.db import db as database
from core.models import Customer, Order, Product, User

TEST_DATABASE_ENV = "CLIENTELE_TEST_DATABASE_URL"

#: Branches already migrated per database URL in this process.
_migrated: dict[str, set[str]] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ini option clientele_plugins: the plugins the app fixture enables by default."""
    parser.addini(
        "clientele_plugins",
        "plugins enabled by the Clientele `app` fixture",
        type="args",
        default=[],
    )


def pytest_configure(config: pytest.Config) -> None:
    """Declare the markers our fixtures use."""
    config.addinivalue_line("markers", "postgres: needs PostgreSQL ($CLIENTELE_TEST_DATABASE_URL)")


class ClienteleClient(FlaskClient):
    """A test client that forgets per-request state in ``g`` between requests.

    The app fixture keeps one app context pushed for the whole test; Flask reuses it for each
    request, so without this Flask-Login's cached user would survive a change of login.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        for key in list(vars(g)) if g else []:
            delattr(g, key)
        return super().open(*args, **kwargs)


def _worker_database_url(url: str) -> str:
    """Give each pytest-xdist worker its own PostgreSQL database (created when missing)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def clientele_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session's test database: emptied once, then migrated branch by branch as apps need them."""
    url = os.environ.get(TEST_DATABASE_ENV)
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    url = _worker_database_url(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    _migrated.pop(url, None)
    return url


@pytest.fixture
def clientele_plugins(request: pytest.FixtureRequest) -> list[str]:
    """The plugins the app fixture enables; override this fixture in a conftest to change them."""
    return list(request.config.getini("clientele_plugins"))


@pytest.fixture
def clientele_settings() -> dict[str, dict[str, Any]]:
    """[plugins.<name>] tables for the app fixture; override to test other settings."""
    return {}


def build_app(
    database_url: str,
    instance_path: Path,
    plugins: Sequence[str] = (),
    settings: dict[str, Any] | None = None,
    **overrides: Any,
) -> Flask:
    """A testing app on database_url, migrated for its plugins (not bound to a test transaction)."""
    from core import create_app
    from core.migrate import branches_to_upgrade, upgrade

    app = create_app(
        os.devnull,
        database_url=database_url,
        plugins=list(plugins),
        settings=settings or {},
        testing=True,
        check_migrations=False,
        instance_path=str(instance_path),
        **overrides,
    )
    app.config["WTF_CSRF_ENABLED"] = False
    app.test_client_class = ClienteleClient
    needed = set(branches_to_upgrade(app.extensions["clientele"]))
    if not needed <= _migrated.get(database_url, set()):
        upgrade(app)
        _migrated.setdefault(database_url, set()).update(needed)
    return app


@contextmanager
def bound_to_transaction(app: Flask) -> Iterator[Any]:
    """Run the app's sessions inside one outer transaction that is rolled back at the end."""
    with app.app_context():
        engine = database.engine
        connection = engine.connect()
        outer = connection.begin()
        engines = database._app_engines[app]
        engines[None] = connection  # type: ignore[assignment]  # the session now binds to this connection
        database.session.remove()
        database.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield connection
        finally:
            database.session.remove()
            engines[None] = engine
            outer.rollback()
            connection.close()
            engine.dispose()


@pytest.fixture
def make_app(
    clientele_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Flask]]:
    """Factory: make_app(plugins=[...], settings={...}, **overrides) → an app in a rolled-back transaction.

    The app's context is pushed until the test ends; the last app made is the current one.
    """
    with ExitStack() as stack:

        def factory(
            plugins: Sequence[str] = (), settings: dict[str, Any] | None = None, **overrides: Any
        ) -> Flask:
            app = build_app(
                clientele_database_url,
                tmp_path_factory.mktemp("instance"),
                plugins,
                settings,
                **overrides,
            )
            stack.enter_context(bound_to_transaction(app))
            return app

        yield factory


@pytest.fixture
def app(
    make_app: Callable[..., Flask], clientele_plugins: list[str], clientele_settings: dict[str, Any]
) -> Flask:
    """The app with the clientele_plugins fixture's plugins, its context pushed for the test."""
    return make_app(plugins=clientele_plugins, settings=clientele_settings)


@pytest.fixture
def db(app: Flask) -> Any:
    """core.db.db, bound to the test's transaction (rolled back when the test ends)."""
    return database


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app (CSRF off; tests of CSRF turn it back on)."""
    return app.test_client()


class CliRunner:
    """Runs `clientele ...` against the test app: cli.invoke(["plugins", "list"])."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.runner = app.test_cli_runner()

    def invoke(self, args: Sequence[str], **kwargs: Any) -> Any:
        from core.cli import main

        return self.runner.invoke(
            main, list(args), obj=ScriptInfo(create_app=lambda: self.app), **kwargs
        )


@pytest.fixture
def cli(app: Flask) -> CliRunner:
    """Invoke clientele commands on the test app."""
    return CliRunner(app)


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Factory: make_user(role="sales", email=..., name=..., password="password") → a saved User."""
    counter = iter(range(1, 1_000_000))

    def factory(
        role: str = "sales",
        email: str | None = None,
        name: str | None = None,
        password: str = "password",
        **fields: Any,
    ) -> User:
        number = next(counter)
        user = User(
            email=email or f"{role}{number}@example.com",
            name=name or f"{role.title()} {number}",
            role=role,
            **fields,
        )
        user.set_password(password)
        database.session.add(user)
        database.session.commit()
        return user

    return factory


@pytest.fixture
def login_as(client: FlaskClient, make_user: Callable[..., User]) -> Callable[..., User]:
    """login_as("manager") or login_as(user): the test client is then logged in as that user."""

    def login(role_or_user: str | User, **fields: Any) -> User:
        user = role_or_user if isinstance(role_or_user, User) else make_user(role_or_user, **fields)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return login


@pytest.fixture
def make_customer(app: Flask) -> Callable[..., Customer]:
    """Factory: make_customer(name=..., **fields) → a saved Customer (through core.customers, hooks run)."""
    from core.customers import create_customer

    counter = iter(range(1, 1_000_000))

    def factory(**fields: Any) -> Customer:
        number = next(counter)
        fields.setdefault("name", f"Customer {number}")
        fields.setdefault("email", f"customer{number}@example.com")
        customer = create_customer(**fields)
        database.session.commit()
        return customer

    return factory


@pytest.fixture
def make_product(app: Flask) -> Callable[..., Product]:
    """Factory: make_product(list_price="10.00", unit_cost="6.00", category=..., sku=...) → a saved Product."""
    counter = iter(range(1, 1_000_000))

    def factory(list_price: Any = "10.00", unit_cost: Any = "6.00", **fields: Any) -> Product:
        number = next(counter)
        fields.setdefault("sku", f"SKU-{number:04d}")
        fields.setdefault("name", f"Product {number}")
        fields.setdefault("category", "General")
        product = Product(
            list_price=Decimal(str(list_price)), unit_cost=Decimal(str(unit_cost)), **fields
        )
        database.session.add(product)
        database.session.commit()
        return product

    return factory


@pytest.fixture
def make_order(
    app: Flask, make_customer: Callable[..., Customer], make_product: Callable[..., Product]
) -> Callable[..., Order]:
    """Factory: make_order(customer, salesperson, lines=[(product, qty, price, discount)], order_date, confirm=True).

    Lines default to one unit of a new product at its list price. Confirmation goes through
    core.orders, so every plugin's order_confirmed runs as in the app.
    """
    from core import orders

    def factory(
        customer: Customer | None = None,
        salesperson: User | None = None,
        lines: Sequence[tuple[Any, ...]] | None = None,
        order_date: dt.date | None = None,
        confirm: bool = True,
        number: str | None = None,
    ) -> Order:
        customer = customer or make_customer()
        inputs = []
        for line in lines or [(make_product(), 1)]:
            product, quantity, *rest = line
            price = Decimal(str(rest[0])) if len(rest) > 0 and rest[0] is not None else None
            discount = Decimal(str(rest[1])) if len(rest) > 1 else Decimal("0")
            inputs.append(orders.LineInput(product, Decimal(str(quantity)), price, discount))
        order = orders.create_order(customer, salesperson, inputs, order_date, number=number)
        if confirm:
            orders.confirm(order)
        database.session.commit()
        return order

    return factory


@pytest.fixture
def temp_plugin(app: Flask) -> Iterator[Callable[..., Any]]:
    """temp_plugin(obj, name=None): register an object with hookimpls for this test only."""
    pm = app.extensions["clientele"].pm
    registered: list[str] = []

    def register(plugin: Any, name: str | None = None) -> Any:
        plugin_name = pm.register(plugin, name=name)
        registered.append(plugin_name)
        return plugin

    yield register
    for name in registered:
        pm.unregister(name=name)


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run on the current app's database inside the block."""
    statements: list[str] = []
    bind = database.engine

    def record(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    event.listen(bind, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(bind, "before_cursor_execute", record)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """count_queries() as a context manager yielding the list of statements run inside it."""
    return counting_queries


@pytest.fixture
def check_plugin(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Any]:
    """check_plugin("name"): the one-call contract test for a plugin (see core.plugin_check)."""
    from core.plugin_check import check_plugin as run_check

    def check(name: str) -> Any:
        return run_check(name, tmp_path_factory.mktemp(f"check-{name}"))

    return check

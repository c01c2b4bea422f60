"""`clientele backup PATH` and `clientele restore PATH`: a round trip gives back every row of
every table, on SQLite (online backup API) and PostgreSQL (pg_dump/pg_restore)."""

from __future__ import annotations

import os
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from core import orders
from core.db import db
from core.models import Customer, Product, User
from core.testing import TEST_DATABASE_ENV, CliRunner, build_app

PLUGINS = ["sales_commission", "service_desk"]


def postgres_scratch_url():
    base = os.environ.get(TEST_DATABASE_ENV)
    if not base or not base.startswith("postgresql"):
        pytest.skip(f"needs {TEST_DATABASE_ENV} naming a PostgreSQL database")
    url = make_url(base)
    # A new name each time: build_app migrates each URL once per session.
    return url.set(database=f"{url.database}_bk_{uuid.uuid4().hex[:10]}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A fresh database of its own for the round trip."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shop.sqlite3'}"
        return
    url = postgres_scratch_url()
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def shop(database_url, tmp_path):
    """An app on that database with a confirmed order (and the plugins' rows it makes)."""
    app = build_app(database_url, tmp_path / "instance", PLUGINS)
    with app.app_context():
        seller = User(email="sam@example.com", name="Sam Seller", role="sales")
        pasta = Product(
            sku="P1", name="Pasta", list_price=Decimal("12.50"), unit_cost=Decimal("4.10")
        )
        ada = Customer(name="Ada Müller", email="ada@example.com", phone="+43 676 6906781")
        db.session.add_all([seller, pasta, ada])
        db.session.flush()
        order = orders.create_order(ada, seller, [orders.LineInput(pasta, Decimal("3"))])
        orders.confirm(order)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def every_table(app) -> dict[str, list[tuple]]:
    """Each table's rows, sorted, as the database holds them now."""
    with app.app_context():
        metadata = MetaData()
        metadata.reflect(bind=db.engine)
        with db.engine.connect() as connection:
            return {
                name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
                for name, table in sorted(metadata.tables.items())
            }


def test_backup_then_restore_gives_back_every_row_of_every_table(shop, tmp_path):
    cli = CliRunner(shop)
    before = every_table(shop)
    assert len(before["customer"]) == 1 and len(before["order_line"]) == 1
    assert len(before["sales_commission_entry"]) == 1  # the plugin's rows are in it too

    copy = tmp_path / "backups" / "shop.backup"
    result = cli.invoke(["backup", str(copy)])
    assert result.exit_code == 0, result.output
    assert f"Backed up the database to {copy}" in result.output

    # Life goes on after the backup: a new customer, an edit, a deletion.
    with shop.app_context():
        db.session.add(Customer(name="Grace Hopper"))
        db.session.scalar(select(Customer).where(Customer.name == "Ada Müller")).city = "Wien"
        db.session.execute(text("DELETE FROM sales_commission_entry"))
        db.session.commit()
    assert every_table(shop) != before

    result = cli.invoke(["restore", str(copy), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert every_table(shop) == before


def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(shop, tmp_path):
    cli = CliRunner(shop)
    before = every_table(shop)
    junk = tmp_path / "holiday.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0 not a database" * 100)

    result = cli.invoke(["restore", str(junk), "--yes"])

    assert result.exit_code == 1
    assert "The database was not changed." in result.output
    assert "Traceback" not in result.output
    assert every_table(shop) == before
    missing = cli.invoke(["restore", str(tmp_path / "nothing.backup"), "--yes"])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_restore_asks_first_and_backup_never_overwrites(shop, tmp_path):
    cli = CliRunner(shop)
    copy = tmp_path / "shop.backup"
    assert cli.invoke(["backup", str(copy)]).exit_code == 0
    again = cli.invoke(["backup", str(copy)])
    assert again.exit_code == 1 and "exists already" in again.output

    answered_no = cli.invoke(["restore", str(copy)], input="n\n")
    assert answered_no.exit_code == 1
    assert "Replace every row of" in answered_no.output

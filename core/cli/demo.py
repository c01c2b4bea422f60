"""`clientele demo`: fill an empty database with a believable company and every enabled plugin's demo data."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from core import dates
from core.cli.transfer import ProgressBars, ensure_schema
from core.db import db, reclaim_dead_rows
from core.demo import DEMO_PASSWORD, DemoOptions, fill_database
from core.models import Customer
from core.orders import OrderError
from core.plugins import PluginError


@click.command("demo")
@click.option(
    "--customers", default=DemoOptions.customers, show_default=True, type=click.IntRange(1, 100_000)
)
@click.option(
    "--orders",
    default=DemoOptions.orders,
    show_default=True,
    type=click.IntRange(0, 1_000_000),
    help="Orders over the last 18 months.",
)
@click.option(
    "--seed", default=DemoOptions.seed, show_default=True, help="The same seed gives the same data."
)
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when customers exist.")
@with_appcontext
def demo_command(customers: int, orders: int, seed: int, if_empty: bool) -> None:
    """Create a demo company: staff, customers, products, 18 months of orders, plugins' data.

    Only an empty database is filled (no customers yet). Demo users log in with the
    password printed at the end; the admin made by `clientele init` keeps theirs.
    """
    ensure_schema()
    existing = db.session.scalar(select(func.count()).select_from(Customer)) or 0
    if existing:
        if if_empty:
            click.echo(f"The database has {existing} customer(s) already; no demo data was added.")
            return
        raise click.ClickException(
            f"The database has {existing} customer(s) already; clientele demo only fills an "
            "empty database (scripts use --if-empty)."
        )
    bars = ProgressBars()
    try:
        written = fill_database(DemoOptions(customers, orders, seed), dates.today(), bars)
        db.session.commit()
        reclaim_dead_rows()  # the demo rewrote some rows many times over
    except (PluginError, OrderError, SQLAlchemyError) as error:
        db.session.rollback()
        raise click.ClickException(f"No demo data was added: {error}") from None
    finally:
        bars.close()
    fates = written.orders
    click.echo(
        f"Demo company created (seed {seed}): {written.customers} customers, {written.products} "
        f"products, {sum(fates.values())} orders with {written.lines} lines "
        f"({fates.get('draft', 0)} drafts, "
        f"{fates.get('cancelled', 0) + fates.get('cancelled_draft', 0)} cancelled, "
        f"{fates.get('refund_some', 0) + fates.get('refund_all', 0)} with refunds)."
    )
    click.echo("Demo logins:")
    for user, created in written.users:
        password = DEMO_PASSWORD if created else "(existing user: password unchanged)"
        click.echo(f"  {user.email:<32} {user.role:<10} {password}")

"""`clientele demo`: fill an empty database with a believable company and every enabled plugin's demo data."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from core import dates
from core.cli.options import option
from core.cli.transfer import ProgressBars, ensure_schema
from core.db import db, reclaim_dead_rows
from core.demo import DEMO_PASSWORD, DemoOptions, fill_database
from core.i18n import _, _l
from core.models import Customer
from core.orders import OrderError
from core.plugins import PluginError


@click.command(
    "demo",
    help=_l(
        "Create a demo company: staff, customers, products, 18 months of orders, plugins' "
        "data.\n\nOnly an empty database is filled (no customers yet). Demo users log in with "
        "the password printed at the end; the admin made by `clientele init` keeps theirs."
    ),
)
@click.option(
    "--customers", default=DemoOptions.customers, show_default=True, type=click.IntRange(1, 100_000)
)
@option(
    "--orders",
    default=DemoOptions.orders,
    show_default=True,
    type=click.IntRange(0, 1_000_000),
    help=_l("Orders over the last 18 months."),
)
@option(
    "--seed",
    default=DemoOptions.seed,
    show_default=True,
    help=_l("The same seed gives the same data."),
)
@option("--if-empty", is_flag=True, help=_l("Do nothing (and succeed) when customers exist."))
@with_appcontext
def demo_command(customers: int, orders: int, seed: int, if_empty: bool) -> None:
    ensure_schema()
    existing = db.session.scalar(select(func.count()).select_from(Customer)) or 0
    if existing:
        if if_empty:
            click.echo(
                _(
                    "The database has %(count)s customer(s) already; no demo data was added.",
                    count=existing,
                )
            )
            return
        raise click.ClickException(
            _(
                "The database has %(count)s customer(s) already; clientele demo only fills an "
                "empty database (scripts use --if-empty).",
                count=existing,
            )
        )
    bars = ProgressBars()
    try:
        written = fill_database(DemoOptions(customers, orders, seed), dates.today(), bars)
        db.session.commit()
        reclaim_dead_rows()  # the demo rewrote some rows many times over
    except (PluginError, OrderError, SQLAlchemyError) as error:
        db.session.rollback()
        raise click.ClickException(_("No demo data was added: %(error)s", error=error)) from None
    finally:
        bars.close()
    fates = written.orders
    click.echo(
        _(
            "Demo company created (seed %(seed)s): %(customers)s customers, %(products)s "
            "products, %(orders)s orders with %(lines)s lines (%(drafts)s drafts, "
            "%(cancelled)s cancelled, %(refunded)s with refunds).",
            seed=seed,
            customers=written.customers,
            products=written.products,
            orders=sum(fates.values()),
            lines=written.lines,
            drafts=fates.get("draft", 0),
            cancelled=fates.get("cancelled", 0) + fates.get("cancelled_draft", 0),
            refunded=fates.get("refund_some", 0) + fates.get("refund_all", 0),
        )
    )
    click.echo(_("Demo logins:"))
    for user, created in written.users:
        password = DEMO_PASSWORD if created else _("(existing user: password unchanged)")
        click.echo(f"  {user.email:<32} {user.role:<10} {password}")

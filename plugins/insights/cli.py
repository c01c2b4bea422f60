"""`clientele insights performance | cohorts | basket | next | prospecting | profitability`: the reports for scripts (--format table|csv|json).

Amounts are written with two places ("12.30"), fractions (margin, support, confidence,
lift) with four ("0.3012"), both as strings, as every Clientele report does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import click
from flask.cli import with_appcontext

from core.cli.output import emit, format_option
from plugins.insights import reports

PERFORMANCE_COLUMNS = ("key", "net", "cost", "profit", "margin", "orders", "customers")
BASKET_COLUMNS = ("a", "b", "orders", "support", "confidence", "lift")


def four_places(value: Decimal | None) -> str | None:
    """A fraction already rounded to four places, as text ("0.3012"); None stays None."""
    return None if value is None else f"{value:.4f}"


def _period(first: str, last: str) -> reports.Period:
    try:
        return reports.period(first, last)
    except reports.ReportError as error:
        raise click.BadParameter(str(error), param_hint="--from/--to") from None


period_options = [
    click.option("--from", "first", required=True, metavar="YYYY-MM", help="First month."),
    click.option("--to", "last", required=True, metavar="YYYY-MM", help="Last month."),
]


def with_period(command: Any) -> Any:
    for option in reversed(period_options):
        command = option(command)
    return command


@click.group("insights")
def insights() -> None:
    """Performance, cohorts and baskets of the insights plugin."""


@insights.command("performance")
@click.option("--by", type=click.Choice(reports.DIMENSIONS), required=True, help="Group by.")
@click.option("--per", type=click.Choice(["month"]), default=None, help="One row per month too.")
@with_period
@format_option
@with_appcontext
def performance_command(
    by: str, per: str | None, first: str, last: str, output_format: str
) -> None:
    """Net, cost, profit, margin, orders and customers by a dimension (product: its SKU)."""
    rows = reports.performance(by, _period(first, last), per_month=per == "month")
    columns = PERFORMANCE_COLUMNS if per is None else ("key", "month", *PERFORMANCE_COLUMNS[1:])
    emit(
        output_format,
        [
            {column: row[column] for column in columns} | {"margin": four_places(row["margin"])}
            for row in rows
        ],
        columns,
    )


@insights.command("cohorts")
@with_period
@format_option
@with_appcontext
def cohorts_command(first: str, last: str, output_format: str) -> None:
    """Customers by the month of their first counted order, and how many buy k months later."""
    rows = reports.cohorts(_period(first, last))
    if output_format == "json":
        emit(output_format, rows, ("cohort", "size", "active"))
        return
    width = max((len(row["active"]) for row in rows), default=0)
    columns = ("cohort", "size", *(f"m{k}" for k in range(width)))
    flat = [
        {"cohort": row["cohort"], "size": row["size"]}
        | {f"m{k}": count for k, count in enumerate(row["active"])}
        for row in rows
    ]
    emit(output_format, flat, columns)


@insights.command("basket")
@click.option("--level", type=click.Choice(reports.LEVELS), default="product", show_default=True)
@click.option(
    "--min-orders", type=int, default=2, show_default=True, help="Orders a pair shares at least."
)
@with_period
@format_option
@with_appcontext
def basket_command(level: str, min_orders: int, first: str, last: str, output_format: str) -> None:
    """Pairs bought in the same order, with support, confidence and lift (product: its SKU)."""
    when = _period(first, last)
    try:
        rows = reports.basket(level, min_orders, when)
    except reports.ReportError as error:
        raise click.BadParameter(str(error), param_hint="--min-orders") from None
    emit(
        output_format,
        [
            row | {name: four_places(row[name]) for name in ("support", "confidence", "lift")}
            for row in rows
        ],
        BASKET_COLUMNS,
    )


@insights.command("next")
@click.option("--level", type=click.Choice(reports.LEVELS), default="category", show_default=True)
@with_period
@format_option
@with_appcontext
def next_command(level: str, first: str, last: str, output_format: str) -> None:
    """What the buyers of a category (or product) buy in their next order after their first.

    JSON: {"rows": [{"a", "b", "buyers", "returned", "customers", "share", "returned_share"}]}:
    of the customers whose first order in the period had a (buyers; returned: with a next
    order in the period), how many had b in their next order, over buyers and over returned.
    """
    rows = reports.bought_next(level, _period(first, last))
    emit(
        output_format,
        [
            row | {name: four_places(row[name]) for name in ("share", "returned_share")}
            for row in rows
        ],
        reports.NEXT_COLUMNS,
    )


@insights.command("prospecting")
@with_period
@format_option
@with_appcontext
def prospecting_command(first: str, last: str, output_format: str) -> None:
    """New customers (first counted order) per month by channel, the trend and a forecast.

    JSON: {"rows": [{"month", "new_customers", "trend", "channels": {channel: n}}],
    "forecast": [{"month", "new_customers"}]}; trend and forecast with one place. With
    pipeline on, each row also has "leads" and "won" (deals opened and won that month) and
    "leads_channels", "won_channels" ({channel: n}).
    """
    found = reports.prospecting(_period(first, last))
    channels = found["channels"]
    rows = [
        {"month": month, "new_customers": found["totals"][k], "trend": f"{found['trend'][k]:.1f}"}
        for k, month in enumerate(found["months"])
    ]
    for k, row in enumerate(rows):
        for source in found["deals"]:
            row[source["key"]] = source["totals"][k]
    deal_keys = [source["key"] for source in found["deals"]]
    if output_format == "json":
        forecast = [
            {"month": item["month"], "new_customers": f"{item['new_customers']:.1f}"}
            for item in found["forecast"]
        ]
        for k, row in enumerate(rows):
            row["channels"] = {channel: counts[k] for channel, counts in channels.items()}
            for source in found["deals"]:
                row[f"{source['key']}_channels"] = {
                    channel: counts[k] for channel, counts in source["channels"].items()
                }
        emit(output_format, rows, (), {"forecast": forecast})
        return
    flat = [
        row | {channel or "(none)": counts[k] for channel, counts in channels.items()}
        for k, row in enumerate(rows)
    ]
    columns = (
        "month",
        "new_customers",
        "trend",
        *(channel or "(none)" for channel in channels),
        *deal_keys,
    )
    emit(output_format, flat, columns)


@insights.command("profitability")
@with_period
@format_option
@with_appcontext
def profitability_command(first: str, last: str, output_format: str) -> None:
    """Net contribution per customer: gross profit minus commission, service and campaign costs.

    The cost columns are those of the enabled plugins (commission, service, campaigns). JSON:
    {"rows": [{"external_id", "name", "gross_profit", <cost>..., "net_contribution"}],
    "total": "…", "pareto": [{"customers_share", "customers", "net_contribution",
    "profit_share"}]}, best net contribution first; shares with four places.
    """
    found = reports.profitability(_period(first, last))
    columns = (
        "external_id",
        "name",
        "gross_profit",
        *(key for key, _label in found["sources"]),
        "net_contribution",
    )
    rows = [{column: row[column] for column in columns} for row in found["rows"]]
    if output_format == "json":
        pareto = [
            point
            | {
                "customers_share": four_places(point["customers_share"]),
                "profit_share": four_places(point["profit_share"]),
            }
            for point in found["pareto"]
        ]
        emit(output_format, rows, columns, {"total": found["total"], "pareto": pareto})
        return
    emit(output_format, rows, columns)


@insights.command("where")
@click.option("--by", type=click.Choice(reports.PLACES), required=True, help="Group by.")
@with_period
@format_option
@with_appcontext
def where_command(by: str, first: str, last: str, output_format: str) -> None:
    """Buyers, net and profit per region or city, and where the best customers (loyalty) live.

    JSON: {"best": label or null, "rows": [{"key", "buyers", "net", "profit", "profit_share",
    "best", "best_share"}]} (the best columns only with loyalty on); shares with four places.
    """
    found = reports.where(by, _period(first, last), best=reports.best_customers())
    columns: tuple[str, ...] = ("key", "buyers", "net", "profit", "profit_share")
    if found["best_label"] is not None:
        columns = (*columns, "best", "best_share")
    rows = [
        {column: row[column] for column in columns}
        | {
            name: four_places(row[name])
            for name in ("profit_share", "best_share")
            if name in columns
        }
        for row in found["rows"]
    ]
    if output_format == "json":
        emit(output_format, rows, columns, {"best": found["best_label"]})
        return
    emit(output_format, rows, columns)


@insights.command("persistence")
@with_period
@format_option
@with_appcontext
def persistence_command(first: str, last: str, output_format: str) -> None:
    """Buyers per month, how many bought before, and (with loyalty) churned and reactivated.

    JSON: {"repeat_rate": "0.5000", "rows": [{"month", "buyers", "returning",
    "returning_share", "churned", "reactivated"}]} (the move columns only with loyalty on).
    """
    found = reports.persistence(_period(first, last))
    columns = (
        "month",
        "buyers",
        "returning",
        "returning_share",
        *(key for key, _label in found["moves"]),
    )
    rows = [row | {"returning_share": four_places(row["returning_share"])} for row in found["rows"]]
    if output_format == "json":
        emit(output_format, rows, columns, {"repeat_rate": four_places(found["repeat_rate"])})
        return
    emit(output_format, rows, columns)


@insights.command("promotion")
@with_period
@format_option
@with_appcontext
def promotion_command(first: str, last: str, output_format: str) -> None:
    """Campaigns and channels by the profit of the orders they brought, against their cost.

    JSON: {"campaigns": [{"name", "buyers", "net", "profit", "cost", "return_on_cost"}],
    "channels": [{"name", "buyers", "net", "profit", "profit_share"}]}; table and CSV: one
    row per campaign, then per channel, with a kind column.
    """
    found = reports.promotion(_period(first, last))
    campaigns = [
        {column: row[column] for column in ("name", "buyers", "net", "profit", "cost")}
        | {"return_on_cost": four_places(row["return_on_cost"])}
        for row in found["campaigns"]
    ]
    channels = [
        {column: row[column] for column in ("name", "buyers", "net", "profit")}
        | {"profit_share": four_places(row["profit_share"])}
        for row in found["channels"]
    ]
    if output_format == "json":
        emit(output_format, campaigns, (), {"channels": channels}, rows_key="campaigns")
        return
    columns = ("kind", "name", "buyers", "net", "profit", "cost", "return_on_cost", "profit_share")
    emit(
        output_format,
        [{"kind": "campaign"} | row for row in campaigns]
        + [{"kind": "channel"} | row for row in channels],
        columns,
    )

"""The report pages: each a chart, a sortable paginated table, period and segment filters, exports."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request, url_for

from core.auth import permission_required
from core.i18n import _, _l
from core.money import from_cents
from plugins.insights import access, reports, settings
from plugins.insights.pages.common import (
    choices,
    export,
    export_format,
    page_of,
    rows_page,
    sort_rows,
)

CHART_BARS = 15
PERFORMANCE_COLUMNS = ("key", "net", "cost", "profit", "margin", "orders", "customers")
BASKET_COLUMNS = ("a", "b", "orders", "support", "confidence", "lift")
LABELS = {
    "category": _l("Category"),
    "channel": _l("Channel"),
    "region": _l("Region"),
    "city": _l("City"),
    "salesperson": _l("Salesperson"),
    "product": _l("Product (SKU)"),
}


@permission_required(access.VIEW)
def index() -> str:
    """The list of reports."""
    return render_template("insights/index.html", title=_("Insights"))


def _filters() -> dict[str, Any]:
    """The period and segment of the request, to carry into links."""
    return {
        name: request.args[name] for name in ("from", "to", "segment") if request.args.get(name)
    }


@permission_required(access.VIEW)
def performance() -> str | Response:
    """Net, cost, profit, margin, orders and customers by a dimension; a bar opens its orders."""
    chosen = choices()
    by = request.args.get("by", "category")
    if by not in reports.DIMENSIONS:
        by = "category"
    rows: list[dict[str, Any]] = []
    if chosen.when is not None and not chosen.segment_error:
        rows = reports.performance(by, chosen.when, customers=chosen.customers)
    wanted = export_format()
    if wanted:
        return export(wanted, f"performance-{by}", PERFORMANCE_COLUMNS, rows)
    for row in rows:
        drill = str(row["id"] or "") if by == "salesperson" else row["key"]
        row["drill"] = url_for(
            "insights.performance_orders", by=by, key=drill, label=row["key"], **_filters()
        )
    top = sorted(rows, key=lambda row: -row["profit"])[:CHART_BARS]
    ordered, sort, direction = sort_rows(rows, PERFORMANCE_COLUMNS, "net")
    return render_template(
        "insights/performance.html",
        title=_("Performance"),
        chosen=chosen,
        by=by,
        labels=LABELS,
        page=page_of(ordered),
        sort=sort,
        direction=direction,
        chart_labels=[row["key"] or _("(none)") for row in top],
        chart_values=[row["profit"] for row in top],
        chart_links=[row["drill"] for row in top],
    )


@permission_required(access.VIEW)
def performance_orders() -> str:
    """The orders behind one bar of the performance chart, newest first, paginated."""
    chosen = choices()
    by = request.args.get("by", "")
    key = request.args.get("key", "")
    if by not in reports.DIMENSIONS or chosen.when is None or chosen.segment_error:
        abort(404)
    try:
        statement = reports.performance_orders(by, key, chosen.when, chosen.customers)
    except reports.ReportError:
        abort(404)
    page = rows_page(statement)
    return render_template(
        "insights/performance_orders.html",
        title=_("Orders behind the figures"),
        chosen=chosen,
        by=by,
        key=key,
        title_key=request.args.get("label", key) or _("(none)"),
        labels=LABELS,
        page=page,
        nets={row.id: from_cents(row.net_cents) for row in page.items},
        back=url_for("insights.performance", by=by, **_filters()),
    )


@permission_required(access.VIEW)
def cohorts() -> str | Response:
    """Monthly cohorts by first counted order, with counts and percentages k months on."""
    chosen = choices()
    rows: list[dict[str, Any]] = []
    if chosen.when is not None and not chosen.segment_error:
        rows = reports.cohorts(chosen.when, chosen.customers)
    wanted = export_format()
    width = max((len(row["active"]) for row in rows), default=0)
    if wanted:
        flat = [
            {"cohort": row["cohort"], "size": row["size"]}
            | {f"m{k}": count for k, count in enumerate(row["active"])}
            for row in rows
        ]
        return export(wanted, "cohorts", ["cohort", "size", *(f"m{k}" for k in range(width))], flat)
    # The chart: of all customers of the period's cohorts old enough, the share active k months on.
    shares: list[float | None] = []
    for k in range(width):
        old_enough = [row for row in rows if len(row["active"]) > k]
        size = sum(row["size"] for row in old_enough)
        active = sum(row["active"][k] for row in old_enough)
        shares.append(round(100 * active / size, 1) if size else None)
    ordered, sort, direction = sort_rows(rows, ("cohort", "size"), "cohort", "asc")
    return render_template(
        "insights/cohorts.html",
        title=_("Cohorts"),
        chosen=chosen,
        page=page_of(ordered),
        sort=sort,
        direction=direction,
        width=width,
        chart_labels=[f"+{k}" for k in range(width)],
        chart_values=shares,
    )


@permission_required(access.VIEW)
def basket() -> str | Response:
    """Pairs bought in the same order, with support, confidence and lift."""
    chosen = choices()
    level = request.args.get("level", "product")
    if level not in reports.LEVELS:
        level = "product"
    text = request.args.get("min_orders", "").strip()
    default = settings.current().basket_min_orders
    min_orders, min_error = default, ""
    if text:
        if text.isdigit() and 0 < int(text) < 10**6:
            min_orders = int(text)
        else:
            min_error = _("Write a whole number of orders, 1 or more.")
    rows: list[dict[str, Any]] = []
    if chosen.when is not None and not chosen.segment_error and not min_error:
        rows = reports.basket(level, min_orders, chosen.when, chosen.customers)
    wanted = export_format()
    if wanted:
        return export(wanted, f"basket-{level}", BASKET_COLUMNS, rows)
    top = sorted(rows, key=lambda row: (-row["lift"], -row["orders"]))[:CHART_BARS]
    ordered, sort, direction = sort_rows(rows, BASKET_COLUMNS, "orders")
    return render_template(
        "insights/basket.html",
        title=_("Baskets"),
        chosen=chosen,
        level=level,
        min_orders=text or str(default),
        min_error=min_error,
        page=page_of(ordered),
        sort=sort,
        direction=direction,
        chart_labels=[
            _("%(a)s → %(b)s", a=row["a"] or _("(none)"), b=row["b"] or _("(none)")) for row in top
        ],
        chart_values=[row["lift"] for row in top],
        next_url=url_for("insights.bought_next", **_filters()),
    )


NEXT_LABELS = {"product": _l("Product (SKU)"), "category": _l("Category")}


@permission_required(access.VIEW)
def bought_next() -> str | Response:
    """What the buyers of a category (or product) buy in their next order."""
    chosen = choices()
    level = request.args.get("level", "category")
    if level not in reports.LEVELS:
        level = "category"
    rows: list[dict[str, Any]] = []
    if chosen.when is not None and not chosen.segment_error:
        rows = reports.bought_next(level, chosen.when, chosen.customers)
    wanted = export_format()
    if wanted:
        return export(wanted, f"bought-next-{level}", reports.NEXT_COLUMNS, rows)
    top = rows[:CHART_BARS]
    ordered, sort, direction = sort_rows(rows, reports.NEXT_COLUMNS, "customers")
    return render_template(
        "insights/bought_next.html",
        title=_("Bought next"),
        chosen=chosen,
        level=level,
        level_label=NEXT_LABELS[level],
        page=page_of(ordered),
        sort=sort,
        direction=direction,
        chart_labels=[
            _("%(a)s → %(b)s", a=row["a"] or _("(none)"), b=row["b"] or _("(none)")) for row in top
        ],
        chart_values=[row["customers"] for row in top],
        basket_url=url_for("insights.basket", **_filters()),
    )


@permission_required(access.VIEW)
def prospecting() -> str | Response:
    """New customers per month by channel, the trend, and the forecast drawn apart (dashed)."""
    chosen = choices()
    found: dict[str, Any] = {
        "months": [],
        "channels": {},
        "totals": [],
        "trend": [],
        "forecast": [],
        "deals": [],
    }
    if chosen.when is not None and not chosen.segment_error:
        found = reports.prospecting(chosen.when, chosen.customers)
    channels = found["channels"]
    deals = found["deals"]
    rows = [
        {"month": month, "new_customers": found["totals"][k], "trend": found["trend"][k]}
        | {f"channel:{channel}": counts[k] for channel, counts in channels.items()}
        | {source["key"]: source["totals"][k] for source in deals}
        | {
            f"{source['key']}:{channel}": counts[k]
            for source in deals
            for channel, counts in source["channels"].items()
        }
        for k, month in enumerate(found["months"])
    ]
    deal_columns = [
        column
        for source in deals
        for column in (source["key"], *(f"{source['key']}:{name}" for name in source["channels"]))
    ]
    columns = [
        "month",
        "new_customers",
        "trend",
        *(f"channel:{name}" for name in channels),
        *deal_columns,
    ]
    wanted = export_format()
    if wanted:
        forecast = [
            {"month": item["month"], "forecast": item["new_customers"]}
            for item in found["forecast"]
        ]
        return export(wanted, "prospecting", [*columns, "forecast"], rows + forecast)
    future = [item["month"] for item in found["forecast"]]
    actual_count = len(found["months"])
    series: dict[str, list[Any]] = {
        _("New customers"): [*found["totals"], *([None] * len(future))],
        _("Trend"): [*found["trend"], *([None] * len(future))],
    }
    for source in deals:
        series[source["label"]] = [*source["totals"], *([None] * len(future))]
    if actual_count:
        # The forecast starts from the last actual month so that the dashed line joins it.
        series[_("Forecast")] = [
            *([None] * (actual_count - 1)),
            found["totals"][-1],
            *(item["new_customers"] for item in found["forecast"]),
        ]
    sortable = ("month", "new_customers", *(source["key"] for source in deals))
    ordered, sort, direction = sort_rows(rows, sortable, "month", "asc")
    return render_template(
        "insights/prospecting.html",
        title=_("Prospecting"),
        chosen=chosen,
        channels=list(channels),
        deals=deals,
        forecast=found["forecast"],
        page=page_of(ordered),
        sort=sort,
        direction=direction,
        chart_labels=[*found["months"], *future],
        chart_series=series,
        dashed=[_("Trend"), _("Forecast")],
    )


@permission_required(access.VIEW)
def profitability() -> str | Response:
    """Net contribution per customer: gross profit minus the other plugins' costs, and the Pareto curve."""
    chosen = choices()
    found: dict[str, Any] = {"sources": [], "rows": [], "total": None, "pareto": []}
    if chosen.when is not None and not chosen.segment_error:
        found = reports.profitability(chosen.when, chosen.customers)
    keys = [key for key, _label in found["sources"]]
    columns = ("external_id", "name", "gross_profit", *keys, "net_contribution")
    wanted = export_format()
    if wanted:
        return export(wanted, "profitability", columns, found["rows"])
    rows = found["rows"]
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    ordered, sort, direction = sort_rows(rows, ("rank", "name", *columns[2:]), "rank", "asc")
    return render_template(
        "insights/profitability.html",
        title=_("Profitability"),
        chosen=chosen,
        sources=found["sources"],
        total=found["total"],
        pareto=found["pareto"],
        page=page_of(ordered),
        sort=sort,
        direction=direction,
        customers=len(rows),
        chart_labels=[f"{point['customers_share'] * 100:.0f} %" for point in found["pareto"]],
        chart_values=[
            (point["profit_share"] or 0) * 100 for point in found["pareto"] if found["total"]
        ],
    )


WHERE_COLUMNS = ("key", "buyers", "net", "profit", "profit_share", "best", "best_share")


@permission_required(access.VIEW)
def where() -> str | Response:
    """Where the customers and the profit are, by region or city, and where the best customers live."""
    chosen = choices()
    by = request.args.get("by", "city")
    if by not in reports.PLACES:
        by = "city"
    found: dict[str, Any] = {"best_label": None, "best_total": 0, "rows": []}
    if chosen.when is not None and not chosen.segment_error:
        found = reports.where(by, chosen.when, chosen.customers, reports.best_customers())
    has_best = found["best_label"] is not None
    columns = WHERE_COLUMNS if has_best else WHERE_COLUMNS[:5]
    wanted = export_format()
    if wanted:
        return export(wanted, f"where-{by}", columns, found["rows"])
    top = found["rows"][:CHART_BARS]
    ordered, sort, direction = sort_rows(found["rows"], columns, "profit")
    return render_template(
        "insights/where.html",
        title=_("Where"),
        chosen=chosen,
        by=by,
        labels=LABELS,
        best_label=found["best_label"],
        best_total=found["best_total"],
        concentration=reports.CONCENTRATION,
        page=page_of(ordered),
        sort=sort,
        direction=direction,
        chart_labels=[row["key"] or _("(none)") for row in top],
        chart_values=[row["profit"] for row in top],
    )


@permission_required(access.VIEW)
def persistence() -> str | Response:
    """Buyers and returning buyers per month, the repeat rate, churned and reactivated customers."""
    chosen = choices()
    found: dict[str, Any] = {"moves": [], "rows": [], "repeat_rate": None}
    if chosen.when is not None and not chosen.segment_error:
        found = reports.persistence(chosen.when, chosen.customers)
    columns = ("month", "buyers", "returning", "returning_share", *(k for k, _l in found["moves"]))
    wanted = export_format()
    if wanted:
        return export(wanted, "persistence", columns, found["rows"])
    series: dict[str, list[Any]] = {
        _("Buyers"): [row["buyers"] for row in found["rows"]],
        _("Returning buyers"): [row["returning"] for row in found["rows"]],
    }
    for key, label in found["moves"]:
        series[label] = [row[key] for row in found["rows"]]
    ordered, sort, direction = sort_rows(found["rows"], columns, "month", "asc")
    return render_template(
        "insights/persistence.html",
        title=_("Persistence"),
        chosen=chosen,
        moves=found["moves"],
        repeat_rate=found["repeat_rate"],
        page=page_of(ordered),
        sort=sort,
        direction=direction,
        chart_labels=[row["month"] for row in found["rows"]],
        chart_series=series,
    )


CAMPAIGN_COLUMNS = ("name", "buyers", "net", "profit", "cost", "return_on_cost")
CHANNEL_COLUMNS = ("name", "buyers", "net", "profit", "profit_share")


@permission_required(access.VIEW)
def promotion() -> str | Response:
    """Which campaigns and channels brought profit, against what they cost."""
    chosen = choices()
    found: dict[str, list[dict[str, Any]]] = {"campaigns": [], "channels": []}
    if chosen.when is not None:
        found = reports.promotion(chosen.when)
    wanted = export_format()
    if wanted:
        rows = [{"kind": "campaign"} | row for row in found["campaigns"]] + [
            {"kind": "channel"} | row for row in found["channels"]
        ]
        return export(wanted, "promotion", ("kind", *CAMPAIGN_COLUMNS, "profit_share"), rows)
    top = found["campaigns"][:CHART_BARS]
    return render_template(
        "insights/promotion.html",
        title=_("Promotion"),
        chosen=chosen,
        campaigns=found["campaigns"],
        channels=found["channels"],
        chart_labels=[row["name"] for row in top],
        chart_values=[row["profit"] - (row["cost"] or 0) for row in top],
    )

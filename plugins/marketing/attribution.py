"""Attribution by profit: which acquisition channel and which campaign brought profitable customers.

Definitions (restated in docs/plugins/marketing.md):

- Channel figures for a period group ``core.ledger.sales_movements`` of the period by the
  customer's acquisition channel (``Customer.channel``): buyers (customers with a sale in
  the period), new customers (first confirmed order in the period), net and profit after
  refunds in the period, and each channel's share of the period's profit.
- A campaign is credited with the orders a recipient placed in its window: order date on
  or after the day the message was queued (``received_on``) and less than
  ``attribution_days`` days after it. Those orders' sales and refunds (whenever refunded)
  give its net and profit. An order may fall in the windows of two campaigns; each is
  credited ("influenced" attribution), so campaign figures do not add up to total sales.
- Acquired customers of a campaign: recipients whose first confirmed order ever falls in
  their window. Cost per acquired customer = cost / acquired, rounded half up to the cent.
  Return on cost = (profit in window − cost) / cost, exact (shown as a percentage).

All sums are taken in whole cents in SQL, and every report is a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select

from core.db import db, is_sqlite
from core.i18n import _
from core.ledger import counted_orders, sales_movements
from core.models import Customer, Order, OrderLine
from core.money import from_cents, round_money
from core.sql import sum_cents
from plugins.marketing.models import Campaign, Recipient

UNKNOWN_CHANNEL = "(none)"


def channel_label(channel: str) -> str:
    """A channel as a page shows it: "(none)" in the reader's language, names as they are."""
    return _("(none)") if channel == UNKNOWN_CHANNEL else channel


@dataclass(frozen=True)
class ChannelFigures:
    """One acquisition channel's figures for a period."""

    channel: str
    customers: int
    new_customers: int
    buyers: int
    net: Decimal
    profit: Decimal
    profit_share: Decimal | None

    @property
    def profit_per_buyer(self) -> Decimal | None:
        """Profit / buyers, rounded half up to the cent; None without buyers."""
        return round_money(self.profit / self.buyers) if self.buyers else None


@dataclass(frozen=True)
class CampaignFigures:
    """One campaign's attributed figures."""

    campaign_id: int
    name: str
    topic: str
    status: str
    recipients: int
    buyers: int
    orders: int
    acquired: int
    net: Decimal
    profit: Decimal
    cost: Decimal

    @property
    def cost_per_acquired(self) -> Decimal | None:
        """Cost / acquired customers, rounded half up to the cent; None when nobody was acquired."""
        return round_money(self.cost / self.acquired) if self.acquired else None

    @property
    def return_on_cost(self) -> Decimal | None:
        """(profit − cost) / cost, exact; None when the campaign cost nothing."""
        return (self.profit - self.cost) / self.cost if self.cost else None


def days_after(day: Any, days: int) -> Any:
    """SQL: the date ``days`` days after a date column (SQLite and PostgreSQL spell it differently)."""
    if is_sqlite(db.session.get_bind()):
        return func.date(day, f"+{int(days)} days")
    return day + int(days)


def first_orders() -> Any:
    """Subquery (customer_id, first_day): the date of each customer's first confirmed order."""
    return (
        select(Order.customer_id, func.min(Order.order_date).label("first_day"))
        .where(counted_orders())
        .group_by(Order.customer_id)
        .subquery("first_orders")
    )


def _channel(column: Any) -> Any:
    """The channel, with customers who have none grouped as "(none)"."""
    return func.coalesce(func.nullif(column, ""), UNKNOWN_CHANNEL)


def _channel_sales(channel: Any, start: dt.date | None, end: dt.date | None) -> list[Any]:
    """Per channel: buyers, net and cost in cents of the counted movements in [start, end]."""
    movements = sales_movements(start, end)
    return list(
        db.session.execute(
            select(
                channel,
                func.count(func.distinct(movements.c.customer_id)).filter(movements.c.sign > 0),
                sum_cents(movements.c.net),
                sum_cents(movements.c.cost),
            )
            .join(Customer, Customer.id == movements.c.customer_id)
            .group_by(channel)
        ).all()
    )


def channel_figures(start: dt.date | None, end: dt.date | None) -> list[ChannelFigures]:
    """Every channel's figures for [start, end] (None, None = all time), most profitable first."""
    channel = _channel(Customer.channel)
    customers: dict[str, int] = dict(
        db.session.execute(select(channel, func.count()).group_by(channel)).all()
    )
    sales = _channel_sales(channel, start, end)
    first = first_orders()
    new_statement = select(channel, func.count()).join(first, first.c.customer_id == Customer.id)
    if start is not None:
        new_statement = new_statement.where(first.c.first_day >= start)
    if end is not None:
        new_statement = new_statement.where(first.c.first_day <= end)
    new: dict[str, int] = dict(db.session.execute(new_statement.group_by(channel)).all())
    by_channel = {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in sales}
    total_profit = sum(net - cost for _, net, cost in by_channel.values())
    rows = []
    for name in sorted(set(customers) | set(by_channel)):
        buyers, net, cost = by_channel.get(name, (0, 0, 0))
        share = Decimal(net - cost) / Decimal(total_profit) if total_profit else None
        rows.append(
            ChannelFigures(
                name, int(customers.get(name, 0)), int(new.get(name, 0)), buyers,
                from_cents(net), from_cents(net - cost), share,
            )
        )  # fmt: skip
    rows.sort(key=lambda row: (-row.profit, row.channel))
    return rows


def _window_orders(days: int) -> Any:
    """Subquery (campaign_id, customer_id, order_id): orders each recipient placed in the campaign's window."""
    return (
        select(Recipient.campaign_id, Recipient.customer_id, Order.id.label("order_id"))
        .join(Order, Order.customer_id == Recipient.customer_id)
        .where(
            Recipient.status == "queued",
            counted_orders(),
            Order.order_date >= Recipient.received_on,
            Order.order_date < days_after(Recipient.received_on, days),
        )
        .subquery("window_orders")
    )


def campaign_figures(
    days: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    campaign_ids: list[int] | None = None,
) -> list[CampaignFigures]:
    """Attributed figures of campaigns that mailed someone in [start, end] (all when None), newest first."""
    mailed = select(Recipient.campaign_id).where(Recipient.status == "queued")
    if campaign_ids is not None:
        mailed = mailed.where(Recipient.campaign_id.in_(campaign_ids))
    if start is not None:
        mailed = mailed.where(Recipient.received_on >= start)
    if end is not None:
        mailed = mailed.where(Recipient.received_on <= end)
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.id.in_(mailed)).order_by(Campaign.id.desc())
    ).all()
    ids = [campaign.id for campaign in campaigns]
    if not ids:
        return []
    recipients = dict(
        db.session.execute(
            select(Recipient.campaign_id, func.count())
            .where(Recipient.campaign_id.in_(ids), Recipient.status == "queued")
            .group_by(Recipient.campaign_id)
        ).all()
    )
    sales = _window_sales(ids, days)
    acquired = _acquired(ids, days)
    rows = []
    for campaign in campaigns:
        buyers, orders, net, cost = sales.get(campaign.id, (0, 0, 0, 0))
        rows.append(
            CampaignFigures(
                campaign.id, campaign.name, campaign.topic, campaign.status,
                int(recipients.get(campaign.id, 0)), int(buyers), int(orders),
                acquired.get(campaign.id, 0), from_cents(net), from_cents(int(net) - int(cost)),
                campaign.cost,
            )
        )  # fmt: skip
    return rows


def _window_sales(campaign_ids: list[int], days: int) -> dict[int, tuple[Any, ...]]:
    """{campaign id: (buyers, orders, net cents, cost cents)} of the orders in the recipients' windows."""
    window = _window_orders(days)
    movements = sales_movements()
    statement = (
        select(
            window.c.campaign_id,
            func.count(func.distinct(window.c.customer_id)),
            func.count(func.distinct(window.c.order_id)),
            sum_cents(movements.c.net),
            sum_cents(movements.c.cost),
        )
        .join(movements, movements.c.order_id == window.c.order_id)
        .where(window.c.campaign_id.in_(campaign_ids))
        .group_by(window.c.campaign_id)
    )
    return {row[0]: tuple(row[1:]) for row in db.session.execute(statement)}


def _acquired(campaign_ids: list[int], days: int) -> dict[int, int]:
    """{campaign id: recipients whose first confirmed order ever falls in their window}."""
    first = first_orders()
    statement = (
        select(Recipient.campaign_id, func.count())
        .join(first, first.c.customer_id == Recipient.customer_id)
        .where(
            Recipient.campaign_id.in_(campaign_ids),
            Recipient.status == "queued",
            first.c.first_day >= Recipient.received_on,
            first.c.first_day < days_after(Recipient.received_on, days),
        )
        .group_by(Recipient.campaign_id)
    )
    return {row[0]: int(row[1]) for row in db.session.execute(statement)}


@dataclass(frozen=True)
class Returns:
    """What a campaign or channel brought: buyers, net and profit (its cost, for a campaign)."""

    name: str
    buyers: int
    net: Decimal
    profit: Decimal
    cost: Decimal | None


def campaign_returns(days: int, start: dt.date, end: dt.date) -> list[Returns]:
    """campaign_figures' buyers, net and profit of the campaigns that mailed someone in [start, end].

    Without the counts of recipients and acquired customers (two more queries, one of them
    over every customer's first order), for reports that show only the return. Two queries.
    """
    mailed = select(Recipient.campaign_id).where(
        Recipient.status == "queued", Recipient.received_on >= start, Recipient.received_on <= end
    )
    campaigns = db.session.execute(
        select(Campaign.id, Campaign.name, Campaign.cost).where(Campaign.id.in_(mailed))
    ).all()
    if not campaigns:
        return []
    # The window orders' lines read once: a line's sale and its refund (whenever made) cancel
    # out, so net and cost after refunds are the sums of the lines not refunded, as in
    # core.ledger.totals_after_refunds; joining every sale and refund movement instead made
    # the database build them all first.
    window = _window_orders(days)
    kept = OrderLine.refunded_on.is_(None)
    sales = {
        row[0]: tuple(row[1:])
        for row in db.session.execute(
            select(
                window.c.campaign_id,
                func.count(func.distinct(window.c.customer_id)),
                sum_cents(case((kept, OrderLine.net_amount), else_=0)),
                sum_cents(case((kept, OrderLine.cost_amount), else_=0)),
            )
            .join(OrderLine, OrderLine.order_id == window.c.order_id)
            .where(window.c.campaign_id.in_([row.id for row in campaigns]))
            .group_by(window.c.campaign_id)
        )
    }
    rows = []
    for row in campaigns:
        buyers, net, cost = sales.get(row.id, (0, 0, 0))
        rows.append(
            Returns(
                row.name, int(buyers), from_cents(net), from_cents(int(net) - int(cost)), row.cost
            )
        )
    return rows


def channel_returns(start: dt.date, end: dt.date) -> list[Returns]:
    """channel_figures' buyers, net and profit of every channel for [start, end]. Two queries.

    Without the customers and new customers of each channel (the latter reads every
    customer's first order), for reports that show only the return.
    """
    channel = _channel(Customer.channel)
    names = set(db.session.scalars(select(channel).distinct()))
    sales = _channel_sales(channel, start, end)
    by_channel = {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in sales}
    rows = []
    for name in sorted(names | set(by_channel)):
        buyers, net, cost = by_channel.get(name, (0, 0, 0))
        rows.append(Returns(name, buyers, from_cents(net), from_cents(net - cost), None))
    return rows

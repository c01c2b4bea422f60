"""Demo data for the pipeline: a believable book of deals on the demo's own dates.

- won deals: some of the demo's confirmed orders, each with the deal that led to it, opened
  two to eight weeks before the order, moved through the open stages and won on the day the
  order was confirmed (the order is linked; no order is added, so no other figure changes);
- lost deals over the last year, lost from the stage they reached, with their reasons;
- open deals in every open stage, some with an overdue next activity, a few of them prospects
  not yet customers, with follow-ups and expected close dates in the coming months.

Everything goes through deals.py and followups.py with the clock set to the story's moment,
so the history rows carry the story's dates.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core import dates
from core.i18n import company_language
from core.models import Customer, Order, Product, User
from core.roles import SELLING_ROLES
from plugins.pipeline import deals, followups
from plugins.pipeline import stages as stage_records
from plugins.pipeline.deals import DealInput, LineInput
from plugins.pipeline.models import OpportunityOrder

WON_DEALS = 40
LOST_DEALS = 25
OPEN_DEALS = 36
PROSPECTS = [
    ("Lena Hoffmann", "Hoffmann Feinkost", "lena@hoffmann-feinkost.example", "trade fair"),
    ("Marco Bianchi", "Bianchi Alimentari", "marco@bianchi.example", "referral"),
    ("Chen Jing", "静安食品贸易", "chen.jing@jingan-foods.example", "web"),
    ("Sophie Laurent", "Épicerie Laurent", "sophie@epicerie-laurent.example", "web"),
    ("Tom Becker", "Becker Catering", "tom@becker-catering.example", "cold call"),
    ("Wang Lei", "华东餐饮集团", "wang.lei@huadong-catering.example", "trade fair"),
]
ACTIVITIES = ["Send samples", "Call back", "Price offer", "Tasting visit", "Contract draft"]
OUTCOMES = [
    "Interested, wants prices",
    "Asked for samples",
    "Decision next month",
    "Compared with their current supplier",
    "Needs approval from the owner",
]
#: Deal titles: "{customer}: {what}" for a won deal's first product, a lost deal, open deals.
TITLES = {
    "won": "{customer}: {product}",
    "lost": "{customer}: new listing",
    "open": ("reorder", "new range", "season stock"),
    "prospect": "{company}: first order",
    "won_note": "Order {number} confirmed",
}

#: The same for a company working in Chinese (new stores and chains for a fresh-food supplier).
PROSPECTS_ZH = [
    ("黄晓明", "盒邻便利店(徐家汇店)", "huangxiaoming@helinbianli.example", "展会"),
    ("陈静", "静安区机关食堂", "chen.jing@jingan-shitang.example", "转介绍"),
    ("林海燕", "七宝老街小吃城", "linhaiyan@qibaolaojie.example", "地推"),
    ("吴俊杰", "鲜又多社区生鲜(张江店)", "wujunjie@xianyouduo.example", "官网"),
    ("赵磊", "苏州工业园区员工餐厅", "zhaolei@sip-canteen.example", "展会"),
    ("许佳怡", "杭州湖滨精品酒店", "xujiayi@hubinhotel.example", "微信"),
]
ACTIVITIES_ZH = ["送样品", "回电话", "发报价单", "上门试吃", "拟合同"]
OUTCOMES_ZH = [
    "有兴趣，要报价",
    "要先试样品",
    "下个月再定",
    "在和现在的供应商比价",
    "要老板拍板",
]
TITLES_ZH = {
    "won": "{customer}：{product}",
    "lost": "{customer}：新品进场",
    "open": ("补货", "新品上架", "节令备货"),
    "prospect": "{company}：首单",
    "won_note": "订单 {number} 已确认",
}


def _zh() -> bool:
    """The company works in Chinese: the demo's deals are written in Chinese."""
    return company_language() == "zh_CN"


def _titles() -> dict[str, Any]:
    return TITLES_ZH if _zh() else TITLES


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    """A working-hours moment of the company's day, as stored (naive UTC)."""
    return dates.from_company_time(
        dt.datetime.combine(day, dt.time(9 + rng.randrange(8), rng.randrange(60)))
    )


def _lines(rng: random.Random, products: list[Product]) -> list[LineInput]:
    chosen = rng.sample(products, k=min(len(products), rng.randint(1, 3)))
    return [LineInput(product, Decimal(rng.choice([2, 5, 10, 20, 50]))) for product in chosen]


def seed(session: Any, rng: random.Random) -> None:
    """Add the demo deals (the caller commits)."""
    today = dates.today()
    stage_records.ensure_stages()
    open_stages = stage_records.open_stages()
    won_stage = stage_records.stage_of_kind("won")
    lost_stage = stage_records.stage_of_kind("lost")
    reasons = [
        reason for reason in stage_records.lost_reasons() if reason.name != "Order cancelled"
    ]
    staff = list(
        session.scalars(
            select(User)
            .where(User.role.in_(SELLING_ROLES), User.active.is_(True))
            .order_by(User.id)
        )
    )
    sellers = [user for user in staff if user.role == "sales"] or staff
    products = list(
        session.scalars(select(Product).where(Product.active.is_(True)).order_by(Product.id))
    )
    customers = list(session.scalars(select(Customer).order_by(Customer.id).limit(400)))
    if not sellers or not products or not customers:
        return
    since = today - dt.timedelta(days=365)
    sold = list(
        session.scalars(
            select(Order)
            .where(
                Order.status == "confirmed",
                Order.salesperson_id.is_not(None),
                Order.order_date >= since,
            )
            .order_by(Order.id)
        )
    )
    for order in rng.sample(sold, k=min(WON_DEALS, len(sold))):
        _won_deal(session, rng, order, open_stages, won_stage)
    for _ in range(LOST_DEALS):
        closed = since + dt.timedelta(days=rng.randrange(1, 360))
        _lost_deal(rng, rng.choice(customers), rng.choice(sellers), products, closed, open_stages,
                   lost_stage, rng.choice(reasons))  # fmt: skip
    for number in range(OPEN_DEALS):
        prospects = PROSPECTS_ZH if _zh() else PROSPECTS
        prospect = prospects[number] if number < len(prospects) else None
        _open_deal(rng, rng.choice(customers), prospect, rng.choice(sellers), products,
                   open_stages, today)  # fmt: skip
    session.flush()


def _walk(deal: Any, rng: random.Random, opened: dt.date, until: dt.date, stages: list[Any],
          owner: User) -> None:  # fmt: skip
    """Move the deal through the given open stages between its opening and the last day."""
    span = max(1, (until - opened).days)
    for position, stage in enumerate(stages, start=1):
        day = opened + dt.timedelta(days=span * position // (len(stages) + 1))
        with dates.clock(_at(day, rng)):
            deals.move(deal, stage, owner)
            if rng.random() < 0.8:
                followups.log_follow_up(
                    rng.choice(["call", "visit", "meeting", "email"]),
                    owner,
                    deal=deal,
                    outcome=rng.choice(OUTCOMES_ZH if _zh() else OUTCOMES),
                )


def _won_deal(session: Any, rng: random.Random, order: Order, open_stages: list[Any],
              won_stage: Any) -> None:  # fmt: skip
    owner = order.salesperson
    assert owner is not None
    confirmed = order.confirmed_at or dates.company_midnight(order.order_date)
    opened = order.order_date - dt.timedelta(days=rng.randint(14, 56))
    lines = [LineInput(line.product, line.quantity, line.unit_price) for line in order.lines]
    with dates.clock(_at(opened, rng)):
        deal = deals.open_deal(
            DealInput(
                _titles()["won"].format(
                    customer=order.customer.name, product=order.lines[0].product.name
                ),
                owner,
                customer=order.customer,
                lines=lines,
                expected_close_on=order.order_date,
            ),
            owner,
            stage=open_stages[0],
            opened_on=opened,
        )
    _walk(deal, rng, opened, order.order_date, open_stages[1:], owner)
    session.add(OpportunityOrder(opportunity_id=deal.id, order_id=order.id))
    with dates.clock(max(confirmed, deal.stage_since)):
        deals.move(deal, won_stage, None, note=_titles()["won_note"].format(number=order.number))


def _lost_deal(rng: random.Random, customer: Customer, owner: User, products: list[Product],
               closed: dt.date, open_stages: list[Any], lost_stage: Any, reason: Any) -> None:  # fmt: skip
    opened = closed - dt.timedelta(days=rng.randint(10, 70))
    reached = open_stages[: rng.randint(1, len(open_stages))]
    with dates.clock(_at(opened, rng)):
        deal = deals.open_deal(
            DealInput(
                _titles()["lost"].format(customer=customer.name),
                owner,
                customer=customer,
                lines=_lines(rng, products),
                expected_close_on=closed,
            ),  # fmt: skip
            owner,
            stage=reached[0],
            opened_on=opened,
        )
    _walk(deal, rng, opened, closed, reached[1:], owner)
    with dates.clock(max(_at(closed, rng), deal.stage_since)):
        deals.move(deal, lost_stage, owner, lost_reason=reason)


def _open_deal(rng: random.Random, customer: Customer, prospect: tuple[str, ...] | None,
               owner: User, products: list[Product], open_stages: list[Any],
               today: dt.date) -> None:  # fmt: skip
    opened = today - dt.timedelta(days=rng.randint(3, 90))
    reached = open_stages[: rng.randint(1, len(open_stages))]
    due = today + dt.timedelta(days=rng.randint(-6, 14))
    if prospect is not None:
        name, company, email, channel = prospect
        data = DealInput(_titles()["prospect"].format(company=company), owner, prospect_name=name,
                         prospect_company=company, prospect_email=email, channel=channel)  # fmt: skip
    else:
        data = DealInput(f"{customer.name}{'：' if _zh() else ': '}{rng.choice(_titles()['open'])}",
                         owner, customer=customer, lines=_lines(rng, products))  # fmt: skip
    data.expected_close_on = today + dt.timedelta(days=rng.randint(5, 100))
    data.next_activity = rng.choice(ACTIVITIES_ZH if _zh() else ACTIVITIES)
    data.next_activity_on = due
    if rng.random() < 0.15:
        data.probability = Decimal(rng.choice(["0.15", "0.30", "0.65"]))
    with dates.clock(_at(opened, rng)):
        deal = deals.open_deal(data, owner, stage=reached[0], opened_on=opened)
    _walk(deal, rng, opened, today - dt.timedelta(days=1), reached[1:], owner)
    deal.next_activity, deal.next_activity_on = data.next_activity, due

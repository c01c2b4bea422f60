"""Demo data: three teams and about one ticket per customer over the demo's history, lived through.

Every ticket goes through the real service functions (open, reply, wait, resolve, close)
at simulated instants, so state logs, SLA due times, breaches and surveys are exactly what
the app would have recorded. No mail is queued for the past.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import func, select

from core import dates
from core.i18n import N_, company_language
from core.models import Customer, Order, User, utcnow
from plugins.service_desk.history import said
from plugins.service_desk.models import Survey, Team, TeamMember, Ticket
from plugins.service_desk.tickets import NewTicket, add_message, change_state, open_ticket
from plugins.service_desk.tracking import refresh_sla

SUBJECTS = {
    "Delivery": ["Parcel arrived two days late", "Delivery left at the wrong address", "Where is my order?"],
    "Damaged goods": ["Box arrived crushed", "Two jars broken in transit", "Packaging torn, goods wet"],
    "Product quality": ["Taste is not as usual", "Best-before date too short", "Product smaller than described"],
    "Billing": ["Charged twice", "Discount missing on the invoice", "Need a copy of the invoice"],
    "Returns": ["Want to return an unopened box", "Wrong item delivered", "Repair of the grinder"],
    "Other": ["Question about opening hours", "Change of address", "Feedback on the new shop"],
}  # fmt: skip
KIND_CATEGORIES = {
    "complaint": ["Delivery", "Damaged goods", "Product quality", "Billing"],
    "inquiry": ["Delivery", "Billing", "Other"],
    "return": ["Returns"],
    "other": ["Other"],
}
COMMENTS = {5: "Quick and friendly, thank you!", 4: "Solved, took a while.", 3: "OK.",
            2: "Had to call twice.", 1: "Nobody called me back."}  # fmt: skip
#: The teams: (key, name, description); the key is what the code below refers to.
TEAMS = [
    ("front", "Front desk", "First line: phone, e-mail and the counter"),
    ("returns", "Returns & repairs", "Returns, exchanges and repairs"),
    ("escalations", "Escalations", "Sensitive complaints; notes stay in the team"),
]
MESSAGES = {
    "description": "Customer called about this; details in the conversation.",
    "reply": "Thank you for telling us; we are looking into it.",
    "photos": "Here are the photos you asked for.",
}

#: The same for a company working in Chinese (a fresh-food supplier's complaints).
SUBJECTS_ZH = {
    "Delivery": ["送货晚了两个小时", "货送错了门店", "今天的货还没到"],
    "Damaged goods": ["鸡蛋碎了一箱", "冷链箱破损，牛奶漏了", "蔬菜压坏了"],
    "Product quality": ["上海青有黄叶", "酸奶离保质期太近", "虾不新鲜"],
    "Billing": ["重复扣款", "发票上没有折扣", "需要补开发票"],
    "Returns": ["整箱退货", "送来的规格不对", "退掉多送的饭团"],
    "Other": ["春节期间送货时间", "门店地址变更", "想加一个收货人"],
}  # fmt: skip
COMMENTS_ZH = {5: "处理得又快又好，谢谢！", 4: "解决了，就是慢了点。", 3: "还行。",
               2: "打了两次电话才有人管。", 1: "一直没人回电话。"}  # fmt: skip
TEAMS_ZH = [
    ("front", "客服前台", "一线：电话、微信和邮件"),
    ("returns", "退换货组", "退货、换货和补发"),
    ("escalations", "投诉升级", "敏感投诉；备注只在组内可见"),
]
MESSAGES_ZH = {
    "description": "客户来电反映，详情见沟通记录。",
    "reply": "感谢您的反馈，我们正在核实处理。",
    "photos": "这是您要的照片。",
}


def _chinese() -> bool:
    """The company works in Chinese: the demo's tickets are written in Chinese."""
    return company_language() == "zh_CN"


def _teams(session: Any, agents: list[User]) -> dict[str, Team]:
    """Front desk (every agent), Returns & repairs, and the restricted Escalations team."""
    members = {"front": agents, "returns": agents[1::2] or agents, "escalations": agents[:1]}
    teams = {}
    for key, name, description in TEAMS_ZH if _chinese() else TEAMS:
        team = Team(name=name, description=description, restricted=key == "escalations")
        session.add(team)
        session.flush()
        for user in members[key]:
            session.add(TeamMember(team_id=team.id, user_id=user.id))
        teams[key] = team
    session.flush()
    return teams


def _messages() -> dict[str, str]:
    return MESSAGES_ZH if _chinese() else MESSAGES


def _working_instant(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment on that day, mostly during office hours (UTC, as stored)."""
    hour = rng.choice([7, 8, 8, 9, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19])
    return dt.datetime.combine(day, dt.time(hour, rng.randrange(60)))


def _ticket_data(
    rng: random.Random,
    customer: Customer,
    orders: list[Order],
    teams: dict[str, Team],
    agent: User | None,
) -> NewTicket:
    """A believable ticket for the customer."""
    kind = rng.choices(["complaint", "inquiry", "return", "other"], [40, 35, 20, 5])[0]
    category = rng.choice(KIND_CATEGORIES[kind])
    priority = rng.choices(["low", "normal", "high", "urgent"], [12, 60, 20, 8])[0]
    team = teams["returns"] if kind == "return" else teams["front"]
    if kind == "complaint" and priority in ("high", "urgent") and rng.random() < 0.5:
        team = teams["escalations"]
    with_order = kind in ("complaint", "return") and orders
    return NewTicket(
        kind=kind,
        channel=rng.choices(["phone", "email", "web", "visit"], [50, 30, 15, 5])[0],
        subject=rng.choice((SUBJECTS_ZH if _chinese() else SUBJECTS)[category]),
        description=_messages()["description"],
        priority=priority,
        category=category,
        customer=customer,
        order=rng.choice(orders) if with_order else None,
        team=team,
        assignee=agent
        if agent is not None and (not team.restricted or agent in team.members)
        else None,
    )


def _live(
    rng: random.Random, ticket: Ticket, agent: User | None, start: dt.datetime, now: dt.datetime
) -> None:
    """Walk the ticket through reply, waiting, resolution, rating and closing, as far as now allows."""
    moment = start + dt.timedelta(minutes=rng.randint(20, 60 * 30))
    if moment >= now:
        return
    kind = "reply" if ticket.customer and ticket.customer.email else "note"
    add_message(
        ticket,
        kind,
        _messages()["reply"],
        agent,
        moment,
        notify=False,
    )
    if rng.random() < 0.4:
        moment += dt.timedelta(minutes=rng.randint(10, 240))
        change_state(ticket, "waiting", agent, moment, notify=False)
        moment += dt.timedelta(hours=rng.randint(2, 96))
        if moment >= now:
            return
        add_message(ticket, "customer", _messages()["photos"], agent, moment, notify=False)
    moment += dt.timedelta(hours=rng.choice([1, 3, 6, 20, 30, 50, 90]))
    if moment >= now:
        return
    change_state(ticket, "resolved", agent, moment, notify=False)
    _rate(rng, ticket, moment)
    closing = moment + dt.timedelta(days=7)
    if closing < now:
        change_state(
            ticket,
            "closed",
            None,
            closing,
            notify=False,
            note=said(N_("closed automatically after %(days)s days"), days=7),
        )


def _rate(rng: random.Random, ticket: Ticket, resolved_at: dt.datetime) -> None:
    """About half the customers answer the survey; slow tickets get lower ratings."""
    surveys = _surveys(ticket)
    survey = max(surveys, key=lambda item: item.id) if surveys else None
    if survey is None or rng.random() > 0.5:
        return
    slow = ticket.resolution_due_at is not None and ticket.resolution_due_at < resolved_at
    rating = rng.choices([1, 2, 3, 4, 5], [3, 4, 6, 6, 3] if slow else [1, 1, 3, 9, 12])[0]
    survey.rating, survey.comment = rating, (COMMENTS_ZH if _chinese() else COMMENTS)[rating]
    survey.answered_at = resolved_at + dt.timedelta(hours=rng.randint(1, 48))


def _surveys(ticket: Ticket) -> list[Survey]:
    """The ticket's surveys (demo only)."""
    from core.db import db

    return list(db.session.scalars(select(Survey).where(Survey.ticket_id == ticket.id)))


def seed(session: Any, rng: random.Random) -> None:
    """Teams and tickets on top of the core demo (deterministic from rng)."""
    agents = list(
        session.scalars(
            select(User)
            .where(User.role.in_(("support", "manager")), User.active.is_(True))
            .order_by(User.id)
        )
    )
    first_order = session.scalar(select(func.min(Order.order_date)))
    set_up = dt.datetime.combine(first_order or utcnow().date(), dt.time(9))
    with dates.clock(min(set_up, utcnow())):  # the desk existed when the story starts
        teams = _teams(session, agents)
    customers = list(session.scalars(select(Customer).order_by(Customer.id)))
    orders: dict[int, list[Order]] = {}
    for order in session.scalars(
        select(Order).where(Order.status == "confirmed").order_by(Order.id)
    ):
        orders.setdefault(order.customer_id, []).append(order)
    now = utcnow()
    for customer in customers:
        if rng.random() > 0.6:
            continue
        for _ in range(rng.choice([1, 1, 1, 2])):
            agent = rng.choice(agents) if agents else None
            # One ticket in five is recent, so queues have open work; the rest spread over 18 months.
            days_ago = rng.randint(0, 10) if rng.random() < 0.2 else rng.randint(0, 540)
            day = max((now - dt.timedelta(days=days_ago)).date(), customer.created_at.date())
            start = min(_working_instant(rng, day), now - dt.timedelta(minutes=5))
            start = max(start, customer.created_at + dt.timedelta(minutes=5))
            # Only orders placed before the call can be complained about.
            earlier = [order for order in orders.get(customer.id, []) if order.order_date <= day]
            data = _ticket_data(rng, customer, earlier, teams, agent)
            ticket = open_ticket(data, agent, start)
            _live(rng, ticket, data.assignee, start, now)
    # Flag what is overdue today, as the first scheduled check would, without mailing anyone.
    for ticket in session.scalars(select(Ticket).where(Ticket.state.in_(("new", "open")))).all():
        refresh_sla(ticket, None, now, notify=False)
    session.flush()

"""Demo data for `clientele demo`: preferences, a contact history, then tiers, stages and care tasks."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select

from core.i18n import company_language
from core.models import Customer, Product, User, utcnow
from plugins.loyalty.care import create_tasks
from plugins.loyalty.models import Interaction, Preference
from plugins.loyalty.recompute import recompute_all

PREFERENCES = [
    ("Seating", "note", "prefers the window seat"),
    ("Food", "likes", "sweet-and-sour, no spicy food"),
    ("Delivery", "note", "deliver before 9:00, back door"),
    ("Contact", "note", "call on the mobile, never before 10:00"),
    ("Payment", "note", "pays by invoice, 30 days"),
    ("Wine", "likes", "dry white wines from the Mosel"),
    ("Packaging", "note", "no plastic packaging"),
    ("Greeting", "note", "likes to be greeted by first name"),
]
SUMMARIES = {
    "call": [
        "Asked about the new season's range.",
        "Checked the last delivery; all fine.",
        "Reminded of the open quote.",
    ],
    "visit": [
        "Visited the shop; showed samples.",
        "Tasting at the customer's; ordered two cases.",
        "Lunch meeting about next year's volumes.",
    ],
    "email": ["Sent the new price list.", "Answered a question about allergens."],
    "note": ["Owner changes in spring; new contact person then.", "Prefers to order on Mondays."],
}
AVOIDS = "does not buy {category}"

#: The same for a company working in Chinese (shops and canteens of a fresh-food supplier).
PREFERENCES_ZH = [
    ("收货", "note", "早上 7 点前送到，走后门"),
    ("口味", "likes", "偏甜口，不要辣"),
    ("配送", "note", "店长不在时交给收银员签收"),
    ("联系", "note", "打手机，上午 10 点前别打"),
    ("结算", "note", "月结，30 天"),
    ("水果", "likes", "爱进应季水果，要甜度高的"),
    ("包装", "note", "不要泡沫箱"),
    ("称呼", "note", "喜欢别人叫他老板"),
]
SUMMARIES_ZH = {
    "call": ["问了下季新品。", "核对了上一批货，没问题。", "提醒报价还没回复。"],
    "visit": ["去门店看了陈列，带了样品。", "在客户那里试吃，当场订了两箱。", "和店长吃饭，谈明年的量。"],
    "email": ["发了新价目表。", "回复了过敏原的问题。"],
    "note": ["春节后换店长，到时换联系人。", "喜欢周一下单。"],
}  # fmt: skip
AVOIDS_ZH = "不进{category}"


def _texts() -> tuple[list[tuple[str, str, str]], dict[str, list[str]], str]:
    """(preferences, summaries, avoids) in the company's language (Chinese or English)."""
    if company_language() == "zh_CN":
        return PREFERENCES_ZH, SUMMARIES_ZH, AVOIDS_ZH
    return PREFERENCES, SUMMARIES, AVOIDS


def _preferences(
    customers: list[Customer], categories: list[str], rng: random.Random
) -> list[Preference]:
    """One to three preferences for about a third of the customers."""
    rows = []
    now = utcnow()
    preferences, _, avoids = _texts()
    for customer in customers:
        if rng.random() > 0.35:
            continue
        # Noted some time after the customer joined.
        noted = customer.created_at + (now - customer.created_at) * rng.random()
        for category, sentiment, text in rng.sample(preferences, rng.randint(1, 2)):
            rows.append(
                Preference(
                    customer_id=customer.id,
                    category=category,
                    sentiment=sentiment,
                    text=text,
                    created_by_id=customer.owner_id,
                    created_at=noted,
                )
            )
        if categories and rng.random() < 0.4:
            avoided = rng.choice(categories)
            rows.append(
                Preference(
                    customer_id=customer.id,
                    category=avoided,
                    sentiment="avoids",
                    text=avoids.format(category=avoided.lower()),
                    created_by_id=customer.owner_id,
                    created_at=noted,
                )
            )
    return rows


def _interactions(
    customers: list[Customer], fallback: User | None, rng: random.Random
) -> list[Interaction]:
    """A few calls, visits, e-mails and notes over the last six months for about half the customers."""
    now = utcnow()
    rows = []
    summaries = _texts()[1]
    for customer in customers:
        if rng.random() > 0.5:
            continue
        author = customer.owner_id or (fallback.id if fallback else None)
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice(["call", "call", "visit", "email", "note"])
            moment = now - dt.timedelta(days=rng.randint(1, 180), minutes=rng.randint(0, 600))
            moment = max(moment, customer.created_at + dt.timedelta(hours=1))  # not before joining
            rows.append(
                Interaction(
                    customer_id=customer.id,
                    user_id=author,
                    kind=kind,
                    happened_at=moment,
                    created_at=moment,
                    summary=rng.choice(summaries[kind]),
                )
            )
    return rows


def seed(session: Any, rng: random.Random) -> None:
    """Add the loyalty demo data on top of the core demo, deterministically from rng."""
    customers = list(session.scalars(select(Customer).order_by(Customer.id)))
    categories = list(
        session.scalars(
            select(Product.category)
            .where(Product.category != "")
            .distinct()
            .order_by(Product.category)
        )
    )
    manager = session.scalar(select(User).where(User.role == "manager").order_by(User.id))
    session.add_all(_preferences(customers, categories, rng))
    session.add_all(_interactions(customers, manager, rng))
    session.flush()
    recompute_all("demo data")
    create_tasks()

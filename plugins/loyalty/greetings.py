"""Birthday and public-holiday greetings: editable templates, queued through the core outbox.

The greetings job runs each morning. Birthday: customers whose birthday is today (29 February
birthdays are greeted on 28 February in other years). Holidays: the public holidays of the
customer's country from the ``holidays`` package (of their region too when it is a
subdivision code the package knows, e.g. DE/BY), named in English; only the holidays listed
in ``greeting_holidays`` are greeted ("*" = all). Customers without a country get the
holidays of the company's ``[clientele].default_region``. Mail is queued with
``core.outbox.queue_email(category="marketing", dedupe_key=...)``: opted-out customers and
customers without an e-mail are left out, and a second run on the same day queues nothing.
Each greeting is logged in loyalty_greeting and shown on the customer timeline.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import holidays
from flask import current_app
from sqlalchemy import case, extract, or_, select, tuple_

from core import dates, placeholders
from core.db import db
from core.models import Customer, User, utcnow
from core.outbox import queue_email
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.models import OCCASIONS, Greeting, GreetingTemplate

log = logging.getLogger("clientele.loyalty")

PLACEHOLDERS = {
    **placeholders.CUSTOMER_PLACEHOLDERS,
    "holiday": "the holiday's name (empty in birthday greetings)",
    "year": "the year of the greeting",
    "owner": "the customer's account manager (your company's name when there is none)",
}
DEFAULT_TEMPLATES = {
    "birthday": (
        "Happy birthday, {{ first_name }}!",
        "Dear {{ first_name }},\n\nall of us at {{ our_company }} wish you a happy birthday "
        "and a wonderful year ahead.\n\nWarm regards,\n{{ owner }}\n{{ our_company }}",
    ),
    "holiday": (
        "Happy {{ holiday }} from {{ our_company }}",
        "Dear {{ first_name }},\n\nwe wish you a happy {{ holiday }}. Thank you for being our "
        "customer.\n\nWarm regards,\n{{ owner }}\n{{ our_company }}",
    ),
}


@dataclass
class GreetingRunResult:
    """How many greetings one run queued."""

    birthday: int
    holiday: int


def template_problems(text: str) -> list[str]:
    """What is wrong with a template text: unknown or malformed {{ placeholders }}."""
    return placeholders.problems(text, PLACEHOLDERS)


def render(text: str, values: dict[str, str]) -> str:
    """The template with its placeholders filled in (core.placeholders.PlaceholderError if unknown)."""
    return placeholders.fill(text, values)


def templates() -> dict[str, GreetingTemplate]:
    """The template of each occasion: the saved one, or the default text (one query)."""
    saved = {row.occasion: row for row in db.session.scalars(select(GreetingTemplate))}
    result = {}
    for occasion in OCCASIONS:
        if occasion in saved:
            result[occasion] = saved[occasion]
        else:
            subject, body = DEFAULT_TEMPLATES[occasion]
            result[occasion] = GreetingTemplate(
                occasion=occasion, subject=subject, body=body, active=True
            )
    return result


def save_template(
    occasion: str, subject: str, body: str, active: bool, user: User
) -> GreetingTemplate:
    """Create or change the template of an occasion; ValueError listing the problems of a bad text."""
    if occasion not in OCCASIONS:
        raise ValueError(f"There is no {occasion!r} greeting.")
    problems = template_problems(subject) + template_problems(body)
    if problems:
        raise ValueError(" ".join(problems))
    template = db.session.get(GreetingTemplate, occasion) or GreetingTemplate(occasion=occasion)
    template.subject, template.body, template.active = subject.strip(), body, active
    template.updated_at, template.updated_by_id = utcnow(), user.id
    db.session.add(template)
    return template


def placeholder_values(customer: Customer, holiday: str, today: dt.date) -> dict[str, str]:
    """Placeholder values for one customer."""
    company = str(current_app.config["CLIENTELE"]["company"])
    return {
        **placeholders.customer_values(customer, company),
        "holiday": holiday,
        "year": str(today.year),
        "owner": customer.owner.name if customer.owner else company,
    }


def _greetable(occasion: str, today: dt.date) -> Any:
    """SQL: customers who may get marketing mail and were not greeted for this occasion today."""
    already = (
        select(Greeting.id)
        .where(
            Greeting.customer_id == Customer.id,
            Greeting.occasion == occasion,
            Greeting.occasion_on == today,
        )
        .exists()
    )
    return (Customer.marketing_opt_out.is_(False)) & (Customer.email != "") & ~already


def birthday_statement(today: dt.date) -> Any:
    """SELECT the customers to greet on their birthday today."""
    born_today: Any = (extract("month", Customer.birthday) == today.month) & (
        extract("day", Customer.birthday) == today.day
    )
    if today.month == 2 and today.day == 28 and not _is_leap(today.year):
        leap_day = (extract("month", Customer.birthday) == 2) & (
            extract("day", Customer.birthday) == 29
        )
        born_today = or_(born_today, leap_day)
    return select(Customer).where(
        Customer.birthday.is_not(None), born_today, _greetable("birthday", today)
    )


def _is_leap(year: int) -> bool:
    """True for leap years."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@lru_cache(maxsize=512)
def _holidays_of(country: str, subdivision: str, year: int) -> dict[dt.date, str]:
    """Public holidays of a country (and subdivision) in a year, in English; empty when unknown."""
    try:
        calendar = holidays.country_holidays(
            country, subdiv=subdivision or None, years=year, language="en_US"
        )
    except (NotImplementedError, KeyError):
        return {}
    return dict(calendar.items())


def holiday_on(country: str, region: str, today: dt.date, wanted: Sequence[str]) -> str | None:
    """The greeted holiday of a country/region on a day, or None."""
    supported = holidays.list_supported_countries().get(country, [])
    subdivision = region.upper() if region and region.upper() in supported else ""
    return _greeted(_holidays_of(country, subdivision, today.year).get(today, ""), wanted)


def _greeted(names: str, wanted: Sequence[str]) -> str | None:
    """The first of a day's holiday names ("A; B") that is greeted, or None."""
    wanted_lower = {name.lower() for name in wanted}
    for name in (part.strip() for part in names.split(";") if part.strip()):
        if "*" in wanted_lower or name.lower() in wanted_lower:
            return name
    return None


def next_holiday(
    country: str, region: str, today: dt.date, wanted: Sequence[str]
) -> tuple[dt.date, str] | None:
    """The next greeted holiday of a country/region from today on (within a year), or None."""
    supported = holidays.list_supported_countries().get(country, [])
    subdivision = region.upper() if region and region.upper() in supported else ""
    for year in (today.year, today.year + 1):
        for day, names in sorted(_holidays_of(country, subdivision, year).items()):
            name = _greeted(names, wanted) if day >= today else None
            if name:
                return day, name
    return None


def preview_recipient(occasion: str, today: dt.date) -> tuple[Customer, str] | None:
    """The next customer who would really get the greeting, with the holiday's name; None if nobody.

    Birthday: the greetable customer whose birthday comes next. Holiday: a greetable customer
    of the place whose next greeted holiday comes first (none when no holiday is greeted).
    """
    if occasion == "birthday":
        day_of_year = extract("month", Customer.birthday) * 100 + extract("day", Customer.birthday)
        today_number = today.month * 100 + today.day
        customer = db.session.scalar(
            select(Customer)
            .where(Customer.birthday.is_not(None), _greetable("birthday", today))
            .order_by(case((day_of_year < today_number, 1), else_=0), day_of_year, Customer.id)
            .limit(1)
        )
        return (customer, "") if customer is not None else None
    wanted = loyalty_settings.current().greeting_holidays
    if not wanted:
        return None
    fallback = loyalty_settings.company_region().upper()
    places = db.session.execute(
        select(Customer.country, Customer.region).where(_greetable("holiday", today)).distinct()
    ).all()
    upcoming = []
    for country, region in places:
        found = next_holiday(
            (country or fallback).upper(), (region or "") if country else "", today, wanted
        )
        if found:
            upcoming.append((found[0], country or "", region or "", found[1]))
    if not upcoming:
        return None
    _, country, region, name = min(upcoming)
    customer = db.session.scalar(
        select(Customer)
        .where(Customer.country == country, Customer.region == region, _greetable("holiday", today))
        .order_by(Customer.id)
        .limit(1)
    )
    return (customer, name) if customer is not None else None


def _holiday_places(today: dt.date, wanted: Sequence[str]) -> dict[tuple[str, str], str]:
    """{(country, region) as stored on customers: holiday name} for places with a greeted holiday today."""
    fallback = loyalty_settings.company_region().upper()
    places = db.session.execute(
        select(Customer.country, Customer.region).where(_greetable("holiday", today)).distinct()
    ).all()
    found = {}
    for country, region in places:
        holiday = holiday_on(
            (country or fallback).upper(), (region or "") if country else "", today, wanted
        )
        if holiday:
            found[(country, region)] = holiday
    return found


def _queue(
    customers: Iterable[Customer],
    occasion: str,
    today: dt.date,
    holiday_of: dict[tuple[str, str], str],
) -> int:
    """Queue one greeting per customer through the outbox and log it; returns how many were queued."""
    template = templates()[occasion]
    if not template.active:
        return 0
    problems = template_problems(template.subject) + template_problems(template.body)
    if problems:  # never mail a placeholder; the edit page says what to fix
        log.error("loyalty: the %s greeting is not sent: %s", occasion, " ".join(problems))
        return 0
    logged = []
    for customer in customers:
        holiday = holiday_of.get((customer.country, customer.region), "")
        values = placeholder_values(customer, holiday, today)
        subject = render(template.subject, values)
        key = f"loyalty.{occasion}:{today.year if occasion == 'birthday' else today.isoformat()}:{customer.id}"
        message = queue_email(
            customer.email,
            subject,
            render(template.body, values),
            customer=customer,
            source="loyalty",
            category="marketing",
            dedupe_key=key,
        )
        if message is not None:
            greeting = Greeting(
                customer_id=customer.id,
                occasion=occasion,
                occasion_on=today,
                holiday_name=holiday,
                subject=subject,
            )
            db.session.add(greeting)
            logged.append((greeting, message))
    db.session.flush()
    for greeting, message in logged:
        greeting.outbox_id = message.id
    return len(logged)


def send_greetings(today: dt.date | None = None) -> GreetingRunResult:
    """Queue today's birthday and holiday greetings (idempotent: a second run queues nothing)."""
    today = today or dates.today()
    birthdays = list(db.session.scalars(birthday_statement(today)))
    birthday_count = _queue(birthdays, "birthday", today, {})
    wanted = loyalty_settings.current().greeting_holidays
    holiday_count = 0
    places = _holiday_places(today, wanted) if wanted else {}
    if places:
        statement = select(Customer).where(
            tuple_(Customer.country, Customer.region).in_(list(places)),
            _greetable("holiday", today),
        )
        holiday_count = _queue(list(db.session.scalars(statement)), "holiday", today, places)
    return GreetingRunResult(birthday_count, holiday_count)

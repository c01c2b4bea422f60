"""Birthday and public-holiday greetings: editable templates, queued through the core outbox.

The greetings job runs each morning. Birthday: customers whose birthday is today (29 February
birthdays are greeted on 28 February in other years). Holidays: the public holidays of the
customer's country from the ``holidays`` package (of their region too when it is a
subdivision code the package knows, e.g. DE/BY); only the holidays listed by English name
in ``greeting_holidays`` are greeted ("*" = all), a holiday of several days (春节, 国庆节) on
its first day. The greeting names the holiday in the customer's language (else the company's)
when the package has that translation: 春节 for a Chinese company. Customers without a country get the
holidays of the company's ``[clientele].default_region``. Mail is queued with
``core.outbox.queue_email(category="marketing", dedupe_key=...)``: opted-out customers and
customers without an e-mail are left out, and a second run on the same day queues nothing.
Each greeting is logged in loyalty_greeting and shown on the customer timeline. The default
templates are written in the recipient's language; a saved template is sent as it was typed.
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
from sqlalchemy import inspect as sa_inspect

from core import dates, placeholders
from core.db import db
from core.i18n import _, _l, company_language, force_locale
from core.models import Customer, User, utcnow
from core.outbox import queue_email
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.models import OCCASIONS, Greeting, GreetingTemplate

log = logging.getLogger("clientele.loyalty")

PLACEHOLDERS = {
    **placeholders.CUSTOMER_PLACEHOLDERS,
    "holiday": _l("the holiday's name (empty in birthday greetings)"),
    "year": _l("the year of the greeting"),
    "owner": _l("the customer's account manager (your company's name when there is none)"),
}
DEFAULT_TEMPLATES = {
    "birthday": (
        _l("Happy birthday, {{ first_name }}!"),
        _l(
            "Dear {{ first_name }},\n\nall of us at {{ our_company }} wish you a happy birthday "
            "and a wonderful year ahead.\n\nWarm regards,\n{{ owner }}\n{{ our_company }}"
        ),
    ),
    "holiday": (
        _l("Happy {{ holiday }} from {{ our_company }}"),
        _l(
            "Dear {{ first_name }},\n\nwe wish you a happy {{ holiday }}. Thank you for being "
            "our customer.\n\nWarm regards,\n{{ owner }}\n{{ our_company }}"
        ),
    ),
}
#: The holidays package's name of each language the application speaks.
HOLIDAY_LANGUAGES = {"en": "en_US", "zh_CN": "zh_CN"}


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
                occasion=occasion, subject=str(subject), body=str(body), active=True
            )
    return result


def save_template(
    occasion: str, subject: str, body: str, active: bool, user: User
) -> GreetingTemplate:
    """Create or change the template of an occasion; ValueError listing the problems of a bad text."""
    if occasion not in OCCASIONS:
        raise ValueError(_("There is no %(occasion)s greeting.", occasion=repr(occasion)))
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
def _holidays_of(
    country: str, subdivision: str, year: int, language: str = "en_US"
) -> dict[dt.date, str]:
    """Public holidays of a country (and subdivision) in a year, in English (or the language
    when the package translates that country's names into it); empty when unknown."""
    try:
        calendar = holidays.country_holidays(
            country, subdiv=subdivision or None, years=year, language="en_US"
        )
        if language != "en_US":
            if language not in calendar.supported_languages:
                return {}
            calendar = holidays.country_holidays(
                country, subdiv=subdivision or None, years=year, language=language
            )
    except (NotImplementedError, KeyError):
        return {}
    return dict(calendar.items())


def _subdivision(country: str, region: str) -> str:
    """The region as the package's subdivision code of the country, or "" when it knows none."""
    supported = holidays.list_supported_countries().get(country, [])
    return region.upper() if region and region.upper() in supported else ""


def _names(names: str) -> list[str]:
    return [part.strip() for part in names.split(";") if part.strip()]


def _first_day(country: str, subdivision: str, day: dt.date, name: str) -> bool:
    """True unless the day before carries the same holiday (春节 lasts days; greet it once)."""
    before = day - dt.timedelta(days=1)
    return name not in _names(_holidays_of(country, subdivision, before.year).get(before, ""))


def holiday_on(country: str, region: str, today: dt.date, wanted: Sequence[str]) -> str | None:
    """The greeted holiday of a country/region on a day (its first day), or None."""
    subdivision = _subdivision(country, region)
    name = _greeted(_holidays_of(country, subdivision, today.year).get(today, ""), wanted)
    return name if name and _first_day(country, subdivision, today, name) else None


def holiday_name_in(country: str, region: str, day: dt.date, name: str, language: str) -> str:
    """A holiday's English name as the package names it in a language ("en", "zh_CN").

    "Chinese New Year (Spring Festival)" in CN on 2027-02-06 → "春节" in zh_CN. The English
    name when the package does not translate the country's holidays into that language.
    """
    code = HOLIDAY_LANGUAGES.get(language, "en_US")
    if code == "en_US":
        return name
    subdivision = _subdivision(country, region)
    english = _names(_holidays_of(country, subdivision, day.year).get(day, ""))
    local = _names(_holidays_of(country, subdivision, day.year, code).get(day, ""))
    if name in english and len(local) == len(english):
        return local[english.index(name)]
    return name


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
    subdivision = _subdivision(country, region)
    for year in (today.year, today.year + 1):
        for day, names in sorted(_holidays_of(country, subdivision, year).items()):
            name = _greeted(names, wanted) if day >= today else None
            if name and _first_day(country, subdivision, day, name):
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
    default: bool = sa_inspect(template).transient  # not saved: the default text, in each language
    fallback = loyalty_settings.company_region().upper()
    logged = []
    for customer in customers:
        language = getattr(customer, "language", None) or company_language()
        holiday = holiday_of.get((customer.country, customer.region), "")
        if holiday:
            country = (customer.country or fallback).upper()
            region = (customer.region or "") if customer.country else ""
            holiday = holiday_name_in(country, region, today, holiday, language)
        values = placeholder_values(customer, holiday, today)
        subject_text, body_text = template.subject, template.body
        if default:
            with force_locale(language):
                subject_text, body_text = (str(text) for text in DEFAULT_TEMPLATES[occasion])
        subject = render(subject_text, values)
        key = f"loyalty.{occasion}:{today.year if occasion == 'birthday' else today.isoformat()}:{customer.id}"
        message = queue_email(
            customer.email,
            subject,
            render(body_text, values),
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

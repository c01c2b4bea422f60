"""Creating, editing and finding customers; the customer hooks run in the same transaction."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, func, or_, select

from core.auth import acting_user
from core.countries import country_code
from core.db import db
from core.models import Customer, CustomerIssue
from core.phones import digits_of, looks_like_phone, phone_candidates, read_phone
from core.plugins import run_hook
from core.quality import Flag, flags_of, no_phone_message, phone_flag, set_flags
from core.search import contains, escape_like

#: Fields a person may set on a customer (the rest are derived or kept by the system).
EDITABLE_FIELDS = (
    "external_id",
    "name",
    "company",
    "email",
    "phone",
    "country",
    "region",
    "city",
    "channel",
    "birthday",
    "owner_id",
    "tags",
    "marketing_opt_out",
    "notes",
)

SORTS = {
    "name": func.lower(Customer.name),
    "created": Customer.created_at,
    "city": func.lower(Customer.city),
    "channel": Customer.channel,
}


def default_region() -> str:
    """The region phone numbers without a country code are read in."""
    return str(current_app.config["CLIENTELE"]["default_region"])


def normalize_tags(text: str) -> str:
    """ "VIP, wholesale ,vip" → "vip,wholesale": lowercase, trimmed, unique, in order."""
    seen: list[str] = []
    for tag in re.split(r"[,;]", text or ""):
        tag = tag.strip().lower()
        if tag and tag not in seen:
            seen.append(tag)
    return ",".join(seen)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Normalise typed values: trimmed strings, lowercase e-mail, country as its ISO code, tags.

    Raises UnknownCountry (a ValueError) when the country names no country."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown customer field(s): {', '.join(sorted(unknown))}")
    cleaned = dict(fields)
    for key, value in cleaned.items():
        if isinstance(value, str):
            cleaned[key] = value.strip()
    if "email" in cleaned:
        cleaned["email"] = (cleaned["email"] or "").lower()
    if "country" in cleaned:
        cleaned["country"] = country_code(cleaned["country"] or "")
    if "tags" in cleaned:
        cleaned["tags"] = normalize_tags(cleaned["tags"] or "")
    if "external_id" in cleaned:
        cleaned["external_id"] = cleaned["external_id"] or None
    return cleaned


def _phone_region(customer: Customer) -> str:
    """Read a customer's phone in their own country when known, else the company's region."""
    return customer.country or default_region()


class NoPhone(ValueError):
    """The phone field holds text with no digit at all: not a number to keep and check."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(no_phone_message(text))


def _read_phone(customer: Customer) -> Flag | None:
    """Set the customer's lookup value from their phone; the flag when it is unverified.

    Raises NoPhone when the phone holds no digit."""
    typed = customer.phone or ""
    if read_phone(typed, "").holds_no_phone:
        raise NoPhone(typed)
    customer.phone_normalized, flag = phone_flag(typed, _phone_region(customer))
    return flag


def create_customer(**fields: Any) -> Customer:
    """Add a customer and call customer_created (with the logged-in user, if any); nothing is committed.

    A phone that cannot be verified is kept as typed and flagged (core.quality); one with no
    digit at all raises NoPhone."""
    cleaned = _clean(fields)
    with db.session.begin_nested():
        customer = Customer(**cleaned)
        flag = _read_phone(customer)
        db.session.add(customer)
        db.session.flush()
        if flag is not None:
            set_flags(customer.id, {"phone": flag})
        run_hook("customer_created", customer=customer, user=acting_user())
    return customer


def phone_flag_of(customer: Customer) -> CustomerIssue | None:
    """The customer's open phone issue, if any (one query)."""
    return next((issue for issue in flags_of(customer.id) if issue.field == "phone"), None)


def update_customer(customer: Customer, **fields: Any) -> dict[str, tuple[Any, Any]]:
    """Change the given fields, call customer_updated with {field: (old, new)}; returns the changes.

    The hook gets the logged-in user who made the change (None outside a request). A new
    phone or country reads the phone again (flagged when unverified, NoPhone without digits);
    a new e-mail or birthday ends that field's issue."""
    cleaned = _clean(fields)
    changes = {
        key: (getattr(customer, key), value)
        for key, value in cleaned.items()
        if getattr(customer, key) != value
    }
    if not changes:
        return {}
    with db.session.begin_nested():
        for key, (_old, new) in changes.items():
            setattr(customer, key, new)
        flags: dict[str, Flag | None] = {}
        if "phone" in changes or "country" in changes:
            flags["phone"] = _read_phone(customer)
        # A person typed a real e-mail or birthday: what the import kept as typed is done with.
        for field in ("email", "birthday"):
            if field in changes and changes[field][1]:
                flags[field] = None
        db.session.flush()
        if flags:
            set_flags(customer.id, flags)
        run_hook("customer_updated", customer=customer, changes=changes, user=acting_user())
    return changes


@dataclass
class CustomerFilters:
    """What the customers list is narrowed by."""

    query: str = ""
    country: str = ""
    region: str = ""
    channel: str = ""
    owner_id: int | None = None
    tag: str = ""


def text_matches(text: str) -> ColumnElement[bool]:
    """Customers whose name, company, e-mail or city contains text (any case, accents folded).

    "muller" finds Müller and "sao paulo" São Paulo on every database; % and _ match themselves.
    """
    return or_(contains(Customer.search_text, text), Customer.external_id == text.strip())


def search_statement(filters: CustomerFilters) -> Select[tuple[Customer]]:
    """The customers matching the filters; the query matches name, company, e-mail, city or phone.

    A query that looks like a phone number is read as one in every country (see
    phone_candidates), so "030 123 4567", "+49 30 1234567" and "0049301234567" find the same
    customer, and "0676 6906781" an Austrian one (indexed lookup); part of a number matches
    its digits.
    """
    statement = select(Customer)
    text = filters.query.strip()
    if text and looks_like_phone(text):
        candidates = phone_candidates(text, default_region())
        if candidates:
            # Unverified phones are stored by their digits: the typed digits find them too.
            phone = Customer.phone_normalized.in_(sorted(candidates | {digits_of(text)}))
        else:
            # Part of a number: match the digits anywhere (a scan, but rare).
            digits = re.sub(r"\D", "", text).lstrip("0")
            phone = Customer.phone_normalized.like(f"%{digits}%")
        statement = statement.where(or_(phone, Customer.external_id == text))
    elif text:
        statement = statement.where(text_matches(text))
    if filters.country:
        statement = statement.where(Customer.country == filters.country.upper())
    if filters.region:
        statement = statement.where(Customer.region == filters.region)
    if filters.channel:
        statement = statement.where(Customer.channel == filters.channel)
    if filters.owner_id:
        statement = statement.where(Customer.owner_id == filters.owner_id)
    if filters.tag:
        tag = escape_like(filters.tag.strip().lower())
        statement = statement.where(("," + Customer.tags + ",").like(f"%,{tag},%", escape="\\"))
    return statement


def distinct_values(column: Any) -> list[str]:
    """The non-empty values of a customer column, sorted (for filter drop-downs)."""
    return list(db.session.scalars(select(column).where(column != "").distinct().order_by(column)))


def age_in_years(birthday: dt.date | None, on: dt.date) -> int | None:
    """Completed years between birthday and on; None without a birthday."""
    if birthday is None:
        return None
    return on.year - birthday.year - ((on.month, on.day) < (birthday.month, birthday.day))

"""Data to check: soft fields of customers kept as typed and flagged, instead of refused.

Real data is messy: old 8-digit French numbers written with dots, a mistyped digit, an
e-mail without its domain, a birthday written 12/04/1980. Refusing such a row would lose
the customer and, with them, their orders. So these **soft fields** are kept and flagged
(a :class:`~core.models.CustomerIssue` row, listed on the data-to-check page), while what
would make figures wrong is still refused (unknown references, bad money, impossible order
dates). Field by field:

- ``phone``: kept exactly as typed in ``customer.phone``. A number in use is stored in E.164
  for lookup; one that cannot be verified keeps its digits as lookup value (search and caller
  lookup find it by them) and is flagged with the reason. Text with no digit at all is refused.
- ``email`` (import): an address that is not one is flagged and the field is left as it was
  (empty for a new customer), so no mail is ever sent to it; the typed text lives on the issue.
- ``birthday`` (import): a text that is not a date written YYYY-MM-DD, or a date in the
  future, is flagged and the field left as it was: a birthday counts in no figure, and a wrong
  one would only send a greeting on the wrong day.

The customer form refuses a bad e-mail or birthday (the person typing can correct it there
and then); it keeps and flags a phone like the import does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select

from core.countries import country_name
from core.db import db
from core.i18n import _, _l
from core.models import CustomerIssue, utcnow
from core.phones import read_phone

#: The fields that are kept and flagged rather than refused, in the order pages list them.
SOFT_FIELDS = ("phone", "email", "birthday")

FIELD_LABELS = {"phone": _l("Phone"), "email": _l("E-mail"), "birthday": _l("Birthday")}

#: Keys looked up per query when issues are read or replaced in bulk.
CHUNK = 2000


@dataclass(frozen=True)
class Flag:
    """Why a field needs a look, and what was typed."""

    reason: str
    value: str


def phone_flag(typed: str, region: str) -> tuple[str, Flag | None]:
    """(lookup value, flag or None) for a phone typed for a customer in region.

    The caller refuses text holding no digit (``read_phone(...).holds_no_phone``) first.
    """
    reading = read_phone(typed, region)
    if reading.problem is None or reading.holds_no_phone:
        return reading.lookup, None
    return reading.lookup, Flag(reading.problem, (typed or "").strip()[:254])


def no_phone_message(text: str) -> str:
    """What is wrong with a phone text that has no digit (the form and the import say the same)."""
    return _(
        "'%(text)s' holds no phone number; leave the field empty when there is none",
        text=text.strip(),
    )


def describe(field: str, reason: str, value: str = "", country: str = "") -> str:
    """The reason in words, in the current language ("too short for a phone number in France")."""
    place = country_name(country) if country else _("this country")
    if field == "phone":
        digits = sum(char.isdigit() for char in value)
        if reason == "too_short" and country == "FR" and digits == 8:
            return _(
                "an old 8-digit French number: since 1996 they have 10 digits "
                "(add the area prefix, 01 to 05)"
            )
        sentences = {
            "too_short": _("too short for a phone number in %(country)s", country=place),
            "too_long": _("too long for a phone number in %(country)s", country=place),
            "invalid_length": _(
                "the wrong number of digits for a phone number in %(country)s", country=place
            ),
            "country_code": _("starts with a country code that does not exist"),
            "local_only": _("can only be dialled locally: add the area code"),
            "not_valid": _(
                "no phone number in use in %(country)s has these digits (mistyped?)",
                country=place,
            ),
        }
        return sentences.get(reason, _("cannot be read as a phone number"))
    if field == "email":
        return _("not an e-mail address: no mail is sent to it")
    if field == "birthday":
        if reason == "in_future":
            return _("a birthday in the future")
        return _("not a date written YYYY-MM-DD")
    return reason


def flags_of(customer_id: int, include_dismissed: bool = False) -> list[CustomerIssue]:
    """The customer's issues in SOFT_FIELDS order (one query)."""
    statement = select(CustomerIssue).where(CustomerIssue.customer_id == customer_id)
    if not include_dismissed:
        statement = statement.where(CustomerIssue.dismissed_at.is_(None))
    issues = list(db.session.scalars(statement))
    return sorted(issues, key=lambda issue: _field_order(issue.field))


def _field_order(field: str) -> int:
    return SOFT_FIELDS.index(field) if field in SOFT_FIELDS else len(SOFT_FIELDS)


def replace_flags(wanted: Mapping[int, Mapping[str, Flag | None]]) -> set[int]:
    """Make the issues of the given customers and fields what wanted says; returns the ids changed.

    ``wanted[customer_id][field]`` is the flag the field should have, or None for none; fields
    not named keep their issues. An issue that already says the same (reason and value) is
    left alone, dismissed or not, so doing it again changes nothing. One select, one delete
    and one insert per CHUNK customers.
    """
    changed: set[int] = set()
    ids = sorted(wanted)
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        existing = {
            (row.customer_id, row.field): row
            for row in db.session.execute(
                select(
                    CustomerIssue.id,
                    CustomerIssue.customer_id,
                    CustomerIssue.field,
                    CustomerIssue.reason,
                    CustomerIssue.value,
                ).where(CustomerIssue.customer_id.in_(part))
            )
        }
        stale: list[int] = []
        fresh: list[dict[str, Any]] = []
        now = utcnow()
        for customer_id in part:
            for field, flag in wanted[customer_id].items():
                row = existing.get((customer_id, field))
                if (
                    row is not None
                    and flag is not None
                    and (row.reason, row.value)
                    == (
                        flag.reason,
                        flag.value,
                    )
                ):
                    continue
                if row is not None:
                    stale.append(row.id)
                if flag is not None:
                    fresh.append(
                        {
                            "customer_id": customer_id,
                            "field": field,
                            "reason": flag.reason,
                            "value": flag.value,
                            "created_at": now,
                        }
                    )
                if row is not None or flag is not None:
                    changed.add(customer_id)
        if stale:
            db.session.execute(
                delete(CustomerIssue).where(CustomerIssue.id.in_(stale)),
                execution_options={"synchronize_session": False},
            )
        if fresh:
            db.session.execute(insert(CustomerIssue), fresh)
    if changed:
        _forget_loaded_issues()
    return changed


def _forget_loaded_issues() -> None:
    """Drop issue objects the session holds: the bulk statements above went past them."""
    for item in list(db.session.identity_map.values()):
        if isinstance(item, CustomerIssue):
            db.session.expunge(item)


def set_flags(customer_id: int, flags: Mapping[str, Flag | None]) -> bool:
    """replace_flags for one customer; True when an issue was added or removed."""
    return bool(replace_flags({customer_id: flags}))


def dismiss(issue: CustomerIssue, user_id: int | None) -> None:
    """Someone checked it and leaves the value as it is: the issue is no longer listed."""
    issue.dismissed_at = utcnow()
    issue.dismissed_by_id = user_id


def open_counts() -> dict[str, int]:
    """{field: issues not dismissed}, every soft field present (one query)."""
    counts = dict.fromkeys(SOFT_FIELDS, 0)
    for field, count in db.session.execute(
        select(CustomerIssue.field, func.count())
        .where(CustomerIssue.dismissed_at.is_(None))
        .group_by(CustomerIssue.field)
    ):
        counts[field] = count
    return counts


def describe_all(issues: Iterable[CustomerIssue]) -> dict[int, str]:
    """{issue id: the reason in words} for a page of issues (their customers are loaded with them)."""
    return {
        issue.id: describe(issue.field, issue.reason, issue.value, issue.customer.country)
        for issue in issues
    }

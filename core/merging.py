"""Duplicate customers: finding likely pairs, and merging one record into another.

Likely duplicates share a normalised phone number, an e-mail address (any case), a name
and city (any case), or have a **close name in the same city** (``close_names``: accents,
case, punctuation and word order do not count, and difflib's similarity of what is left is at
least ``CLOSE_NAME_RATIO``: "Jon Smith" and "John Smith", "Lena Hubert" and "Léna Huber").
``merge_customers(kept, merged, by)`` moves everything of ``merged`` to
``kept`` in one transaction:

1. the orders and outbox mail, and drops ``merged``'s data-to-check flags (they describe its
   own values);
2. the ``customers_merged(kept, merged)`` hook, where plugins move or combine what a plain
   move would get wrong;
3. every other row of any table (enabled plugin or not) whose foreign key still refers to
   ``merged``: moved to ``kept``; a row whose unique key ``kept`` already has is a duplicate
   and dropped (both opted out of the same topic, both got the same campaign);
4. ``orders_imported`` with the moved orders, so figures derived from orders (commissions,
   customer value and tier, segments) are worked out again for ``kept``;
5. a :class:`~core.models.CustomerMerge` record (who, when, what moved, the old identifiers:
   an import naming the merged ``external_id`` still finds ``kept``), then ``merged`` is
   deleted, and ``kept``'s empty fields are filled from it (tags are combined).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete, func, select, update

from core.customers import update_customer
from core.db import db
from core.models import Customer, CustomerIssue, CustomerMerge, Order, OutboxMessage, User
from core.plugins import run_hook
from core.search import fold

#: Fields of the kept customer filled from the merged one when empty.
FILLED_FIELDS = (
    "company",
    "email",
    "phone",
    "country",
    "region",
    "city",
    "channel",
    "birthday",
    "owner_id",
    "external_id",
)

#: Why two customers look like one, in the order pages list them: the same phone, e-mail, name
#: and city (any case), or a close name in the same city (not the same name in any case).
KINDS = ("phone", "email", "name_city", "close_name")

#: How alike two name keys must be (difflib's ratio: 2 × matching characters / both lengths)
#: to count as close. One letter more or less in a name of nine ("jon smith", "john smith":
#: 2 × 9 / 19 = 0.947) or one changed in a name of ten ("lena huber", "lena hyber": 18 / 20 =
#: 0.9) is close; "li wei" and "li wen" (10 / 12 = 0.833) are not. It is a hint for a person
#: to look at, so it errs towards showing: "peter schmidt" and "petra schmidt" (0.923) show.
CLOSE_NAME_RATIO = 0.9

#: Neighbours each name is compared with on the duplicates page, in the list of a city's
#: name keys sorted alphabetically (a sorted-neighbourhood search: close names sort close).
NEIGHBOURS = 6

#: Customers of one city compared with a customer made by hand (the most recent ones).
CITY_LIMIT = 5000


class MergeError(ValueError):
    """The merge cannot be done (the same customer twice, one of them gone)."""


@dataclass(frozen=True)
class DuplicateGroup:
    """Customers that look like one: why (a KINDS value), the shared value, their ids."""

    kind: str
    key: str
    customer_ids: tuple[int, ...]


def _groups(kind: str, columns: list[Any], condition: Any) -> list[tuple[str, Any]]:
    """(kind, key) of every value at least two customers share (one grouped query)."""
    statement = (
        select(*columns).where(condition).group_by(*columns).having(func.count(Customer.id) > 1)
    )
    return [
        (kind, row[0] if len(row) == 1 else tuple(row)) for row in db.session.execute(statement)
    ]


def name_key(name: str) -> str:
    """A name as close names are compared: folded (no case, no accents), words only, sorted
    ("Smith, Jon" and "jon SMITH" → "jon smith"; "Léna Hüber" → "huber lena")."""
    return " ".join(sorted(_words(name)))


def _words(name: str) -> list[str]:
    return re.findall(r"\w+", fold(name))


def _keys(name: str) -> tuple[str, str]:
    """(words sorted, words in their order): a letter added in front of a word ("Anna Becker",
    "Hanna Becker") can change the sorted order, so both are compared."""
    words = _words(name)
    return " ".join(sorted(words)), " ".join(words)


def close_names(first: str, second: str) -> bool:
    """True when two names are probably one written two ways (see CLOSE_NAME_RATIO)."""
    return _close(_keys(first), _keys(second))


def _similar(first: str, second: str) -> bool:
    if first == second:
        return True
    matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
    return (
        matcher.real_quick_ratio() >= CLOSE_NAME_RATIO
        and matcher.quick_ratio() >= CLOSE_NAME_RATIO
        and matcher.ratio() >= CLOSE_NAME_RATIO
    )


def _close(first: tuple[str, str], second: tuple[str, str]) -> bool:
    if not first[0] or not second[0]:
        return False
    return _similar(first[0], second[0]) or _similar(first[1], second[1])


def _order_key(order: int, person: tuple[tuple[str, str], str, int]) -> tuple[str, int]:
    return person[0][order], person[2]


def _root(parent: dict[int, int], customer_id: int) -> int:
    """The customer standing for the group customer_id is in (union-find, with path halving)."""
    while parent[customer_id] != customer_id:
        parent[customer_id] = parent[parent[customer_id]]
        customer_id = parent[customer_id]
    return customer_id


def _close_name_groups() -> list[tuple[str, Any]]:
    """("close_name", (city, ids)) for each set of customers of one city whose names are close
    but not the same in any case (those are name_city groups already). One query; per city,
    each name is compared with the NEIGHBOURS next ones in the alphabetical order of its words
    sorted, and of its words as written (a sorted-neighbourhood search: close names sort close)."""
    by_city: dict[str, list[tuple[tuple[str, str], str, int]]] = {}
    cities: dict[str, str] = {}
    for customer_id, name, city in db.session.execute(
        select(Customer.id, Customer.name, Customer.city)
        .where(Customer.city != "")
        .order_by(Customer.id)
    ):
        place = fold(city).strip()
        cities.setdefault(place, city)
        by_city.setdefault(place, []).append((_keys(name), name.lower(), customer_id))
    keys: list[tuple[str, Any]] = []
    for place, people in by_city.items():
        parent = {customer_id: customer_id for _, _, customer_id in people}
        for order in (0, 1):
            people.sort(key=functools.partial(_order_key, order))
            for position, (key, lower, customer_id) in enumerate(people):
                for other_key, other_lower, other_id in people[
                    position + 1 : position + 1 + NEIGHBOURS
                ]:
                    first, second = _root(parent, customer_id), _root(parent, other_id)
                    if lower != other_lower and first != second and _close(key, other_key):
                        parent[second] = first
        members: dict[int, list[int]] = {}
        for _, _, customer_id in people:
            members.setdefault(_root(parent, customer_id), []).append(customer_id)
        for ids in members.values():
            if len(ids) > 1:
                keys.append(("close_name", (cities[place], tuple(sorted(ids)))))
    return keys


def duplicate_keys() -> list[tuple[str, Any]]:
    """Every shared phone, e-mail and name+city, and the close names per city, in KINDS order
    then by value (four queries)."""
    name, city = func.lower(Customer.name), func.lower(Customer.city)
    email = func.lower(Customer.email)
    keys = _groups("phone", [Customer.phone_normalized], Customer.phone_normalized != "")
    keys += _groups("email", [email], Customer.email != "")
    keys += _groups("name_city", [name, city], Customer.city != "")
    keys += _close_name_groups()
    return sorted(keys, key=lambda item: (KINDS.index(item[0]), str(item[1])))


def duplicate_groups(keys: list[tuple[str, Any]]) -> list[DuplicateGroup]:
    """The customers of these shared values, oldest first (one query per kind present)."""
    by_kind: dict[str, list[Any]] = {}
    close: dict[tuple[str, Any], list[int]] = {}
    for kind, key in keys:
        if kind == "close_name":
            close[(kind, key)] = list(key[1])
        else:
            by_kind.setdefault(kind, []).append(key)
    members: dict[tuple[str, Any], list[int]] = {}
    name, city = func.lower(Customer.name), func.lower(Customer.city)
    for kind, values in by_kind.items():
        if kind == "phone":
            statement = select(Customer.phone_normalized, Customer.id).where(
                Customer.phone_normalized.in_(values)
            )
        elif kind == "email":
            statement = select(func.lower(Customer.email), Customer.id).where(
                func.lower(Customer.email).in_(values)
            )
        else:
            statement = select(name, city, Customer.id).where(sa.tuple_(name, city).in_(values))
        for row in db.session.execute(statement.order_by(Customer.id)):
            key = row[0] if kind != "name_city" else (row[0], row[1])
            members.setdefault((kind, key), []).append(row[-1])
    members.update(close)
    return [
        DuplicateGroup(kind, _key_text(key), tuple(members.get((kind, key), ())))
        for kind, key in keys
        if len(members.get((kind, key), ())) > 1
    ]


def _key_text(key: Any) -> str:
    if isinstance(key, tuple) and len(key) == 2 and isinstance(key[1], tuple):
        return str(key[0])  # close names: the city
    return " · ".join(key) if isinstance(key, tuple) else str(key)


@dataclass(frozen=True)
class LikelyDuplicate:
    """Another customer that may be this one, and why (a KINDS value)."""

    customer: Customer
    kind: str


def likely_duplicates_of(customer: Customer) -> list[LikelyDuplicate]:
    """Other customers that look like this one (the same e-mail in any case or phone, the same
    or a close name in the same city), oldest first, each once with its first reason in KINDS
    order. Two queries: e-mail or phone, then the CITY_LIMIT newest customers of the city."""
    found: dict[int, tuple[Customer, str]] = {}
    same = []
    if customer.email:
        same.append(func.lower(Customer.email) == customer.email.lower())
    if customer.phone_normalized:
        same.append(Customer.phone_normalized == customer.phone_normalized)
    if same:
        for other in db.session.scalars(
            select(Customer).where(Customer.id != customer.id, sa.or_(*same))
        ):
            if customer.phone_normalized and other.phone_normalized == customer.phone_normalized:
                found[other.id] = (other, "phone")
            else:
                found[other.id] = (other, "email")
    if customer.city:
        key, lower = _keys(customer.name), customer.name.lower()
        for other in db.session.scalars(
            select(Customer)
            .where(
                Customer.id != customer.id,
                func.lower(Customer.city) == func.lower(sa.literal(customer.city)),
            )
            .order_by(Customer.id.desc())
            .limit(CITY_LIMIT)
        ):
            if other.id in found:
                continue
            if other.name.lower() == lower:
                found[other.id] = (other, "name_city")
            elif _close(key, _keys(other.name)):
                found[other.id] = (other, "close_name")
    return [LikelyDuplicate(other, kind) for _, (other, kind) in sorted(found.items())]


@dataclass(frozen=True)
class Reference:
    """A foreign key column of some table that refers to customer.id, with its unique keys."""

    table: str
    column: str
    #: Each unique key (primary key included) that holds the column: its other columns.
    unique_with: tuple[tuple[str, ...], ...]


def customer_references() -> list[Reference]:
    """Every column of the database that refers to customer.id, read from the database itself
    (so a disabled plugin's tables are covered too), with the unique keys it is part of."""
    inspector = sa.inspect(db.session.connection())
    references = []
    for table in inspector.get_table_names():
        if table in ("customer", "alembic_version"):
            continue
        columns = [
            foreign["constrained_columns"][0]
            for foreign in inspector.get_foreign_keys(table)
            if foreign["referred_table"] == "customer" and len(foreign["constrained_columns"]) == 1
        ]
        if not columns:
            continue
        keys = [inspector.get_pk_constraint(table).get("constrained_columns") or []]
        keys += [unique["column_names"] for unique in inspector.get_unique_constraints(table)]
        keys += [
            [name for name in index["column_names"] if name is not None]
            for index in inspector.get_indexes(table)
            if index["unique"]
        ]
        for column in columns:
            unique_with = tuple(
                tuple(name for name in key if name != column) for key in keys if column in key
            )
            references.append(Reference(table, column, unique_with))
    return references


def references_to(customer_id: int) -> Counter[str]:
    """{table: rows referring to the customer} over every referring column (one count each)."""
    counts: Counter[str] = Counter()
    for reference in customer_references():
        table = sa.table(reference.table, sa.column(reference.column))
        count = db.session.scalar(
            select(func.count()).select_from(table).where(table.c[reference.column] == customer_id)
        )
        if count:
            counts[reference.table] += int(count)
    return counts


def _move_rows(reference: Reference, kept_id: int, merged_id: int) -> int:
    """Drop merged's rows that duplicate a unique key of kept's, then move the rest; rows moved."""
    columns = {reference.column, *(name for key in reference.unique_with for name in key)}
    table = sa.table(reference.table, *(sa.column(name) for name in sorted(columns)))
    other = table.alias("other")
    target = table.c[reference.column]
    for key in reference.unique_with:
        same = [other.c[reference.column] == kept_id]
        same += [other.c[name] == table.c[name] for name in key]
        db.session.execute(
            delete(table).where(target == merged_id, select(other).where(*same).exists())
        )
    result = db.session.execute(update(table).where(target == merged_id).values({target: kept_id}))
    return int(getattr(result, "rowcount", 0) or 0)


def merge_customers(kept: Customer, merged: Customer, by: User | None) -> CustomerMerge:
    """Merge ``merged`` into ``kept`` (see the module's docstring); nothing is committed."""
    if kept.id == merged.id:
        raise MergeError("a customer cannot be merged into itself")
    moved: Counter[str] = Counter()
    order_ids = list(db.session.scalars(select(Order.id).where(Order.customer_id == merged.id)))
    fill = {
        field: getattr(merged, field)
        for field in FILLED_FIELDS
        if not getattr(kept, field) and getattr(merged, field)
    }
    tags = ",".join(dict.fromkeys([*kept.tag_list, *merged.tag_list]))
    if tags != kept.tags:
        fill["tags"] = tags
    record = CustomerMerge(
        merged_customer_id=merged.id,
        external_id=merged.external_id,
        name=merged.name,
        email=merged.email,
        phone=merged.phone,
        merged_by_id=by.id if by is not None else None,
    )
    with db.session.begin_nested():
        db.session.flush()
        for model in (Order, OutboxMessage):
            result: Any = db.session.execute(
                update(model).where(model.customer_id == merged.id).values(customer_id=kept.id),
                execution_options={"synchronize_session": False},
            )
            if result.rowcount:
                moved[model.__tablename__] += int(result.rowcount)
        db.session.execute(delete(CustomerIssue).where(CustomerIssue.customer_id == merged.id))
        run_hook("customers_merged", kept=kept, merged=merged)
        for reference in customer_references():
            count = _move_rows(reference, kept.id, merged.id)
            if count:
                moved[reference.table] += count
        if order_ids:
            run_hook("orders_imported", order_ids=order_ids)
        record.kept_id = kept.id
        record.moved = ", ".join(f"{table}: {count}" for table, count in sorted(moved.items()))
        db.session.add(record)
        merged_id = merged.id
        db.session.expire_all()
        db.session.execute(delete(Customer).where(Customer.id == merged_id))
        kept = db.session.get(Customer, kept.id) or kept
        if fill:
            update_customer(kept, **fill)
        db.session.flush()
    return record


#: Past merges listed on the duplicates page, newest first.
RECENT_MERGES = 20


def recent_merges(limit: int = RECENT_MERGES) -> list[tuple[CustomerMerge, Customer]]:
    """The newest merges with the customer each was merged into (who merged is loaded with
    the record): one query."""
    return [
        (record, kept)
        for record, kept in db.session.execute(
            select(CustomerMerge, Customer)
            .join(Customer, Customer.id == CustomerMerge.kept_id)
            .order_by(CustomerMerge.merged_at.desc(), CustomerMerge.id.desc())
            .limit(limit)
        ).tuples()
    ]


def alias_targets(external_ids: set[str]) -> dict[str, int]:
    """{merged external id: the customer it was merged into} for ids that are aliases."""
    if not external_ids:
        return {}
    found: dict[str, int] = {}
    wanted = sorted(external_ids)
    for start in range(0, len(wanted), 2000):
        part = wanted[start : start + 2000]
        for external_id, kept_id in db.session.execute(
            select(CustomerMerge.external_id, CustomerMerge.kept_id).where(
                CustomerMerge.external_id.in_(part)
            )
        ):
            if external_id is not None:
                found[external_id] = kept_id
    return found

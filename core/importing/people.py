"""Importing staff users (key: email) and customers (key: external_id).

Customers go through the same rules as the customer form (normalised e-mail, country, tags
and phone) and the customer_created / customer_updated hooks run for each one inside the
import's transaction. An empty cell means "unknown": a new record gets the default and an
existing record keeps its value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from sqlalchemy import select

from core import dates
from core.countries import UnknownCountry, country_code
from core.customers import default_region, normalize_tags
from core.db import db
from core.importing import cells as read
from core.importing.base import (
    Cells,
    Importer,
    Pending,
    Progress,
    apply_fields,
    chunks,
    fetch_by_key,
    load_by_id,
)
from core.importing.reading import Row
from core.models import ROLES, Customer, User
from core.phones import normalize_phone, phone_problem
from core.plugins import run_hook


class UsersImport(Importer):
    """users: email, name, role. New users get no usable password until an admin sets one."""

    kind = "users"
    columns = ("email", "name", "role")
    key_column = "email"

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[Pending] = []

    def check(self, rows: Sequence[Row]) -> None:
        """Read e-mail, name and role; a new user needs a role."""
        parsed = []
        for row in rows:
            cells = Cells(row)
            email = cells.read(partial(read.email, column="email"), "email")
            if email is None and not cells.problems:
                cells.problem("email is empty")
            name = cells.read(partial(read.text, column="name", max_length=120), "name")
            role = cells.read(partial(read.choice, column="role", choices=ROLES), "role")
            self.claim_key(cells, email)
            parsed.append((cells, email, {"name": name, "role": role}))
        existing = fetch_by_key([User.id], User.email, [email for _, email, _ in parsed if email])
        for cells, email, fields in parsed:
            found = existing.get(email)
            if found is None and fields["role"] is None and email is not None:
                cells.problem(f"role is empty (a new user needs one of {', '.join(ROLES)})")
            if self.settle(cells):
                known = {key: value for key, value in fields.items() if value is not None}
                self.pending.append(
                    Pending(cells.row.line, {"email": email, **known}, found and found.id)
                )

    def finish_check(self) -> None:
        """Refuse a file that would leave the company without an active admin."""
        admins = set(
            db.session.scalars(select(User.email).where(User.role == "admin", User.active))
        )
        if not admins:
            return
        demoting = []
        for item in self.pending:
            role = item.fields.get("role")
            if role == "admin":
                admins.add(item.fields["email"])
            elif role is not None and item.fields["email"] in admins:
                admins.discard(item.fields["email"])
                demoting.append(item)
        if admins or not demoting:
            return
        for item in demoting:
            self.reject(item.line, "role: this would leave no admin; keep at least one admin")
        self.pending = [item for item in self.pending if item not in demoting]

    def write(self, progress: Progress) -> None:
        """Add new users without a password and update the name and role of existing ones."""
        progress.phase("Writing users", len(self.pending))
        for part in chunks(self.pending):
            users = load_by_id(User, [item.existing_id for item in part if item.existing_id])
            for item in part:
                if item.existing_id is None:
                    fields = dict(item.fields)
                    fields.setdefault("name", fields["email"].split("@")[0])
                    db.session.add(User(password_hash="", **fields))
                    self.added += 1
                else:
                    changes = apply_fields(users[item.existing_id], item.fields)
                    self.changed += bool(changes)
                    self.unchanged += not changes
            db.session.flush()
            progress.advance(len(part))


class CustomersImport(Importer):
    """customers: external_id, name, company, email, phone, country, region, city, channel,
    birthday, owner_email, tags, created_at."""

    kind = "customers"
    columns = (
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
        "owner_email",
        "tags",
        "created_at",
    )
    key_column = "external_id"

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[Pending] = []
        self.owners: dict[str, int] = {}
        self.today = dates.today()
        self.region = default_region()

    def check(self, rows: Sequence[Row]) -> None:
        """Read every cell, then check owners, phones and names against the database."""
        parsed = [self._read(row) for row in rows]
        keys = [fields["external_id"] for _, fields in parsed if fields["external_id"]]
        existing = fetch_by_key([Customer.id, Customer.country], Customer.external_id, keys)
        self._find_owners({fields["owner_email"] for _, fields in parsed} - {None})
        for cells, fields in parsed:
            found = existing.get(fields["external_id"])
            if found is None and fields["name"] is None and fields["external_id"]:
                cells.problem("name is empty (a new customer needs a name)")
            owner_email = fields.pop("owner_email")
            if owner_email is not None:
                if owner_email in self.owners:
                    fields["owner_id"] = self.owners[owner_email]
                else:
                    cells.problem(f"owner_email '{owner_email}' is not a user")
            country = fields["country"] or (found and found.country) or self.region
            problem = phone_problem(fields["phone"] or "", country)
            if problem:
                cells.problem(f"phone {problem}")
            if self.settle(cells):
                known = {key: value for key, value in fields.items() if value is not None}
                self.pending.append(Pending(cells.row.line, known, found and found.id))

    def _read(self, row: Row) -> tuple[Cells, dict[str, Any]]:
        """The row's cells as customer fields (None where empty), problems noted on Cells."""
        cells = Cells(row)
        fields = {column: cells.read(reader, column) for column, reader in CUSTOMER_READERS.items()}
        if fields["birthday"] is not None and fields["birthday"] > self.today:
            cells.problem(f"birthday '{fields['birthday']}' is in the future")
        self.claim_key(cells, fields["external_id"])
        return cells, fields

    def _find_owners(self, emails: set[str]) -> None:
        """Look up the owners' user ids not seen in earlier chunks (one query)."""
        unknown = emails - set(self.owners)
        found = fetch_by_key([User.id], User.email, unknown)
        self.owners.update({email: row.id for email, row in found.items()})

    def write(self, progress: Progress) -> None:
        """Add and update customers chunk by chunk; the customer hooks run for each one."""
        progress.phase("Writing customers", len(self.pending))
        for part in chunks(self.pending):
            customers = load_by_id(
                Customer, [item.existing_id for item in part if item.existing_id]
            )
            created: list[Customer] = []
            updated: list[tuple[Customer, dict[str, tuple[Any, Any]]]] = []
            for item in part:
                if item.existing_id is None:
                    created.append(self._new_customer(item.fields))
                    continue
                customer = customers[item.existing_id]
                changes = apply_fields(customer, item.fields)
                if "phone" in changes or "country" in changes:
                    customer.phone_normalized = self._normalized_phone(customer)
                if changes:
                    updated.append((customer, changes))
                self.unchanged += not changes
            db.session.add_all(created)
            db.session.flush()
            for customer in created:
                run_hook("customer_created", customer=customer, user=None)
            for customer, changes in updated:
                run_hook("customer_updated", customer=customer, changes=changes, user=None)
            self.added += len(created)
            self.changed += len(updated)
            progress.advance(len(part))

    def _new_customer(self, fields: dict[str, Any]) -> Customer:
        """A Customer with the row's fields and its phone normalised for lookup."""
        customer = Customer(**fields)
        customer.phone = customer.phone or ""
        customer.country = customer.country or ""
        customer.phone_normalized = self._normalized_phone(customer)
        if customer.created_at is not None:
            customer.updated_at = customer.created_at
        return customer

    def _normalized_phone(self, customer: Customer) -> str:
        """E.164 phone, read in the customer's country (else the company's region)."""
        return normalize_phone(customer.phone or "", customer.country or self.region)


def _country(value: str) -> str | None:
    """The ISO code of a country written by name or code ("UK", "Deutschland"); None when empty."""
    try:
        return country_code(value) or None
    except UnknownCountry as error:
        raise read.CellError(f"country {error}") from None


def _tags(value: str) -> str | None:
    """Tags as the app stores them ("vip,wholesale"); None when empty."""
    tags = normalize_tags(value)
    if not tags:
        return None
    if len(tags) > 500:
        raise read.CellError("tags are longer than 500 characters")
    return tags


#: How each customer cell is read (owner_email is turned into owner_id after the lookup).
CUSTOMER_READERS: dict[str, Callable[[str], Any]] = {
    "external_id": partial(read.text, column="external_id", max_length=64, required=True),
    "name": partial(read.text, column="name", max_length=200),
    "company": partial(read.text, column="company", max_length=200),
    "email": partial(read.email, column="email"),
    "phone": partial(read.text, column="phone", max_length=40),
    "country": read.Outcomes(lambda value, column: _country(value), "country"),
    "region": partial(read.text, column="region", max_length=100),
    "city": partial(read.text, column="city", max_length=100),
    "channel": partial(read.text, column="channel", max_length=50),
    "birthday": partial(read.day, column="birthday"),
    "owner_email": partial(read.email, column="owner_email"),
    "tags": _tags,
    "created_at": partial(read.moment, column="created_at"),
}

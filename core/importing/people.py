"""Importing staff users (key: email) and customers (key: external_id).

Customers go through the same rules as the customer form (normalised e-mail, country, tags
and phone) and the customer_created / customer_updated hooks run for each one inside the
import's transaction. An empty cell means "unknown": a new record gets the default and an
existing record keeps its value.

Soft fields are kept and flagged instead of refused (core.quality): a phone that cannot be
verified is stored as typed with its digits for lookup; an e-mail that is no address and a
birthday that is no date leave the field as it was and are kept, as typed, on the issue.
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
from core.merging import alias_targets
from core.models import ROLES, Customer, User
from core.phones import digits_of
from core.plugins import run_hook
from core.quality import Flag, describe, no_phone_message, phone_flag, replace_flags


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
        #: Soft fields of each pending row, by line: {field: Flag, or None when readable}.
        self.soft: dict[int, dict[str, Flag | None]] = {}

    def check(self, rows: Sequence[Row]) -> None:
        """Read every cell, then check owners and names against the database."""
        parsed = [self._read(row) for row in rows]
        keys = [fields["external_id"] for _, fields, _ in parsed if fields["external_id"]]
        existing = fetch_by_key([Customer.id], Customer.external_id, keys)
        aliases = alias_targets({key for key in keys if key not in existing})
        self._find_owners({fields["owner_email"] for _, fields, _ in parsed} - {None})
        for cells, fields, soft in parsed:
            found = existing.get(fields["external_id"])
            if found is None and fields["external_id"] in aliases:
                # Merged into another customer: the record is gone, its data was reviewed then.
                self.skipped[cells.row.line] = (
                    f"external_id '{fields['external_id']}' was merged into customer "
                    f"{aliases[fields['external_id']]}; the row is not imported"
                )
                continue
            if found is None and fields["name"] is None and fields["external_id"]:
                cells.problem("name is empty (a new customer needs a name)")
            owner_email = fields.pop("owner_email")
            if owner_email is not None:
                if owner_email in self.owners:
                    fields["owner_id"] = self.owners[owner_email]
                else:
                    cells.problem(f"owner_email '{owner_email}' is not a user")
            if self.settle(cells):
                known = {key: value for key, value in fields.items() if value is not None}
                self.pending.append(Pending(cells.row.line, known, found and found.id))
                if soft:
                    self.soft[cells.row.line] = soft

    def _read(self, row: Row) -> tuple[Cells, dict[str, Any], dict[str, Flag | None]]:
        """The row's cells as customer fields (None where empty), problems noted on Cells, and
        the soft fields' outcome: {field: Flag} when kept as typed, {field: None} when readable."""
        cells = Cells(row)
        fields = {column: cells.read(reader, column) for column, reader in CUSTOMER_READERS.items()}
        phone = fields["phone"]
        if phone is not None and not digits_of(phone):
            cells.problem(f"phone {no_phone_message(phone)}")
        soft: dict[str, Flag | None] = {}
        for column, reader in SOFT_READERS.items():
            value, flag = self._read_soft(cells, reader, column)
            fields[column] = value
            if value is not None or flag is not None:
                soft[column] = flag
        self.claim_key(cells, fields["external_id"])
        return cells, fields, soft

    def _read_soft(
        self, cells: Cells, reader: Callable[[str], Any], column: str
    ) -> tuple[Any, Flag | None]:
        """(value, None) for a readable cell, (None, Flag) for one kept as typed, (None, None) empty."""
        typed = cells.row.cells[column].strip()
        if not typed:
            return None, None
        if len(typed) > 254:
            cells.problem(f"{column} is longer than 254 characters")
            return None, None
        try:
            read.refuse_control_characters(typed, column)
        except read.CellError as error:
            cells.problem(str(error))
            return None, None
        try:
            value = reader(typed)
        except read.CellError:
            return None, Flag(SOFT_REASONS[column], typed)
        if column == "birthday" and value > self.today:
            return None, Flag("in_future", typed)
        return value, None

    def _find_owners(self, emails: set[str]) -> None:
        """Look up the owners' user ids not seen in earlier chunks (one query)."""
        unknown = emails - set(self.owners)
        found = fetch_by_key([User.id], User.email, unknown)
        self.owners.update({email: row.id for email, row in found.items()})

    def write(self, progress: Progress) -> None:
        """Add and update customers chunk by chunk; the customer hooks run for each one.

        Each customer's phone is read in their country (new phone or country only): kept
        unverified when it cannot be verified. Issues are then replaced in bulk per chunk."""
        progress.phase("Writing customers", len(self.pending))
        for part in chunks(self.pending):
            customers = load_by_id(
                Customer, [item.existing_id for item in part if item.existing_id]
            )
            created: list[tuple[Pending, Customer, dict[str, Flag | None]]] = []
            updated: list[tuple[Pending, Customer, dict[str, tuple[Any, Any]]]] = []
            wanted: dict[int, dict[str, Flag | None]] = {}
            kept: list[tuple[Pending, Customer]] = []
            for item in part:
                soft = dict(self.soft.get(item.line, {}))
                if item.existing_id is None:
                    customer = self._new_customer(item.fields)
                    soft["phone"] = self._read_phone(customer)
                    created.append((item, customer, soft))
                    continue
                customer = customers[item.existing_id]
                changes = apply_fields(customer, item.fields)
                if "phone" in changes or "country" in changes:
                    soft["phone"] = self._read_phone(customer)
                if soft:
                    wanted[customer.id] = soft
                if changes:
                    updated.append((item, customer, changes))
                else:
                    kept.append((item, customer))
            db.session.add_all([customer for _, customer, _ in created])
            db.session.flush()
            for _, customer, soft in created:
                flags: dict[str, Flag | None] = {
                    field: flag for field, flag in soft.items() if flag is not None
                }
                if flags:
                    wanted[customer.id] = flags
            touched = replace_flags(wanted)
            for item, customer, _ in created:
                self._note_flags(item.line, customer, wanted.get(customer.id, {}))
                run_hook("customer_created", customer=customer, user=None)
            for item, customer, changes in updated:
                self._note_flags(item.line, customer, wanted.get(customer.id, {}))
                run_hook("customer_updated", customer=customer, changes=changes, user=None)
            for item, customer in kept:
                self._note_flags(item.line, customer, wanted.get(customer.id, {}))
                # Only what was flagged changed (a new typed e-mail, a fixed birthday).
                if customer.id in touched:
                    self.changed += 1
                else:
                    self.unchanged += 1
            self.added += len(created)
            self.changed += len(updated)
            progress.advance(len(part))
        self.unchanged += len(self.skipped)

    def _note_flags(self, line: int, customer: Customer, flags: dict[str, Flag | None]) -> None:
        """Remember what this row keeps as typed, for the summary ("line 4: phone ... kept")."""
        notes = [
            f"{field} '{flag.value}' kept as typed, to check: "
            + describe(field, flag.reason, flag.value, customer.country or self.region)
            for field, flag in flags.items()
            if flag is not None
        ]
        if notes:
            self.flagged[line] = notes

    def _new_customer(self, fields: dict[str, Any]) -> Customer:
        """A Customer with the row's fields (its phone is read by _read_phone)."""
        customer = Customer(**fields)
        customer.phone = customer.phone or ""
        customer.country = customer.country or ""
        if customer.created_at is not None:
            customer.updated_at = customer.created_at
        return customer

    def _read_phone(self, customer: Customer) -> Flag | None:
        """Set the lookup value (E.164, or the digits of an unverified number); the flag if any.

        Read in the customer's country, else the company's region."""
        customer.phone_normalized, flag = phone_flag(
            customer.phone or "", customer.country or self.region
        )
        return flag


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
    "phone": partial(read.text, column="phone", max_length=40),
    "country": read.Outcomes(lambda value, column: _country(value), "country"),
    "region": partial(read.text, column="region", max_length=100),
    "city": partial(read.text, column="city", max_length=100),
    "channel": partial(read.text, column="channel", max_length=50),
    "owner_email": partial(read.email, column="owner_email"),
    "tags": _tags,
    "created_at": partial(read.moment, column="created_at"),
}

#: Soft cells: a text that cannot be read is kept as typed and flagged, not refused.
SOFT_READERS: dict[str, Callable[[str], Any]] = {
    "email": partial(read.email, column="email"),
    "birthday": partial(read.day, column="birthday"),
}
#: The reason a soft cell that cannot be read is flagged with.
SOFT_REASONS = {"email": "not_address", "birthday": "not_date"}

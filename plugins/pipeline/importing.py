"""`clientele pipeline import FILE`: deals from a CSV or xlsx file, all or nothing.

Columns, exactly: external_id, title, customer_external_id, owner_email, product_sku, stage,
opened_on, closed_on, amount, lost_reason. The file is checked completely first; any bad row
stops the import, every problem is reported with its line number, and nothing is written.
A row whose external_id is already known updates that deal (a changed stage is a move in
its history), so importing the same file twice changes nothing the second time.

For an open deal customer_external_id (a prospect), product_sku, opened_on and amount may be
empty; a won or lost deal needs opened_on, closed_on and amount, a won deal also its
customer and product. A lost reason not yet in the list is added to it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from core import dates
from core.csvfiles import read_cell
from core.db import db
from core.models import Customer, Product, User
from core.validation import InputProblem, limit_of, parse_decimal, text_problem
from plugins.pipeline import deals
from plugins.pipeline import stages as stage_records
from plugins.pipeline.deals import DealInput, LineInput
from plugins.pipeline.models import Opportunity, Stage

HEADER = [
    "external_id",
    "title",
    "customer_external_id",
    "owner_email",
    "product_sku",
    "stage",
    "opened_on",
    "closed_on",
    "amount",
    "lost_reason",
]
MONEY_LIMIT = limit_of(14, 2)


class ImportProblem(Exception):
    """The file cannot be imported; ``lines`` say where and why."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("; ".join(lines))


@dataclass(frozen=True)
class DealRow:
    """One checked row."""

    line: int
    external_id: str
    title: str
    customer: Customer | None
    owner: User
    product: Product | None
    stage: Stage
    opened_on: dt.date | None
    closed_on: dt.date | None
    amount: Decimal | None
    lost_reason: str


@dataclass(frozen=True)
class ImportResult:
    """What the import did."""

    created: int
    updated: int
    unchanged: int
    reasons_added: list[str]


def read_rows(path: Path) -> list[list[str]]:
    """The file's rows as text cells: xlsx by its suffix, else CSV (UTF-8, a BOM allowed)."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise ImportProblem([f"{path.name} is not a readable xlsx file ({error})."]) from None
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_xlsx_text(value) for value in values])
        book.close()
        while rows and not any(rows[-1]):
            rows.pop()
        return rows
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportProblem([f"{path.name} is not UTF-8 text; save it as CSV UTF-8."]) from None
    return [[read_cell(cell) for cell in row] for row in csv.reader(io.StringIO(text))]


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _date(text: str, column: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dates.parse_date(text)
    except ValueError as error:
        raise InputProblem(f"{column}: {error}") from None


def check_rows(rows: list[list[str]]) -> list[DealRow]:
    """Every row checked against the database; ImportProblem lists each bad line."""
    if not rows:
        raise ImportProblem(["The file is empty; its first row must be: " + ", ".join(HEADER)])
    header = [cell.strip().lower() for cell in rows[0]]
    while header and not header[-1]:
        header.pop()
    if header != HEADER:
        raise ImportProblem(
            [
                f"Line 1: the columns must be exactly: {', '.join(HEADER)} (found: {', '.join(header)})."
            ]
        )
    body = [
        (number, row) for number, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)
    ]
    cells = [[cell.strip() for cell in row] + [""] * (len(HEADER) - len(row)) for _, row in body]
    customers = _by_key(Customer, Customer.external_id, {row[2] for row in cells if row[2]})
    owners = {
        user.email.lower(): user
        for user in db.session.scalars(
            select(User).where(
                func.lower(User.email).in_({row[3].lower() for row in cells if row[3]})
            )
        )
    }
    products = _by_key(Product, Product.sku, {row[4] for row in cells if row[4]})
    problems: list[str] = []
    checked: list[DealRow] = []
    seen: dict[str, int] = {}
    for (line, raw), row in zip(body, cells, strict=True):
        try:
            if len(raw) > len(HEADER) and any(cell.strip() for cell in raw[len(HEADER) :]):
                raise InputProblem(f"more cells than the {len(HEADER)} columns")
            checked.append(_check_row(line, row, customers, owners, products, seen))
        except InputProblem as problem:
            problems.append(f"Line {line}: {problem}")
    if problems:
        raise ImportProblem(problems)
    return checked


def _by_key(model: type, column: Any, keys: set[str]) -> dict[str, object]:
    if not keys:
        return {}
    key = str(column.key)
    found: list[object] = list(db.session.scalars(select(model).where(column.in_(keys))))
    return {getattr(item, key): item for item in found}


def _check_row(
    line: int,
    row: list[str],
    customers: dict[str, object],
    owners: dict[str, User],
    products: dict[str, object],
    seen: dict[str, int],
) -> DealRow:
    (
        external_id,
        title,
        customer_key,
        owner_email,
        sku,
        stage_name,
        opened,
        closed,
        amount_text,
        reason,
    ) = row[: len(HEADER)]
    for column, value in zip(HEADER, row, strict=False):
        problem = text_problem(value)
        if problem:
            raise InputProblem(f"{column}: {problem}")
    if not external_id:
        raise InputProblem("external_id is empty")
    if len(external_id) > 64:
        raise InputProblem("external_id is longer than 64 characters")
    if external_id in seen:
        raise InputProblem(f"external_id {external_id} is already on line {seen[external_id]}")
    seen[external_id] = line
    if not title:
        raise InputProblem("title is empty")
    if len(title) > 200:
        raise InputProblem("title is longer than 200 characters")
    customer = None
    if customer_key:
        customer = customers.get(customer_key)
        if customer is None:
            raise InputProblem(f"no customer has external_id {customer_key}")
    if not owner_email:
        raise InputProblem("owner_email is empty")
    owner = owners.get(owner_email.lower())
    if owner is None:
        raise InputProblem(f"no user has the e-mail {owner_email}")
    product = None
    if sku:
        product = products.get(sku)
        if product is None:
            raise InputProblem(f"no product has the SKU {sku}")
    if not stage_name:
        raise InputProblem("stage is empty")
    stage = stage_records.stage_by_name(stage_name)
    if stage is None:
        names = ", ".join(stage.name for stage in stage_records.all_stages())
        raise InputProblem(f"unknown stage '{stage_name}' (the stages are: {names})")
    if not stage.active:
        raise InputProblem(f"the stage {stage.name} is no longer used (see the stages page)")
    opened_on = _date(opened, "opened_on")
    closed_on = _date(closed, "closed_on")
    amount = None
    if amount_text:
        try:
            amount = parse_decimal(amount_text, places=2, limit=MONEY_LIMIT, thousands=True)
        except InputProblem as problem:
            raise InputProblem(f"amount: {problem}") from None
    if stage.kind == "open":
        if closed_on is not None:
            raise InputProblem(f"closed_on must be empty for a deal in the open stage {stage.name}")
        if reason:
            raise InputProblem("lost_reason is only for a lost deal")
    else:
        missing = [
            column
            for column, value in (
                ("opened_on", opened_on),
                ("closed_on", closed_on),
                ("amount", amount),
            )
            if value is None
        ]
        if stage.kind == "won":
            missing += [
                column
                for column, value in (("customer_external_id", customer), ("product_sku", product))
                if value is None
            ]
        if missing:
            raise InputProblem(f"a {stage.kind} deal needs {', '.join(missing)}")
        if stage.kind == "won" and reason:
            raise InputProblem("lost_reason is only for a lost deal")
        if stage.kind == "lost" and not reason:
            raise InputProblem("a lost deal needs its lost_reason")
    if opened_on and closed_on and closed_on < opened_on:
        raise InputProblem("closed_on is before opened_on")
    if len(reason) > 100:
        raise InputProblem("lost_reason is longer than 100 characters")
    return DealRow(
        line,
        external_id,
        title,
        customer,  # type: ignore[arg-type]
        owner,
        product,  # type: ignore[arg-type]
        stage,
        opened_on,
        closed_on,
        amount,
        reason,
    )


def import_file(path: Path, by: User | None = None) -> ImportResult:
    """Check the whole file, then write it (the caller commits; nothing is written on a problem)."""
    return import_rows(read_rows(path), by)


def import_rows(rows: list[list[str]], by: User | None = None) -> ImportResult:
    """Check every row, then create or update the deals."""
    checked = check_rows(rows)
    known = {
        deal.external_id: deal
        for deal in db.session.scalars(
            select(Opportunity).where(
                Opportunity.external_id.in_([row.external_id for row in checked])
            )
        )
    }
    created = updated = unchanged = 0
    reasons_added: list[str] = []
    for row in checked:
        reason = None
        if row.stage.kind == "lost":
            reason = stage_records.reason_named(row.lost_reason)
            if reason is None:
                reason = stage_records.reason_named(row.lost_reason, create=True)
                reasons_added.append(row.lost_reason)
        data = DealInput(
            title=row.title,
            owner=row.owner,
            customer=row.customer,
            prospect_name="" if row.customer else row.title,
            amount=row.amount,
            lines=[LineInput(row.product, Decimal("1"), row.amount or Decimal("0"))]
            if row.product
            else [],
        )
        when = row.closed_on or row.opened_on
        at = dates.company_midnight(when) if when else None
        deal = known.get(row.external_id)
        if deal is None:
            deal = deals.open_deal(
                data,
                by,
                stage=row.stage,
                opened_on=row.opened_on,
                external_id=row.external_id,
                at=at,
            )
            _close(deal, row, reason)
            created += 1
            continue
        before = _facts(deal)
        deals.update_deal(deal, data)
        if row.opened_on is not None:
            deal.opened_on = row.opened_on
        if deal.stage_id != row.stage.id:
            deals.move(deal, row.stage, by, lost_reason=reason, at=at, note="import")
        _close(deal, row, reason)
        if _facts(deal) == before:
            unchanged += 1
        else:
            updated += 1
    db.session.flush()
    return ImportResult(created, updated, unchanged, reasons_added)


def _close(deal: Opportunity, row: DealRow, reason: object) -> None:
    """The close date and lost reason exactly as the file says."""
    deal.closed_on = row.closed_on
    if row.stage.kind == "lost":
        deal.lost_reason = reason  # type: ignore[assignment]
    db.session.flush()


def _facts(deal: Opportunity) -> tuple[object, ...]:
    return (
        deal.title,
        deal.customer_id,
        deal.owner_id,
        deal.stage_id,
        deal.opened_on,
        deal.closed_on,
        deal.amount,
        deal.lost_reason_id,
        tuple((line.product_id, line.quantity, line.unit_price) for line in deal.lines),
    )

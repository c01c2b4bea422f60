"""Helpers the core's views (and plugin views) share: paging, sorting, badges, 404s."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from flask import abort, current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from core.auth import acting_user
from core.db import db
from core.models import Customer
from core.plugins import Badge, display_hook
from core.validation import parse_id

T = TypeVar("T")
BadgeResults = dict[int, list[tuple[str, list[Badge] | str]]]


def get_or_404(model: type[T], identifier: Any) -> T:
    """The row with this primary key, or a 404 page (also for ids that are not numbers).

    Ids outside 1 … 2^31 − 1 (what an INTEGER key holds on PostgreSQL) are a 404 on every
    database without asking it (core.validation.parse_id).
    """
    key = parse_id(identifier)
    if key is None:
        abort(404)
    row = db.session.get(model, key)
    if row is None:
        abort(404)
    return row


def int_arg(name: str, default: int | None = None) -> int | None:
    """An id-sized integer query argument; text that is not a number counts as missing.

    A number past 2^31 − 1 (or 0) is no id of any row: the page answers 404, the same on
    SQLite and PostgreSQL, instead of a database error.
    """
    value = request.args.get(name, "")
    if not (value.isascii() and value.isdigit()):
        return default
    number = parse_id(value)
    if number is None and value.strip("0") != "":
        abort(404)
    return number if number is not None else default


def paginate(statement: Select[Any], per_page: int | None = None) -> Pagination:
    """One page of the statement's rows (?page=N), with the total; pages past the end are empty."""
    size = per_page or current_app.config["CLIENTELE"]["page_size"]
    return db.paginate(
        statement,
        page=int_arg("page", 1) or 1,
        per_page=size,
        max_per_page=200,
        error_out=False,
        count=True,
    )


def sorting(
    columns: dict[str, Any], default: str, default_dir: str = "asc"
) -> tuple[str, str, Any]:
    """(key, direction, order_by clause) from ?sort=&dir=, falling back to the default for unknown keys."""
    key = request.args.get("sort", default)
    if key not in columns:
        key = default
    direction = request.args.get("dir", default_dir)
    if direction not in ("asc", "desc"):
        direction = default_dir
    column = columns[key]
    return key, direction, column.desc() if direction == "desc" else column.asc()


def badge_results(customers: Sequence[Customer]) -> BadgeResults:
    """Every plugin's badges for a page of customers: {id: [(plugin, [Badge] or error text)]}."""
    results: BadgeResults = {customer.id: [] for customer in customers}
    if not customers:
        return results
    for result in display_hook("customer_badges", customers=list(customers), user=acting_user()):
        if result.error:
            for customer in customers:
                results[customer.id].append((result.plugin, result.error))
            continue
        for customer_id, badges in (result.value or {}).items():
            if customer_id in results and badges:
                results[customer_id].append((result.plugin, list(badges)))
    return results

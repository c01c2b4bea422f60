"""Helpers the core's views (and plugin views) share: the POST unit of work, paging, sorting,
badges, 404s."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import abort, current_app, flash, request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select

from core.auth import acting_user
from core.db import db
from core.forms import ActionForm
from core.i18n import _
from core.models import Customer
from core.plugins import Badge, PluginError, display_hook
from core.validation import parse_id

T = TypeVar("T")
BadgeResults = dict[int, list[tuple[str, list[Badge] | str]]]


class Saved:
    """What a `saving` block came to: true when its changes were committed."""

    def __init__(self) -> None:
        self.committed = False

    def __bool__(self) -> bool:
        return self.committed


@contextmanager
def saving(failure: str, *expected: type[Exception]) -> Iterator[Saved]:
    """The unit of work of one POST: commit when the block ends, or undo all of it and say why.

    ``failure`` is what the user reads before the reason ("Nothing changed"). A PluginError
    (a hook inside the transaction refused) and the ``expected`` errors of the action roll the
    whole session back and flash "<failure>: <reason>"; any other error is a bug and goes up
    unchanged. The block's value is true only once the commit went through, so the view flashes
    success and redirects after it::

        with saving(_("Nothing changed"), OrderError) as saved:
            order_service.confirm(order)
        if saved:
            flash(...)
    """
    saved = Saved()
    refusals: tuple[type[Exception], ...] = (PluginError, *expected)
    try:
        yield saved
        db.session.commit()
    except refusals as error:
        db.session.rollback()
        flash(_("%(failure)s: %(reason)s", failure=failure, reason=error), "error")
    else:
        saved.committed = True


def action_form_expired() -> bool:
    """True, after telling the user, when a button's POST has no valid CSRF token (nothing is done)."""
    if ActionForm().validate_on_submit():
        return False
    flash(_("The form expired; try again."), "error")
    return True


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


class RowPagination(SelectPagination):
    """A page of a SELECT's rows (all columns, not only the first), e.g. grouped report rows."""

    def _query_items(self) -> list[Any]:
        """The page's rows, every column."""
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


class ListPagination(Pagination):
    """A page of a list already in memory (e.g. one statement per salesperson of a month)."""

    def _query_items(self) -> list[Any]:
        """The page's slice of the list."""
        items: Sequence[Any] = self._query_args["items"]
        return list(items[self._query_offset : self._query_offset + self.per_page])

    def _query_count(self) -> int:
        """How many items the whole list has."""
        return len(self._query_args["items"])


def _page_arguments(per_page: int | None) -> dict[str, Any]:
    """?page=N and the page size (the company's page_size unless given), as Flask-SQLAlchemy
    expects them; pages past the end are empty, never an error."""
    return {
        "page": int_arg("page", 1) or 1,
        "per_page": per_page or current_app.config["CLIENTELE"]["page_size"],
        "max_per_page": 200,
        "error_out": False,
        "count": True,
    }


def paginate(statement: Select[Any], per_page: int | None = None) -> Pagination:
    """One page of the statement's first column (model rows), with the total."""
    return db.paginate(statement, **_page_arguments(per_page))


def paginate_rows(statement: Select[Any], per_page: int | None = None) -> RowPagination:
    """One page of a SELECT's rows (every column), with the total: two queries."""
    return RowPagination(select=statement, session=db.session, **_page_arguments(per_page))


def paginate_list(items: Sequence[Any], per_page: int | None = None) -> ListPagination:
    """One page of a list already in memory."""
    return ListPagination(items=items, **_page_arguments(per_page))


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

"""Pages of rows that are not one model (grouped rows, or a short list already in memory),
shaped like Flask-SQLAlchemy's pagination so the core's pagination macro shows them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select

from core.db import db
from core.views.common import int_arg


class RowPagination(SelectPagination):
    """A page of a SELECT's rows (all columns, not only the first)."""

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
    """page and per_page from the request and the config, as Flask-SQLAlchemy expects them."""
    return {
        "page": int_arg("page", 1) or 1,
        "per_page": per_page or current_app.config["CLIENTELE"]["page_size"],
        "max_per_page": 200,
        "error_out": False,
        "count": True,
    }


def paginate_rows(statement: Select[Any], per_page: int | None = None) -> RowPagination:
    """One page (?page=N) of a SELECT's rows, with the total."""
    return RowPagination(select=statement, session=db.session, **_page_arguments(per_page))


def paginate_list(items: Sequence[Any], per_page: int | None = None) -> ListPagination:
    """One page (?page=N) of a list."""
    return ListPagination(items=items, **_page_arguments(per_page))

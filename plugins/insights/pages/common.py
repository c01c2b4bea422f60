"""What the report pages share: the period and segment of the request, sorting, pages, exports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response, abort, request
from sqlalchemy import Select

from core.csvfiles import csv_download, xlsx_download
from core.dates import add_months, today
from core.i18n import _
from core.plugins import hook
from core.views.common import ListPagination, RowPagination, paginate_list, paginate_rows
from plugins.insights import reports, settings

EXPORTS = ("csv", "xlsx")


def rows_page(statement: Select[Any]) -> RowPagination:
    """A page of the statement's rows, settings.page_size a page."""
    return paginate_rows(statement, settings.current().page_size)


def page_of(rows: Sequence[Any]) -> ListPagination:
    """A page of rows already in memory, settings.page_size a page."""
    return paginate_list(rows, settings.current().page_size)


@dataclass(frozen=True)
class Choices:
    """The period and segment a report page shows, as typed, with what is wrong with them."""

    first: str
    last: str
    when: reports.Period | None
    error: str
    segments: list[tuple[str, str]]
    segment: str
    customers: Select[Any] | None
    segment_error: str


def _default_period() -> tuple[str, str]:
    """The configured number of months ending with the current one."""
    now = today().replace(day=1)
    start = add_months(now, 1 - settings.current().default_months)
    return start.strftime("%Y-%m"), now.strftime("%Y-%m")


def choices() -> Choices:
    """?from=YYYY-MM&to=YYYY-MM&segment=KEY of the request (one hook call for the segments)."""
    default_first, default_last = _default_period()
    first = request.args.get("from", "").strip() or default_first
    last = request.args.get("to", "").strip() or default_last
    when, error = None, ""
    try:
        when = reports.period(first, last)
    except reports.ReportError as problem:
        error = str(problem)
    offered: dict[str, tuple[str, Callable[[], Select[Any]]]] = {}
    for answer in hook().insights_segments():
        for item in answer or []:
            offered[str(item["key"])] = (str(item["label"]), item["customers"])
    segment = request.args.get("segment", "").strip()
    customers, segment_error = None, ""
    if segment and segment not in offered:
        segment_error = _("There is no such segment (it may have been deleted).")
    elif segment:
        try:
            customers = offered[segment][1]()
        except ValueError as problem:
            segment_error = _("This segment cannot be used right now: %(problem)s", problem=problem)
    return Choices(
        first,
        last,
        when,
        error,
        [(key, label) for key, (label, _) in offered.items()],
        segment,
        customers,
        segment_error,
    )


def sort_rows(
    rows: list[dict[str, Any]], columns: Sequence[str], default: str, default_dir: str = "desc"
) -> tuple[list[dict[str, Any]], str, str]:
    """The rows sorted by ?sort= (one of columns) and ?dir=; None sorts first."""
    key = request.args.get("sort", default)
    key = key if key in columns else default
    direction = request.args.get("dir", default_dir)
    direction = direction if direction in ("asc", "desc") else default_dir

    def value(row: dict[str, Any]) -> tuple[int, Any]:
        item = row.get(key)
        return (0, "") if item is None else (1, item)

    return sorted(rows, key=value, reverse=direction == "desc"), key, direction


def export_format() -> str | None:
    """csv or xlsx from ?export=, None for the page; 404 for anything else."""
    wanted = request.args.get("export", "")
    if not wanted:
        return None
    if wanted not in EXPORTS:
        abort(404)
    return wanted


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return value


def export(
    kind: str, name: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]
) -> Response:
    """The rows as a CSV or xlsx download: amounts exact, as many places as the report shows."""
    cells = ([_cell(row.get(column)) for column in columns] for row in rows)
    if kind == "csv":
        return csv_download(f"{name}.csv", columns, cells)
    return xlsx_download(f"{name}.xlsx", columns, cells)

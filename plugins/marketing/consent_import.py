"""Importing consent evidence from a CSV file (paper forms, a previous system): source "import".

Columns, exactly: external_id, topic, status, at, note. ``topic`` is a configured topic or
"all"; ``status`` is "in" or "out"; ``at`` (optional) is when the customer said so, as
YYYY-MM-DD or YYYY-MM-DDTHH:MM in the company's time zone (empty: now). The file is
checked completely first; any bad row stops the import and nothing is written. A row that
repeats the customer's current choice records nothing, so importing a file twice is harmless.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from core import dates
from core.db import db
from core.i18n import _
from core.models import Customer
from plugins.marketing.consent import record_consent
from plugins.marketing.models import ALL_TOPICS

HEADER = ["external_id", "topic", "status", "at", "note"]


class ImportProblem(Exception):
    """The file cannot be imported; ``lines`` say where and why."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("; ".join(lines))


@dataclass(frozen=True)
class ConsentRow:
    """One checked row of the file."""

    line: int
    external_id: str
    topic: str
    opted_in: bool
    at: dt.datetime | None
    note: str


def _moment(text: str) -> dt.datetime | None:
    """A company-time date or date-time → naive UTC; None when empty; ValueError otherwise."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("'%(text)s' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)", text=text)
        ) from None
    return dates.from_company_time(value)


def _check_row(line: int, row: dict[str, str], topics: Sequence[str]) -> ConsentRow:
    """A ConsentRow, or ValueError saying what is wrong."""
    external_id = (row.get("external_id") or "").strip()
    topic = (row.get("topic") or "").strip().lower()
    status = (row.get("status") or "").strip().lower()
    if not external_id:
        raise ValueError(_("external_id is empty"))
    if topic != ALL_TOPICS and topic not in topics:
        raise ValueError(
            _(
                "topic '%(topic)s' is not one of %(topics)s",
                topic=topic,
                topics=", ".join([*topics, ALL_TOPICS]),
            )
        )
    if status not in ("in", "out"):
        raise ValueError(_("status must be 'in' or 'out', not '%(status)s'", status=status))
    at = _moment((row.get("at") or "").strip())
    return ConsentRow(line, external_id, topic, status == "in", at, (row.get("note") or "").strip())


def read_rows(path: Path, topics: Sequence[str]) -> list[ConsentRow]:
    """Every row of the file, checked; ImportProblem lists every bad line."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != HEADER:
            raise ImportProblem(
                [_("Line 1: the columns must be exactly %(columns)s.", columns=",".join(HEADER))]
            )
        rows, problems = [], []
        for line, row in enumerate(reader, start=2):
            try:
                rows.append(_check_row(line, row, topics))
            except ValueError as error:
                problems.append(_("Line %(line)s: %(error)s.", line=line, error=error))
    if problems:
        raise ImportProblem(problems)
    return rows


def import_consent(path: Path, topics: Sequence[str]) -> tuple[int, int]:
    """Record the file's consent changes (not committed); (changes recorded, rows already so)."""
    rows = read_rows(path, topics)
    wanted = {row.external_id for row in rows}
    customers = {
        customer.external_id: customer
        for customer in db.session.scalars(select(Customer).where(Customer.external_id.in_(wanted)))
    }
    missing = [
        _(
            "Line %(line)s: no customer has external_id '%(id)s'.",
            line=row.line,
            id=row.external_id,
        )
        for row in rows
        if row.external_id not in customers
    ]
    if missing:
        raise ImportProblem(missing)
    changed = 0
    for row in rows:
        note = row.note or f"Imported from {path.name}."
        event = record_consent(
            customers[row.external_id],
            row.topic,
            row.opted_in,
            "import",
            topics,
            note=note,
            at=row.at,
        )
        changed += event is not None
    return changed, len(rows) - changed

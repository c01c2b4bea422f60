"""Reading one cell of an import file: each function returns the value or raises CellError.

Messages name the column and quote the cell, e.g. "discount '15' is not a fraction between
0 and 1 (write 0.15 for 15 %)"; the importer puts "line N: " in front. An empty cell means
"unknown": the functions return None for it and the importer decides what unknown means.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from email_validator import EmailNotValidError, validate_email

from core.validation import text_problem

#: Plain numbers, optionally with thousands separators: "1234.5", "1,234.50", "-3", ".5".
NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MOMENT = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0"})

#: Largest amounts the columns hold: Numeric(14, 2) money and Numeric(12, 3) quantities.
MONEY_LIMIT = Decimal("1000000000000")
QUANTITY_LIMIT = Decimal("1000000000")


class CellError(ValueError):
    """A cell cannot be used; the message says which column, what was there and why."""


def refuse_control_characters(value: str, column: str) -> None:
    """CellError when the cell holds a NUL or another control character (no column stores them)."""
    if text_problem(value):
        raise CellError(f"{column} contains a control character (such as NUL)")


def text(value: str, column: str, max_length: int, required: bool = False) -> str | None:
    """A trimmed text cell no longer than max_length; None when empty (CellError if required)."""
    value = value.strip()
    if not value:
        if required:
            raise CellError(f"{column} is empty")
        return None
    if len(value) > max_length:
        raise CellError(f"{column} is longer than {max_length} characters")
    return value


def _decimal(value: str, column: str) -> Decimal:
    """A number cell as an exact Decimal; commas only as thousands separators."""
    cleaned = value.replace(" ", "")
    if not NUMBER.match(cleaned) or not any(char.isdigit() for char in cleaned):
        hint = " (use a point for decimals: 1.5)" if "," in cleaned else ""
        raise CellError(f"{column} '{value}' is not a number{hint}")
    try:
        number = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:
        raise CellError(f"{column} '{value}' is not a number") from None
    return abs(number) if number.is_zero() else number


def money(value: str, column: str) -> Decimal | None:
    """An amount of at most two decimals, not negative; None when empty."""
    value = value.strip()
    if not value:
        return None
    amount = _decimal(value, column)
    if amount < 0:
        raise CellError(f"{column} '{value}' is negative")
    if amount >= MONEY_LIMIT:
        raise CellError(f"{column} '{value}' is too large")
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError(f"{column} '{value}' has more than two decimals")
    return amount.quantize(Decimal("0.01"))


def quantity(value: str, column: str) -> Decimal | None:
    """A quantity above 0 with at most three decimals; None when empty."""
    value = value.strip()
    if not value:
        return None
    amount = _decimal(value, column)
    if amount <= 0:
        raise CellError(f"{column} '{value}' must be more than 0")
    if amount >= QUANTITY_LIMIT:
        raise CellError(f"{column} '{value}' is too large")
    if amount != amount.quantize(Decimal("0.001")):
        raise CellError(f"{column} '{value}' has more than three decimals")
    return amount.quantize(Decimal("0.001"))


def fraction(value: str, column: str) -> Decimal | None:
    """A fraction from 0 to 1 with at most four decimals (0.15 = 15 %); None when empty."""
    value = value.strip()
    if not value:
        return None
    problem = f"{column} '{value}' is not a fraction between 0 and 1 (write 0.15 for 15 %)"
    if value.endswith("%"):
        raise CellError(problem)
    amount = _decimal(value, column)
    if not Decimal(0) <= amount <= 1:
        raise CellError(problem)
    if amount != amount.quantize(Decimal("0.0001")):
        raise CellError(f"{column} '{value}' has more than four decimals")
    return amount.quantize(Decimal("0.0001"))


def day(value: str, column: str) -> dt.date | None:
    """A date written YYYY-MM-DD; None when empty."""
    value = value.strip()
    if not value:
        return None
    try:
        if not DATE.match(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CellError(f"{column} '{value}' is not a date (write YYYY-MM-DD)") from None


def moment(value: str, column: str) -> dt.datetime | None:
    """A date or date and time ("2025-03-01", "2025-03-01 14:30:00"), as naive UTC; None when empty."""
    value = value.strip()
    if not value:
        return None
    try:
        if not MOMENT.match(value):
            raise ValueError
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CellError(
            f"{column} '{value}' is not a date and time (write YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)"
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def flag(value: str, column: str) -> bool | None:
    """true/false, yes/no, 1/0 (any case); None when empty."""
    word = value.strip().lower()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(f"{column} '{value.strip()}' is not true or false")


def email(value: str, column: str) -> str | None:
    """A syntactically valid e-mail address, lowercased; None when empty."""
    value = value.strip()
    if not value:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise CellError(f"{column} '{value}' is not an e-mail address ({error})") from None


def choice(value: str, column: str, choices: tuple[str, ...]) -> str | None:
    """One of the allowed words (case-insensitive); None when empty."""
    word = value.strip().lower()
    if not word:
        return None
    if word not in choices:
        raise CellError(f"{column} '{value.strip()}' is not one of {', '.join(choices)}")
    return word


class Problem:
    """Why a cell cannot be used: what Outcomes holds instead of a value."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class Outcomes(dict[str, Any]):
    """The outcome of a cell reader per distinct text: outcomes[text] is the value or a Problem.

    Import files repeat the same prices, quantities, skus, dates and statuses on many rows, so
    each distinct text is read once and later rows cost one dictionary lookup (the bulk path
    depends on it). Sharing one Decimal between rows also keeps large imports small.
    """

    #: Distinct texts remembered per column at most (a column of unique values stops filling it).
    LIMIT = 50_000

    def __init__(self, reader: Callable[..., Any], column: str, *arguments: Any) -> None:
        super().__init__()
        self.reader = reader
        self.column = column
        self.arguments = arguments

    def __missing__(self, text: str) -> Any:
        """Read a text not seen before and remember its outcome."""
        try:
            refuse_control_characters(text, self.column)
            outcome = self.reader(text, self.column, *self.arguments)
        except CellError as error:
            outcome = Problem(str(error))
        if len(self) < self.LIMIT:
            self[text] = outcome
        return outcome

    def __call__(self, text: str) -> Any:
        """The value for this text, or CellError (so it works as a reader too)."""
        outcome = self[text]
        if isinstance(outcome, Problem):
            raise CellError(outcome.message)
        return outcome

"""The money rules every part of Clientele computes with (restated with examples in docs/money.md).

For an order line:
    net    = round(quantity × unit_price × (1 − discount))
    cost   = round(quantity × unit_cost)
    profit = net − cost
round is to the cent, half up. Margin is profit / net, exact, and None when net is 0.
Totals are sums of the rounded line figures; the margin of a group is its total profit
over its total net, never an average of line margins.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def round_money(amount: Decimal) -> Decimal:
    """Round to the cent, half up (away from zero for negative amounts: −0.005 → −0.01)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def from_cents(cents: int | Decimal | None) -> Decimal:
    """Whole cents (as SQL sums return them) → a two-place amount: 12345 → 123.45; None → 0.00."""
    return (Decimal(int(cents or 0)) * CENT).quantize(CENT)


def to_cents(amount: Decimal) -> int:
    """An amount → whole cents, a third decimal rounded half up as everywhere: 1.005 → 101."""
    return int(round_money(amount) * 100)


def round_percent(value: Decimal, places: int = 2) -> Decimal:
    """A percentage rounded half up to places (the one rule for percentages): 12.345 → 12.35."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(part: Decimal | int, whole: Decimal | int, places: int = 2) -> Decimal | None:
    """part / whole × 100, rounded half up: 2,469 of 20,000 → 12.35; None when whole is 0."""
    if not whole:
        return None
    return round_percent(Decimal(part) * HUNDRED / Decimal(whole), places)


def line_net(quantity: Decimal, unit_price: Decimal, discount: Decimal = ZERO) -> Decimal:
    """round(quantity × unit_price × (1 − discount))."""
    return round_money(quantity * unit_price * (1 - discount))


def line_cost(quantity: Decimal, unit_cost: Decimal) -> Decimal:
    """round(quantity × unit_cost)."""
    return round_money(quantity * unit_cost)


def margin(profit: Decimal, net: Decimal) -> Decimal | None:
    """profit / net, exact (not rounded); None when net is 0."""
    if not net:
        return None
    return profit / net


def total(amounts: Iterable[Decimal]) -> Decimal:
    """Sum of already rounded amounts, as a two-place Decimal."""
    return sum(amounts, ZERO)


def parse_money(text: str) -> Decimal:
    """Read a typed amount ("1,234.50", "12.3") as a two-place Decimal; ValueError if it is not one."""
    cleaned = text.strip().replace(",", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount") from None
    if not value.is_finite():
        raise ValueError(f"'{text}' is not an amount")
    if value != value.quantize(CENT):
        raise ValueError(f"'{text}' has more than two decimals")
    return value.quantize(CENT)


def format_money(amount: Decimal | None, currency: str = "") -> str:
    """1234.5 → "1,234.50" (with the currency code after it when given); None → "–"."""
    if amount is None:
        return "–"
    text = f"{amount:,.2f}"
    return f"{text} {currency}" if currency else text


def format_quantity(quantity: Decimal | None) -> str:
    """A quantity as a person writes it: 10 → "10", 0.5 → "0.5", 1.250 → "1.25"; None → "–".

    Exact (never rounded, never an exponent such as "1E+1"), trailing zeros after the point
    dropped, no thousands separator, so the text reads back as the same number (CSV, forms).
    """
    if quantity is None:
        return "–"
    text = format(quantity, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_percent(fraction: Decimal | None, places: int = 1) -> str:
    """0.4123 → "41.2 %", 0.1225 → "12.3 %" (half up, as round_percent); None → "–"."""
    if fraction is None:
        return "–"
    return f"{round_percent(Decimal(fraction) * HUNDRED, places)} %"

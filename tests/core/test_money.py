"""The money rules of DESIGN.md section 4, with figures worked out by hand."""

from decimal import Decimal as D

import pytest

from core.money import (
    format_money,
    format_percent,
    format_quantity,
    from_cents,
    line_cost,
    line_net,
    margin,
    parse_money,
    percent,
    round_money,
    round_percent,
    to_cents,
)


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "expected"),
    [
        ("3", "10.10", "0.15", "25.76"),  # 3 × 10.10 × 0.85 = 25.755 → half up → 25.76
        ("1", "2.675", "0", "2.68"),  # the float trap: 2.675 is 2.67499… as a float, exact here
        ("7", "0.35", "0.10", "2.21"),  # 7 × 0.35 × 0.9 = 2.205 → 2.21
        ("2.5", "4.00", "0", "10.00"),
        ("1", "9.99", "1", "0.00"),  # fully discounted
    ],
)
def test_line_net(quantity, price, discount, expected):
    assert line_net(D(quantity), D(price), D(discount)) == D(expected)


def test_line_cost_and_margin():
    net = line_net(D("3"), D("10.10"), D("0.15"))  # 25.76
    cost = line_cost(D("3"), D("6.005"))  # 18.015 → 18.02
    assert cost == D("18.02")
    assert net - cost == D("7.74")
    assert margin(D("7.74"), D("25.76")) == D("7.74") / D("25.76")  # exact, not rounded
    assert margin(D("5"), D("0")) is None


def test_group_margin_is_total_profit_over_total_net_not_an_average():
    lines = [(D("100.00"), D("50.00")), (D("10.00"), D("9.00"))]  # margins 50 % and 10 %
    net = sum(n for n, _ in lines)
    profit = sum(n - c for n, c in lines)
    assert margin(profit, net) == D("51") / D("110")  # 46.36 %, not (50 + 10) / 2 = 30 %


def test_negative_amounts_round_away_from_zero():
    assert round_money(D("-0.005")) == D("-0.01")
    assert round_money(D("-2.675")) == D("-2.68")


@pytest.mark.parametrize(
    ("text", "expected"), [("12.3", "12.30"), ("1,234.50", "1234.50"), (" 7 ", "7.00")]
)
def test_parse_money(text, expected):
    assert parse_money(text) == D(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [("12.345", "more than two decimals"), ("abc", "not an amount"), ("NaN", "not an amount")],
)
def test_parse_money_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        parse_money(text)


def test_formatting():
    assert format_money(D("1234.5")) == "1,234.50"
    assert format_money(D("-3"), "EUR") == "-3.00 EUR"
    assert format_money(None) == "–"
    assert format_percent(D("0.41234")) == "41.2 %"


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (D("10"), "10"),
        (D("10.000"), "10"),  # as the database hands it back (three places)
        (D("1E+1"), "10"),  # what Decimal.normalize() made of 10: never shown as an exponent
        (D("20.000"), "20"),
        (D("100.000"), "100"),
        (D("0.500"), "0.5"),
        (D("1.250"), "1.25"),
        (D("1250"), "1250"),  # no thousands separator: the text reads back as the number
        (D("0.001"), "0.001"),
        (D("0.000"), "0"),
        (None, "–"),
    ],
)
def test_format_quantity(quantity, expected):
    assert format_quantity(quantity) == expected


def test_cents_both_ways():
    assert from_cents(12345) == D("123.45")
    assert from_cents(None) == D("0.00")
    assert from_cents(-5) == D("-0.05")
    assert to_cents(D("123.45")) == 12345
    assert to_cents(D("1.005")) == 101  # a third decimal rounds half up, as every amount does


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (2469, 20000, D("12.35")),  # 12.345 % → half up → 12.35 (half even would say 12.34)
        (1, 3, D("33.33")),
        (2, 3, D("66.67")),
        (1, 8, D("12.50")),
        (0, 5, D("0.00")),
        (5, 5, D("100.00")),
    ],
)
def test_percent_rounds_half_up(part, whole, expected):
    assert percent(part, whole) == expected


def test_percent_of_nothing_is_none_and_places_can_be_fewer():
    assert percent(3, 0) is None
    assert percent(1, 8, places=0) == D("13")  # 12.5 → 13, where Python's round() gives 12
    assert round_percent(D("12.345")) == D("12.35")
    # Shown with one place: 12.25 % → 12.3 % (half up), where "%.1f" would show 12.2 %.
    assert format_percent(D("0.1225")) == "12.3 %"

"""Prospecting: new customers per month by channel, the least-squares trend and the seasonal forecast."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest

from core.dates import add_months
from plugins.insights import reports


def test_the_shop_quarter(shop):
    found = reports.prospecting(reports.period("2026-01", "2026-03"))
    # First counted orders: ann and ben in January, cat in February (dan in December 2025).
    assert found["totals"] == [2, 1, 0]
    assert found["channels"] == {"fair": [1, 0, 0], "web": [1, 1, 0]}
    # Least squares through (0, 2), (1, 1), (2, 0): exactly 2 − k; April would be −1, so 0.
    assert found["trend"] == [D("2.0"), D("1.0"), D("0.0")]
    assert found["forecast"][0] == {"month": "2026-04", "new_customers": D("0.0")}


@pytest.fixture
def year(make_customer, make_product, make_order):
    """One new customer a month from January 2025 to December 2025, three in January 2026."""
    product = make_product()
    start = dt.date(2025, 1, 1)
    for k in range(13):
        for number in range(3 if k == 12 else 1):
            customer = make_customer(channel="web" if k % 2 else "fair", name=f"C{k}-{number}")
            make_order(customer, None, [(product, 1)], add_months(start, k) + dt.timedelta(days=4))


def test_trend_and_seasonal_forecast_worked_by_hand(year):
    found = reports.prospecting(reports.period("2025-01", "2026-01"))
    assert found["totals"] == [1] * 12 + [3]
    # n = 13, Σx = 78, Σy = 15, Σxy = 66 + 36 = 102, Σx² = 650:
    # slope = (13·102 − 78·15) / (13·650 − 78²) = 156 / 2366 = 6/91, intercept = 69/91,
    # so trend(k) = (69 + 6k) / 91: 0.758… at k = 0, 141/91 = 1.549… at k = 12.
    assert found["trend"][0] == D("0.8") and found["trend"][12] == D("1.5")
    # February 2026 (k = 13): trend 147/91 × February's index (k = 1: 1 / (75/91)) = 147/75 = 1.96;
    # March: 153/91 × 91/81 = 1.888…; April: 159/91 × 91/87 = 1.827…
    assert found["forecast"] == [
        {"month": "2026-02", "new_customers": D("2.0")},
        {"month": "2026-03", "new_customers": D("1.9")},
        {"month": "2026-04", "new_customers": D("1.8")},
    ]


def test_cli_json(year, cli):
    result = cli.invoke(
        args=["insights", "prospecting", "--from", "2025-12", "--to", "2026-01", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["rows"] == [
        {"month": "2025-12", "new_customers": 1, "trend": "1.0", "channels": {"fair": 0, "web": 1}},
        {"month": "2026-01", "new_customers": 3, "trend": "3.0", "channels": {"fair": 3, "web": 0}},
    ]
    # Two points: trend 1 + 2k; February 5 (no February in the period: index 1), March 7, April 9.
    assert document["forecast"] == [
        {"month": "2026-02", "new_customers": "5.0"},
        {"month": "2026-03", "new_customers": "7.0"},
        {"month": "2026-04", "new_customers": "9.0"},
    ]


def test_page_chart_and_export(year, client, login_as):
    login_as("manager")
    body = client.get("/insights/prospecting?from=2025-01&to=2026-01").data.decode()
    assert "data-chart" in body and '"dashed": true' in body and "2026-02 · forecast" in body
    csv_text = client.get("/insights/prospecting?from=2025-12&to=2026-01&export=csv").data.decode()
    assert csv_text.splitlines() == [
        "month,new_customers,trend,channel:fair,channel:web,forecast",
        "2025-12,1,1.0,0,1,",
        "2026-01,3,3.0,3,0,",
        "2026-02,,,,,5.0",
        "2026-03,,,,,7.0",
        "2026-04,,,,,9.0",
    ]

"""Server-rendered charts: labels never drawn over each other."""

import re
from decimal import Decimal

from core.views.charts import bar_chart, line_chart


def test_short_labels_make_vertical_bars():
    chart = bar_chart(["A", "B", "C"], [Decimal("16.00"), Decimal("6.01"), 0], "By tier")
    assert chart.startswith("<svg") and "hbar-row" not in chart
    assert re.findall(r'text-anchor="middle">([^<]*)</text>', chart) == [
        "16", "A", "6", "B", "0", "C",
    ]  # fmt: skip


def test_names_wider_than_a_bar_make_one_row_each():
    names = ["Anna Becker", "Bernd Schneider", "Carla Fischer-Hoffmann", "Dieter Wagner"]
    chart = bar_chart(names, [1200, -300, 450, 0], "Profit", highlight=1, value_format="{:,.2f}")
    assert chart.startswith('<figure class="chart hbar-chart')
    assert re.findall(r'<span class="hbar-label">([^<]*)</span>', chart) == names
    assert re.findall(r'<span class="hbar-value">([^<]*)</span>', chart) == [
        "1,200.00", "-300.00", "450.00", "0.00",
    ]  # fmt: skip
    # Scale −300 … 1,200: zero at 20 %; 1,200 is 80 % long; −300 runs from 0 % to 20 %.
    bars = re.findall(
        r'<rect x="([\d.]+)%" y="1" width="([\d.]+)%" height="12" fill="(#\w+)"', chart
    )
    assert bars[0] == ("20.00", "80.00", "#0d6efd")
    assert bars[1] == ("0.00", "20.00", "#fd7e14")  # highlighted
    assert bars[2] == ("20.00", "30.00", "#0d6efd")
    assert 'title="Carla Fischer-Hoffmann: 450.00"' in chart  # the full name on hover


def test_a_forced_orientation_wins():
    assert bar_chart(["A"], [1], horizontal=True).startswith("<figure")
    assert bar_chart(["A long name for a bar"], [1], horizontal=False).startswith("<svg")


def test_line_chart_labels_every_nth_point_so_they_do_not_touch():
    months = [f"2026-{month:02d}" for month in range(1, 13)] + ["2027-01", "2027-02"]
    chart = line_chart(months, {"Complaints": list(range(14))}, "Trend")
    shown = re.findall(r'font-size="10" text-anchor="middle">([^<]*)</text>', chart)
    # 14 points, 40 units apart; "2026-01" is about 43 units wide: every second one is labelled.
    assert shown == months[::2]


def test_line_chart_legend_names_every_series():
    names = ["Billing", "Damaged goods", "Delivery", "Other", "Product quality", "Returns"]
    chart = line_chart(["2026-01", "2026-02"], {name: [1, 2] for name in names}, "Trend")
    # In HTML under the chart, so it wraps instead of running off the drawing's right edge.
    legend = chart.split('<div class="chart-legend small">')[1]
    assert re.findall(r"</svg> ([^<]*)</span>", legend) == names

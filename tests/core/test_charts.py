"""Charts: the data a page hands to charts.js, its fallback table, no inline script."""

import json
import re
from decimal import Decimal

from core.views.charts import bar_chart, chart, decimals_of, line_chart


def spec_of(markup: str) -> dict:
    found = re.search(r'<script type="application/json" class="chart-data">(.*?)</script>', markup)
    assert found, markup
    return json.loads(found.group(1))


def test_short_labels_make_vertical_bars_with_the_figures_in_a_fallback_table():
    markup = bar_chart(["A", "B", "C"], [Decimal("16.00"), Decimal("6.01"), 0], "By tier")
    spec = spec_of(markup)
    assert spec["type"] == "bar" and spec["horizontal"] is False
    assert spec["labels"] == ["A", "B", "C"]
    assert spec["datasets"][0]["values"] == [16.0, 6.01, 0.0]
    assert spec["decimals"] == 0
    # What a screen reader reads and a browser without scripts shows, to the format's decimals.
    assert re.findall(r"<tr><th scope='row'>(\w)</th><td>([^<]*)</td></tr>", markup) == [
        ("A", "16"), ("B", "6"), ("C", "0"),
    ]  # fmt: skip


def test_names_wider_than_a_bar_make_horizontal_bars_one_row_each():
    names = ["Anna Becker", "Bernd Schneider", "Carla Fischer-Hoffmann", "Dieter Wagner"]
    markup = bar_chart(names, [1200, -300, 450, 0], "Profit", highlight=1, value_format="{:,.2f}")
    spec = spec_of(markup)
    assert spec["horizontal"] is True and spec["highlight"] == 1 and spec["decimals"] == 2
    assert spec["labels"] == names
    # 40 px of axis + 26 px a row: the figure grows with its rows so no two labels share one.
    assert 'style="height: 144px"' in markup
    assert "<td>-300.00</td>" in markup


def test_a_forced_orientation_wins():
    assert spec_of(bar_chart(["A"], [1], horizontal=True))["horizontal"] is True
    assert (
        spec_of(bar_chart(["A long name for a bar"], [1], horizontal=False))["horizontal"] is False
    )


def test_line_chart_names_every_series_and_draws_the_dashed_ones_apart():
    names = ["Actual", "Forecast"]
    markup = line_chart(
        ["2026-01", "2026-02", "2026-03"],
        {"Actual": [1, 2, None], "Forecast": [None, 2, 3]},
        "Trend",
        dashed=["Forecast"],
    )
    spec = spec_of(markup)
    assert [d["label"] for d in spec["datasets"]] == names
    assert [d["dashed"] for d in spec["datasets"]] == [False, True]
    assert spec["datasets"][0]["values"] == [1.0, 2.0, None]
    assert "<td>–</td>" in markup  # no point is not a zero


def test_labels_cannot_close_the_data_block_or_inject_markup():
    markup = chart("bar", ["</script><script>alert(1)</script>"], [{"values": [1]}], "<b>x</b>")
    assert (
        "</script><script>" not in markup.split('class="chart-data">')[1].rsplit("</script>", 1)[0]
    )
    assert "<b>x</b>" not in markup
    assert spec_of(markup)["labels"] == ["</script><script>alert(1)</script>"]


def test_links_make_a_drill_down_per_bar():
    spec = spec_of(bar_chart(["A", "B"], [1, 2], links=["/a", "/b"]))
    assert spec["links"] == ["/a", "/b"]


def test_decimals_follow_the_python_format():
    assert [decimals_of(f) for f in ("{:,.2f}", "{:.1f}", "{:,.0f}", "{}")] == [2, 1, 0, 0]

"""Charts drawn in the browser by Chart.js from data the page carries, readable on a phone.

The server writes a ``<figure data-chart>`` holding a ``<canvas>`` and the chart's data as
``<script type="application/json">`` (a data block, not a script: the strict CSP allows no
inline script, and none is needed). core/static/charts.js reads the data and draws it with
the vendored Chart.js (core/static/vendor, see ``make vendor``). Labels never overlap:
category labels are skipped or ellipsised by Chart.js (full text in the tooltip), and a bar
chart whose labels are too long for vertical bars is drawn with horizontal bars, one row per
label, the figure growing with the rows. Inside the canvas is a small table of the same
figures: what screen readers read and what a browser without scripts shows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypedDict

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

Number = int | float | Decimal
#: The widest label (in characters) that still fits under a vertical bar on a phone.
VERTICAL_LABEL_CHARS = 8
#: Horizontal bars: the height of one row and of the axis, in CSS pixels.
ROW_HEIGHT, AXIS_HEIGHT = 26, 40


class Dataset(TypedDict, total=False):
    """One series: a label, its values (None for no point), drawn dashed (e.g. a forecast)."""

    label: str
    values: Sequence[Number | None]
    dashed: bool


def decimals_of(value_format: str) -> int:
    """The number of decimals a Python format such as ``{:,.2f}`` shows (0 when none)."""
    found = re.search(r"\.(\d+)f", value_format)
    return int(found.group(1)) if found else 0


def _number(value: Number | None) -> float | None:
    return None if value is None else float(value)


def _text(value: Number | None, decimals: int, suffix: str) -> str:
    return "–" if value is None else f"{float(value):,.{decimals}f}{suffix}"


def chart(
    kind: str,
    labels: Sequence[Any],
    datasets: Sequence[Dataset],
    title: str = "",
    *,
    height: int = 220,
    decimals: int = 0,
    suffix: str = "",
    highlight: int | None = None,
    links: Sequence[str] | None = None,
    horizontal: bool | None = None,
    stacked: bool = False,
) -> Markup:
    """A ``bar`` or ``line`` chart of the datasets over the labels, as markup for a page.

    ``highlight`` is the index of a bar drawn in a warning colour; ``links`` a URL per label,
    opened when its bar or point is clicked (a drill-down). ``horizontal`` forces the bar
    orientation; by default bars lie down when any label is longer than fits under a bar.
    """
    names = [str(label) for label in labels]
    if kind == "bar" and horizontal is None:
        horizontal = any(len(name) > VERTICAL_LABEL_CHARS for name in names) or len(names) > 12
    horizontal = bool(horizontal) and kind == "bar"
    if horizontal:
        height = max(height // 2, AXIS_HEIGHT + ROW_HEIGHT * len(names))
    spec = {
        "type": kind,
        "labels": names,
        "datasets": [
            {
                "label": str(dataset.get("label", "")),
                "values": [_number(value) for value in dataset["values"]],
                "dashed": bool(dataset.get("dashed", False)),
            }
            for dataset in datasets
        ],
        "title": str(title),
        "decimals": decimals,
        "suffix": suffix,
        "highlight": highlight,
        "links": list(links) if links else None,
        "horizontal": horizontal,
        "stacked": stacked,
    }
    header = "".join(f"<th scope='col'>{escape(d.get('label', '')) or '–'}</th>" for d in datasets)
    rows = "".join(
        f"<tr><th scope='row'>{escape(name)}</th>"
        + "".join(
            f"<td>{escape(_text(dataset['values'][index], decimals, suffix))}</td>"
            for dataset in datasets
        )
        + "</tr>"
        for index, name in enumerate(names)
    )
    return Markup(
        f'<figure class="chart mb-0" data-chart><div class="chart-box" style="height: {height}px">'
        f'<canvas role="img" aria-label="{escape(title)}">'
        f'<table class="table table-sm chart-fallback"><caption>{escape(title)}</caption>'
        f"<thead><tr><th scope='col'></th>{header}</tr></thead><tbody>{rows}</tbody></table>"
        f"</canvas></div>"
        f'<script type="application/json" class="chart-data">{htmlsafe_json_dumps(spec)}</script>'
        f"</figure>"
    )


def bar_chart(
    labels: Sequence[Any],
    values: Sequence[Number],
    title: str = "",
    height: int = 220,
    highlight: int | None = None,
    value_format: str = "{:,.0f}",
    horizontal: bool | None = None,
    links: Sequence[str] | None = None,
) -> Markup:
    """A bar chart of one series; ``highlight`` is the index of a bar drawn in a warning colour."""
    return chart(
        "bar",
        labels,
        [{"label": title, "values": values}],
        title,
        height=height,
        decimals=decimals_of(value_format),
        highlight=highlight,
        horizontal=horizontal,
        links=links,
    )


def line_chart(
    labels: Sequence[Any],
    series: dict[str, Sequence[Number | None]],
    title: str = "",
    height: int = 220,
    value_format: str = "{:,.0f}",
    dashed: Sequence[str] = (),
) -> Markup:
    """A line chart with one line per named series (the ``dashed`` ones drawn dashed) and a legend."""
    return chart(
        "line",
        labels,
        [
            {"label": name, "values": values, "dashed": name in dashed}
            for name, values in series.items()
        ],
        title,
        height=height,
        decimals=decimals_of(value_format),
    )

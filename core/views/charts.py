"""Small server-rendered charts (bar and line), so pages need no JavaScript library.

Labels never overlap: a bar chart whose labels or values are wider than a bar's slot is
drawn as horizontal bars (one row per label, the label in HTML so it is ellipsised rather
than drawn over its neighbour), and a line chart labels only every n-th point, n chosen
from the widest label.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

Number = int | float | Decimal
PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997")
#: Width of one character of the 10-unit chart font, generously (digits and most letters).
CHAR_WIDTH = 6.2


def _scale(values: Sequence[Number]) -> tuple[float, float]:
    """(lowest, highest) of the axis: always includes 0 so bars grow from a baseline."""
    numbers = [float(value) for value in values] or [0.0]
    low, high = min(0.0, *numbers), max(0.0, *numbers)
    return (low, high if high != low else low + 1)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[Number],
    title: str = "",
    height: int = 180,
    highlight: int | None = None,
    value_format: str = "{:,.0f}",
    horizontal: bool | None = None,
) -> Markup:
    """A bar chart; ``highlight`` is the index of a bar drawn in a warning colour.

    Vertical bars while every label and value fits under and over its bar; otherwise (or
    with ``horizontal=True``) one horizontal bar per row, so long names never overlap.
    """
    labels = [str(label) for label in labels]
    width = max(240, 48 * len(values))
    top, bottom, left = 18, 34, 8
    slot = (width - left * 2) / max(1, len(values))
    texts = [value_format.format(float(value)) for value in values]
    widest = max((len(text) for text in [*labels, *texts]), default=0)
    if horizontal or (horizontal is None and widest * CHAR_WIDTH > slot * 0.95):
        return _horizontal_bars(labels, values, texts, title, highlight)
    plot_height = height - top - bottom
    low, high = _scale(values)
    baseline = top + plot_height * high / (high - low)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" height="{height}">'
    ]
    parts.append(f"<title>{escape(title)}</title>")
    parts.append(
        f'<line x1="{left}" x2="{width - left}" y1="{baseline:.1f}" y2="{baseline:.1f}" stroke="#adb5bd"/>'
    )
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + index * slot + slot * 0.15
        bar_height = plot_height * abs(float(value)) / (high - low)
        y = baseline - bar_height if float(value) >= 0 else baseline
        colour = "#fd7e14" if index == highlight else PALETTE[0]
        text = texts[index]
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{max(bar_height, 0.5):.1f}" fill="{colour}">'
            f"<title>{escape(label)}: {escape(text)}</title></rect>"
        )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{max(y - 4, 11):.1f}" font-size="10" text-anchor="middle">{escape(text)}</text>'
        )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 14}" font-size="10" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _horizontal_bars(
    labels: Sequence[str],
    values: Sequence[Number],
    texts: Sequence[str],
    title: str,
    highlight: int | None,
) -> Markup:
    """One row per bar: the label (ellipsised when long), the bar from the zero line, the value."""
    low, high = _scale(values)
    span = high - low
    zero = 100 * -low / span
    rows = []
    for index, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        length = 100 * abs(float(value)) / span
        start = zero if float(value) >= 0 else zero - length
        colour = "#fd7e14" if index == highlight else PALETTE[0]
        rows.append(
            f'<div class="hbar-row" title="{escape(label)}: {escape(text)}">'
            f'<span class="hbar-label">{escape(label)}</span>'
            f'<svg class="hbar-track" width="100%" height="14" aria-hidden="true">'
            f'<rect x="{start:.2f}%" y="1" width="{max(length, 0.3):.2f}%" height="12" fill="{colour}"/>'
            f'<line x1="{zero:.2f}%" x2="{zero:.2f}%" y1="0" y2="14" stroke="#adb5bd"/></svg>'
            f'<span class="hbar-value">{escape(text)}</span></div>'
        )
    return Markup(
        f'<figure class="chart hbar-chart mb-0"><figcaption class="visually-hidden">{escape(title)}'
        f"</figcaption>{''.join(rows)}</figure>"
    )


def line_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[Number]],
    title: str = "",
    height: int = 180,
) -> Markup:
    """A line chart with one line per named series and a legend under it (HTML, so it wraps)."""
    width = max(280, 40 * len(labels))
    top, bottom, left, right = 18, 24, 8, 8
    plot_height = height - top - bottom
    all_values = [value for values in series.values() for value in values]
    low, high = _scale(all_values)
    step = (width - left - right) / max(1, len(labels) - 1)

    def y_of(value: Number) -> float:
        return top + plot_height * (high - float(value)) / (high - low)

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" height="{height}">'
    ]
    parts.append(f"<title>{escape(title)}</title>")
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y_of(0):.1f}" y2="{y_of(0):.1f}" stroke="#adb5bd"/>'
    )
    for number, (name, values) in enumerate(series.items()):
        colour = PALETTE[number % len(PALETTE)]
        points = " ".join(
            f"{left + index * step:.1f},{y_of(value):.1f}" for index, value in enumerate(values)
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
        )
        for index, value in enumerate(values):
            parts.append(
                f'<circle cx="{left + index * step:.1f}" cy="{y_of(value):.1f}" r="2.5" fill="{colour}">'
                f"<title>{escape(name)} {escape(labels[index])}: {float(value):,.2f}</title></circle>"
            )
    widest = max((len(str(label)) for label in labels), default=0)
    every = max(1, math.ceil((widest * CHAR_WIDTH + 4) / step)) if len(labels) > 1 else 1
    for index, label in enumerate(labels):
        if index % every == 0:
            parts.append(
                f'<text x="{left + index * step:.1f}" y="{height - bottom + 14}" font-size="10" text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    legend = "".join(
        f'<span class="chart-key"><svg width="10" height="10" aria-hidden="true">'
        f'<rect width="10" height="10" fill="{PALETTE[number % len(PALETTE)]}"/></svg> '
        f"{escape(name)}</span>"
        for number, name in enumerate(series)
    )
    return Markup("".join(parts) + f'<div class="chart-legend small">{legend}</div>')

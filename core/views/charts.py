"""Small server-rendered SVG charts (bar and line), so pages need no JavaScript library."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

Number = int | float | Decimal
PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997")


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
) -> Markup:
    """A vertical bar chart; ``highlight`` is the index of a bar drawn in a warning colour."""
    width = max(240, 48 * len(values))
    top, bottom, left = 18, 34, 8
    plot_height = height - top - bottom
    low, high = _scale(values)
    baseline = top + plot_height * high / (high - low)
    slot = (width - left * 2) / max(1, len(values))
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
        text = value_format.format(float(value))
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


def line_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[Number]],
    title: str = "",
    height: int = 180,
) -> Markup:
    """A line chart with one line per named series and a legend; labels run along the x axis."""
    width = max(280, 40 * len(labels))
    top, bottom, left, right = 18, 40, 8, 8
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
        parts.append(
            f'<text x="{left + number * 120}" y="{height - 4}" font-size="11" fill="{colour}">■ {escape(name)}</text>'
        )
    every = max(1, len(labels) // 8)
    for index, label in enumerate(labels):
        if index % every == 0:
            parts.append(
                f'<text x="{left + index * step:.1f}" y="{height - bottom + 14}" font-size="10" text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))

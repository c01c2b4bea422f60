"""Layout checks for browser tests: chart labels apart, no sideways scrolling on a phone."""

from __future__ import annotations

from typing import Any

#: The label boxes Chart.js drew on each axis of every chart of the page (core/static/charts.js).
LABEL_BOXES = """
() => {
  const charts = [...document.querySelectorAll('figure[data-chart] canvas')]
    .map((canvas) => window.Chart && window.Chart.getChart(canvas)).filter(Boolean);
  return charts.map((chart) => Object.values(chart.scales).map((scale) => {
    const context = chart.ctx;
    const shown = new Set(scale.ticks.map((tick) => tick.label));
    return scale.getLabelItems().filter((item) => shown.has(item.label)).map((item) => {
      context.font = item.font.string;
      const text = Array.isArray(item.label) ? item.label.join(' ') : String(item.label);
      const width = context.measureText(text).width, height = item.font.lineHeight;
      const [x, y] = item.options.translation;
      const align = item.options.textAlign, base = item.options.textBaseline;
      const left = align === 'center' ? x - width / 2 : align === 'right' ? x - width : x;
      const top = base === 'middle' ? y - height / 2 : base === 'bottom' ? y - height : y;
      return {text, left, top, right: left + width, bottom: top + height};
    });
  }));
}
"""
LABELS = """
() => [...document.querySelectorAll('figure[data-chart] canvas')]
  .map((canvas) => window.Chart && window.Chart.getChart(canvas)).filter(Boolean)
  .flatMap((chart) => {
    const axis = chart.options.indexAxis === 'y' ? chart.scales.y : chart.scales.x;
    return axis.ticks.map((tick) => String(axis.getLabelForValue(tick.value)));
  })
"""


def wait_for_charts(page: Any) -> None:
    """Wait until charts.js has drawn every chart of the page (it loads Chart.js on demand)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure[data-chart]')].every((f) => f.dataset.drawn)"
    )


def chart_label_overlaps(page: Any) -> list[str]:
    """Pairs of axis labels drawn over each other in any chart of the page (empty when all are apart)."""
    wait_for_charts(page)
    found = []
    for chart in page.evaluate(LABEL_BOXES):
        for boxes in chart:
            for i, r in enumerate(boxes):
                for s in boxes[i + 1 :]:
                    width = min(r["right"], s["right"]) - max(r["left"], s["left"])
                    height = min(r["bottom"], s["bottom"]) - max(r["top"], s["top"])
                    if width > 0.5 and height > 0.5:
                        found.append(f"{r['text']} / {s['text']}")
    return found


def chart_labels(page: Any) -> list[str]:
    """The full text of every category label the page's charts show, in document order."""
    wait_for_charts(page)
    return list(page.evaluate(LABELS))


def sideways_overflow(page: Any) -> int:
    """How many pixels the page is wider than the viewport (0 when it does not scroll sideways)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))

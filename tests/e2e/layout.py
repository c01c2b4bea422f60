"""Layout checks for browser tests: chart labels apart, no sideways scrolling on a phone."""

from __future__ import annotations

from typing import Any

OVERLAPS = """
() => {
  const found = [];
  for (const chart of document.querySelectorAll('.chart')) {
    const boxes = [...chart.querySelectorAll('text, .hbar-label, .hbar-value')]
      .filter((element) => element.textContent.trim())
      .map((element) => [element.textContent.trim(), element.getBoundingClientRect()]);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, r] = boxes[i], [b, s] = boxes[j];
        const width = Math.min(r.right, s.right) - Math.max(r.left, s.left);
        const height = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
        if (width > 0.5 && height > 0.5) found.push(`${a} / ${b}`);
      }
    }
  }
  return found;
}
"""


def chart_label_overlaps(page: Any) -> list[str]:
    """Pairs of texts drawn over each other in any chart of the page (empty when all are apart)."""
    return list(page.evaluate(OVERLAPS))


def chart_labels(page: Any) -> list[str]:
    """Every label and value text of the page's charts, in document order."""
    texts = page.locator(".chart text, .chart .hbar-label, .chart .hbar-value").evaluate_all(
        "(elements) => elements.map((element) => element.textContent.trim())"
    )
    return [text for text in texts if text]


def sideways_overflow(page: Any) -> int:
    """How many pixels the page is wider than the viewport (0 when it does not scroll sideways)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))

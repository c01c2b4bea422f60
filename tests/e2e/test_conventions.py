"""Browser tests assert with Playwright's waiting `expect`, never with a check that answers at once.

`assert locator.is_visible()` right after a click that submits a form reads the old page when the
machine is busy, so such a test fails at random (it did in CI).
"""

from __future__ import annotations

import re
from pathlib import Path

IMMEDIATE_CHECK = re.compile(
    r"assert\s+(not\s+)?.+\.(is_visible|is_hidden|is_checked|is_enabled)\(\)"
)


def test_no_browser_test_asserts_an_immediate_visibility_check():
    folder = Path(__file__).resolve().parent
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(folder.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if IMMEDIATE_CHECK.search(line) and path.name != Path(__file__).name
    ]
    assert offenders == [], "use expect(locator).to_be_visible() instead: " + ", ".join(offenders)

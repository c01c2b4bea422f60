"""The plugin's one page."""

from __future__ import annotations

from flask import render_template

from clientele_example.counting import top_customers
from core.auth import permission_required


@permission_required("example.view")
def index() -> str:
    """Customers with the most confirmed orders."""
    return render_template("example/page.html", title="Example", rows=top_customers())

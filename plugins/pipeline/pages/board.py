"""The board: one column per open stage, each paginated on its own."""

from __future__ import annotations

from flask import render_template

from core.auth import permission_required
from core.i18n import _


@permission_required("pipeline.deals")
def board_page() -> str:
    return render_template("pipeline/board.html", title=_("Deals"))

"""The example plugin's Blueprint and its URL map; the view functions are in pages/."""

from __future__ import annotations

from flask import Blueprint

from clientele_example.pages import index

bp = Blueprint("example", __name__, url_prefix="/example", template_folder="templates")

bp.add_url_rule("/", view_func=index.index)

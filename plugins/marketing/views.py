"""The marketing Blueprint; its pages live in plugins/marketing/pages/, one module per area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "marketing",
    __name__,
    url_prefix="/marketing",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

# The page modules attach their routes to bp when imported.
from plugins.marketing.pages import (  # noqa: E402
    campaigns,
    customers,
    products,
    public,
    reports,
    segments,
)

__all__ = ["bp", "campaigns", "customers", "products", "public", "reports", "segments"]

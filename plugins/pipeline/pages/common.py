"""What the pipeline pages share: the deal of a URL (with the row rule), choices, redirects."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from core.auth import require
from core.db import db
from core.models import Customer, Product, User
from core.roles import SELLING_ROLES
from core.views.common import get_or_404
from plugins.pipeline import access
from plugins.pipeline.models import Opportunity


def deal_or_404(deal_id: str) -> Opportunity:
    """The deal of the URL; 403 when the user may not see it (another salesperson's deal)."""
    deal = get_or_404(Opportunity, deal_id)
    require(access.can_view_deal(current_user, deal))
    return deal


def owner_choices() -> list[tuple[int, str]]:
    """Who can own a deal: active users of the selling roles, by name (0: nobody)."""
    users = db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.role.in_(SELLING_ROLES))
        .order_by(func.lower(User.name))
    )
    return [(0, "–")] + [(user.id, user.name) for user in users]


def product_choices() -> list[tuple[int, str]]:
    """Products on sale, by SKU (0: no product)."""
    products = db.session.scalars(
        select(Product).where(Product.active.is_(True)).order_by(Product.sku)
    )
    return [(0, "–")] + [(product.id, f"{product.sku} · {product.name}") for product in products]


def find_customer(text: str) -> Customer | None:
    """The customer whose e-mail or external id is the text (None when none or several match)."""
    if not text:
        return None
    found = list(
        db.session.scalars(
            select(Customer)
            .where(or_(Customer.external_id == text, func.lower(Customer.email) == text.lower()))
            .limit(2)
        )
    )
    return found[0] if len(found) == 1 else None


def back_to(default: str) -> str:
    """The page to go back to: ?next= when it is a path on this site, else the default."""
    target = request.form.get("next") or request.args.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def board_url() -> str:
    return url_for("pipeline.board")


def forbid_unless(condition: bool) -> None:
    if not condition:
        abort(403)

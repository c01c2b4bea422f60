"""Product grades (what to push) with profit per grade for managers, and the leaderboard."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from core import dates
from core.auth import permission_required
from core.db import db
from core.i18n import _
from core.models import Product
from core.views.common import paginate, sorting
from plugins.sales_commission import reports
from plugins.sales_commission.access import VIEW_ALL, VIEW_OWN
from plugins.sales_commission.settings import current_rules


def period_range() -> tuple[str, str]:
    """?from=YYYY-MM&to=YYYY-MM, by default the last twelve months up to this one."""
    today = dates.today()
    last_default = dates.period_of(today)
    first_default = dates.period_of(dates.add_months(today.replace(day=1), -11))
    chosen = []
    for name, default in (("from", first_default), ("to", last_default)):
        text = request.args.get(name, "").strip() or default
        try:
            dates.parse_period(text)
        except ValueError as error:
            flash(_("%(error)s; using %(default)s.", error=error, default=default), "warning")
            text = default
        chosen.append(text)
    first, last = chosen
    return (first, last) if first <= last else (last, first)


@permission_required(VIEW_OWN)
def products() -> str:
    """Each product's list margin and grade under the rules in force, and how far to discount."""
    version = current_rules().in_force(dates.today())
    query = request.args.get("q", "").strip()
    category = request.args.get("category", "")
    grade = request.args.get("grade", "")
    sorts = {
        "margin": reports.margin_expression(),
        "name": func.lower(Product.name),
        "sku": Product.sku,
        "price": Product.list_price,
    }
    sort, direction, order_by = sorting(sorts, "margin", "desc")
    page = paginate(
        reports.products_statement(version, query, category, grade).order_by(order_by, Product.id)
    )
    categories = db.session.scalars(
        select(Product.category).where(Product.category != "").distinct().order_by(Product.category)
    ).all()
    first, last = period_range()
    by_tier = reports.profit_by_tier(first, last) if current_user.can(VIEW_ALL) else []
    return render_template(
        "sales_commission/products.html",
        title=_("Product grades"),
        version=version,
        page=page,
        grades=[reports.product_grade(product, version) for product in page.items],
        query=query,
        category=category,
        categories=categories,
        grade=grade,
        sort=sort,
        direction=direction,
        by_tier=by_tier,
        first=first,
        last=last,
    )


@permission_required(VIEW_OWN)
def leaderboard() -> str:
    """Salespeople ranked by the profit they earned for the company (not by revenue)."""
    first, last = period_range()
    ranking = reports.leaderboard(first, last)
    mine = next(
        (index for index, (user, _totals) in enumerate(ranking) if user.id == current_user.id), None
    )
    return render_template(
        "sales_commission/leaderboard.html",
        title=_("Leaderboard"),
        ranking=ranking,
        mine=mine,
        first=first,
        last=last,
        sees_commission=current_user.can(VIEW_ALL),
    )

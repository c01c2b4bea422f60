"""Splitting a confirmed order's commission between salespeople (managers)."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.auth import permission_required
from core.db import db
from core.i18n import _
from core.models import Order, Product, User
from core.roles import SELLING_ROLES
from core.views.common import get_or_404
from plugins.sales_commission import splits
from plugins.sales_commission.access import SPLIT
from plugins.sales_commission.forms import SplitForm
from plugins.sales_commission.models import Entry
from plugins.sales_commission.settings import current_rules


@permission_required(SPLIT)
def find_order() -> str | Response:
    """Find the order to split by its number."""
    number = request.args.get("number", "").strip()
    if number:
        order_id = db.session.scalar(select(Order.id).where(Order.number == number))
        if order_id is not None:
            return redirect(url_for(".split", order_id=order_id))
        flash(_("There is no order %(number)s.", number=number), "warning")
    return render_template(
        "sales_commission/find_order.html", title=_("Split an order"), number=number
    )


@permission_required(SPLIT)
def split(order_id: str) -> str | Response:
    """Show and change who shares an order's commission, and what each gets per line."""
    order = get_or_404(Order, order_id)
    sellers = db.session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(SELLING_ROLES)).order_by(User.name)
    ).all()
    form = SplitForm()
    for row in form.shares:
        row.form.salesperson_id.choices = [(0, "—")] + [(user.id, user.name) for user in sellers]
    problems: list[str] = []
    if request.method == "GET":
        for row, share in zip(form.shares, splits.current_shares(order), strict=False):
            row.form.salesperson_id.data = share.salesperson.id
            row.form.percent.data = share.percent
    elif form.validate_on_submit():
        by_id = {user.id: user for user in sellers}
        shares = [
            splits.Share(by_id[row.form.salesperson_id.data], row.form.percent.data or Decimal("0"))
            for row in form.shares
            if row.form.salesperson_id.data in by_id
        ]
        problems = splits.split_problems(order, shares)
        if not problems:
            splits.save_split(order, shares, current_user, current_rules())
            db.session.commit()
            flash(
                _("The commission of order %(number)s is now split as shown.", number=order.number),
                "success",
            )
            return redirect(url_for(".split", order_id=order.id))
    else:
        problems = [_("Check the highlighted fields.")]
    return render_template(
        "sales_commission/split.html",
        title=_("Split order %(number)s", number=order.number),
        order=order,
        form=form,
        problems=problems,
        entries=_sale_entries(order),
        closed=splits.closed_month_problems(order, []),
    )


def _sale_entries(order: Order) -> list[tuple[Entry, str, str]]:
    """The order's sale entries with the product and salesperson names; one query."""
    rows = db.session.execute(
        select(Entry, Product.sku, User.name)
        .join(Product, Product.id == Entry.product_id)
        .join(User, User.id == Entry.salesperson_id)
        .where(Entry.order_id == order.id, Entry.kind == "sale")
        .order_by(Entry.line_position, Entry.share.desc(), Entry.id)
    ).all()
    return [(row.Entry, row.sku, row.name) for row in rows]

"""Order pages: the list, one order, a new order, and confirm / cancel / refund."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from core import dates
from core import orders as order_service
from core.access import can_change_order, can_view_order, visible_orders
from core.auth import permission_required, require
from core.customers import CustomerFilters, search_statement
from core.db import db
from core.forms import ActionForm, OrderForm
from core.i18n import _, format_money
from core.models import ORDER_STATUSES, Customer, Order, Product, User
from core.orders import status_label
from core.roles import SELLING_ROLES
from core.validation import parse_id
from core.views.common import action_form_expired, get_or_404, int_arg, paginate, saving, sorting

bp = Blueprint("orders", __name__, url_prefix="/orders")

SORTS = {"date": Order.order_date, "number": Order.number, "status": Order.status}


@bp.route("/")
@permission_required("orders.view")
def index() -> str:
    """Orders the user may see, filtered by status, customer, salesperson and dates."""
    statement = visible_orders(select(Order), current_user)
    status = request.args.get("status", "")
    if status in ORDER_STATUSES:
        statement = statement.where(Order.status == status)
    customer_id = int_arg("customer")
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer_id:
        statement = statement.where(Order.customer_id == customer_id)
    salesperson_id = int_arg("salesperson")
    if salesperson_id:
        statement = statement.where(Order.salesperson_id == salesperson_id)
    date_from, date_to = _date_arg("from"), _date_arg("to")
    if date_from:
        statement = statement.where(Order.order_date >= date_from)
    if date_to:
        statement = statement.where(Order.order_date <= date_to)
    sort, direction, order_by = sorting(SORTS, "date", "desc")
    page = paginate(statement.order_by(order_by, Order.id.desc()))
    salespeople = list(
        db.session.scalars(select(User).where(User.role.in_(SELLING_ROLES)).order_by(User.name))
    )
    return render_template(
        "orders/list.html",
        title=_("Orders"),
        page=page,
        status=status,
        statuses=ORDER_STATUSES,
        customer=customer,
        salesperson_id=salesperson_id,
        salespeople=salespeople,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        direction=direction,
    )


def _date_arg(name: str) -> dt.date | None:
    """A YYYY-MM-DD query argument, or None when missing or not a date."""
    try:
        return dates.parse_date(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/<order_id>")
@permission_required("orders.view")
def detail(order_id: str) -> str:
    """One order with its lines, totals and the actions the user may take."""
    order = get_or_404(Order, order_id)
    require(can_view_order(current_user, order))
    return render_template(
        "orders/detail.html",
        title=_("Order %(number)s", number=order.number),
        order=order,
        form=ActionForm(),
        can_confirm=order.status == "draft"
        and can_change_order(current_user, order, "orders.confirm"),
        can_cancel=order.status in ("draft", "confirmed")
        and not any(line.refunded_on for line in order.lines)
        and can_change_order(current_user, order, "orders.cancel"),
        can_refund=order.status == "confirmed"
        and can_change_order(current_user, order, "orders.refund"),
        today=dates.today(),
    )


def _act(order_id: str, permission: str, action: str) -> Response:
    """Run confirm or cancel on an order the user may change; say what happened."""
    order = get_or_404(Order, order_id)
    require(can_change_order(current_user, order, permission))
    if action_form_expired():
        return redirect(url_for("orders.detail", order_id=order.id))
    with saving(_("Nothing changed"), order_service.OrderError) as saved:
        getattr(order_service, action)(order)
    if saved:
        flash(
            _(
                "Order %(number)s is now %(status)s.",
                number=order.number,
                status=status_label(order.status),
            ),
            "success",
        )
    return redirect(url_for("orders.detail", order_id=order.id))


@bp.route("/<order_id>/confirm", methods=["POST"])
@permission_required("orders.confirm")
def confirm(order_id: str) -> Response:
    """Confirm a draft order (takes the cost snapshot)."""
    return _act(order_id, "orders.confirm", "confirm")


@bp.route("/<order_id>/cancel", methods=["POST"])
@permission_required("orders.cancel")
def cancel(order_id: str) -> Response:
    """Cancel a draft or confirmed order."""
    return _act(order_id, "orders.cancel", "cancel")


@bp.route("/<order_id>/refund", methods=["POST"])
@permission_required("orders.refund")
def refund(order_id: str) -> Response:
    """Refund the ticked lines of a confirmed order on the given date."""
    order = get_or_404(Order, order_id)
    require(can_change_order(current_user, order, "orders.refund"))
    if action_form_expired():
        return redirect(url_for("orders.detail", order_id=order.id))
    chosen_ids = {number for number in map(parse_id, request.form.getlist("line")) if number}
    lines = [line for line in order.lines if line.id in chosen_ids]
    with saving(_("Nothing was refunded"), ValueError, order_service.OrderError) as saved:
        refund_date = (
            dates.parse_date(request.form.get("refund_date", ""))
            if request.form.get("refund_date")
            else None
        )
        if chosen_ids and len(lines) != len(chosen_ids):
            raise order_service.OrderError(_("Some ticked lines are not on this order."))
        if not lines:
            raise order_service.OrderError(_("Tick the lines to refund."))
        order_service.refund(order, lines, refund_date)
    if saved:
        flash(
            _(
                "Refunded %(count)s line(s) of %(number)s.",
                count=len(lines),
                number=order.number,
            ),
            "success",
        )
    return redirect(url_for("orders.detail", order_id=order.id))


@bp.route("/new", methods=["GET", "POST"])
@permission_required("orders.create")
def create() -> str | Response:
    """A new draft order: pick the customer first (search), then the lines."""
    customer_id = int_arg("customer") or parse_id(request.form.get("customer_id", ""))
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer is None:
        query = request.args.get("q", "")
        matches = (
            list(
                db.session.scalars(
                    search_statement(CustomerFilters(query=query)).order_by(Customer.name).limit(20)
                )
            )
            if query
            else []
        )
        return render_template(
            "orders/pick_customer.html", title=_("New order"), query=query, matches=matches
        )
    form = OrderForm(customer_id=str(customer.id))
    products = list(
        db.session.scalars(select(Product).where(Product.active.is_(True)).order_by(Product.name))
    )
    choices = [(0, "—")] + [
        (product.id, f"{product.sku} · {product.name} ({format_money(product.list_price)})")
        for product in products
    ]
    for entry in form.lines:
        entry.form.product_id.choices = choices
    sellers = list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(SELLING_ROLES))
            .order_by(User.name)
        )
    )
    if current_user.role == "sales":
        sellers = [current_user]
    form.salesperson_id.choices = [(user.id, user.name) for user in sellers]
    if request.method == "GET":
        form.order_date.data = dates.today()
        form.salesperson_id.data = (
            current_user.id if current_user in sellers else (customer.owner_id or 0)
        )
    if form.validate_on_submit():
        by_id = {product.id: product for product in products}
        lines = [
            order_service.LineInput(
                product=by_id[entry.product_id.data],
                quantity=entry.quantity.data,
                unit_price=entry.unit_price.data,
                discount=(entry.discount_percent.data or Decimal("0")) / 100,
            )
            for entry in form.lines
            if entry.product_id.data
        ]
        missing_quantity = [
            index
            for index, entry in enumerate(form.lines, start=1)
            if entry.product_id.data and not entry.quantity.data
        ]
        with saving(_("The order was not saved"), order_service.OrderError) as saved:
            if missing_quantity:
                raise order_service.OrderError(
                    _("Line %(number)s: enter a quantity.", number=missing_quantity[0])
                )
            chosen = form.salesperson_id.data
            salesperson = db.session.get(User, chosen) if chosen is not None else None
            order = order_service.create_order(
                customer, salesperson, lines, form.order_date.data, notes=form.notes.data or ""
            )
            if request.form.get("confirm_now") == "1":
                require(current_user.can("orders.confirm"))
                order_service.confirm(order)
        if saved:
            flash(
                _(
                    "Order %(number)s saved as %(status)s.",
                    number=order.number,
                    status=status_label(order.status),
                ),
                "success",
            )
            return redirect(url_for("orders.detail", order_id=order.id))
    return render_template(
        "orders/form.html",
        title=_("New order for %(name)s", name=customer.name),
        form=form,
        customer=customer,
    )

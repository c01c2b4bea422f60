"""Customer pages: the searchable list, the customer page, create and edit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload
from werkzeug.wrappers import Response

from core import customers as customer_service
from core import merging
from core.access import can_edit_customer, sees_only_own_orders, sees_orders, visible_orders
from core.auth import acting_user, permission_required, require
from core.db import db
from core.forms import CustomerForm
from core.i18n import _, _l
from core.ledger import counted_orders, totals_after_refunds
from core.models import Customer, Order, User, utcnow
from core.orders import order_nets
from core.plugins import TimelineEvent, display_hook
from core.quality import FIELD_LABELS, describe, describe_all, flags_of
from core.roles import SELLING_ROLES, role_label
from core.views.common import badge_results, get_or_404, int_arg, paginate, saving, sorting

bp = Blueprint("customers", __name__, url_prefix="/customers")

ORDER_HISTORY_ROWS = 20
TIMELINE_DAYS = 365


@bp.route("/")
@permission_required("customers.view")
def index() -> str:
    """The customers list: search by name, e-mail or phone (any format), filters, sort, pages."""
    filters = customer_service.CustomerFilters(
        query=request.args.get("q", ""),
        country=request.args.get("country", ""),
        region=request.args.get("region", ""),
        channel=request.args.get("channel", ""),
        owner_id=int_arg("owner"),
        tag=request.args.get("tag", ""),
    )
    sort, direction, order_by = sorting(customer_service.SORTS, "name")
    page = paginate(customer_service.search_statement(filters).order_by(order_by, Customer.id))
    customers = list(page.items)
    return render_template(
        "customers/list.html",
        title=_("Customers"),
        page=page,
        customers=customers,
        filters=filters,
        sort=sort,
        direction=direction,
        badges=badge_results(customers),
        order_facts=_order_facts([customer.id for customer in customers])
        if sees_orders(current_user)
        else None,
        countries=customer_service.distinct_values(Customer.country),
        regions=customer_service.distinct_values(Customer.region),
        channels=customer_service.distinct_values(Customer.channel),
        owners=_owners(),
    )


def _order_facts(customer_ids: list[int]) -> dict[int, tuple[int, dt.date | None]]:
    """{customer id: (confirmed or refunded orders, last order date)} the user may see, one query."""
    if not customer_ids:
        return {}
    statement = visible_orders(
        select(Order.customer_id, func.count(Order.id), func.max(Order.order_date))
        .where(Order.customer_id.in_(customer_ids), counted_orders())
        .group_by(Order.customer_id),
        current_user,
    )
    return {row[0]: (row[1], row[2]) for row in db.session.execute(statement)}


def _owners() -> list[User]:
    """Staff who can own customers (for filters and the form)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(SELLING_ROLES))
            .order_by(User.name)
        )
    )


@bp.route("/<customer_id>")
@permission_required("customers.view")
def detail(customer_id: str) -> str:
    """The customer page: facts, badges, timeline, order history with totals, plugin panels."""
    customer = get_or_404(Customer, customer_id)
    recent_orders: list[Order] = []
    if sees_orders(current_user):
        orders_statement = visible_orders(
            select(Order).where(Order.customer_id == customer.id), current_user
        )
        # Net totals in one grouped query rather than loading every line of the 20 orders.
        recent_orders = list(
            db.session.scalars(
                orders_statement.options(lazyload(Order.lines))
                .order_by(Order.order_date.desc(), Order.id.desc())
                .limit(ORDER_HISTORY_ROWS)
            )
        )
    issues = flags_of(customer.id)
    show_all = request.args.get("timeline") == "all"
    since = None if show_all else utcnow() - dt.timedelta(days=TIMELINE_DAYS)
    return render_template(
        "customers/detail.html",
        title=customer.name,
        customer=customer,
        badges=badge_results([customer])[customer.id],
        recent_orders=recent_orders,
        recent_nets=order_nets([order.id for order in recent_orders]),
        order_totals=_order_totals(customer.id) if sees_orders(current_user) else None,
        timeline=_timeline(customer, since),
        timeline_all=show_all,
        panels=_panels(customer),
        can_edit=can_edit_customer(current_user, customer),
        issues=issues,
        issue_reasons=describe_all(issues),
        field_labels=FIELD_LABELS,
    )


def _order_totals(customer_id: int) -> dict[str, Any]:
    """Order count and net / cost / profit after refunds over the orders the user may see (one query)."""
    conditions = [Order.customer_id == customer_id]
    if sees_only_own_orders(current_user):
        conditions.append(Order.salesperson_id == current_user.id)
    count, net, cost, refunded = db.session.execute(totals_after_refunds(*conditions)).one()
    return {"orders": count, "net": net, "cost": cost, "profit": net - cost, "refunded": refunded}


def _timeline(
    customer: Customer, since: dt.datetime | None
) -> list[tuple[str, TimelineEvent | str]]:
    """Every plugin's timeline entries merged newest first; failures kept as (plugin, error)."""
    events: list[tuple[str, TimelineEvent]] = []
    errors: list[tuple[str, str]] = []
    for result in display_hook(
        "customer_timeline", customer=customer, since=since, user=acting_user()
    ):
        if result.error:
            errors.append((result.plugin, result.error))
        else:
            events += [(result.plugin, event) for event in result.value or []]
    events.sort(key=lambda pair: pair[1].at, reverse=True)
    return [*errors, *events]


def _panels(customer: Customer) -> list[tuple[str, Any]]:
    """Plugin panels sorted by (order, plugin); a failing plugin gives (plugin, error text)."""
    panels: list[tuple[int, str, Any]] = []
    for result in display_hook("customer_panels", customer=customer, user=current_user):
        if result.error:
            panels.append((0, result.plugin, result.error))
            continue
        for panel in result.value or []:
            panels.append((panel.order, result.plugin, panel))
    panels.sort(key=lambda item: (item[0], item[1]))
    return [(plugin, panel) for _, plugin, panel in panels]


def _customer_form(customer: Customer | None = None) -> CustomerForm:
    """The form with the owner choices filled in."""
    from core.customers import default_region

    form = CustomerForm(obj=customer, default_region=default_region())
    form.owner_id.choices = [(0, _("— nobody —"))] + [
        (user.id, f"{user.name} ({role_label(user.role)})") for user in _owners()
    ]
    if customer is None and request.method == "GET" and current_user.role == "sales":
        form.owner_id.data = current_user.id
    return form


def _form_fields(form: CustomerForm) -> dict[str, Any]:
    """The service's field values from a validated form."""
    fields = {name: getattr(form, name).data for name in customer_service.EDITABLE_FIELDS}
    fields["owner_id"] = fields["owner_id"] or None
    for name in (
        "company",
        "email",
        "phone",
        "country",
        "region",
        "city",
        "channel",
        "tags",
        "notes",
        "external_id",
    ):
        fields[name] = fields[name] or ""
    return fields


def _external_id_taken(form: CustomerForm, customer: Customer | None) -> bool:
    """Flag a duplicate external ID on the form (it must be unique)."""
    external_id = (form.external_id.data or "").strip()
    if not external_id:
        return False
    other = db.session.scalar(select(Customer.id).where(Customer.external_id == external_id))
    if other is not None and (customer is None or other != customer.id):
        form.external_id.errors = [
            *form.external_id.errors,
            _("Customer %(id)s already has this external ID.", id=other),
        ]
        return True
    return False


def _owner_allowed(form: CustomerForm) -> bool:
    """Salespeople may only give customers to themselves (or leave them unowned)."""
    if current_user.role == "sales" and form.owner_id.data not in (0, None, current_user.id):
        form.owner_id.errors = [
            *form.owner_id.errors,
            _("You can only assign customers to yourself."),
        ]
        return False
    return True


def _say_if_phone_unverified(customer: Customer) -> None:
    """Warn that the phone was kept as typed but could not be verified, and why."""
    issue = customer_service.phone_flag_of(customer)
    if issue is not None:
        flash(
            _(
                "The phone number '%(phone)s' is saved as typed but not verified: %(reason)s. "
                "It is listed under Data to check until it is corrected.",
                phone=customer.phone,
                reason=describe(issue.field, issue.reason, issue.value, customer.country),
            ),
            "warning",
        )


#: Why another customer may be the same one, as the warning after saving says it.
DUPLICATE_REASONS = {
    "phone": _l("the same phone number"),
    "email": _l("the same e-mail"),
    "name_city": _l("the same name in the same city"),
    "close_name": _l("a close name in the same city"),
}


def _say_if_likely_duplicate(customer: Customer) -> None:
    """Warn that other customers look like this one, naming them and why (two queries)."""
    likely = merging.likely_duplicates_of(customer)
    if not likely:
        return
    shown = likely[:5]
    others = "; ".join(
        _(
            "%(name)s (no. %(id)s, %(reason)s)",
            name=item.customer.name,
            id=item.customer.id,
            reason=DUPLICATE_REASONS[item.kind],
        )
        for item in shown
    )
    if len(likely) > len(shown):
        others += "; " + _("and %(count)s more", count=len(likely) - len(shown))
    flash(
        _(
            "This may be a customer you already have: %(others)s. Possible duplicates lists "
            "them, where one can be merged into the other.",
            others=others,
        ),
        "warning",
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required("customers.create")
def create() -> str | Response:
    """Create a customer."""
    form = _customer_form()
    if form.validate_on_submit() and not _external_id_taken(form, None) and _owner_allowed(form):
        with saving(_("Nothing was saved")) as saved:
            customer = customer_service.create_customer(**_form_fields(form))
        if saved:
            flash(_("Customer %(name)s created.", name=customer.name), "success")
            _say_if_phone_unverified(customer)
            _say_if_likely_duplicate(customer)
            return redirect(url_for("customers.detail", customer_id=customer.id))
    return render_template("customers/form.html", form=form, customer=None, title=_("New customer"))


@bp.route("/<customer_id>/edit", methods=["GET", "POST"])
@permission_required("customers.edit")
def edit(customer_id: str) -> str | Response:
    """Edit a customer the user may edit."""
    customer = get_or_404(Customer, customer_id)
    require(can_edit_customer(current_user, customer))
    form = _customer_form(customer)
    if request.method == "GET":
        form.owner_id.data = customer.owner_id or 0
    if (
        form.validate_on_submit()
        and not _external_id_taken(form, customer)
        and _owner_allowed(form)
    ):
        with saving(_("Nothing was saved")) as saved:
            changes = customer_service.update_customer(customer, **_form_fields(form))
        if saved:
            flash(_("Saved.") if changes else _("Nothing changed."), "success")
            if "phone" in changes or "country" in changes:
                _say_if_phone_unverified(customer)
            return redirect(url_for("customers.detail", customer_id=customer.id))
    return render_template(
        "customers/form.html",
        form=form,
        customer=customer,
        title=_("Edit %(name)s", name=customer.name),
    )

"""Product pages: the list with margins, create and edit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from core.auth import permission_required
from core.db import db
from core.forms import ProductForm
from core.i18n import _
from core.models import Product
from core.search import lower_contains
from core.views.common import get_or_404, paginate, sorting

bp = Blueprint("products", __name__, url_prefix="/products")

SORTS = {
    "sku": Product.sku,
    "name": func.lower(Product.name),
    "category": Product.category,
    "price": Product.list_price,
    "cost": Product.unit_cost,
}


@bp.route("/")
@permission_required("products.view")
def index() -> str:
    """Products with their list margin; search by SKU or name, filter by category."""
    query = request.args.get("q", "").strip()
    category = request.args.get("category", "")
    statement = select(Product)
    if query:
        statement = statement.where(
            or_(lower_contains(Product.name, query), lower_contains(Product.sku, query))
        )
    if category:
        statement = statement.where(Product.category == category)
    if request.args.get("inactive") != "1":
        statement = statement.where(Product.active.is_(True))
    sort, direction, order_by = sorting(SORTS, "name")
    page = paginate(statement.order_by(order_by, Product.id))
    categories = list(
        db.session.scalars(
            select(Product.category)
            .where(Product.category != "")
            .distinct()
            .order_by(Product.category)
        )
    )
    return render_template(
        "products/list.html",
        title=_("Products"),
        page=page,
        query=query,
        category=category,
        categories=categories,
        sort=sort,
        direction=direction,
    )


def _save(form: ProductForm, product: Product | None) -> Product | None:
    """Write the form to a product; None (with the field error set) when the SKU is taken."""
    sku = form.sku.data.strip()
    other = db.session.scalar(select(Product.id).where(Product.sku == sku))
    if other is not None and (product is None or other != product.id):
        form.sku.errors = [*form.sku.errors, _("Another product has this SKU.")]
        return None
    product = product or Product()
    product.sku = sku
    product.name = form.name.data.strip()
    product.category = (form.category.data or "").strip()
    product.list_price = form.list_price.data
    product.unit_cost = form.unit_cost.data
    product.active = form.active.data
    db.session.add(product)
    db.session.commit()
    return product


@bp.route("/new", methods=["GET", "POST"])
@permission_required("products.edit")
def create() -> str | Response:
    """Create a product."""
    form = ProductForm()
    if form.validate_on_submit() and (product := _save(form, None)) is not None:
        flash(_("Product %(sku)s created.", sku=product.sku), "success")
        return redirect(url_for("products.index"))
    return render_template("products/form.html", form=form, product=None, title=_("New product"))


@bp.route("/<product_id>/edit", methods=["GET", "POST"])
@permission_required("products.edit")
def edit(product_id: str) -> str | Response:
    """Edit a product; a new unit cost applies to orders confirmed from now on."""
    product = get_or_404(Product, product_id)
    form = ProductForm(obj=product)
    if form.validate_on_submit() and _save(form, product) is not None:
        flash(_("Product %(sku)s saved.", sku=product.sku), "success")
        return redirect(url_for("products.index"))
    return render_template(
        "products/form.html", form=form, product=product, title=_("Edit %(name)s", name=product.sku)
    )

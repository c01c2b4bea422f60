"""Product pages of marketing: find a product, see who should get it, save them as a segment."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from core.auth import permission_required
from core.db import db
from core.i18n import _
from core.models import Product
from core.search import lower_contains
from core.views.common import get_or_404, paginate
from plugins.marketing import recommendations
from plugins.marketing import settings as marketing_settings
from plugins.marketing.forms import AudienceSegmentForm
from plugins.marketing.models import Segment
from plugins.marketing.segments import Condition, Rule

SHOWN = 100


@permission_required("marketing.segments")
def product_search() -> str:
    """Active products by SKU or name, each with a link to its audience."""
    query = request.args.get("q", "").strip()
    statement = select(Product).where(Product.active.is_(True))
    if query:
        statement = statement.where(
            or_(lower_contains(Product.name, query), lower_contains(Product.sku, query))
        )
    page = paginate(statement.order_by(func.lower(Product.name), Product.id))
    return render_template(
        "marketing/products.html",
        title=_("Who should get a product"),
        page=page,
        query=query,
    )


def _rule_for(product: Product) -> Rule:
    """The segment rule that picks the product's audience."""
    return Rule("all", (Condition("marketing.likely_buyer", product.sku, False),))


@permission_required("marketing.segments")
def product_audience(product_id: str) -> str | Response:
    """The customers most likely to buy a product they never had, and saving them as a segment."""
    product = get_or_404(Product, product_id)
    form = AudienceSegmentForm(name=_("Should get %(sku)s", sku=product.sku))
    if form.validate_on_submit():
        name = form.name.data.strip()
        if db.session.scalar(select(Segment.id).where(Segment.name == name)) is not None:
            form.name.errors = [*form.name.errors, _("Another segment has this name.")]
        else:
            segment = Segment(
                name=name,
                description=_(
                    "Customers who should get %(sku)s %(name)s, by co-purchases.",
                    sku=product.sku,
                    name=product.name,
                ),
                definition=_rule_for(product).to_json(),
                created_by_id=current_user.id,
            )
            db.session.add(segment)
            db.session.commit()
            flash(_("Segment %(name)s saved.", name=segment.name), "success")
            return redirect(url_for("marketing.segment_detail", segment_id=segment.id))
    customers = recommendations.audience(product, marketing_settings.current().audience_size)
    return render_template(
        "marketing/product_audience.html",
        title=_("Who should get %(sku)s", sku=product.sku),
        product=product,
        customers=customers[:SHOWN],
        total=len(customers),
        limit=marketing_settings.current().audience_size,
        as_of=recommendations.last_refresh(),
        form=form,
    )

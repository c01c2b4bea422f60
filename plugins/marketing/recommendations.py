"""Recommendations from co-purchases (item to item), for a customer and, in reverse, for a product.

"Bought" means a line of a confirmed (or later refunded) order that was not itself refunded.
For two products i and j, co(i, j) is the number of customers who bought both and n(p)
the number of customers who bought p. Their similarity is the Jaccard index

    sim(i, j) = co(i, j) / (n(i) + n(j) − co(i, j))

(1 when exactly the same customers bought both, near 0 for unrelated products), so a
product everyone buys does not crowd out a good match.

Counting co(i, j) means pairing every product of every customer with every other one of
theirs (126 million pairs for 1M order lines), far too much for a page. So, as in the classic
item-to-item method, it is done off-line: ``refresh`` (the nightly job
``marketing.refresh_recommendations`` and ``clientele marketing refresh-recommendations``)
keeps, for every product, its ``similar_products`` most similar products. Pages then read
that snapshot together with the live purchases:

- a customer's score for a product j they never had is the sum of sim(i, j) over the
  products i they bought whose most similar products include j;
- a customer's score for a product P (the reverse, "who should get this") is the sum of
  sim(P, i) over the products i they bought among P's most similar products.

Products whose category a plugin excludes for the customer (``recommendation_exclusions``,
e.g. loyalty preferences) and inactive products are never recommended. Each answer is one
SQL statement plus one call of the exclusions hook, whatever the data size.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.sql import ColumnElement

from core.db import db, is_sqlite
from core.i18n import _
from core.ledger import counted_orders
from core.models import Customer, Order, OrderLine, Product, utcnow
from core.plugins import plugin_system
from plugins.marketing.criteria import bought_lines, kept
from plugins.marketing.models import CustomerProduct, ProductSimilarity


@dataclass(frozen=True)
class Recommendation:
    """A product for a customer, its score, and the most customers who bought it with one of theirs."""

    product: Product
    score: float
    #: max over the customer's products i of co(i, product): "bought together by N customers".
    customers: int


def exclusions_offered() -> bool:
    """True when some enabled plugin implements recommendation_exclusions."""
    return bool(plugin_system().pm.hook.recommendation_exclusions.get_hookimpls())


def exclusions(customer_ids: Sequence[int]) -> dict[int, set[str]]:
    """Every plugin's excluded categories per customer, merged (one hook call for all ids)."""
    merged: dict[int, set[str]] = {identifier: set() for identifier in customer_ids}
    if not customer_ids or not exclusions_offered():
        return merged
    answers = plugin_system().pm.hook.recommendation_exclusions(customer_ids=list(customer_ids))
    for answer in answers:
        for customer_id, categories in (answer or {}).items():
            if customer_id in merged:
                merged[customer_id] |= {str(category) for category in categories}
    return merged


def _jaccard(co: Any, n_first: Any, n_second: Any) -> ColumnElement[float]:
    """co / (n1 + n2 − co) as a float."""
    return cast(co, Float) / (n_first + n_second - co)


def refresh(similar_products: int) -> tuple[int, int]:
    """Rebuild the co-purchase snapshot (not committed); (customer-product pairs, similarities kept)."""
    db.session.execute(delete(ProductSimilarity))
    db.session.execute(delete(CustomerProduct))
    db.session.execute(
        insert(CustomerProduct).from_select(
            ["customer_id", "product_id"], bought_lines().distinct()
        )
    )
    table = CustomerProduct.__table__
    first, second = table.alias("first"), table.alias("second")
    pairs = (
        select(
            first.c.product_id.label("i"), second.c.product_id.label("j"), func.count().label("co")
        )
        .join(
            second,
            and_(
                second.c.customer_id == first.c.customer_id,
                second.c.product_id != first.c.product_id,
            ),
        )
        .group_by(first.c.product_id, second.c.product_id)
        .subquery("pairs")
    )
    popularity = (
        select(table.c.product_id, func.count().label("n"))
        .group_by(table.c.product_id)
        .subquery("popularity")
    )
    n_i, n_j = popularity.alias("n_i"), popularity.alias("n_j")
    similarity = _jaccard(pairs.c.co, n_i.c.n, n_j.c.n)
    rank = func.row_number().over(partition_by=pairs.c.i, order_by=(similarity.desc(), pairs.c.j))
    ranked = (
        select(pairs.c.i, pairs.c.j, pairs.c.co, similarity.label("similarity"), rank.label("rank"))
        .join(n_i, n_i.c.product_id == pairs.c.i)
        .join(n_j, n_j.c.product_id == pairs.c.j)
        .subquery("ranked")
    )
    best = select(
        ranked.c.i, ranked.c.j, ranked.c.co, ranked.c.similarity, literal(utcnow(), DateTime)
    ).where(ranked.c.rank <= similar_products)
    db.session.execute(
        insert(ProductSimilarity).from_select(
            ["product_id", "similar_id", "together", "similarity", "computed_at"], best
        )
    )
    counted = select(func.count()).select_from(CustomerProduct)
    return int(db.session.scalar(counted) or 0), int(
        db.session.scalar(select(func.count()).select_from(ProductSimilarity)) or 0
    )


def last_refresh() -> dt.datetime | None:
    """When the snapshot was computed; None before the first refresh."""
    return db.session.scalar(select(func.max(ProductSimilarity.computed_at)))


@functools.cache
def _recommendation_statement(sqlite: bool) -> Any:
    """The statement of recommend_for, built once per dialect; it runs with bound parameters."""
    customer_id: Any = bindparam("customer_id")
    kept_products = (
        select(OrderLine.product_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.customer_id == customer_id, counted_orders(), kept(sqlite))
    )
    similar = ProductSimilarity
    score = func.sum(similar.similarity)
    return (
        select(Product, score.label("score"), func.max(similar.together))
        .join(similar, similar.similar_id == Product.id)
        .where(
            similar.product_id.in_(kept_products),
            # NOT EXISTS, not NOT IN: PostgreSQL plans it as an anti-join even before the
            # tables are analysed (a NOT IN subplan ran for minutes right after a demo load).
            ~exists().where(
                OrderLine.product_id == Product.id,
                Order.id == OrderLine.order_id,
                Order.customer_id == customer_id,
                counted_orders(),
            ),
            Product.active.is_(True),
            Product.category.not_in(bindparam("excluded", expanding=True)),
        )
        .group_by(Product.id)
        .order_by(score.desc(), Product.id)
        .limit(bindparam("limit"))
    )


def recommend_for(customer_id: int, excluded: set[str], limit: int) -> list[Recommendation]:
    """The best products the customer never had, by summed similarity (one statement)."""
    statement = _recommendation_statement(is_sqlite(db.session.get_bind()))
    parameters = {"customer_id": customer_id, "excluded": sorted(excluded), "limit": limit}
    return [
        Recommendation(product, float(value), int(together))
        for product, value, together in db.session.execute(statement, parameters)
    ]


def audience_statement(product_id: int, limit: int) -> Any:
    """SELECT (customer_id, score): customers who never had the product, best-scored first."""
    similar = (
        select(ProductSimilarity.similar_id, ProductSimilarity.similarity)
        .where(ProductSimilarity.product_id == product_id)
        .subquery("neighbours")
    )
    owners = (
        bought_lines()
        .where(OrderLine.product_id.in_(select(similar.c.similar_id)))
        .distinct()
        .subquery("owners")
    )
    had = (
        select(Order.customer_id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(OrderLine.product_id == product_id, counted_orders())
    )
    score = func.sum(similar.c.similarity)
    return (
        select(owners.c.customer_id, score.label("score"))
        .join(similar, similar.c.similar_id == owners.c.product_id)
        .where(owners.c.customer_id.not_in(had))
        .group_by(owners.c.customer_id)
        .order_by(score.desc(), owners.c.customer_id)
        .limit(limit)
    )


def audience(product: Product, limit: int) -> list[tuple[Customer, float]]:
    """Who should get this product: best-scored customers who never had it, minus exclusions."""
    ranked = audience_statement(product.id, limit).subquery("ranked")
    rows = db.session.execute(
        select(Customer, ranked.c.score)
        .join(ranked, ranked.c.customer_id == Customer.id)
        .order_by(ranked.c.score.desc(), Customer.id)
    ).all()
    excluded = exclusions([customer.id for customer, _ in rows])
    return [
        (customer, float(score))
        for customer, score in rows
        if product.category not in excluded.get(customer.id, set())
    ]


def likely_buyers(sku: str, limit: int) -> ColumnElement[bool]:
    """SQL for the segment criterion "should get product": the same customers as audience()."""
    product = db.session.scalar(select(Product).where(Product.sku == sku.strip()))
    if product is None:
        raise ValueError(_("there is no product with SKU '%(sku)s'", sku=sku.strip()))
    ranked = audience_statement(product.id, limit)
    ranked_ids = ranked.with_only_columns(ranked.selected_columns[0])
    condition = Customer.id.in_(ranked_ids)
    if not exclusions_offered():
        return condition
    # Exclusions are answered per customer id, so ask about the (at most ``limit``) candidates.
    candidates = list(db.session.scalars(ranked_ids))
    excluded = [
        customer_id
        for customer_id, categories in exclusions(candidates).items()
        if product.category in categories
    ]
    return condition & Customer.id.not_in(excluded) if excluded else condition

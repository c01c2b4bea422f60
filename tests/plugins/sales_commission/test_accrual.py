"""Accrual rules beyond the scenario: bases, grading, versions, splits, re-imports, late cancellations."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, update

from core.models import Order, OrderLine
from core.money import line_cost, line_net
from core.plugins import run_hook
from plugins.sales_commission import approval, rules, splits
from plugins.sales_commission.models import Entry
from plugins.sales_commission.recompute import recompute_period
from plugins.sales_commission.settings import current_rules

D = Decimal
MARCH = dt.date(2026, 3, 10)


def entries(db, **filters):
    # By line and date, not by id: PostgreSQL numbers the rows of one INSERT … SELECT in any order.
    statement = select(Entry).order_by(
        Entry.order_id, Entry.line_position, Entry.event_date, Entry.salesperson_id, Entry.id
    )
    for name, value in filters.items():
        statement = statement.where(getattr(Entry, name) == value)
    return db.session.scalars(statement).all()


@pytest.fixture
def seller(make_staff):
    return make_staff("sales", name="Sam Seller")


@pytest.mark.parametrize("clientele_settings", [{"sales_commission": {"base": "profit"}}])
def test_base_profit_multiplies_net_minus_cost(
    db, seller, make_product, make_order, clientele_settings
):
    product = make_product("100.00", "60.00")
    make_order(salesperson=seller, lines=[(product, 1)], order_date=MARCH)
    # net 100.00, cost 60.00, margin 0.40 → A; base profit 40.00 × 8 % = 3.20
    (entry,) = entries(db)
    assert (entry.tier, entry.base_kind, entry.line_base, entry.amount) == (
        "A",
        "profit",
        D("40.00"),
        D("3.20"),
    )


@pytest.mark.parametrize("clientele_settings", [{"sales_commission": {"grade_by": "product"}}])
def test_grading_by_product_uses_the_list_margin_taken_at_confirmation(
    db, seller, make_product, make_order, clientele_settings
):
    truffle = make_product("100.00", "50.00", sku="TRUF")
    order = make_order(
        salesperson=seller,
        lines=[(truffle, 1, None, "0.30"), (truffle, 1, "40.00")],
        order_date=MARCH,
    )
    discounted, below_cost = entries(db)
    # List margin 0.50 → A whatever the discount: 70.00 × 8 % = 5.60.
    assert (discounted.tier, discounted.margin, discounted.amount) == (
        "A",
        D("0.500000"),
        D("5.60"),
    )
    assert (discounted.grading_revenue, discounted.grading_profit) == (D("100.00"), D("50.00"))
    # Sold at 40.00 against a cost of 50.00: graded A, but below cost earns nothing.
    assert (below_cost.tier, below_cost.amount, below_cost.reason) == (
        "A",
        D("0.00"),
        "sold below cost",
    )
    # A later price change does not rewrite the graded lines (the list price was snapshot).
    truffle.list_price = D("60.00")  # list margin 0.1667 → C
    db.session.commit()
    run_hook("orders_imported", order_ids=[order.id])
    assert [entry.amount for entry in entries(db)] == [D("5.60"), D("0.00")]
    make_order(salesperson=seller, lines=[(truffle, 1)], order_date=MARCH)
    assert entries(db)[-1].tier == "C"  # 60.00 × 2 % = 1.20
    assert entries(db)[-1].amount == D("1.20")


def test_a_free_line_has_no_margin_to_grade(db, seller, make_product, make_order):
    make_order(
        salesperson=seller, lines=[(make_product("10.00", "0.00"), 1, None, "1")], order_date=MARCH
    )
    (entry,) = entries(db)
    assert (entry.amount, entry.margin, entry.reason) == (D("0.00"), None, "no revenue to grade")


def test_an_order_without_salesperson_earns_nobody_anything(db, make_product, make_order):
    make_order(salesperson=None, lines=[(make_product(), 1)], order_date=MARCH)
    assert entries(db) == []


def test_a_new_version_applies_from_its_date_and_reaccrues_open_months(
    db, seller, make_product, make_order
):
    product = make_product("100.00", "50.00")
    before = make_order(salesperson=seller, lines=[(product, 1)], order_date=dt.date(2026, 3, 9))
    after = make_order(salesperson=seller, lines=[(product, 1)], order_date=dt.date(2026, 3, 20))
    from plugins.sales_commission.accrual import reconcile_orders_from

    rules.add_version(
        dt.date(2026, 3, 15),
        "revenue",
        "line",
        [{"name": "Top", "min_margin": D("0.3"), "rate": D("0.1")}],
        "",
        None,
    )
    reconcile_orders_from(current_rules(), dt.date(2026, 3, 15))
    # Before 03-15: A 8 % of 100.00; from 03-15: Top 10 %.
    assert [(entry.order_id, entry.tier, entry.amount) for entry in entries(db)] == [
        (before.id, "A", D("8.00")),
        (after.id, "Top", D("10.00")),
    ]


def test_a_version_cannot_start_in_an_approved_month(db, seller, make_product, make_order):
    make_order(salesperson=seller, lines=[(make_product(), 1)], order_date=MARCH)
    approval.approve(seller, "2026-03", None, dt.date(2026, 4, 2))
    problem = rules.effective_date_problem(dt.date(2026, 3, 31), current_rules())
    assert problem == (
        "Statements up to 2026-03 are approved and never change; choose a date from 2026-04-01 on."
    )
    assert rules.effective_date_problem(dt.date(2026, 4, 1), current_rules()) is None


def test_split_shares_round_half_up_and_the_first_gets_the_remainder(
    db, make_staff, make_product, make_order
):
    first, second, third = (make_staff("sales") for _ in range(3))
    # net 12.50, cost 5.00, margin 0.60 → A: 12.50 × 8 % = 1.00
    order = make_order(
        salesperson=first, lines=[(make_product("12.50", "5.00"), 1)], order_date=MARCH
    )
    shares = [
        splits.Share(first, D("33.33")),
        splits.Share(second, D("33.33")),
        splits.Share(third, D("33.34")),
    ]
    assert splits.split_problems(order, shares) == []
    splits.save_split(order, shares, None, current_rules())
    amounts = {entry.salesperson_id: (entry.amount, entry.net, entry.cost) for entry in entries(db)}
    # second: round(1.00 × 0.3333) = 0.33, third: round(1.00 × 0.3334) = 0.33, first: 1.00 − 0.66 = 0.34
    # net 12.50: second round(4.166) = 4.17, third round(4.1675) = 4.17, first 12.50 − 8.34 = 4.16
    # cost 5.00: second round(1.6665) = 1.67, third round(1.667) = 1.67, first 5.00 − 3.34 = 1.66
    assert amounts == {
        first.id: (D("0.34"), D("4.16"), D("1.66")),
        second.id: (D("0.33"), D("4.17"), D("1.67")),
        third.id: (D("0.33"), D("4.17"), D("1.67")),
    }
    # Back to one salesperson: the split rows go and the line is whole again.
    splits.save_split(order, [splits.Share(first, D("100"))], None, current_rules())
    assert [(entry.salesperson_id, entry.amount) for entry in entries(db)] == [
        (first.id, D("1.00"))
    ]


def test_bad_splits_are_refused_with_reasons(db, make_staff, make_product, make_order):
    ann, ben = make_staff("sales", name="Ann"), make_staff("sales", name="Ben")
    support = make_staff("support", name="Sue")
    order = make_order(salesperson=ann, lines=[(make_product(), 1)], order_date=MARCH)
    assert splits.split_problems(
        order, [splits.Share(ann, D("60")), splits.Share(ben, D("30"))]
    ) == ["The shares add up to 90 %; they must add up to exactly 100 %."]
    assert "Each salesperson may appear only once." in splits.split_problems(
        order, [splits.Share(ann, D("50")), splits.Share(ann, D("50"))]
    )
    assert "Ben: use at most two decimals." in splits.split_problems(
        order, [splits.Share(ann, D("49.995")), splits.Share(ben, D("50.005"))]
    )
    assert "Sue does not sell (role or account)." in splits.split_problems(
        order, [splits.Share(ann, D("50")), splits.Share(support, D("50"))]
    )
    approval.approve(ann, "2026-03", None, dt.date(2026, 4, 2))
    assert splits.split_problems(
        order, [splits.Share(ann, D("50")), splits.Share(ben, D("50"))]
    ) == ["The 2026-03 statement of Ann is approved; the split can no longer change."]


def replace_lines(db, order, lines):
    """What an order-lines import does: the order's lines are replaced by new ones."""
    db.session.execute(delete(OrderLine).where(OrderLine.order_id == order.id))
    for position, (product, quantity, price) in enumerate(lines, start=1):
        db.session.add(
            OrderLine(
                order_id=order.id,
                product_id=product.id,
                position=position,
                quantity=D(quantity),
                unit_price=D(price),
                discount=D("0"),
                unit_cost=product.unit_cost,
                net_amount=line_net(D(quantity), D(price)),
                cost_amount=line_cost(D(quantity), product.unit_cost),
            )
        )
    db.session.flush()
    run_hook("orders_imported", order_ids=[order.id])
    db.session.commit()


def test_reimported_lines_of_an_approved_month_are_corrected_in_the_next_open_month(
    db, seller, make_product, make_order
):
    product = make_product("100.00", "50.00")
    order = make_order(salesperson=seller, lines=[(product, 2)], order_date=MARCH)  # A 16.00
    approval.approve(seller, "2026-03", None, dt.date(2026, 4, 2))
    replace_lines(db, order, [(product, "1", "100.00")])  # now A 8.00
    march = entries(db, period="2026-03")
    assert [(entry.kind, entry.amount) for entry in march] == [("sale", D("16.00"))]
    april = entries(db, period="2026-04")
    # The old line is cancelled (−16.00) and the new one accrues (+8.00), both in April.
    assert sorted((entry.kind, entry.amount, entry.sale_period) for entry in april) == [
        ("correction", D("-16.00"), "2026-03"),
        ("sale", D("8.00"), "2026-03"),
    ]
    assert april[0].corrects_id == march[0].id or april[1].corrects_id == march[0].id
    # Importing the same file again changes nothing.
    count = len(entries(db))
    run_hook("orders_imported", order_ids=[order.id])
    assert len(entries(db)) == count


def test_reimported_lines_of_an_open_month_simply_replace_the_entries(
    db, seller, make_product, make_order
):
    product = make_product("100.00", "50.00")
    order = make_order(salesperson=seller, lines=[(product, 2)], order_date=MARCH)
    replace_lines(db, order, [(product, "3", "100.00")])
    assert [(entry.kind, entry.amount) for entry in entries(db)] == [("sale", D("24.00"))]


def test_a_cancellation_made_while_the_plugin_was_off_is_found_by_recompute(
    db, seller, make_product, make_order
):
    order = make_order(
        salesperson=seller, lines=[(make_product("100.00", "50.00"), 1)], order_date=MARCH
    )
    # As if the plugin had been disabled: the status changes without the hook.
    db.session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(status="cancelled", cancelled_at=dt.datetime(2026, 3, 31, 23, 30))
    )
    recompute_period(current_rules(), "2026-03")
    kinds = [(entry.kind, entry.event_date, entry.amount) for entry in entries(db)]
    # The test app's company time zone is UTC: cancelled on 2026-03-31.
    assert kinds == [("sale", MARCH, D("8.00")), ("cancellation", dt.date(2026, 3, 31), D("-8.00"))]


def test_imported_confirmed_orders_accrue_in_bulk(db, seller, make_product, make_customer):
    product = make_product("10.00", "7.00")
    customer = make_customer()
    ids = []
    for number in range(3):
        order = Order(
            number=f"IMP-{number}",
            customer=customer,
            salesperson=seller,
            order_date=MARCH,
            status="confirmed",
        )
        order.lines = [
            OrderLine(
                product=product,
                position=1,
                quantity=D("1"),
                unit_price=D("10.00"),
                discount=D("0"),
                unit_cost=D("7.00"),
                net_amount=D("10.00"),
                cost_amount=D("7.00"),
            )
        ]
        db.session.add(order)
        db.session.flush()
        ids.append(order.id)
    run_hook("orders_imported", order_ids=ids)
    # Each: margin 0.30 → B, 10.00 × 5 % = 0.50.
    assert [(entry.order_id, entry.amount) for entry in entries(db)] == [
        (order_id, D("0.50")) for order_id in ids
    ]

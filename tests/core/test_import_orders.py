"""`clientele import orders` and `order-lines`: the bulk path, its money, its rules and its hook."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import orders as order_service
from core.ledger import sales_movements
from core.models import Order, OrderLine, Product
from core.plugins import hookimpl
from core.testing import CliRunner

DATA = Path(__file__).parent / "data"
ORDERS_HEADER = "number,customer_external_id,salesperson_email,order_date,status\n"
LINES_HEADER = "order_number,sku,quantity,unit_price,discount,unit_cost\n"


def write(tmp_path, text, name="file.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def import_all(cli, kinds=("users", "customers", "products", "orders", "order-lines")):
    for kind in kinds:
        result = cli.invoke(["import", kind, str(DATA / f"{kind}.csv")])
        assert result.exit_code == 0, result.output


def order(db, number):
    db.session.expire_all()
    return db.session.scalar(select(Order).where(Order.number == number))


class ImportHook:
    """Records every orders_imported call."""

    def __init__(self):
        self.calls = []

    @hookimpl
    def orders_imported(self, order_ids):
        self.calls.append(list(order_ids))


@pytest.fixture
def recorder(temp_plugin):
    return temp_plugin(ImportHook())


def test_orders_and_lines_follow_the_money_rules(cli, db):
    import_all(cli)
    first = order(db, "SO-1001")
    assert (first.status, first.order_date, first.salesperson.email) == (
        "confirmed",
        dt.date(2025, 1, 10),
        "anna.becker@acme.example",
    )
    assert first.confirmed_at is not None and first.cancelled_at is None
    # BAK-01: 10 × 4.50 = 45.00 net, 10 × 1.70 (the file's cost) = 17.00 cost.
    # DAI-01: 2.5 × 24.00 (list price) × 0.85 = 51.00 net, 2.5 × 17.50 (product's cost) = 43.75.
    assert [
        (line.position, line.product.sku, line.net_amount, line.unit_cost, line.cost_amount)
        for line in first.lines
    ] == [
        (1, "BAK-01", Decimal("45.00"), Decimal("1.70"), Decimal("17.00")),
        (2, "DAI-01", Decimal("51.00"), Decimal("17.50"), Decimal("43.75")),
    ]
    second = order(db, "SO-1002")
    # Its two lines are apart in the file (lines 4 and 7) and keep the file's order.
    # BEV-01: 3 × 10.10 × 0.85 = 25.755 → 25.76 (half up); BAK-01: 4 × 4.25 = 17.00.
    assert [(line.product.sku, line.net_amount, line.cost_amount) for line in second.lines] == [
        ("BEV-01", Decimal("25.76"), Decimal("18.90")),
        ("BAK-01", Decimal("17.00"), Decimal("7.20")),
    ]
    draft = order(db, "SO-1003")
    assert (draft.status, draft.salesperson, draft.confirmed_at) == ("draft", None, None)
    assert [(line.net_amount, line.unit_cost, line.cost_amount) for line in draft.lines] == [
        (Decimal("4.50"), None, None)  # a draft takes its cost snapshot when confirmed
    ]
    cancelled = order(db, "SO-1004")
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    # Imported history counts in the ledger: confirmed orders only.
    # net 45.00 + 51.00 + 25.76 + 17.00 = 138.76; cost 17.00 + 43.75 + 18.90 + 7.20 = 86.85.
    movements = sales_movements()
    totals = db.session.execute(select(func.sum(movements.c.net), func.sum(movements.c.cost))).one()
    assert (Decimal(str(totals[0])), Decimal(str(totals[1]))) == (
        Decimal("138.76"),
        Decimal("86.85"),
    )


def test_orders_imported_gets_the_ids_once_per_file(cli, db, recorder):
    import_all(cli, ("users", "customers", "products"))
    result = cli.invoke(["import", "orders", str(DATA / "orders.csv")])
    assert (
        "orders: 4 added, 0 changed, 0 unchanged; plugins were told about 4 order(s)"
        in result.output
    )
    ids = sorted(db.session.scalars(select(Order.id)))
    assert recorder.calls == [ids]
    lines = cli.invoke(["import", "order-lines", str(DATA / "order-lines.csv")])
    assert "6 row(s) read; orders: 4 added, 0 changed, 0 unchanged" in lines.output
    assert recorder.calls == [ids, ids]
    cli.invoke(["import", "orders", str(DATA / "orders.csv")])
    cli.invoke(["import", "order-lines", str(DATA / "order-lines.csv")])
    assert recorder.calls == [ids, ids]  # nothing changed, so the plugins are not told again


def test_importing_twice_changes_nothing_and_the_plugin_does_not_count_twice(make_app, tmp_path):
    from clientele_example.models import Confirmation

    from core.db import db

    cli = CliRunner(make_app(plugins=["example"]))
    import_all(cli)

    def snapshot():
        db.session.expire_all()
        lines = db.session.execute(
            select(
                OrderLine.id,
                OrderLine.order_id,
                OrderLine.product_id,
                OrderLine.net_amount,
                OrderLine.unit_cost,
            ).order_by(OrderLine.id)
        ).all()
        orders = db.session.execute(
            select(Order.id, Order.status, Order.confirmed_at).order_by(Order.id)
        ).all()
        confirmations = db.session.execute(
            select(Confirmation.order_id).order_by(Confirmation.order_id)
        ).all()
        return lines, orders, confirmations

    before = snapshot()
    assert len(before[2]) == 2  # SO-1001 and SO-1002 were recorded as confirmed
    import_all(cli)
    assert snapshot() == before


def test_status_moves_forward_and_draft_confirmation_takes_the_cost_snapshot(
    cli, db, recorder, tmp_path
):
    import_all(cli)
    recorder.calls.clear()
    db.session.get(Product, order(db, "SO-1003").lines[0].product_id).unit_cost = Decimal("1.95")
    db.session.commit()
    text = ORDERS_HEADER + (
        "SO-1001,C-001,anna.becker@acme.example,2025-01-10,cancelled\n"
        "SO-1002,C-002,jonas.weber@acme.example,2025-02-03,confirmed\n"
        "SO-1003,C-001,,2025-02-20,confirmed\n"
    )
    result = cli.invoke(["import", "orders", write(tmp_path, text)])
    assert result.exit_code == 0, result.output
    assert "orders: 0 added, 2 changed, 1 unchanged" in result.output
    cancelled, confirmed = order(db, "SO-1001"), order(db, "SO-1003")
    assert recorder.calls == [sorted([cancelled.id, confirmed.id])]
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert len(cancelled.lines) == 2  # a cancelled order keeps its lines
    assert confirmed.status == "confirmed" and confirmed.confirmed_at is not None
    # 1 × 1.95, the product's cost when the import confirmed it.
    assert [(line.unit_cost, line.cost_amount) for line in confirmed.lines] == [
        (Decimal("1.95"), Decimal("1.95"))
    ]


def test_status_never_moves_back(cli, db, tmp_path):
    import_all(cli)
    text = ORDERS_HEADER + (
        "SO-1002,C-002,jonas.weber@acme.example,2025-02-03,draft\n"
        "SO-1004,C-003,jonas.weber@acme.example,2025-03-05,confirmed\n"
    )
    result = cli.invoke(["import", "orders", write(tmp_path, text)])
    assert result.exit_code == 1
    assert (
        "line 2: order SO-1002 is confirmed; it cannot go back to draft (cancel it instead)"
        in result.output
    )
    assert (
        "line 3: order SO-1004 is cancelled; it cannot become confirmed again (import it under a new number)"
        in result.output
    )
    assert order(db, "SO-1002").status == "confirmed"


def test_a_confirmed_order_may_be_corrected_and_plugins_are_told(cli, db, recorder, tmp_path):
    import_all(cli)
    recorder.calls.clear()
    text = ORDERS_HEADER + "SO-1002,C-001,anna.becker@acme.example,2025-02-04,confirmed\n"
    assert cli.invoke(["import", "orders", write(tmp_path, text)]).exit_code == 0
    corrected = order(db, "SO-1002")
    assert (corrected.customer.external_id, corrected.salesperson.email, corrected.order_date) == (
        "C-001",
        "anna.becker@acme.example",
        dt.date(2025, 2, 4),
    )
    assert recorder.calls == [[corrected.id]]


def test_an_order_with_refunds_cannot_be_changed_by_import(cli, db, tmp_path):
    import_all(cli)
    refunded = order(db, "SO-1002")
    order_service.refund(refunded, [refunded.lines[1]], on=dt.date(2025, 2, 10))
    db.session.commit()
    # The same files again: the refunded order is unchanged, so this is fine.
    import_all(cli, ("orders", "order-lines"))
    orders = ORDERS_HEADER + "SO-1002,C-002,jonas.weber@acme.example,2025-02-03,cancelled\n"
    result = cli.invoke(["import", "orders", write(tmp_path, orders)])
    assert (
        "line 2: order SO-1002 has refunds made in the app; import cannot change it"
        in result.output
    )
    lines = LINES_HEADER + "SO-1002,BEV-01,3,10.10,0.15,\n"
    result = cli.invoke(["import", "order-lines", write(tmp_path, lines, "lines.csv")])
    assert (
        "line 2: order SO-1002 has refunds made in the app; its lines cannot be replaced by import"
        in result.output
    )
    assert order(db, "SO-1002").lines[1].refunded_on == dt.date(2025, 2, 10)


def test_lines_replace_the_orders_lines_and_empty_costs_keep_the_snapshot(
    cli, db, recorder, tmp_path
):
    import_all(cli)
    recorder.calls.clear()
    bakery = db.session.scalar(select(Product).where(Product.sku == "BAK-01"))
    bakery.unit_cost = Decimal("2.00")
    db.session.commit()
    # The original file again: SO-1002's BAK-01 line has no cost in the file and keeps 1.80.
    again = cli.invoke(["import", "order-lines", str(DATA / "order-lines.csv")])
    assert "orders: 0 added, 0 changed, 4 unchanged" in again.output
    assert order(db, "SO-1002").lines[1].unit_cost == Decimal("1.80")
    text = LINES_HEADER + "SO-1002,BAK-01,5,,,\n"
    result = cli.invoke(["import", "order-lines", write(tmp_path, text)])
    assert "orders: 0 added, 1 changed, 0 unchanged" in result.output
    replaced = order(db, "SO-1002")
    assert recorder.calls == [[replaced.id]]
    # 5 × 4.50 (list price) = 22.50 net; 5 × 2.00 (today's cost) = 10.00.
    assert [
        (line.position, line.quantity, line.net_amount, line.cost_amount) for line in replaced.lines
    ] == [(1, Decimal("5"), Decimal("22.50"), Decimal("10.00"))]
    assert len(order(db, "SO-1001").lines) == 2  # orders not in the file are left alone


def test_line_rows_are_checked(cli, db, tmp_path):
    import_all(cli, ("users", "customers", "products", "orders"))
    text = LINES_HEADER + (
        "SO-9999,BAK-01,1,,,\n"  # line 2
        "SO-1001,NOPE,1,,,\n"  # line 3
        "SO-1001,BAK-01,0,,,\n"  # line 4
        "SO-1001,BAK-01,,,,\n"  # line 5
        "SO-1001,BAK-01,1.2345,,,\n"  # line 6
        "SO-1001,BAK-01,1,,15,\n"  # line 7
        "SO-1001,BAK-01,1,,15%,\n"  # line 8
        "SO-1001,BAK-01,1,-1,,\n"  # line 9
        "SO-1001,BAK-01,1,,,1.234\n"  # line 10
        "SO-1001,BAK-01,1,,0.123456,\n"  # line 11
        "SO-1001,BAK-01,999999999,999999999.99,,\n"  # line 12
    )
    result = cli.invoke(["import", "order-lines", write(tmp_path, text)])
    assert result.exit_code == 1
    for expected in (
        "line 2: order_number 'SO-9999' is not an order (import the orders file first)",
        "line 3: sku 'NOPE' is not a product",
        "line 4: quantity '0' must be more than 0",
        "line 5: quantity is empty",
        "line 6: quantity '1.2345' has more than three decimals",
        "line 7: discount '15' is not a fraction between 0 and 1 (write 0.15 for 15 %)",
        "line 8: discount '15%' is not a fraction between 0 and 1 (write 0.15 for 15 %)",
        "line 9: unit_price '-1' is negative",
        "line 10: unit_cost '1.234' has more than two decimals",
        "line 11: discount '0.123456' has more than four decimals",
        "line 12: the line's total is too large",
    ):
        assert expected in result.output
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 0


def test_order_rows_are_checked(cli, db, tmp_path):
    import_all(cli, ("users", "customers", "products"))
    text = ORDERS_HEADER + (
        "SO-1,C-404,,2025-01-01,confirmed\n"  # line 2
        "SO-2,C-001,ghost@example.com,2025-01-01,confirmed\n"  # line 3
        "SO-3,C-001,,01.02.2025,confirmed\n"  # line 4
        "SO-4,C-001,,2025-01-01,refunded\n"  # line 5
        "SO-5,C-001,,2025-01-01,\n"  # line 6
        "SO-6,C-001,,2025-01-01,draft\n"
        "SO-6,C-001,,2025-01-02,draft\n"  # line 8
        f"{'N' * 41},C-001,,2025-01-01,draft\n"  # line 9
        "SO-10,C-001,,,draft\n"  # line 10
    )
    result = cli.invoke(["import", "orders", write(tmp_path, text)])
    assert result.exit_code == 1
    for expected in (
        "line 2: customer_external_id 'C-404' is not a customer",
        "line 3: salesperson_email 'ghost@example.com' is not a user",
        "line 4: order_date '01.02.2025' is not a date (write YYYY-MM-DD)",
        "line 5: status 'refunded' is not one of draft, confirmed, cancelled",
        "line 6: status is empty (write draft, confirmed, cancelled)",
        "line 8: number 'SO-6' appears again (first on line 7)",
        "line 9: number is longer than 40 characters",
        "line 10: order_date is empty",
    ):
        assert expected in result.output
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_skip_invalid_never_imports_half_an_order(cli, db, recorder, tmp_path):
    import_all(cli, ("users", "customers", "products", "orders"))
    recorder.calls.clear()
    text = LINES_HEADER + (
        "SO-1001,BAK-01,10,4.50,,1.70\n"  # line 2: valid, but its order has a bad line
        "SO-1002,BEV-01,3,10.10,0.15,\n"  # line 3
        "SO-1001,DAI-01,-2,,,\n"  # line 4: bad quantity
    )
    errors = tmp_path / "errors.csv"
    result = cli.invoke(
        ["import", "order-lines", write(tmp_path, text), "--skip-invalid", "--errors", str(errors)]
    )
    assert result.exit_code == 0, result.output
    assert "orders: 1 added, 0 changed, 0 unchanged; 2 row(s) rejected" in result.output
    assert order(db, "SO-1001").lines == []
    assert len(order(db, "SO-1002").lines) == 1
    assert recorder.calls == [[order(db, "SO-1002").id]]
    assert errors.read_text(encoding="utf-8").splitlines() == [
        "order_number,sku,quantity,unit_price,discount,unit_cost,reason",
        "SO-1001,BAK-01,10,4.50,,1.70,line 2: order SO-1001 has an invalid line (line 4); none of its lines were imported",
        "SO-1001,DAI-01,-2,,,,line 4: quantity '-2' must be more than 0",
    ]


def test_draft_lines_keep_a_given_cost(cli, db, tmp_path):
    import_all(cli, ("users", "customers", "products", "orders"))
    text = LINES_HEADER + "SO-1003,DAI-01,2,,,16.00\n"
    assert cli.invoke(["import", "order-lines", write(tmp_path, text)]).exit_code == 0
    # 2 × 24.00 = 48.00 net; 2 × 16.00 = 32.00 cost, kept until confirmation.
    assert [
        (line.net_amount, line.unit_cost, line.cost_amount) for line in order(db, "SO-1003").lines
    ] == [(Decimal("48.00"), Decimal("16.00"), Decimal("32.00"))]


def test_the_bulk_path_runs_the_same_queries_for_20_or_400_orders(
    cli, db, make_user, make_customer, make_product, tmp_path, count_queries
):
    make_user("sales", email="seller@example.com")
    make_customer(external_id="C-1")
    make_product(sku="P-1")

    def statements(orders):
        numbers = [f"N{size}-{number}" for size in (orders,) for number in range(orders)]
        orders_file = write(
            tmp_path,
            ORDERS_HEADER
            + "".join(
                f"{number},C-1,seller@example.com,2025-03-01,confirmed\n" for number in numbers
            ),
            f"orders{orders}.csv",
        )
        lines_file = write(
            tmp_path,
            LINES_HEADER
            + "".join(
                f"{number},P-1,{quantity},,,\n" for number in numbers for quantity in (1, 2, 3)
            ),
            f"lines{orders}.csv",
        )
        with count_queries() as orders_statements:
            assert cli.invoke(["import", "orders", orders_file]).exit_code == 0
        with count_queries() as lines_statements:
            assert cli.invoke(["import", "order-lines", lines_file]).exit_code == 0
        return len(orders_statements), len(lines_statements)

    small, large = statements(20), statements(400)
    assert small == large
    assert large[0] <= 8 and large[1] <= 8
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 3 * 420


class ClosedBooks:
    """A plugin that refuses imported history (raising in orders_imported aborts the file)."""

    @hookimpl
    def orders_imported(self, order_ids):
        raise ValueError("the books for 2025 are closed")


def test_a_plugin_refusing_the_import_rolls_the_whole_file_back(cli, db, temp_plugin):
    import_all(cli, ("users", "customers", "products"))
    temp_plugin(ClosedBooks(), name="closed_books")
    result = cli.invoke(["import", "orders", str(DATA / "orders.csv")])
    assert result.exit_code == 1
    assert (
        "orders.csv: Plugin 'closed_books': orders_imported failed: ValueError: the books for 2025 "
        "are closed Nothing was saved."
    ) in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0

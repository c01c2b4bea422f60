"""`clientele export`: the import formats written back, streamed, and round-tripping through import."""

import datetime as dt
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import aliased

from core import exporting
from core import orders as order_service
from core.models import Customer, Order, OrderLine, Product, User
from core.plugins import hookimpl

DATA = Path(__file__).parent / "data"
KINDS = ("users", "customers", "products", "orders", "order-lines")


def import_all(cli, folder=DATA):
    for kind in KINDS:
        result = cli.invoke(["import", kind, str(folder / f"{kind}.csv")])
        assert result.exit_code == 0, result.output


def export_all(cli, folder):
    for kind in KINDS:
        result = cli.invoke(["export", kind, str(folder / f"{kind}.csv")])
        assert result.exit_code == 0, result.output


def digest(db):
    """Everything the five formats carry, without ids or times the import sets itself."""
    db.session.expire_all()
    owner, salesperson = aliased(User), aliased(User)
    return {
        "users": db.session.execute(select(User.email, User.name, User.role).order_by(User.email)).all(),
        "customers": db.session.execute(
            select(
                Customer.external_id, Customer.name, Customer.company, Customer.email, Customer.phone,
                Customer.phone_normalized, Customer.country, Customer.region, Customer.city,
                Customer.channel, Customer.birthday, owner.email, Customer.tags, Customer.created_at,
            ).outerjoin(owner, owner.id == Customer.owner_id).order_by(Customer.external_id)
        ).all(),
        "products": db.session.execute(
            select(Product.sku, Product.name, Product.category, Product.list_price, Product.unit_cost, Product.active)
            .order_by(Product.sku)
        ).all(),
        "orders": db.session.execute(
            select(Order.number, Customer.external_id, salesperson.email, Order.order_date, Order.status)
            .join(Customer, Customer.id == Order.customer_id)
            .outerjoin(salesperson, salesperson.id == Order.salesperson_id)
            .order_by(Order.number)
        ).all(),
        "lines": db.session.execute(
            select(
                Order.number, OrderLine.position, Product.sku, OrderLine.quantity, OrderLine.unit_price,
                OrderLine.discount, OrderLine.unit_cost, OrderLine.net_amount, OrderLine.cost_amount,
            ).join(Order, Order.id == OrderLine.order_id).join(Product, Product.id == OrderLine.product_id)
            .order_by(Order.number, OrderLine.position)
        ).all(),
    }  # fmt: skip


def test_export_writes_the_import_formats(cli, db, tmp_path):
    import_all(cli)
    export_all(cli, tmp_path)
    for kind in ("users", "orders"):
        assert (tmp_path / f"{kind}.csv").read_text().splitlines() == (
            DATA / f"{kind}.csv"
        ).read_text().splitlines()
    # "yes" and "1" in the imported file come back as "true".
    assert (tmp_path / "products.csv").read_text().splitlines() == [
        "sku,name,category,list_price,unit_cost,active",
        "BAK-01,Sourdough Loaf,Bakery,4.50,1.80,true",
        "DAI-01,Alpine Cheese 1 kg,Dairy & Cheese,24.00,17.50,true",
        "BEV-01,Apple Juice 6 x 1 l,Beverages,10.10,6.30,true",
        "FRU-01,Tomatoes 5 kg,Fresh Produce,12.00,10.20,false",
    ]
    # Empty cells come back filled in: list price, discount 0, the cost snapshot of confirmed orders.
    assert (tmp_path / "order-lines.csv").read_text().splitlines() == [
        "order_number,sku,quantity,unit_price,discount,unit_cost",
        "SO-1001,BAK-01,10,4.50,0,1.70",
        "SO-1001,DAI-01,2.5,24.00,0.15,17.50",
        "SO-1002,BEV-01,3,10.10,0.15,6.30",
        "SO-1002,BAK-01,4,4.25,0,1.80",
        "SO-1003,BAK-01,1,4.50,0,",
        "SO-1004,DAI-01,1,24.00,0,17.50",
    ]
    customers = (tmp_path / "customers.csv").read_text(encoding="utf-8").splitlines()
    assert customers[1] == (
        "C-001,Lena Huber,Gasthaus Huber,lena.huber@example.com,089 1234567,DE,Bayern,München,fair,"
        '1980-04-12,anna.becker@acme.example,"restaurant,vip",2024-01-15 09:30:00'
    )


def test_round_trip_into_an_empty_database(
    cli, db, tmp_path, make_customer, make_order, make_product
):
    import_all(cli)
    # Data made in the app: a customer without external_id, an order numbered by the app.
    walk_in = make_customer(name="Walk-in Guest", phone="+49 30 1234567", tags="cash")
    make_order(
        walk_in,
        lines=[(make_product(sku="X-1", list_price="3.30", unit_cost="1.10"), 3, None, "0.1")],
    )
    export = cli.invoke(["export", "customers", str(tmp_path / "customers.csv")])
    assert "Gave 1 customer(s) without an external_id the key CUST-<id>." in export.output
    export_all(cli, tmp_path)
    before = digest(db)
    assert f"CUST-{walk_in.id}" in [row[0] for row in before["customers"]]
    for model in (OrderLine, Order, Customer, Product, User):
        db.session.execute(delete(model))
    db.session.commit()
    import_all(cli, tmp_path)
    assert digest(db) == before


class Recorder:
    def __init__(self):
        self.calls = []

    @hookimpl
    def orders_imported(self, order_ids):
        self.calls.append(order_ids)


def test_exported_files_import_back_unchanged_even_with_refunds(cli, db, tmp_path, temp_plugin):
    import_all(cli)
    refunded = db.session.scalar(select(Order).where(Order.number == "SO-1002"))
    order_service.refund(refunded, None, on=dt.date(2025, 3, 1))
    db.session.commit()
    assert refunded.status == "refunded"
    export_all(cli, tmp_path)
    assert (
        "SO-1002,C-002,jonas.weber@acme.example,2025-02-03,confirmed"
        in (tmp_path / "orders.csv").read_text()
    )
    before = digest(db)
    recorder = temp_plugin(Recorder())
    for kind in KINDS:
        result = cli.invoke(["import", kind, str(tmp_path / f"{kind}.csv")])
        assert " 0 added, 0 changed" in result.output, result.output
    assert recorder.calls == []
    assert digest(db) == before


def test_export_streams_in_chunks(cli, db, tmp_path, make_product, monkeypatch):
    monkeypatch.setattr(exporting, "CHUNK", 3)
    for number in range(10):
        make_product(
            sku=f"P{number}", list_price=f"{number}.5", unit_cost="0.25", active=number % 2 == 0
        )
    result = cli.invoke(["export", "products", str(tmp_path / "products.csv")])
    assert "Exported 10 products row(s)" in result.output
    lines = (tmp_path / "products.csv").read_text().splitlines()
    assert len(lines) == 11
    assert lines[1:3] == [
        "P0,Product 1,General,0.50,0.25,true",
        "P1,Product 2,General,1.50,0.25,false",
    ]


def test_export_to_a_folder_that_does_not_exist_is_a_clear_error(cli, tmp_path):
    result = cli.invoke(["export", "users", str(tmp_path / "missing" / "users.csv")])
    assert result.exit_code == 1
    assert "cannot write" in result.output and "Traceback" not in result.output

"""`clientele import KIND FILE.xlsx`: workbooks go through the same rules as CSV files."""

import csv
import datetime as dt
from decimal import Decimal

from openpyxl import Workbook
from sqlalchemy import func, select

from core.importing.people import CustomersImport
from core.importing.workbook import cell_text
from core.models import Customer, CustomerIssue, Order, OrderLine, Product, User

CUSTOMERS = list(CustomersImport.columns)


def workbook(tmp_path, rows, name="file.xlsx", title="Sheet1"):
    """Save rows (lists of cell values, None for an empty cell) as the first sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return str(path)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_cells_become_the_text_the_importer_reads():
    assert cell_text(None) == ""
    assert cell_text(4.35) == "4.35" and cell_text(12.0) == "12" and cell_text(7) == "7"
    assert cell_text(0.1 + 0.2) == "0.30000000000000004"  # refused later: more than two decimals
    assert cell_text(True) == "true" and cell_text(False) == "false"
    assert cell_text(dt.datetime(2024, 1, 15)) == "2024-01-15"
    assert cell_text(dt.datetime(2024, 1, 15, 9, 30, 5, 120)) == "2024-01-15 09:30:05"
    assert cell_text(dt.date(1980, 4, 12)) == "1980-04-12"
    assert cell_text("=HYPERLINK(x)") == "=HYPERLINK(x)"  # text stays text


def test_customers_from_a_workbook_with_real_cells(cli, db, make_user, tmp_path):
    make_user("sales", email="anna@example.com")
    header = ["name", *[column for column in CUSTOMERS if column != "name"]]  # any order
    rows = [
        header,
        ["Lena Huber", "C-1", "Gasthaus Huber", "lena@example.com", "089 1234567", "Deutschland",
         "Bayern", "München", "fair", dt.datetime(1980, 4, 12), "anna@example.com", "vip",
         dt.datetime(2024, 1, 15, 9, 30)],
        [None] * len(header),  # a blank row is skipped; numbering goes on
        ["王芳", "C-2", None, None, 8613800138000, "中国", None, "上海", None, None, None, None,
         None],
        ["Maison Leroy", "C-3", None, None, "42.68.53.00", "France", None, "Paris", None,
         "12/04/1980", None, None, None],
    ]  # fmt: skip
    path = workbook(tmp_path, rows)
    result = cli.invoke(["import", "customers", path])
    assert result.exit_code == 0, result.output
    assert "file.xlsx: 3 row(s) read; customers: 3 added, 0 changed, 0 unchanged" in result.output
    # Line numbers are the sheet's row numbers: Maison Leroy is on row 5.
    assert "line 5: phone '42.68.53.00' kept as typed" in result.output
    assert "line 5: birthday '12/04/1980' kept as typed" in result.output
    lena = db.session.scalar(select(Customer).where(Customer.external_id == "C-1"))
    assert (lena.country, lena.birthday, lena.created_at, lena.owner.email) == (
        "DE",
        dt.date(1980, 4, 12),
        dt.datetime(2024, 1, 15, 9, 30),
        "anna@example.com",
    )
    wang = db.session.scalar(select(Customer).where(Customer.external_id == "C-2"))
    # A phone Excel stored as a number: its digits, read in the customer's country.
    assert (wang.phone, wang.phone_normalized, wang.country) == (
        "8613800138000",
        "+8613800138000",
        "CN",
    )
    assert count(db, CustomerIssue) == 2
    # Importing the same workbook again changes nothing.
    again = cli.invoke(["import", "customers", path])
    assert "customers: 0 added, 0 changed, 3 unchanged" in again.output


def test_products_orders_and_lines_from_workbooks(cli, db, make_customer, tmp_path):
    make_customer(external_id="C-1", name="Lena")
    products = workbook(
        tmp_path,
        [
            ["sku", "name", "category", "list_price", "unit_cost", "active"],
            ["BAK-01", "Sourdough", "Bakery", 4.5, 1.8, True],
            ["DAI-01", "Butter", "Dairy", 24, 17.5, None],
        ],
        "products.xlsx",
    )
    orders = workbook(
        tmp_path,
        [
            ["number", "customer_external_id", "salesperson_email", "order_date", "status"],
            ["SO-1", "C-1", None, dt.datetime(2025, 1, 10), "confirmed"],
        ],
        "orders.xlsx",
    )
    lines = workbook(
        tmp_path,
        [
            ["order_number", "sku", "quantity", "unit_price", "discount", "unit_cost"],
            ["SO-1", "BAK-01", 10, 4.5, None, 1.7],
            ["SO-1", "DAI-01", 2.5, None, 0.15, None],
        ],
        "lines.xlsx",
    )
    for kind, path in (("products", products), ("orders", orders), ("order-lines", lines)):
        result = cli.invoke(["import", kind, path])
        assert result.exit_code == 0, result.output
    butter = db.session.scalar(select(Product).where(Product.sku == "DAI-01"))
    assert (butter.list_price, butter.unit_cost, butter.active) == (
        Decimal("24.00"),
        Decimal("17.50"),
        True,
    )
    order = db.session.scalar(select(Order).where(Order.number == "SO-1"))
    assert (order.order_date, order.status) == (dt.date(2025, 1, 10), "confirmed")
    nets = db.session.execute(
        select(OrderLine.net_amount, OrderLine.cost_amount).order_by(OrderLine.position)
    ).all()
    # 10 × 4.50 = 45.00 net, 10 × 1.70 = 17.00 cost; 2.5 × 24.00 × 0.85 = 51.00, 2.5 × 17.50 = 43.75.
    assert [tuple(row) for row in nets] == [
        (Decimal("45.00"), Decimal("17.00")),
        (Decimal("51.00"), Decimal("43.75")),
    ]
    again = cli.invoke(["import", "order-lines", lines])
    assert "orders: 0 added, 0 changed, 1 unchanged" in again.output


def test_one_bad_row_at_the_end_of_a_workbook_writes_nothing(cli, db, tmp_path):
    rows = [["sku", "name", "category", "list_price", "unit_cost", "active"]]
    rows += [[f"P-{number}", f"Product {number}", "Bulk", 2.5, 1, True] for number in range(500)]
    rows.append(["P-BAD", "Bad price", "Bulk", 2.675, 1, True])  # row 502: not in cents
    result = cli.invoke(["import", "products", workbook(tmp_path, rows)])
    assert result.exit_code == 1
    assert "line 502: list_price '2.675' has more than two decimals" in result.output
    assert "1 invalid row(s); nothing was imported" in result.output
    assert count(db, Product) == 0


def test_skip_invalid_writes_the_rejected_sheet_rows_to_the_errors_file(cli, db, tmp_path):
    path = workbook(
        tmp_path,
        [
            ["email", "name", "role"],
            ["anna@example.com", "Anna", "sales"],
            ["boss@example.com", "@Boss", "boss"],
        ],
    )
    errors = tmp_path / "errors.csv"
    result = cli.invoke(["import", "users", path, "--skip-invalid", "--errors", str(errors)])
    assert result.exit_code == 0, result.output
    assert "users: 1 added, 0 changed, 0 unchanged; 1 row(s) rejected" in result.output
    with errors.open(encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    assert written == [
        ["email", "name", "role", "reason"],
        [
            "boss@example.com",
            "'@Boss",  # a formula-looking text is quoted in CSV, and unquoted on import
            "boss",
            "line 3: role 'boss' is not one of admin, manager, sales, support, marketing; role "
            "is empty (a new user needs one of admin, manager, sales, support, marketing)",
        ],
    ]
    assert db.session.scalar(select(User.name).where(User.email == "anna@example.com")) == "Anna"


def test_the_header_rules_are_those_of_csv(cli, db, tmp_path):
    wrong = workbook(tmp_path, [["email", "name", "rolle"], ["a@example.com", "A", "sales"]])
    result = cli.invoke(["import", "users", wrong])
    assert result.exit_code == 1
    assert (
        "file.xlsx: line 1: missing column(s) role; unknown column(s) rolle. The header must be "
        "exactly: email, name, role. Nothing was imported." in result.output
    )
    # Empty columns right of the header are ignored; a value there is an error of its row.
    wide = workbook(
        tmp_path,
        [
            [None, None, None],
            ["email", "name", "role", None, None],
            ["a@example.com", "A", "sales", None],
            ["b@example.com", "B", "sales", None, "note"],
        ],
        "wide.xlsx",
    )
    result = cli.invoke(["import", "users", wide])
    assert "line 4: has 5 cells but the header has 3 columns" in result.output
    assert count(db, User) == 0


def test_a_file_that_is_no_workbook_says_so(cli, db, tmp_path):
    fake = tmp_path / "customers.xlsx"
    fake.write_text("external_id,name\n", encoding="utf-8")
    result = cli.invoke(["import", "customers", str(fake)])
    assert result.exit_code == 1
    assert "customers.xlsx: the file is not a readable .xlsx workbook" in result.output
    old = tmp_path / "customers.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    result = cli.invoke(["import", "customers", str(old)])
    assert "old Excel 97-2003 workbooks (.xls) cannot be read" in result.output

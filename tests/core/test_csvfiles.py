"""Spreadsheet formula injection: every CSV the app writes quotes formula-like text, one way."""

import csv
import io
from decimal import Decimal

import pytest

from core.csvfiles import csv_text, read_cell, safe_cell
from core.exporting import export_file
from core.importing import import_file
from core.models import Customer

NASTY = '=HYPERLINK("http://evil.example","click")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("+49 30 947248", "'+49 30 947248"),  # a phone number is text, not a number
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        # Real numbers stay numbers, whatever their sign: refunds and clawbacks read back.
        ("-12.30", "-12.30"),
        ("-5", "-5"),
        (Decimal("-12.30"), "-12.30"),
        (-3, "-3"),
        ("12.30", "12.30"),
        # Not numbers although they start like one: quoted.
        ("-1e5", "'-1e5"),
        ("-", "'-"),
        ("- milk", "'- milk"),
        # Ordinary text and a leading quote that marks nothing are left alone.
        ("Ada Lovelace", "Ada Lovelace"),
        ("'s-Hertogenbosch", "'s-Hertogenbosch"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        # A text that already looks quoted gets one more quote, so the import is exact.
        ("'=1", "''=1"),
        ("''x", "'''x"),
    ],
)
def test_safe_cell_and_its_inverse(value, written):
    assert safe_cell(value) == written
    original = "" if value is None else str(value)
    assert read_cell(written) == original


def test_csv_text_quotes_formulas_and_keeps_numbers():
    text = csv_text(["name", "amount"], [[NASTY, Decimal("-4.50")], ["Bob", "-0.10"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "amount"], ["'" + NASTY, "-4.50"], ["Bob", "-0.10"]]


def test_export_quotes_formulas_and_imports_back_unchanged(app, db, make_customer, tmp_path):
    make_customer(
        name=NASTY,
        company="@risk",
        phone="+49 30 947248",
        city="'s-Hertogenbosch",
        tags="-vip",
        external_id="C-1",
        email="ada@example.com",
    )
    path = tmp_path / "customers.csv"
    assert export_file("customers", path) == 1
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert (rows[0]["name"], rows[0]["company"], rows[0]["phone"], rows[0]["city"]) == (
        "'" + NASTY,
        "'@risk",
        "'+49 30 947248",
        "'s-Hertogenbosch",
    )
    assert rows[0]["tags"] == "'-vip"
    # Change the customer, then import the file: the values come back exactly as exported.
    customer = db.session.query(Customer).filter_by(external_id="C-1").one()
    customer.name, customer.phone, customer.city = "Changed", "", "Elsewhere"
    db.session.commit()
    result = import_file("customers", path, skip_invalid=False)
    assert not result.rejected
    db.session.expire_all()
    customer = db.session.query(Customer).filter_by(external_id="C-1").one()
    assert (customer.name, customer.company, customer.phone, customer.city) == (
        NASTY,
        "@risk",
        "+49 30 947248",
        "'s-Hertogenbosch",
    )


def test_report_commands_quote_formulas_in_csv(cli, make_customer):
    from core.cli.output import csv_text as report_csv

    text = report_csv([{"name": "=2+3", "net": Decimal("-7.00")}], ["name", "net"])
    assert text.splitlines() == ["name,net", "'=2+3,-7.00"]


def test_every_csv_the_app_writes_goes_through_the_one_writer():
    from core.config import PROJECT_ROOT

    writers = [
        str(path.relative_to(PROJECT_ROOT))
        for folder in ("core", "plugins")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if "csv.writer(" in path.read_text() or "csv.DictWriter(" in path.read_text()
    ]
    assert writers == ["core/csvfiles.py"]


def test_xlsx_download_keeps_formula_text_as_text_and_decimals_exact(app):
    from openpyxl import load_workbook

    from core.csvfiles import xlsx_download

    with app.test_request_context():
        response = xlsx_download(
            "report.xlsx",
            ["name", "net", "share", "orders"],
            [[NASTY, Decimal("1234.50"), Decimal("0.1235"), 3], ["+49 30 947248", None, None, 0]],
        )
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [list(row) for row in sheet.iter_rows()]
    assert [cell.value for cell in rows[0]] == ["name", "net", "share", "orders"]
    name, net, share, orders = rows[1]
    assert (name.value, name.data_type) == (NASTY, "s")  # shown, never run
    assert (net.value, net.number_format) == (1234.5, "0.00")
    assert (share.value, share.number_format) == (0.1235, "0.0000")
    assert orders.value == 3
    assert [cell.value for cell in rows[2]] == ["+49 30 947248", None, None, 0]
    assert response.headers["Content-Disposition"] == 'attachment; filename="report.xlsx"'

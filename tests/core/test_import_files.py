"""`clientele import`: what holds for every format — header, encoding, CSV syntax, atomicity, --skip-invalid."""

import csv

import pytest
from sqlalchemy import func, select

from core.importing import base
from core.models import Customer, Product

PRODUCTS_HEADER = "sku,name,category,list_price,unit_cost,active\n"


def write(tmp_path, text, name="file.csv", encoding="utf-8"):
    """Write text to a file and return its path as a string."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_header_must_name_exactly_the_columns(cli, db, tmp_path):
    path = write(tmp_path, "sku,Name,category,list_price,unit_cost,colour\nA,B,C,1,1,x\n")
    result = cli.invoke(["import", "products", path])
    assert result.exit_code == 1
    assert (
        "line 1: missing column(s) name, active; unknown column(s) Name, colour. "
        "The header must be exactly: sku, name, category, list_price, unit_cost, active"
    ) in result.output
    assert "Nothing was imported." in result.output
    assert "Traceback" not in result.output
    assert count(db, Product) == 0


def test_header_columns_may_come_in_any_order_and_repeats_are_refused(cli, db, tmp_path):
    path = write(
        tmp_path, "active,unit_cost,list_price,category,name,sku\nno,1.00,2.00,Tea,Green,T1\n"
    )
    assert cli.invoke(["import", "products", path]).exit_code == 0
    product = db.session.scalar(select(Product))
    assert (product.sku, product.name, product.active) == ("T1", "Green", False)
    repeated = write(tmp_path, PRODUCTS_HEADER.strip() + ",sku\n", name="repeated.csv")
    result = cli.invoke(["import", "products", repeated])
    assert result.exit_code == 1
    assert "line 1: repeated column(s) sku" in result.output


def test_empty_file_and_header_only(cli, db, tmp_path):
    result = cli.invoke(["import", "users", write(tmp_path, "")])
    assert result.exit_code == 1
    assert (
        "the file is empty; its first line must be the header: email, name, role" in result.output
    )
    only_header = cli.invoke(["import", "users", write(tmp_path, "email,name,role\n", "h.csv")])
    assert only_header.exit_code == 0
    assert "0 row(s) read" in only_header.output


def test_semicolon_latin1_file_is_read(cli, db, tmp_path):
    """What a German or French spreadsheet program saves as "CSV": semicolons, Windows-1252."""
    text = (
        "sku;name;category;list_price;unit_cost;active\n"
        "A1;Tee;Getränke;2.00;1.00;true\n"
        "A2;Café crème;Boissons;2.50;1.10;true\n"
        "A3;Müsli «Bio»;Frühstück;4.00;2.00;true\n"
    )
    result = cli.invoke(["import", "products", write(tmp_path, text, encoding="cp1252")])
    assert result.exit_code == 0, result.output
    rows = db.session.execute(
        select(Product.sku, Product.name, Product.category).order_by(Product.sku)
    )
    assert [tuple(row) for row in rows] == [
        ("A1", "Tee", "Getränke"),
        ("A2", "Café crème", "Boissons"),
        ("A3", "Müsli «Bio»", "Frühstück"),
    ]


def test_tab_separated_gbk_file_is_read(cli, db, tmp_path):
    """A Chinese spreadsheet program's text export: tabs, GBK."""
    names = [
        "绿茶",
        "乌龙茶",
        "普洱茶饼",
        "茉莉花茶",
        "红茶礼盒",
        "白茶",
        "铁观音",
        "龙井茶",
        "碧螺春",
        "大红袍",
    ]
    text = "sku\tname\tcategory\tlist_price\tunit_cost\tactive\n" + "".join(
        f"C{number}\t{name}\t饮料\t12.00\t6.00\ttrue\n" for number, name in enumerate(names)
    )
    result = cli.invoke(["import", "products", write(tmp_path, text, encoding="gbk")])
    assert result.exit_code == 0, result.output
    rows = db.session.execute(select(Product.name, Product.category).order_by(Product.sku))
    assert [tuple(row) for row in rows] == [(name, "饮料") for name in names]


def test_errors_file_of_a_semicolon_latin1_file_keeps_its_cells(cli, db, tmp_path):
    text = "sku;name;category;list_price;unit_cost;active\nA1;Café;Boissons;deux;1.00;true\n"
    errors = tmp_path / "errors.csv"
    result = cli.invoke(
        ["import", "products", write(tmp_path, text, encoding="latin-1"), "--errors", str(errors)]
    )
    assert result.exit_code == 1
    assert "line 2: list_price 'deux' is not a number" in result.output
    lines = errors.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("A1,Café,Boissons,deux,1.00,true,line 2: list_price 'deux'")
    assert count(db, Product) == 0


def test_utf8_with_byte_order_mark_is_read(cli, db, tmp_path):
    text = "\ufeff" + PRODUCTS_HEADER + "A1,Café crème,Drinks,2.00,1.00,true\n"
    assert cli.invoke(["import", "products", write(tmp_path, text)]).exit_code == 0
    assert db.session.scalar(select(Product.name)) == "Café crème"


def test_broken_quoting_is_a_clear_error(cli, db, tmp_path):
    text = PRODUCTS_HEADER + 'A1,"Tea" leaves,Drinks,2.00,1.00,true\n'
    result = cli.invoke(["import", "products", write(tmp_path, text)])
    assert result.exit_code == 1
    assert "line 2: the file is not valid CSV" in result.output
    assert "Traceback" not in result.output


def test_line_numbers_count_the_header_blank_rows_and_multiline_cells(cli, db, tmp_path):
    text = (
        PRODUCTS_HEADER
        + 'A1,"Tea,\nGreen",Drinks,2.00,1.00,true\n'  # lines 2-3: one row over two lines
        + ",,,,,\n"  # line 4: a blank spreadsheet row, skipped
        + "A2,Coffee,Drinks,2.00,1.00\n"  # line 5: five cells
        + "A3,Cocoa,Drinks,-2.00,1.00,true\n"  # line 6: negative price
    )
    result = cli.invoke(["import", "products", write(tmp_path, text)])
    assert result.exit_code == 1
    assert "line 5: has 5 cells but the header has 6 columns" in result.output
    assert "line 6: list_price '-2.00' is negative" in result.output
    assert "line 2" not in result.output
    assert "2 invalid row(s); nothing was imported" in result.output


def test_one_invalid_row_means_nothing_is_written(cli, db, tmp_path):
    text = (
        "external_id,name,company,email,phone,country,region,city,channel,birthday,owner_email,tags,created_at\n"
        "C1,Ada,,ada@example.com,030 1234567,DE,,Berlin,web,,,,\n"
        "C2,Bob,,bob@example.com,,DE,,,,,,,\n"
        "C3,Cleo,,cleo@example.com,,,,,,,,,\n"
        "C4,Dan,,dan@example.com,,DE,,,,,,,\n"
        "C5,Eve,,eve@example.com,,DE,,,,,,,\n"
        "C6,Fay,,fay@example.com,call me,Germny,,,,,,,\n"
    )
    result = cli.invoke(["import", "customers", write(tmp_path, text)])
    assert result.exit_code == 1
    assert "phone 'call me' holds no phone number" in result.output
    assert "country 'Germny' is not a country" in result.output
    assert count(db, Customer) == 0


def test_skip_invalid_imports_the_rest_and_writes_the_errors_file(cli, db, tmp_path):
    text = (
        PRODUCTS_HEADER
        + "A1,Tea,Drinks,2.00,1.00,true\n"
        + "A2,Coffee,Drinks,2.005,1.00,true\n"
        + "A3,Cocoa,Drinks,3.00,1.00,maybe\n"
        + "A1,Tea again,Drinks,2.00,1.00,true\n"
        + "A4,Mate,Drinks,4.00,2.50,\n"
    )
    errors = tmp_path / "errors.csv"
    result = cli.invoke(
        ["import", "products", write(tmp_path, text), "--skip-invalid", "--errors", str(errors)]
    )
    assert result.exit_code == 0, result.output
    assert (
        "5 row(s) read; products: 2 added, 0 changed, 0 unchanged; 3 row(s) rejected"
        in result.output
    )
    assert sorted(db.session.scalars(select(Product.sku))) == ["A1", "A4"]
    with errors.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["sku", "name", "category", "list_price", "unit_cost", "active", "reason"],
        ["A2", "Coffee", "Drinks", "2.005", "1.00", "true", "line 3: list_price '2.005' has more than two decimals"],
        ["A3", "Cocoa", "Drinks", "3.00", "1.00", "maybe", "line 4: active 'maybe' is not true or false"],
        ["A1", "Tea again", "Drinks", "2.00", "1.00", "true", "line 5: sku 'A1' appears again (first on line 2)"],
    ]  # fmt: skip


def test_errors_file_without_skip_invalid_lists_the_rows_and_imports_nothing(cli, db, tmp_path):
    text = PRODUCTS_HEADER + "A1,Tea,Drinks,2.00,1.00,true\nA2,,Drinks,,1.00,true\n"
    errors = tmp_path / "errors.csv"
    result = cli.invoke(["import", "products", write(tmp_path, text), "--errors", str(errors)])
    assert result.exit_code == 1
    assert "line 3: name is empty (a new product needs it); list_price is empty" in result.output
    assert (
        errors.read_text().splitlines()[1].startswith("A2,,Drinks,,1.00,true,line 3: name is empty")
    )
    assert count(db, Product) == 0


def test_errors_file_cannot_be_the_imported_file(cli, db, tmp_path):
    path = write(tmp_path, PRODUCTS_HEADER + "A1,Tea,Drinks,-2,1.00,true\n")
    result = cli.invoke(["import", "products", path, "--skip-invalid", "--errors", path])
    assert result.exit_code == 2
    assert "must not be the file being imported" in result.output
    assert (tmp_path / "file.csv").read_text().startswith(PRODUCTS_HEADER)


def test_unknown_format_and_missing_file_are_usage_errors(cli, tmp_path):
    unknown = cli.invoke(["import", "invoices", write(tmp_path, "a\n")])
    assert unknown.exit_code == 2 and "'invoices' is not one of" in unknown.output
    missing = cli.invoke(["import", "users", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_long_import_with_progress_bar_in_a_non_interactive_run(cli, db, tmp_path, monkeypatch):
    monkeypatch.setattr(base, "CHUNK", 1000)  # 4500 rows: five chunks to check and to write
    rows = "".join(
        f"P{number:05d},Product {number},Bulk,{number % 90 + 1}.50,1.25,true\n"
        for number in range(4500)
    )
    result = cli.invoke(["import", "products", write(tmp_path, PRODUCTS_HEADER + rows)])
    assert result.exit_code == 0, result.output
    assert "Checking file.csv" in result.output and "Writing products" in result.output
    assert "4500 row(s) read; products: 4500 added" in result.output
    assert count(db, Product) == 4500


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1,5", "list_price '1,5' is not a number (use a point for decimals: 1.5)"),
        ("1e3", "list_price '1e3' is not a number"),
        ("NaN", "list_price 'NaN' is not a number"),
        ("1000000000000", "list_price '1000000000000' is too large"),
    ],
)
def test_numbers_are_read_strictly(cli, db, tmp_path, cell, message):
    text = PRODUCTS_HEADER + f'A1,Tea,Drinks,"{cell}",1.00,true\n'
    result = cli.invoke(["import", "products", write(tmp_path, text)])
    assert result.exit_code == 1
    assert f"line 2: {message}" in result.output


def test_thousands_separators_are_understood(cli, db, tmp_path):
    text = PRODUCTS_HEADER + 'A1,Oven,Kitchen,"1,234.50",980,true\n'
    assert cli.invoke(["import", "products", write(tmp_path, text)]).exit_code == 0
    product = db.session.scalar(select(Product))
    assert (str(product.list_price), str(product.unit_cost)) == ("1234.50", "980.00")


def test_check_says_what_the_import_would_do_and_saves_nothing(cli, db, tmp_path):
    text = PRODUCTS_HEADER + "A1,Tea,Drinks,2.00,1.00,true\nA2,Coffee,Drinks,3.00,1.50,true\n"
    result = cli.invoke(["import", "products", write(tmp_path, text), "--check"])
    assert result.exit_code == 0, result.output
    assert (
        "file.csv: 2 row(s) read; products: 2 added, 0 changed, 0 unchanged. "
        "Checked only: nothing was saved." in result.output
    )
    assert count(db, Product) == 0
    bad = cli.invoke(
        ["import", "products", write(tmp_path, text + "A3,,Drinks,1,1,true\n"), "--check"]
    )
    assert bad.exit_code == 1 and "line 4: name is empty (a new product needs it)" in bad.output

"""A company's customer list goes in through the web import, as a clerk would do it.

The file is what German Excel writes for "CSV": semicolons, Windows-1252 (ü, é), its own
German column names. Jean Martin's Paris number is written the old 8-digit way with dots
(kept as typed, flagged), Hans Müller's country is misspelt (refused), and Jon and John Smith
of London share a phone number (one customer typed twice: merged at the end).

With CLIENTELE_UPDATE_DOCS_IMAGES=1 the data-to-check page is written to
docs/images/import-data-to-check.png, the picture docs/import.md shows (commit it).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from core.models import Customer, CustomerMerge

DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "import-data-to-check.png"

ROWS = [
    "Kundennummer;Name;Firma;Telefon;E-Mail;Land;Ort",
    "K-1001;Lena Huber;Gasthaus Huber;089 1234567;lena.huber@example.com;Deutschland;München",
    "K-1002;Jean Martin;Café Martin;42.68.53.00;jean.martin@example.fr;France;Paris",
    "K-1003;Hans Müller;Müller & Söhne;030 947248;hans@example.de;Germny;Berlin",
    "K-1004;Jon Smith;Smith & Sons;020 7946 0958;jon@example.co.uk;UK;London",
    "K-1005;John Smith;;+44 20 7946 0958;;United Kingdom;London",
]


def write_file(folder: Path, rows: list[str]) -> Path:
    path = folder / "Kunden.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    return path


def test_a_spreadsheet_goes_in_with_its_problems(live_server, page, screenshot, tmp_path):
    manager = live_server.create_user("manager", name="Mia Manager")
    live_server.log_in(page, manager)
    page.get_by_role("link", name="Import").first.click()
    page.get_by_label("What the file holds").select_option("customers")
    page.get_by_label("File (CSV or Excel .xlsx)").set_input_files(write_file(tmp_path, ROWS))
    page.get_by_role("button", name="Upload").click()

    # The first rows, read as Windows-1252, with every column matched by its German name.
    expect(page.get_by_role("cell", name="München")).to_be_visible()
    chosen = [
        page.get_by_label(f"Our field for {column}").input_value()
        for column in ("Kundennummer", "Name", "Firma", "Telefon", "E-Mail", "Land", "Ort")
    ]
    assert chosen == ["external_id", "name", "company", "phone", "email", "country", "city"]
    screenshot("core-import-mapping")

    # Dry run: the misspelt country is the one problem (line 4); nothing is saved.
    page.get_by_role("button", name="Check (dry run)").click()
    expect(page.get_by_text("1 row has a problem: nothing would be imported.")).to_be_visible()
    expect(page.locator("#problems")).to_contain_text("line 4: country 'Germny' is not a country")
    screenshot("core-import-dry-run")
    with live_server.data() as session:
        assert session.scalar(select(Customer.id)) is None

    # The rows with problems, as they were, with the reason in an extra column.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the rows with problems").click()
    assert download.value.suggested_filename == "Kunden-errors.csv"
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert rows[0] == [
        "Kundennummer",
        "Name",
        "Firma",
        "Telefon",
        "E-Mail",
        "Land",
        "Ort",
        "reason",
    ]
    assert rows[1][:7] == ["K-1003", "Hans Müller", "Müller & Söhne", "030 947248",
                           "hans@example.de", "Germny", "Berlin"]  # fmt: skip
    assert rows[1][7].startswith("line 4: country 'Germny' is not a country")

    # Fixed in the spreadsheet, uploaded again, imported: the progress bar shows while it runs.
    fixed = [row.replace(";Germny;", ";Germany;") for row in ROWS]
    page.get_by_role("link", name="Another file").click()
    page.get_by_label("What the file holds").select_option("customers")
    page.get_by_label("File (CSV or Excel .xlsx)").set_input_files(write_file(tmp_path, fixed))
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Kunden.csv: 5 row(s) read; 5 added, 0 changed")).to_be_visible()
    expect(page.get_by_text("1 kept with data to check.")).to_be_visible()

    # The flagged phone, kept as typed, on the data-to-check page.
    page.get_by_role("link", name="Data to check").first.click()
    row = page.locator("tr", has_text="Jean Martin")
    expect(row).to_contain_text("42.68.53.00")
    expect(row).to_contain_text("an old 8-digit French number")
    page.set_viewport_size({"width": 1280, "height": 720})
    screenshot("core-import-data-to-check")
    if os.environ.get("CLIENTELE_UPDATE_DOCS_IMAGES") == "1":
        page.screenshot(path=str(DOCS_IMAGE))

    # Jon and John Smith of London: one customer typed twice. Merge John into Jon.
    page.get_by_role("link", name="Possible duplicates").click()
    expect(page.get_by_text("Same phone number: +442079460958")).to_be_visible()
    expect(page.get_by_text("Close names in the same city: London")).to_be_visible()
    screenshot("core-import-duplicates")
    page.get_by_role("link", name="Merge into Jon Smith").first.click()
    page.get_by_role("button", name="Merge John Smith into Jon Smith").click()
    expect(page.get_by_text("John Smith was merged into this customer.")).to_be_visible()
    expect(page.get_by_role("heading", name="Jon Smith")).to_be_visible()
    page.goto(live_server.url_for("quality.duplicates"))
    expect(page.get_by_text("No likely duplicates.")).to_be_visible()
    expect(page.locator("#past-merges tbody tr")).to_have_count(1)
    expect(page.locator("#past-merges")).to_contain_text("John Smith K-1005")
    expect(page.locator("#past-merges")).to_contain_text("Mia Manager")
    screenshot("core-import-past-merges")
    with live_server.data() as session:
        names = session.scalars(select(Customer.name).order_by(Customer.external_id)).all()
        assert names == ["Lena Huber", "Jean Martin", "Hans Müller", "Jon Smith"]
        merge = session.scalar(select(CustomerMerge))
        assert (merge.external_id, merge.name, merge.merged_by_id) == (
            "K-1005",
            "John Smith",
            manager.id,
        )

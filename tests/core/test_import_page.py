"""The web import: upload, first rows, columns matched by header, dry run, errors file, import."""

import csv
import io
import re

from openpyxl import Workbook
from sqlalchemy import func, select

from core.importing.mapping import suggest_mapping
from core.importing.people import CustomersImport
from core.models import Customer, CustomerIssue, Product

CUSTOMERS = CustomersImport.columns

# A shop's own export, in Chinese: ID, name, mobile, e-mail, country, city, and a column we
# do not keep (积分 = loyalty points).
CHINESE = (
    "客户编号,姓名,手机,邮箱,国家,城市,积分\n"
    "C-1,王芳,+86 138 0013 8000,wang@example.com,中国,上海,120\n"
    "C-2,李伟,0086 139 0013 9000,li@example,中国,北京,80\n"
    "C-3,张伟,,,Chnia,广州,0\n"
)


def test_headers_are_matched_by_name_synonyms_and_language():
    assert suggest_mapping(
        "customers", CUSTOMERS, ["Customer No.", "Full Name", "E-Mail", "Telefon", "Land", "Ort"]
    ) == {
        "Customer No.": "external_id",
        "Full Name": "name",
        "E-Mail": "email",
        "Telefon": "phone",
        "Land": "country",
        "Ort": "city",
    }
    assert suggest_mapping(
        "customers", CUSTOMERS, ["客户编号", "姓名", "手机", "邮箱", "积分"]
    ) == {
        "客户编号": "external_id",
        "姓名": "name",
        "手机": "phone",
        "邮箱": "email",
    }
    # The exact name wins over a synonym, and each of our columns is taken once.
    assert suggest_mapping(
        "products", ("sku", "name", "list_price"), ["Code", "SKU", "Price", "Preis"]
    ) == {
        "SKU": "sku",
        "Price": "list_price",
    }


def upload(client, text, name="kunden.csv", kind="customers"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    response = client.post(
        "/import/",
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def mapping_of(page):
    """{position: selected field} of the mapping selects on the page."""
    chosen = {}
    for position, body in re.findall(r'name="map-(\d+)"[^>]*>(.*?)</select>', page, flags=re.S):
        selected = re.search(r'<option value="([^"]*)" selected>', body)
        chosen[int(position)] = selected.group(1) if selected else ""
    return chosen


def test_upload_map_check_and_import_a_chinese_file(db, client, login_as):
    login_as("manager")
    url = upload(client, CHINESE)
    page = client.get(url).get_data(as_text=True)
    assert mapping_of(page) == {
        0: "external_id", 1: "name", 2: "phone", 3: "email", 4: "country", 5: "city", 6: "",
    }  # fmt: skip
    assert '<td class="small">王芳</td>' in page  # the first rows are shown
    form = {f"map-{position}": field for position, field in mapping_of(page).items()}
    # Dry run: the misspelt country is a problem of line 4; nothing is saved.
    checked = client.post(url, data={**form, "action": "check"}).get_data(as_text=True)
    assert "1 row has a problem: nothing would be imported." in checked
    assert "line 4: country &#39;Chnia&#39; is not a country" in checked
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0
    # The rows with problems, as they were, with an error column.
    download = client.get(url + "/errors.csv")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].endswith("kunden-errors.csv")
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert rows[0] == ["客户编号", "姓名", "手机", "邮箱", "国家", "城市", "积分", "reason"]
    assert rows[1][:7] == ["C-3", "张伟", "", "", "Chnia", "广州", "0"]
    assert rows[1][7].startswith("line 4: country 'Chnia' is not a country")
    # Import the valid rows.
    done = client.post(url, data={**form, "action": "import", "skip_invalid": "1"})
    assert done.status_code == 302 and done.location.endswith("/customers/")
    wang = db.session.scalar(select(Customer).where(Customer.external_id == "C-1"))
    assert (wang.name, wang.phone_normalized, wang.country, wang.city) == (
        "王芳",
        "+8613800138000",
        "CN",
        "上海",
    )
    li = db.session.scalar(select(Customer).where(Customer.external_id == "C-2"))
    assert (li.email, li.phone_normalized) == ("", "+8613900139000")
    assert db.session.scalar(select(CustomerIssue.value)) == "li@example"  # kept to check
    assert client.get(url).status_code == 404  # the upload is gone once imported


def test_a_workbook_imports_the_same_way_and_again_changes_nothing(db, client, login_as):
    login_as("admin")
    book = Workbook()
    book.active.append(["Artikelnummer", "Product name", "Preis", "Einkaufspreis"])
    book.active.append(["BAK-01", "Sourdough", 4.5, 1.8])
    data = io.BytesIO()
    book.save(data)
    for _ in range(2):
        url = upload(client, data.getvalue(), "artikel.xlsx", kind="products")
        page = client.get(url).get_data(as_text=True)
        assert mapping_of(page) == {0: "sku", 1: "name", 2: "list_price", 3: "unit_cost"}
        form = {f"map-{position}": field for position, field in mapping_of(page).items()}
        done = client.post(url, data={**form, "action": "import"})
        assert done.status_code == 302
    assert "artikel.xlsx: 1 row(s) read; 0 added, 0 changed, 1 unchanged" in (
        client.get("/products/").get_data(as_text=True)
    )
    product = db.session.scalar(select(Product))
    assert (product.sku, str(product.list_price), str(product.unit_cost)) == (
        "BAK-01",
        "4.50",
        "1.80",
    )


def test_a_mapping_without_the_key_is_refused(db, client, login_as):
    login_as("manager")
    url = upload(client, CHINESE)
    page = client.post(url, data={"map-1": "name", "action": "check"}).get_data(as_text=True)
    assert "map a column to external_id (the key rows are matched on)" in page
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0


def test_who_may_import_what(db, client, login_as, make_user):
    login_as("sales")
    assert client.get("/import/").status_code == 403
    manager = login_as("manager")
    page = client.get("/import/").get_data(as_text=True)
    assert 'value="customers"' in page and 'value="users"' not in page
    refused = client.post(
        "/import/",
        data={"kind": "users", "file": (io.BytesIO(b"email,name,role\n"), "u.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 200 and "Not a valid choice" in refused.get_data(as_text=True)
    url = upload(client, CHINESE)
    # Another manager cannot open this upload.
    login_as(make_user("manager"))
    assert client.get(url).status_code == 404
    login_as(manager)
    assert client.get(url).status_code == 200
    assert client.get("/import/not-a-token").status_code == 404


def test_a_file_that_is_not_csv_or_xlsx_is_refused(db, client, login_as):
    login_as("manager")
    page = client.post(
        "/import/",
        data={"kind": "customers", "file": (io.BytesIO(b"%PDF"), "list.pdf")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Upload a CSV file or an Excel workbook (.xlsx)." in page


# Another shop's file: its own column names (Kd-Nr, Bezeichnung, Wohnort) that no synonym knows.
OWN_NAMES = "Kd-Nr,Bezeichnung,Telefon,Wohnort\nK-1,Lena Huber,089 1234567,München\n"


def test_a_mapping_saved_under_a_name_is_used_again(db, client, login_as):
    from core.models import ImportMapping

    login_as("manager")
    url = upload(client, OWN_NAMES)
    page = client.get(url).get_data(as_text=True)
    # Only Telefon (a German synonym) is guessed; the person maps the rest by hand.
    assert mapping_of(page) == {0: "", 1: "", 2: "phone", 3: ""}
    assert 'id="saved-mappings"' not in page  # nothing saved yet
    form = {"map-0": "external_id", "map-1": "name", "map-2": "phone", "map-3": "city"}
    saved = client.post(url, data={**form, "action": "save", "save_name": "  Old  shop "})
    assert saved.status_code == 302
    mapping = db.session.scalar(select(ImportMapping))
    assert (mapping.kind, mapping.name) == ("customers", "Old shop")
    assert saved.location.endswith(f"?saved={mapping.id}")
    assert "Mapping Old shop saved." in client.get(saved.location).get_data(as_text=True)
    # The next file with the same columns (in another order) gets the saved mapping by itself.
    again = upload(client, "Wohnort,Kd-Nr,Bezeichnung,Telefon\nBerlin,K-2,Jonas Weber,030 1234\n")
    page = client.get(again).get_data(as_text=True)
    assert mapping_of(page) == {0: "city", 1: "external_id", 2: "name", 3: "phone"}
    assert "Columns chosen as in the saved mapping Old shop." in page
    # A file with one more column is not matched by itself, but the mapping can be chosen;
    # the page says which of its columns the file lacks.
    other = upload(client, "Kd-Nr,Bezeichnung,Notiz\nK-3,Mia Klein,x\n")
    page = client.get(other).get_data(as_text=True)
    assert mapping_of(page) == {0: "", 1: "", 2: ""}
    assert f'<option value="{mapping.id}" >Old shop</option>' in page
    page = client.get(f"{other}?saved={mapping.id}").get_data(as_text=True)
    assert mapping_of(page) == {0: "external_id", 1: "name", 2: ""}
    assert "This file lacks its column(s) Telefon, Wohnort." in page
    # ?saved=none goes back to the guess by column names.
    assert mapping_of(client.get(f"{again}?saved=none").get_data(as_text=True)) == {
        0: "", 1: "", 2: "", 3: "phone",
    }  # fmt: skip
    # Saving under the same name replaces it; importing with it works as any mapping.
    client.post(again, data={"map-1": "external_id", "map-2": "name", "action": "save",
                             "save_name": "Old shop"})  # fmt: skip
    assert db.session.scalar(select(func.count()).select_from(ImportMapping)) == 1
    db.session.expire_all()
    assert db.session.scalar(select(ImportMapping.columns)) == (
        '{"Bezeichnung": "name", "Kd-Nr": "external_id"}'
    )


def test_saving_a_mapping_needs_a_name_and_the_right_role(db, client, login_as):
    from core.models import ImportMapping

    login_as("manager")
    url = upload(client, OWN_NAMES)
    page = client.post(url, data={"map-0": "external_id", "action": "save", "save_name": " "})
    assert "Give the mapping a name of at most 80 characters to save it." in page.get_data(
        as_text=True
    )
    too_long = client.post(url, data={"action": "save", "save_name": "x" * 81})
    assert too_long.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ImportMapping)) == 0
    login_as("sales")
    assert client.post(url, data={"action": "save", "save_name": "Mine"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ImportMapping)) == 0


def test_the_progress_file_says_how_far_the_importer_got(tmp_path, monkeypatch):
    import json

    from core.views import imports

    path = tmp_path / "t.progress.json"
    progress = imports.FileProgress(path)
    progress.phase("Checking kunden.csv", 400)  # 400 bytes
    assert json.loads(path.read_text()) == {
        "phase": 1, "done": 0, "total": 400, "finished": False,
    }  # fmt: skip
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 3600.0)
    progress.advance(100)  # within PROGRESS_EVERY of the last write: not written yet
    assert json.loads(path.read_text())["done"] == 0
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 0.0)
    progress.advance(150)
    assert json.loads(path.read_text())["done"] == 250
    progress.advance(999)  # never past the total
    assert json.loads(path.read_text())["done"] == 400
    progress.phase("Writing customers", 3)
    progress.advance(2)
    progress.finish()
    assert json.loads(path.read_text()) == {"phase": 2, "done": 2, "total": 3, "finished": True}
    assert sorted(item.name for item in tmp_path.iterdir()) == ["t.progress.json"]


def test_the_progress_of_a_dry_run_is_read_by_the_page(db, client, login_as):
    login_as("manager")
    url = upload(client, "external_id,name\nC-1,Ada\nC-2,Bea\n")
    before = client.get(url + "/progress")
    assert before.headers["Cache-Control"] == "no-store"
    assert before.get_json() == {
        "phase": 0, "label": "Starting", "percent": 0, "finished": False,
    }  # fmt: skip
    client.post(url, data={"map-0": "external_id", "map-1": "name", "action": "check"})
    # Both rows are valid, so the dry run wrote them (and rolled back): phase 2 of 2 records.
    assert client.get(url + "/progress").get_json() == {
        "phase": 2, "label": "Writing", "percent": 100, "finished": True,
    }  # fmt: skip
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0
    login_as("admin")  # another person's upload is not found
    assert client.get(url + "/progress").status_code == 404
    login_as("sales")
    assert client.get(url + "/progress").status_code == 403

"""`clientele import users` and `clientele import customers`."""

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from core.models import Customer, User
from core.plugins import hookimpl
from tests.core.statistics import planner_knows_customer_rows

DATA = Path(__file__).parent / "data"
CUSTOMERS_HEADER = "external_id,name,company,email,phone,country,region,city,channel,birthday,owner_email,tags,created_at\n"


def write(tmp_path, text, name="file.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def customer(db, external_id):
    return db.session.scalar(select(Customer).where(Customer.external_id == external_id))


class CustomerHooks:
    """Records the customer hooks the import calls."""

    def __init__(self):
        self.created = []
        self.updated = []

    @hookimpl
    def customer_created(self, customer):
        self.created.append(customer.external_id)

    @hookimpl
    def customer_updated(self, customer, changes):
        self.updated.append((customer.external_id, changes))


def test_users_are_added_without_a_usable_password(cli, db):
    result = cli.invoke(["import", "users", str(DATA / "users.csv")])
    assert result.exit_code == 0, result.output
    assert "users.csv: 3 row(s) read; users: 3 added, 0 changed, 0 unchanged." in result.output
    users = db.session.scalars(select(User).order_by(User.email)).all()
    assert [(user.email, user.name, user.role) for user in users] == [
        ("anna.becker@acme.example", "Anna Becker", "sales"),
        ("jonas.weber@acme.example", "Jonas Weber", "sales"),
        ("mia.klein@acme.example", "Mia Klein", "manager"),
    ]
    assert all(user.password_hash == "" and not user.check_password("") for user in users)


def test_users_update_by_email_and_empty_cells_keep_values(cli, db, make_user, tmp_path):
    make_user("sales", email="sam@example.com", name="Sam Old", password="secret-one")
    text = "email,name,role\nSAM@example.com,,manager\nnew@example.com,,support\n"
    result = cli.invoke(["import", "users", write(tmp_path, text)])
    assert result.exit_code == 0, result.output
    assert "users: 1 added, 1 changed, 0 unchanged" in result.output
    sam = db.session.scalar(select(User).where(User.email == "sam@example.com"))
    assert (sam.name, sam.role, sam.check_password("secret-one")) == ("Sam Old", "manager", True)
    new = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert (new.name, new.role) == ("new", "support")
    again = cli.invoke(["import", "users", write(tmp_path, text)])
    assert "users: 0 added, 0 changed, 2 unchanged" in again.output


def test_user_rows_are_checked(cli, db, tmp_path):
    text = (
        "email,name,role\n"
        "a@example.com,Ann,boss\n"  # line 2
        "not an address,Bob,sales\n"  # line 3
        "c@example.com,Cy,\n"  # line 4: a new user needs a role
        "d@example.com,Di,sales\n"
        "D@example.com,Di again,sales\n"  # line 6: same key as line 5
        ",Eve,sales\n"  # line 7
    )
    result = cli.invoke(["import", "users", write(tmp_path, text)])
    assert result.exit_code == 1
    assert (
        "line 2: role 'boss' is not one of admin, manager, sales, support, marketing"
        in result.output
    )
    assert "line 3: email 'not an address' is not an e-mail address" in result.output
    assert (
        "line 4: role is empty (a new user needs one of admin, manager, sales, support, marketing)"
        in result.output
    )
    assert "line 6: email 'd@example.com' appears again (first on line 5)" in result.output
    assert "line 7: email is empty" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_users_import_keeps_at_least_one_admin(cli, db, make_user, tmp_path):
    make_user("admin", email="boss@example.com")
    result = cli.invoke(
        ["import", "users", write(tmp_path, "email,name,role\nboss@example.com,,sales\n")]
    )
    assert result.exit_code == 1
    assert "line 2: role: this would leave no admin; keep at least one admin" in result.output
    handover = "email,name,role\nboss@example.com,,sales\nheir@example.com,Heir,admin\n"
    assert cli.invoke(["import", "users", write(tmp_path, handover)]).exit_code == 0
    assert db.session.scalar(select(User.role).where(User.email == "boss@example.com")) == "sales"


def test_customers_are_imported_with_the_forms_rules(cli, db, temp_plugin):
    hooks = temp_plugin(CustomerHooks())
    assert cli.invoke(["import", "users", str(DATA / "users.csv")]).exit_code == 0
    result = cli.invoke(["import", "customers", str(DATA / "customers.csv")])
    assert result.exit_code == 0, result.output
    assert "customers: 3 added, 0 changed, 0 unchanged" in result.output
    assert planner_knows_customer_rows(db) == 3  # the import refreshed the statistics
    assert hooks.created == ["C-001", "C-002", "C-003"]
    lena = customer(db, "C-001")
    assert (lena.name, lena.company, lena.email) == (
        "Lena Huber",
        "Gasthaus Huber",
        "lena.huber@example.com",
    )
    assert (lena.phone, lena.phone_normalized) == ("089 1234567", "+49891234567")
    assert (lena.country, lena.region, lena.city, lena.channel) == (
        "DE",
        "Bayern",
        "München",
        "fair",
    )
    assert (lena.birthday, lena.tags) == (dt.date(1980, 4, 12), "restaurant,vip")
    assert lena.owner.email == "anna.becker@acme.example"
    assert lena.created_at == dt.datetime(2024, 1, 15, 9, 30)
    pierre = customer(db, "C-002")
    assert (pierre.phone_normalized, pierre.birthday, pierre.tags) == ("+33142685300", None, "")
    assert pierre.created_at == dt.datetime(2024, 3, 1)
    smith = customer(db, "C-003")
    # The London number is read in the customer's own country (GB), not the company's (DE).
    assert (smith.name, smith.phone_normalized, smith.owner) == (
        "Smith & Sons, Ltd",
        "+442079460958",
        None,
    )
    assert smith.created_at > dt.datetime(2025, 1, 1)  # empty: the time of the import


def test_customers_import_twice_changes_nothing(cli, db, temp_plugin):
    cli.invoke(["import", "users", str(DATA / "users.csv")])
    cli.invoke(["import", "customers", str(DATA / "customers.csv")])
    before = [
        (row.id, row.updated_at, row.created_at) for row in db.session.scalars(select(Customer))
    ]
    hooks = temp_plugin(CustomerHooks())
    again = cli.invoke(["import", "customers", str(DATA / "customers.csv")])
    assert "customers: 0 added, 0 changed, 3 unchanged" in again.output
    assert hooks.created == [] and hooks.updated == []
    db.session.expire_all()
    assert [
        (row.id, row.updated_at, row.created_at) for row in db.session.scalars(select(Customer))
    ] == before


def test_customers_update_by_external_id_and_empty_cells_keep_values(
    cli, db, make_customer, temp_plugin, tmp_path
):
    existing = make_customer(
        external_id="C-9", name="Old Name", city="Bonn", phone="0228 123456", country="DE"
    )
    hooks = temp_plugin(CustomerHooks())
    text = CUSTOMERS_HEADER + "C-9,New Name,,,,,,Köln,,,,,\n"
    result = cli.invoke(["import", "customers", write(tmp_path, text)])
    assert result.exit_code == 0, result.output
    assert "customers: 0 added, 1 changed, 0 unchanged" in result.output
    assert hooks.updated == [("C-9", {"name": ("Old Name", "New Name"), "city": ("Bonn", "Köln")})]
    db.session.expire_all()
    assert (existing.name, existing.city, existing.phone_normalized) == (
        "New Name",
        "Köln",
        "+49228123456",
    )


def test_customer_rows_are_checked(cli, db, make_user, tmp_path):
    make_user("sales", email="owner@example.com")
    text = CUSTOMERS_HEADER + (
        "C1,Ann,,,,Germny,,,,,,,\n"  # line 2
        "C2,Bob,,,,DE,,,,2999-01-01,,,\n"  # line 3: a future birthday is kept to check
        "C3,,,,,DE,,,,,,,\n"  # line 4: new without a name
        ",Dan,,,,DE,,,,,,,\n"  # line 5
        "C5,Eve,,,,DE,,,,,nobody@example.com,,\n"  # line 6
        "C6,Fay,,,,DE,,,,,owner@example.com,,yesterday\n"  # line 7
        "C7,Gus,,,n/a,DE,,,,,owner@example.com,,\n"  # line 8
    )
    result = cli.invoke(["import", "customers", write(tmp_path, text)])
    assert result.exit_code == 1
    assert (
        "line 2: country 'Germny' is not a country (write its name or ISO code, e.g. DE or "
        "Germany); did you mean Germany (DE) or Guernsey (GG) or Hungary (HU)?" in result.output
    )
    assert "line 3" not in result.output
    assert "line 4: name is empty (a new customer needs a name)" in result.output
    assert "line 5: external_id is empty" in result.output
    assert "line 6: owner_email 'nobody@example.com' is not a user" in result.output
    assert "line 7: created_at 'yesterday' is not a date and time" in result.output
    assert (
        "line 8: phone 'n/a' holds no phone number; leave the field empty when there is none"
        in result.output
    )
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0


def test_customer_text_longer_than_its_column_is_refused(cli, db, tmp_path):
    text = CUSTOMERS_HEADER + f"C1,{'x' * 201},,,,DE,,,,,,,\n"
    result = cli.invoke(["import", "customers", write(tmp_path, text)])
    assert "line 2: name is longer than 200 characters" in result.output


def test_countries_are_read_by_name_in_several_languages(cli, db, tmp_path):
    text = CUSTOMERS_HEADER + (
        "C1,Priya Shah,,,,India,,Mumbai,,,,,\n"
        "C2,Jane Roe,,,,UK,,London,,,,,\n"
        "C3,John Doe,,,,USA,,Boston,,,,,\n"
        "C4,Jörg Müller,,,,Deutschland,,Köln,,,,,\n"
        "C5,王芳,,,,中国,,上海,,,,,\n"
        "C6,李伟,,,,德国,,柏林,,,,,\n"
    )
    result = cli.invoke(["import", "customers", write(tmp_path, text)])
    assert result.exit_code == 0, result.output
    rows = db.session.execute(
        select(Customer.external_id, Customer.country).order_by(Customer.external_id)
    )
    assert [tuple(row) for row in rows] == [
        ("C1", "IN"),
        ("C2", "GB"),
        ("C3", "US"),
        ("C4", "DE"),
        ("C5", "CN"),
        ("C6", "DE"),
    ]

"""Keep and flag: messy phones, e-mails and birthdays are kept as typed and listed to check."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.customers import CustomerFilters, search_statement, update_customer
from core.models import Customer, CustomerIssue
from core.phones import read_phone
from core.quality import describe, open_counts

HEADER = "external_id,name,company,email,phone,country,region,city,channel,birthday,owner_email,tags,created_at\n"


def write(tmp_path, text, name="customers.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def by_key(db, external_id):
    return db.session.scalar(select(Customer).where(Customer.external_id == external_id))


def issues(db, customer_id=None):
    statement = select(CustomerIssue.field, CustomerIssue.reason, CustomerIssue.value)
    if customer_id is not None:
        statement = statement.where(CustomerIssue.customer_id == customer_id)
    return sorted(tuple(row) for row in db.session.execute(statement))


# +86 mobiles as people write them: with +, 00, the country code without +, brackets,
# a (0) trunk prefix, hyphens, or nationally in a Chinese customer's record.
@pytest.mark.parametrize(
    ("typed", "region"),
    [
        ("+86 138 0013 8000", "DE"),
        ("+86-13800138000", "DE"),
        ("0086 138 0013 8000", "DE"),
        ("(+86) 138-0013-8000", "DE"),
        ("+86 (0)138 0013 8000", "DE"),
        ("86 13800138000", "CN"),
        ("138 0013 8000", "CN"),
    ],
)
def test_chinese_mobiles_in_every_spelling_are_one_number(typed, region):
    assert read_phone(typed, region).lookup == "+8613800138000"
    assert read_phone(typed, region).problem is None


def test_what_cannot_be_verified_keeps_its_digits_and_says_why(app):
    old_french = read_phone("42.68.53.00", "FR")
    assert (old_french.lookup, old_french.problem) == ("42685300", "too_short")
    assert describe("phone", "too_short", "42.68.53.00", "FR") == (
        "an old 8-digit French number: since 1996 they have 10 digits "
        "(add the area prefix, 01 to 05)"
    )
    # One digit missing from a Chinese mobile: the length is possible, the number is not.
    mistyped = read_phone("+86 138 0013 800", "DE")
    assert (mistyped.lookup, mistyped.problem) == ("+861380013800", "not_valid")
    assert describe("phone", "not_valid", "", "CN") == (
        "no phone number in use in China has these digits (mistyped?)"
    )
    assert read_phone("+49 30 12345678901234", "DE").problem == "too_long"
    assert read_phone("+999 1234", "DE").problem == "country_code"
    assert describe("phone", "too_short", "030 12", "DE") == (
        "too short for a phone number in Germany"
    )
    assert read_phone("call me", "DE").holds_no_phone
    assert read_phone("", "DE") == read_phone("  ", "DE")
    assert read_phone("", "DE").problem is None


def test_import_keeps_messy_values_as_typed_and_flags_them(cli, db, tmp_path):
    text = HEADER + (
        "F1,Maison Leroy,,contact@leroy.example,42.68.53.00,France,,Paris,,,,,\n"
        "F2,Café Martin,,martin@,01 42 68 53 00,FR,,Paris,,12/04/1980,,,\n"
        "C1,王芳,,,+86 138 0013 8000,中国,,上海,,,,,\n"
        "C2,李伟,,,0086 138-0013-8000,DE,,柏林,,1975-06-30,,,\n"
        "C3,Zhang Wei,,,+86 138 0013 800,CN,,Beijing,,1990-02-30,,,\n"
    )
    result = cli.invoke(["import", "customers", write(tmp_path, text)])
    assert result.exit_code == 0, result.output
    assert (
        "5 row(s) read; customers: 5 added, 0 changed, 0 unchanged; 3 row(s) kept with data to check"
        in result.output
    )
    assert (
        "line 2: phone '42.68.53.00' kept as typed, to check: an old 8-digit French number"
        in result.output
    )
    assert (
        "line 3: email 'martin@' kept as typed, to check: not an e-mail address: no mail is sent to it"
        in result.output
    )
    assert (
        "line 3: birthday '12/04/1980' kept as typed, to check: not a date written YYYY-MM-DD"
        in result.output
    )
    assert "line 6: birthday '1990-02-30' kept as typed" in result.output
    leroy = by_key(db, "F1")
    assert (leroy.phone, leroy.phone_normalized, leroy.country) == ("42.68.53.00", "42685300", "FR")
    assert issues(db, leroy.id) == [("phone", "too_short", "42.68.53.00")]
    martin = by_key(db, "F2")
    # The e-mail and birthday are left empty (no mail, no greeting), the typed text kept.
    assert (martin.email, martin.birthday, martin.phone_normalized) == ("", None, "+33142685300")
    assert issues(db, martin.id) == [
        ("birthday", "not_date", "12/04/1980"),
        ("email", "not_address", "martin@"),
    ]
    assert (
        by_key(db, "C1").phone_normalized == by_key(db, "C2").phone_normalized == "+8613800138000"
    )
    assert issues(db, by_key(db, "C2").id) == []
    zhang = by_key(db, "C3")
    assert (zhang.phone, zhang.phone_normalized) == ("+86 138 0013 800", "+861380013800")
    assert issues(db, zhang.id) == [
        ("birthday", "not_date", "1990-02-30"),
        ("phone", "not_valid", "+86 138 0013 800"),
    ]
    assert open_counts() == {"phone": 2, "email": 1, "birthday": 2}


def test_unverified_numbers_are_found_by_their_digits(cli, db, tmp_path, make_app):
    text = HEADER + "F1,Maison Leroy,,,42.68.53.00,FR,,Paris,,,,,\nF2,Other,,,+33 4 12,FR,,,,,,,\n"
    assert cli.invoke(["import", "customers", write(tmp_path, text)]).exit_code == 0

    def found(query):
        statement = search_statement(CustomerFilters(query=query))
        return [customer.external_id for customer in db.session.scalars(statement)]

    for query in ("42.68.53.00", "42 68 53 00", "42685300", "68 53 00"):
        assert found(query) == ["F1"], query
    assert found("+33 4 12") == ["F2"]  # a + number that is not one: its digits


def test_caller_lookup_finds_an_unverified_number(cli, db, tmp_path):
    from plugins.service_desk.lookup import find_callers

    text = HEADER + "F1,Maison Leroy,,,42.68.53.00,FR,,Paris,,,,,\n"
    assert cli.invoke(["import", "customers", write(tmp_path, text)]).exit_code == 0
    callers, more = find_callers("42 68 53 00")
    assert [caller.external_id for caller in callers] == ["F1"] and not more


def test_reimport_is_idempotent_and_a_fixed_value_ends_its_issue(cli, db, tmp_path):
    text = HEADER + "F1,Maison Leroy,,x@,42.68.53.00,FR,,Paris,,,,,\n"
    path = write(tmp_path, text)
    assert cli.invoke(["import", "customers", path]).exit_code == 0
    (first_id,) = db.session.scalars(select(CustomerIssue.id).where(CustomerIssue.field == "phone"))
    again = cli.invoke(["import", "customers", path])
    assert (
        "customers: 0 added, 0 changed, 1 unchanged; 1 row(s) kept with data to check"
        in again.output
    )
    assert (
        db.session.scalar(select(CustomerIssue.id).where(CustomerIssue.field == "phone"))
        == first_id
    )
    # The corrected file: the phone in its 10-digit form, a real address.
    fixed = HEADER + "F1,Maison Leroy,,contact@leroy.example,01 42 68 53 00,FR,,Paris,,,,,\n"
    result = cli.invoke(["import", "customers", write(tmp_path, fixed, "fixed.csv")])
    assert "customers: 0 added, 1 changed, 0 unchanged." in result.output
    leroy = by_key(db, "F1")
    assert (leroy.phone_normalized, leroy.email) == ("+33142685300", "contact@leroy.example")
    assert issues(db) == []


def test_an_unreadable_email_for_a_known_customer_keeps_the_address_it_had(
    cli, db, tmp_path, make_customer
):
    known = make_customer(external_id="K1", name="Known", email="known@example.com")
    text = HEADER + "K1,,,known@example,,,,,,,,,\n"
    result = cli.invoke(["import", "customers", write(tmp_path, text)])
    assert "customers: 0 added, 1 changed, 0 unchanged; 1 row(s) kept" in result.output
    db.session.expire_all()
    assert known.email == "known@example.com"
    assert issues(db, known.id) == [("email", "not_address", "known@example")]


def test_text_without_any_digit_is_refused_and_nothing_is_written(cli, db, tmp_path):
    text = HEADER + "F1,Maison Leroy,,,42.68.53.00,FR,,,,,,,\nF2,Nobody,,,n/a,FR,,,,,,,\n"
    result = cli.invoke(["import", "customers", write(tmp_path, text)])
    assert result.exit_code == 1
    assert (
        "line 3: phone 'n/a' holds no phone number; leave the field empty when there is none"
        in result.output
    )
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0
    assert issues(db) == []


def test_hard_fields_are_still_refused(cli, db, tmp_path):
    text = HEADER + "F1,Leroy,,,42.68.53.00,Frnace,,,,,nobody@example.com,,yesterday\n"
    result = cli.invoke(["import", "customers", write(tmp_path, text)])
    assert result.exit_code == 1
    assert "country 'Frnace' is not a country" in result.output
    assert "owner_email 'nobody@example.com' is not a user" in result.output
    assert "created_at 'yesterday' is not a date and time" in result.output
    assert issues(db) == []


def test_the_form_saves_an_unverified_phone_and_says_so(db, client, login_as):
    login_as("manager")
    page = client.post(
        "/customers/new",
        data={"name": "Maison Leroy", "phone": "42.68.53.00", "country": "France", "owner_id": "0"},
        follow_redirects=True,
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        "The phone number &#39;42.68.53.00&#39; is saved as typed but not verified: an old "
        "8-digit French number" in text
    )
    assert 'id="data-to-check"' in text and "unverified" in text
    leroy = db.session.scalar(select(Customer).where(Customer.name == "Maison Leroy"))
    assert (leroy.phone, leroy.phone_normalized) == ("42.68.53.00", "42685300")
    assert issues(db, leroy.id) == [("phone", "too_short", "42.68.53.00")]
    # Corrected in the form: the issue is gone.
    client.post(
        f"/customers/{leroy.id}/edit",
        data={"name": "Maison Leroy", "phone": "01 42 68 53 00", "country": "FR", "owner_id": "0"},
    )
    assert issues(db, leroy.id) == []
    assert db.session.get(Customer, leroy.id).phone_normalized == "+33142685300"


def test_a_new_email_or_birthday_typed_by_a_person_ends_the_kept_one(cli, db, tmp_path):
    text = HEADER + "F2,Café Martin,,martin@,,FR,,Paris,,12/04/1980,,,\n"
    assert cli.invoke(["import", "customers", write(tmp_path, text)]).exit_code == 0
    martin = by_key(db, "F2")
    update_customer(martin, email="martin@cafe.example")
    assert issues(db, martin.id) == [("birthday", "not_date", "12/04/1980")]
    update_customer(martin, birthday=dt.date(1980, 4, 12))
    assert issues(db, martin.id) == []


def flag_three(cli, tmp_path):
    text = HEADER + (
        "F1,Maison Leroy,,,42.68.53.00,FR,,Paris,,,,,\n"
        "F2,Café Martin,,martin@,,FR,,Paris,,,,,\n"
        "C3,Zhang Wei,,,+86 138 0013 800,CN,,Beijing,,,,,\n"
    )
    assert cli.invoke(["import", "customers", write(tmp_path, text)]).exit_code == 0


def test_the_data_to_check_page_lists_every_flag_with_its_reason(
    db, cli, client, login_as, tmp_path
):
    flag_three(cli, tmp_path)
    login_as("manager")
    page = client.get("/data/check?sort=customer&dir=asc").get_data(as_text=True)
    rows = page.split('id="issues"')[1]
    # Sorted by customer name: Café Martin, Maison Leroy, Zhang Wei.
    assert rows.index("Café Martin") < rows.index("Maison Leroy") < rows.index("Zhang Wei")
    assert "<code>42.68.53.00</code>" in rows and "an old 8-digit French number" in rows
    assert "<code>martin@</code>" in rows and "no mail is sent to it" in rows
    assert "no phone number in use in China has these digits (mistyped?)" in rows
    leroy = by_key(db, "F1")
    assert f'href="/customers/{leroy.id}/edit"' in rows
    # The tabs count per field; ?field= narrows the list.
    assert 'Phone <span class="badge text-bg-light">2</span>' in page
    phones = client.get("/data/check?field=phone").get_data(as_text=True)
    assert "Maison Leroy" in phones and "Café Martin" not in phones


def test_the_list_is_paginated(db, cli, client, login_as, tmp_path, app):
    app.config["CLIENTELE"]["page_size"] = 2
    flag_three(cli, tmp_path)
    login_as("admin")
    first = client.get("/data/check?sort=customer&dir=asc").get_data(as_text=True)
    second = client.get("/data/check?sort=customer&dir=asc&page=2").get_data(as_text=True)
    assert "Café Martin" in first and "Maison Leroy" in first and "Zhang Wei" not in first
    assert "Zhang Wei" in second and "Café Martin" not in second


def test_leave_as_it_is_dismisses_by_post_only(db, cli, client, login_as, tmp_path):
    flag_three(cli, tmp_path)
    manager = login_as("manager")
    issue = db.session.scalar(select(CustomerIssue).where(CustomerIssue.field == "email"))
    assert client.get(f"/data/check/{issue.id}/dismiss").status_code == 405
    response = client.post(f"/data/check/{issue.id}/dismiss", data={"field": "email"})
    assert response.status_code == 302 and response.location.endswith("/data/check?field=email")
    db.session.expire_all()
    issue = db.session.get(CustomerIssue, issue.id)
    assert issue.dismissed_at is not None and issue.dismissed_by_id == manager.id
    assert open_counts() == {"phone": 2, "email": 0, "birthday": 0}
    listing = client.get("/data/check").get_data(as_text=True)
    assert "Café Martin: left as it is." in listing
    assert "Café Martin</a>" not in listing
    # Importing the same file again does not bring a dismissed flag back.
    flag_three(cli, tmp_path)
    assert open_counts()["email"] == 0


def test_only_admins_and_managers_see_or_dismiss(db, cli, client, login_as, tmp_path):
    flag_three(cli, tmp_path)
    issue = db.session.scalar(select(CustomerIssue).limit(1))
    login_as("sales")
    assert client.get("/data/check").status_code == 403
    assert client.post(f"/data/check/{issue.id}/dismiss").status_code == 403
    assert db.session.get(CustomerIssue, issue.id).dismissed_at is None
    assert "Data to check" not in client.get("/").get_data(as_text=True)


def test_the_dashboard_counts_what_to_check(db, cli, client, login_as, tmp_path):
    flag_three(cli, tmp_path)
    login_as("admin")
    page = client.get("/").get_data(as_text=True)
    assert "3 values to check" in page
    assert '<a href="/data/check?field=phone">Phone</a>: 2' in page
    assert '<a href="/data/check?field=email">E-mail</a>: 1' in page

"""Search as a clerk types: phones of every served country in every format, wildcards taken
literally, accents and case folded. Runs on SQLite, and on PostgreSQL when
CLIENTELE_TEST_DATABASE_URL is set (the same tests, the same answers)."""

import re

import pytest
from sqlalchemy import select, text

from core import create_app
from core.customers import CustomerFilters, search_statement, update_customer
from core.db import db
from core.migrate import alembic_config
from core.models import Customer
from core.search import escape_like, fold
from tests.core.test_migrations import scratch_url  # noqa: F401  (fixture)


def found(query):
    statement = search_statement(CustomerFilters(query=query)).order_by(Customer.name)
    return [customer.name for customer in db.session.scalars(statement)]


@pytest.fixture
def callers(make_customer):
    """One customer per country the demo company serves, phones stored as people typed them."""
    make_customer(name="Berta Berlin", phone="030 947248", country="DE")
    make_customer(name="Anton Wien", phone="0676 6906781", country="AT")
    make_customer(name="Vreni Zürich", phone="044 668 18 00", country="CH")
    make_customer(name="Paul Paris", phone="01 42 68 53 00", country="FR")
    make_customer(name="Daan Amsterdam", phone="020 624 1111", country="NL")


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        # Germany: national, with a slash, dashes, brackets, +49, 0049, +49 (0)
        ("030 947248", "Berta Berlin"),
        ("030/947248", "Berta Berlin"),
        ("030-947-248", "Berta Berlin"),
        ("(030) 947248", "Berta Berlin"),
        ("+49 30 947248", "Berta Berlin"),
        ("0049 30 947248", "Berta Berlin"),
        ("+49 (0)30 947248", "Berta Berlin"),
        # Austria: exactly as stored and as the customer page shows it, and the other forms
        ("0676 6906781", "Anton Wien"),
        ("+43 676 6906781", "Anton Wien"),
        ("0043 676 6906781", "Anton Wien"),
        ("+43 (0)676 6906781", "Anton Wien"),
        ("0676/6906781", "Anton Wien"),
        # Switzerland
        ("044 668 18 00", "Vreni Zürich"),
        ("+41 44 668 18 00", "Vreni Zürich"),
        ("0041 44 668 18 00", "Vreni Zürich"),
        ("044-668-18-00", "Vreni Zürich"),
        # France and the Netherlands
        ("01 42 68 53 00", "Paul Paris"),
        ("+33 1 42 68 53 00", "Paul Paris"),
        ("01.42.68.53.00", "Paul Paris"),
        ("020 624 1111", "Daan Amsterdam"),
        ("+31 20 624 1111", "Daan Amsterdam"),
        # Part of a number: its digits anywhere
        ("6906781", "Anton Wien"),
        ("947 248", "Berta Berlin"),
    ],
)
def test_phone_of_every_served_country_in_every_format(callers, typed, who):
    assert found(typed) == [who]


def test_a_national_number_finds_the_customer_of_each_country_it_is_valid_in(make_customer):
    # The same digits are a Vienna mobile number and a German landline: both are found.
    make_customer(name="Anton Wien", phone="0676 6906781", country="AT")
    make_customer(name="Gerd Pfalz", phone="06766 906781", country="DE")
    assert found("0676 6906781") == ["Anton Wien", "Gerd Pfalz"]
    assert found("+43 676 6906781") == ["Anton Wien"]


def test_customer_page_number_typed_as_shown_finds_the_customer(client, login_as, make_customer):
    login_as("support")
    customer = make_customer(name="Anton Wien", phone="0676 6906781", country="AT")
    page = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    shown = re.search(r"\+43 676 6906781", page)
    assert shown, "the customer page shows the number in international form"
    for typed in (shown.group(0), "0676 6906781"):
        listing = client.get("/customers/", query_string={"q": typed}).get_data(as_text=True)
        assert f'customers/{customer.id}">Anton Wien</a>' in listing, typed


def test_percent_and_underscore_are_searched_literally(make_customer):
    make_customer(name="Laden 50% Rabatt", email="rabatt@example.com")
    make_customer(name="Snake_Case GmbH", email="snake@example.com")
    make_customer(name="Plain Name", email="plain@example.com")
    assert found("%") == ["Laden 50% Rabatt"]
    assert found("50%") == ["Laden 50% Rabatt"]
    assert found("_") == ["Snake_Case GmbH"]
    assert found("e_c") == ["Snake_Case GmbH"]
    assert found("\\") == []
    assert found("%%") == []


def test_accents_and_case_are_folded(make_customer):
    make_customer(name="Jürgen Müller", city="München", email="j@example.com")
    make_customer(name="Café Central", city="São Paulo", email="cafe@example.com")
    make_customer(name="Straßenbahn Imbiss", company="Søren & Co", email="s@example.com")
    make_customer(name="Mueller Spelled Out", email="m@example.com")
    assert found("muller") == ["Jürgen Müller"]
    assert found("MÜLLER") == ["Jürgen Müller"]
    assert found("munchen") == ["Jürgen Müller"]
    assert found("sao paulo") == ["Café Central"]
    assert found("São Paulo") == ["Café Central"]
    assert found("cafe") == ["Café Central"]
    assert found("strassen") == ["Straßenbahn Imbiss"]
    assert found("soren") == ["Straßenbahn Imbiss"]
    assert found("cafe@example") == ["Café Central"]


def test_search_text_follows_every_change(make_customer):
    customer = make_customer(name="Old Name", city="Köln")
    update_customer(customer, name="Zoë Näf", city="Zürich")
    db.session.commit()
    assert found("old name") == [] and found("koln") == []
    assert found("zoe naf") == ["Zoë Näf"] and found("zurich") == ["Zoë Näf"]
    # Also when a plugin or script sets an attribute on the model directly.
    customer.company = "Égalité SA"
    db.session.commit()
    assert found("egalite") == ["Zoë Näf"]


def test_import_fills_the_search_text(cli, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(
        "external_id,name,company,email,phone,country,region,city,channel,birthday,"
        "owner_email,tags,created_at\n"
        "C1,Renée Dupré,,renee@example.com,,FR,,Besançon,,,,,\n",
        encoding="utf-8",
    )
    result = cli.invoke(["import", "customers", str(path)])
    assert result.exit_code == 0, result.output
    assert found("renee dupre") == ["Renée Dupré"] and found("besancon") == ["Renée Dupré"]
    path.write_text(path.read_text().replace("Renée Dupré", "Anaïs Dupré"), encoding="utf-8")
    assert cli.invoke(["import", "customers", str(path)]).exit_code == 0
    assert found("anais") == ["Anaïs Dupré"] and found("renee dupre") == []


def test_other_search_boxes_take_wildcards_literally(client, login_as, make_product):
    login_as("manager")
    make_product(sku="P-100", name="Rabatt 100% Bio")
    make_product(sku="P-200", name="Plain Apples")
    page = client.get("/products/", query_string={"q": "%"}).get_data(as_text=True)
    assert "Rabatt 100% Bio" in page and "Plain Apples" not in page


def test_fold_and_escape():
    assert fold("São Paulo") == "sao paulo"
    assert fold("MÜLLER") == "muller"
    assert fold("Straße") == "strasse"
    assert fold("Łódź Ærø") == "lodz aero"
    assert escape_like("50%_a\\b") == "50\\%\\_a\\\\b"


def test_migration_fills_the_search_text_of_existing_customers(scratch_url, tmp_path):  # noqa: F811
    from alembic import command

    app = create_app(
        "/dev/null",
        database_url=scratch_url,
        plugins=[],
        testing=True,
        check_migrations=False,
        instance_path=str(tmp_path),
    )
    with app.app_context(), db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "c0a1b2c3d4e5")
        connection.execute(
            text(
                "INSERT INTO customer (name, company, email, phone, phone_normalized, country,"
                " region, city, channel, tags, marketing_opt_out, notes, created_at, updated_at)"
                " VALUES ('José Müller', 'Ça Va', 'jose@example.com', '', '', 'BR', '',"
                " 'São Paulo', '', '', false, '', '2026-01-01', '2026-01-01')"
            )
        )
        command.upgrade(alembic_config(connection), "core@head")
    with app.app_context():
        assert db.session.scalar(select(Customer.search_text)) == (
            "jose muller\nca va\njose@example.com\nsao paulo"
        )
        assert found("sao paulo") == ["José Müller"] and found("muller") == ["José Müller"]


@pytest.fixture
def chinese_customers(make_customer):
    make_customer(name="张伟", city="上海", email="zw@example.cn")
    make_customer(name="李娜", company="罗森便利店", email="ln@example.cn")
    make_customer(name="王芳", city="杭州", email="wf@example.cn")
    # A mixed name: Latin letters stay words, the Chinese part gets its pinyin.
    make_customer(name="Anna 吕", company="Fresh 曾记 GmbH", email="anna@example.com")
    make_customer(name="Zach Wong", email="zach@example.com")


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("张伟", ["张伟"]),
        ("zhangwei", ["张伟"]),
        ("zhang wei", ["张伟"]),
        ("ZhangWei", ["张伟"]),
        ("zw", ["张伟"]),
        ("lina", ["李娜"]),
        ("li na", ["李娜"]),
        ("ln", ["李娜"]),
        ("luosen", ["李娜"]),  # company 罗森便利店
        ("lsbld", ["李娜"]),
        ("wangfang", ["王芳"]),
        ("wf", ["王芳"]),
        ("hangzhou", ["王芳"]),  # city 杭州
        ("shanghai", ["张伟"]),
        # Mixed: the Latin words as typed, ü as v or u, a surname read otherwise (曾 zeng).
        ("anna lv", ["Anna 吕"]),
        ("anna lu", ["Anna 吕"]),
        ("zengji", ["Anna 吕"]),
        ("fresh zeng ji", ["Anna 吕"]),
        ("fresh zj", ["Anna 吕"]),
        # Latin names are found as before, and not by made-up initials.
        ("zach", ["Zach Wong"]),
        ("zhangw", ["张伟"]),
        ("zhangfang", []),
    ],
)
def test_chinese_names_are_found_by_pinyin_and_initials(chinese_customers, typed, who):
    assert found(typed) == who


def test_pinyin_forms_of_hand_picked_names():
    from core.search import pinyin_forms

    assert pinyin_forms("张伟") == ["zhang wei", "zhangwei", "zw"]
    assert pinyin_forms("李娜") == ["li na", "lina", "ln"]
    assert pinyin_forms("吕明") == ["lv ming", "lvming", "lm", "lu ming", "luming"]
    assert pinyin_forms("曾伟")[-3:] == ["zeng wei", "zengwei", "zw"]
    assert pinyin_forms("王芳 Bakery")[:3] == ["wang fang bakery", "wangfangbakery", "wf bakery"]
    assert pinyin_forms("Müller") == [] and pinyin_forms("") == []


def test_pinyin_follows_a_name_change(make_customer):
    customer = make_customer(name="张伟")
    update_customer(customer, name="李娜")
    db.session.commit()
    assert found("zw") == [] and found("zhangwei") == []
    assert found("lina") == ["李娜"] and found("ln") == ["李娜"]


def test_import_fills_the_pinyin(cli, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(
        "external_id,name,company,email,phone,country,region,city,channel,birthday,"
        "owner_email,tags,created_at\n"
        "C1,王芳,,wf@example.cn,,CN,,上海,,,,,\n",
        encoding="utf-8",
    )
    result = cli.invoke(["import", "customers", str(path)])
    assert result.exit_code == 0, result.output
    assert found("wangfang") == ["王芳"] and found("wf") == ["王芳"]


def test_searching_by_pinyin_takes_no_more_queries(client, login_as, make_customer, count_queries):
    login_as("support")
    make_customer(name="张伟")
    make_customer(name="Jürgen Müller")
    with count_queries() as latin:
        page = client.get("/customers/", query_string={"q": "muller"}).get_data(as_text=True)
    assert "Jürgen Müller" in page
    with count_queries() as pinyin:
        page = client.get("/customers/", query_string={"q": "zw"}).get_data(as_text=True)
    assert "张伟" in page
    assert len(pinyin) == len(latin)


def test_migration_adds_pinyin_to_existing_chinese_customers(scratch_url, tmp_path):  # noqa: F811
    from alembic import command

    app = create_app(
        "/dev/null",
        database_url=scratch_url,
        plugins=[],
        testing=True,
        check_migrations=False,
        instance_path=str(tmp_path),
    )
    insert = text(
        "INSERT INTO customer (name, company, email, phone, phone_normalized, country,"
        " region, city, channel, tags, marketing_opt_out, notes, created_at, updated_at,"
        " search_text) VALUES (:name, '', :email, '', '', 'CN', '', :city, '', '', false, '',"
        " '2026-01-01', '2026-01-01', :search)"
    )
    with app.app_context(), db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "d4b5c6d7e8f9")
        for name, email, city, search in (
            ("张伟", "zw@example.cn", "", "张伟\n\nzw@example.cn\n"),
            ("Anna Lee", "anna@example.com", "上海", "anna lee\n\nanna@example.com\n上海"),
            ("José Müller", "jose@example.com", "", "jose muller\n\njose@example.com\n"),
        ):
            connection.execute(
                insert, {"name": name, "email": email, "city": city, "search": search}
            )
        command.upgrade(alembic_config(connection), "core@head")
    with app.app_context():
        texts = dict(db.session.execute(select(Customer.name, Customer.search_text)).all())
        assert texts == {
            "张伟": "张伟\n\nzw@example.cn\n\nzhang wei\nzhangwei\nzw",
            "Anna Lee": "anna lee\n\nanna@example.com\n上海\nshang hai\nshanghai\nsh",
            "José Müller": "jose muller\n\njose@example.com\n",
        }
        assert found("zhangwei") == ["张伟"] and found("shanghai") == ["Anna Lee"]
        db.session.rollback()
        with db.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "d4b5c6d7e8f9")
        texts = dict(db.session.execute(select(Customer.name, Customer.search_text)).all())
        assert texts["张伟"] == "张伟\n\nzw@example.cn\n"


def test_the_migration_reads_pinyin_as_the_app_does():
    import importlib.util

    from core.models import customer_search_text

    spec = importlib.util.spec_from_file_location(
        "pinyin_revision",
        "core/migrations/versions/e4b5c6d7e8f9_customer_search_pinyin.py",
    )
    assert spec and spec.loader
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    for name, company, city in (
        ("张伟", "", "上海"),
        ("吕明", "曾记 GmbH", ""),
        ("Anna 王芳", "全家便利店（徐汇店）", "浦东新区"),
        ("José Müller", "Ça Va", "São Paulo"),
    ):
        assert revision._search_text(name, company, "a@example.com", city) == customer_search_text(
            name=name, company=company, email="a@example.com", city=city
        )


CHINESE_MOBILE_FORMATS = [
    "+86 138 0013 8000",
    "+86-138-0013-8000",
    "+86 13800138000",
    "+8613800138000",
    "(+86) 138 0013 8000",
    "0086 138 0013 8000",
    "008613800138000",
    "13800138000",
    "138 0013 8000",
    "138-0013-8000",
    "138.0013.8000",
    "86 138 0013 8000",
]


@pytest.fixture
def chinese_company(app, monkeypatch):
    """The company's default region is CN, as in config/examples/fresh-food-cn.toml."""
    monkeypatch.setitem(app.config["CLIENTELE"], "default_region", "CN")


@pytest.mark.parametrize("typed", CHINESE_MOBILE_FORMATS)
def test_a_chinese_mobile_typed_any_way_is_stored_once(chinese_company, make_customer, typed):
    customer = make_customer(name="张伟", phone=typed)
    assert customer.phone_normalized == "+8613800138000"


@pytest.mark.parametrize("typed", CHINESE_MOBILE_FORMATS)
def test_a_chinese_mobile_is_found_in_every_format(chinese_company, make_customer, typed):
    make_customer(name="张伟", phone="138 0013 8000")
    make_customer(name="李娜", phone="+86 139 1234 5678")
    make_customer(name="王芳", phone="021 6888 8888")  # a Shanghai landline
    assert found(typed) == ["张伟"]


def test_whole_chinese_mobiles_are_looked_up_by_the_index(chinese_company, make_customer):
    # Typed without +86 or 0: read as a whole mobile number of the company's region (an
    # exact, indexed match), not as digits anywhere in a number.
    from core.phones import phone_candidates

    assert phone_candidates("13800138000", "CN") == {"+8613800138000"}
    assert phone_candidates("138-0013-8000", "CN") == {"+8613800138000"}
    assert phone_candidates("(+86) 138 0013 8000", "CN") == {"+8613800138000"}
    assert phone_candidates("1380013", "CN") == set()  # part of a number
    assert phone_candidates("68888888", "CN") == set()  # a landline without its area code
    make_customer(name="张伟", phone="13800138000")
    make_customer(name="王芳", phone="021 6888 8888")
    assert found("021-6888-8888") == ["王芳"] and found("+86 21 6888 8888") == ["王芳"]
    assert found("1380013") == ["张伟"] and found("6888 8888") == ["王芳"]


def test_the_customer_page_shows_a_chinese_mobile_as_found(
    chinese_company, client, login_as, make_customer
):
    login_as("support")
    customer = make_customer(name="张伟", phone="13800138000")
    page = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "+86 138 0013 8000" in page
    listing = client.get("/customers/", query_string={"q": "138 0013 8000"}).get_data(as_text=True)
    assert f'customers/{customer.id}">张伟</a>' in listing

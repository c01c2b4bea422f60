"""`clientele demo` with config/examples/fresh-food-cn.toml: a Chinese company, told as the German one."""

from __future__ import annotations

import json
from decimal import Decimal

import phonenumbers
import pytest
from sqlalchemy import func, select

from core import dates
from core.config import PROJECT_ROOT, read_toml
from core.demo import DEMO_PASSWORD, make_plan, material_for
from core.demo.chinese import CHINESE, pinyin_slug, short_name
from core.demo.material import GERMAN
from core.models import Customer, CustomerIssue, Order, OrderLine, Product, User
from core.search import has_han

CONFIG = PROJECT_ROOT / "config" / "examples" / "fresh-food-cn.toml"


@pytest.fixture
def app(make_app):
    """The app as the shipped Chinese config makes it (on the test database)."""
    table = read_toml(CONFIG)
    core = {key: value for key, value in table["clientele"].items() if key != "database_url"}
    plugins = core.pop("plugins")
    return make_app(plugins=plugins, settings=table["plugins"], **core)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def run_demo(cli, *sizes):
    result = cli.invoke(["demo", *sizes])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_config_chooses_the_chinese_material(app):
    assert app.config["CLIENTELE"]["language"] == "zh_CN"
    assert app.config["CLIENTELE"]["currency"] == "CNY"
    assert material_for("zh_CN") is CHINESE and material_for("zh-CN") is CHINESE
    assert material_for("en") is GERMAN and material_for("de") is GERMAN
    today = dates.today()
    assert make_plan(3, 30, 40, today, CHINESE) == make_plan(3, 30, 40, today, CHINESE)
    assert make_plan(3, 30, 40, today, CHINESE) != make_plan(4, 30, 40, today, CHINESE)


def test_pinyin_slugs_and_short_names():
    assert pinyin_slug("全家便利店") == "quanjiabianlidian"
    assert pinyin_slug("张 伟", ".") == "zhang.wei"
    assert pinyin_slug("7-ELEVEn便利店") == "7-eleven-bianlidian"
    assert [short_name(city) for city in ("徐汇区", "浦东新区", "苏州市")] == [
        "徐汇",
        "浦东",
        "苏州",
    ]


def test_the_demo_fills_a_chinese_company_and_fills_it_once(cli, db):
    """The default sizes, as `make run` writes them; then a second run changes nothing."""
    demo = run_demo(cli)
    # The command speaks the company's language.
    assert "演示公司已创建（种子 7）：300 个客户，60 个产品，1000 个订单" in demo
    assert f"wang.fang@huxianda.example       sales      {DEMO_PASSWORD}" in demo
    # Staff with Chinese names, working in Chinese.
    staff = db.session.scalars(select(User).order_by(User.id)).all()
    assert [user.name for user in staff] == [
        "王芳", "李娜", "张磊", "刘洋", "陈静", "杨帆", "周建国", "吴婷", "孙悦",
    ]  # fmt: skip
    assert sorted(user.role for user in staff) == ["manager", "marketing"] + ["sales"] * 6 + [
        "support"
    ]
    assert {user.language for user in staff} == {"zh_CN"}
    assert all(user.email.endswith("@huxianda.example") for user in staff)
    # Customers in Shanghai's districts, 苏州 and 杭州; businesses with Chinese branch names.
    customers = db.session.scalars(select(Customer)).all()
    assert len(customers) == 300
    assert {customer.country for customer in customers} == {"CN"}
    assert {customer.region for customer in customers} == {"上海市", "江苏省", "浙江省"}
    cities = {customer.city for customer in customers}
    assert {"徐汇区", "静安区", "浦东新区", "苏州市", "杭州市"} <= cities
    assert all(has_han(customer.name) and len(customer.name) <= 3 for customer in customers)
    kinds = {customer.tag_list[0] for customer in customers}
    assert kinds == {"便利店", "餐厅", "食堂", "酒店", "生鲜店", "个人"}
    for customer in customers:
        assert bool(customer.company) == (customer.tag_list[0] != "个人"), customer.name
        assert customer.company == "" or has_han(customer.company)
        assert customer.email.isascii() and "@" in customer.email
        assert customer.owner is not None and customer.owner.role == "sales"
    companies = [customer.company for customer in customers if customer.company]
    assert len(set(companies)) == len(companies)  # no two branches share a name
    assert sum(name.startswith(("全家便利店(", "罗森(")) for name in companies) > 20
    assert len({customer.channel for customer in customers}) == 7
    # 60 products in eight Chinese categories, priced in yuan with margins that differ.
    products = db.session.scalars(select(Product)).all()
    assert len(products) == 60
    by_category: dict[str, list[Product]] = {}
    for product in products:
        by_category.setdefault(product.category, []).append(product)
    assert set(by_category) == {
        "蔬菜", "水果", "肉禽", "水产", "乳制品", "蛋品豆制品", "鲜食便当", "烘焙糕点",
    }  # fmt: skip
    average = {
        category: sum(item.list_margin for item in items) / len(items)
        for category, items in by_category.items()
    }
    assert average["蔬菜"] < Decimal("0.15") and average["鲜食便当"] > Decimal("0.45")
    # 上海青 was 4.80; vegetables' list prices rose 3 % nine months ago: 4.944 → 4.94.
    greens = next(product for product in products if product.name == "上海青 500g")
    assert (greens.sku, greens.list_price) == ("VEG-01", Decimal("4.94"))
    # The fresh meals were never raised: 金枪鱼饭团 still costs its 6.50.
    rice_ball = next(product for product in products if product.name == "金枪鱼饭团")
    assert rice_ball.list_price == Decimal("6.50")
    assert Decimal("0.45") <= rice_ball.list_margin <= Decimal("0.58")
    assert {product.sku for product in products if not product.active} == {"MEA-06", "BAK-07"}
    # The story: drafts, cancellations, refunds, six sellers.
    statuses = dict(
        db.session.execute(select(Order.status, func.count()).group_by(Order.status)).all()
    )
    assert statuses["confirmed"] > 800 and statuses["draft"] > 0 and statuses["cancelled"] > 15
    assert count(db, OrderLine) > 3000
    assert db.session.scalar(select(func.count()).where(OrderLine.refunded_on.is_not(None))) > 5
    assert db.session.scalar(select(func.count(func.distinct(Order.salesperson_id)))) == 6

    # Phones: kept as typed, normalised to +86 for lookup.
    for customer in customers:
        assert customer.phone_normalized.startswith("+86"), customer.phone
        number = phonenumbers.parse(customer.phone_normalized)
        assert phonenumbers.is_valid_number(number), customer.phone
        # The typed text is kept; reading it in China gives the stored lookup value.
        typed = phonenumbers.parse(customer.phone, "CN")
        assert phonenumbers.format_number(typed, phonenumbers.PhoneNumberFormat.E164) == (
            customer.phone_normalized
        )
    assert count(db, CustomerIssue) == 0  # no phone to check
    typed = {customer.phone for customer in customers}
    assert any(phone.isdigit() and len(phone) == 11 for phone in typed)  # 13800138000
    assert any(phone.count("-") == 2 and len(phone) == 13 for phone in typed)  # 138-0013-8000
    assert any(phone.startswith("+86 1") for phone in typed)  # +86 139 1234 5678
    assert any(phone.startswith("021-") for phone in typed)  # a Shanghai landline
    zhang = db.session.scalar(select(Customer).where(Customer.company == "全家便利店(漕溪北路店)"))
    assert (zhang.name, zhang.phone, zhang.phone_normalized) == (
        "张伟", "138-0013-8000", "+8613800138000",
    )  # fmt: skip
    pudong = db.session.scalar(select(Customer).where(Customer.phone == "+86 139 1234 5678"))
    assert pudong.city == "浦东新区" and pudong.phone_normalized == "+8613912345678"

    # Run again: refused; with --if-empty nothing is added.
    before = (count(db, Customer), count(db, Order), count(db, User))
    refused = cli.invoke(["demo"])
    assert refused.exit_code == 1
    assert "clientele demo 只填充空数据库（脚本请用 --if-empty）" in refused.output
    again = cli.invoke(["demo", "--if-empty"])
    assert again.exit_code == 0
    assert "数据库已有 300 个客户，未添加演示数据。" in again.output
    assert (count(db, Customer), count(db, Order), count(db, User)) == before


def test_a_smaller_demo_tells_the_story_in_chinese_and_yuan(cli, client, login_as, db):
    """Sales and commission this month and last, found by pinyin, the pages in Chinese."""
    from plugins.sales_commission.settings import current_rules
    from plugins.sales_commission.statements import period_summaries

    run_demo(cli, "--customers", "120", "--orders", "500")
    today = dates.today()
    this_month = dates.period_of(today)
    last_month = dates.period_of(dates.add_months(today.replace(day=1), -1))
    for period in (this_month, last_month):
        summaries = period_summaries(period, current_rules())
        commission = sum(summary.commission for summary in summaries)
        net = sum(summary.net for summary in summaries)
        assert commission > 0 and net > 0, (period, commission, net)
        result = cli.invoke(
            ["sales_commission", "statement", "--period", period, "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["currency"] == "CNY"

    manager = db.session.scalar(select(User).where(User.email == "zhou.jianguo@huxianda.example"))
    login_as(manager)
    zhang = "全家便利店(漕溪北路店)"
    for query in ("zw", "zhangwei", "zhang wei", "13800138000", "+86 138 0013 8000", "qjbld"):
        html = client.get("/customers/", query_string={"q": query}).get_data(as_text=True)
        assert zhang in html, query
    assert zhang not in client.get("/customers/", query_string={"q": "lsn"}).get_data(as_text=True)
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    latest = db.session.scalar(select(Order).order_by(Order.order_date.desc(), Order.id.desc()))
    assert latest.customer.name in html


def test_the_plugins_demo_data_is_written_in_chinese(cli, db):
    """Tickets, teams, deals, preferences and contacts of the Chinese company are Chinese."""
    from plugins.loyalty.models import Interaction, Preference
    from plugins.pipeline.models import Opportunity
    from plugins.pipeline.stages import open_stages
    from plugins.service_desk.models import Team, Ticket

    run_demo(cli, "--customers", "40", "--orders", "120")
    teams = db.session.scalars(select(Team.name).order_by(Team.id)).all()
    assert teams == ["客服前台", "退换货组", "投诉升级"]
    subjects = db.session.scalars(select(Ticket.subject)).all()
    assert subjects and all(has_han(subject) for subject in subjects)
    titles = db.session.scalars(select(Opportunity.title)).all()
    assert titles and all("：" in title for title in titles)
    assert "盒邻便利店(徐家汇店)：首单" in titles
    assert [stage.name for stage in open_stages()] == ["初步接洽", "送样试用", "报价谈判"]
    for model, column in ((Preference, Preference.text), (Interaction, Interaction.summary)):
        texts = db.session.scalars(select(column)).all()
        assert texts and all(has_han(text) for text in texts), model.__name__

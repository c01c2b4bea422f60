"""The commission pages in Simplified Chinese: no string of the plugin's catalog left in English."""

from pathlib import Path

import pytest

from core.db import db
from tests.untranslated import english_left, pages_of

from . import scenario

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "sales_commission"


@pytest.fixture
def data(db, make_staff, make_product, make_order):
    return scenario.build(make_staff, make_product, make_order)


def as_chinese(user):
    user.language = "zh_CN"
    db.session.commit()
    return user


def test_a_manager_reads_every_commission_page_in_chinese(client, login_as, data):
    login_as(as_chinese(data.manager))
    customer = data.orders["O1"].customer
    paths = [
        f"/sales_commission/?period={scenario.MARCH}",
        f"/sales_commission/?period={scenario.APRIL}",
        f"/sales_commission/statements/{scenario.MARCH}/{data.ann.id}",
        f"/sales_commission/statements/{scenario.APRIL}/{data.ann.id}",
        f"/sales_commission/statements/{scenario.MARCH}/{data.ben.id}",
        "/sales_commission/products?from=2026-01&to=2026-04",
        "/sales_commission/leaderboard?from=2026-01&to=2026-04",
        "/sales_commission/split",
        f"/sales_commission/orders/{data.orders['O3'].id}/split",
        f"/sales_commission/orders/{data.orders['O5'].id}/split",
    ]
    for path, html in pages_of(client, paths).items():
        assert '<html lang="zh-CN">' in html, path
        assert english_left(html, PLUGIN) == [], path
    # On the core's pages, the plugin's panel and widget (the rest is the core's to translate).
    panel = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert english_left(panel, PLUGIN, within="sales-commission-panel") == []
    assert "带来的利润" in panel
    dashboard = client.get("/").get_data(as_text=True)
    assert english_left(dashboard, PLUGIN, within="sales-commission-widget") == []
    assert "本月各档位提成" in dashboard
    statement = client.get(f"/sales_commission/statements/{scenario.MARCH}/{data.ann.id}")
    text = statement.get_data(as_text=True)
    assert "对账单 2026-03" in text and "逐条明细" in text
    assert "低于成本售出" in text  # the note of a line sold below cost


def test_a_salesperson_reads_their_pages_in_chinese(client, login_as, data):
    login_as(as_chinese(data.ann))
    paths = [
        "/sales_commission/",
        f"/sales_commission/statements/{scenario.MARCH}/{data.ann.id}",
        "/sales_commission/products",
        "/sales_commission/leaderboard?from=2026-01&to=2026-04",
    ]
    for path, html in pages_of(client, paths).items():
        assert english_left(html, PLUGIN) == [], path
    assert "我的提成" in client.get("/sales_commission/").get_data(as_text=True)
    dashboard = client.get("/").get_data(as_text=True)
    assert english_left(dashboard, PLUGIN, within="sales-commission-widget") == []
    assert "你本月的提成" in dashboard and "上月" in dashboard


def test_the_rules_page_and_its_errors_in_chinese(client, login_as, data, make_staff):
    admin = as_chinese(make_staff("admin"))
    login_as(admin)
    html = client.get("/sales_commission/settings").get_data(as_text=True)
    assert english_left(html, PLUGIN) == []
    refused = client.post(
        "/sales_commission/settings",
        data={
            "effective_from": "2030-01-01",
            "base": "revenue",
            "grade_by": "line",
            "tiers-0-name": "A",
            "tiers-0-min_margin": "0.40",
            "tiers-0-rate": "1.5",
        },
    ).get_data(as_text=True)
    assert "须为 0 到 1 之间的小数" in refused
    assert english_left(refused, PLUGIN) == []


def test_english_stays_english(client, login_as, data):
    login_as(data.manager)
    html = client.get(f"/sales_commission/?period={scenario.MARCH}").get_data(as_text=True)
    assert "Commission statements" in html and "提成" not in html
    # The same check finds the English (so an empty list above means something).
    left = english_left(html, PLUGIN)
    assert {"Commission statements", "Net", "Adjustments", "By tier"} <= set(left)

"""The loyalty pages in Simplified Chinese: no string of the plugin's catalog left in English."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from core.db import db
from plugins.loyalty.care import complete, create_tasks
from plugins.loyalty.models import CareTask
from plugins.loyalty.preferences import add_preference, log_interaction
from plugins.loyalty.recompute import recompute_all
from tests.untranslated import english_left, pages_of

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "loyalty"
NOON = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)


def as_chinese(user):
    user.language = "zh_CN"
    db.session.commit()
    return user


@pytest.fixture
def frozen():
    """The clock at noon, 31 March 2026."""
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def book(frozen, make_customer, make_user, sell):
    """On 31 March 2026: Grete (Gold, Sam's), Bert (Bronze, Tina's), Anna at risk, Carl churned.

    Grete: 60 × 40.00 = 2,400.00 profit on 1 March (Gold from 2,000.00; a call every 60 days).
    Anna: one order on 1 August 2025, 242 days ago > 90 × 2 (at risk), 1 × 40.00 (Bronze).
    Carl: one order on 1 March 2025, 395 days ago > 90 × 4 (churned), outside the 12 months.
    """
    sam, tina = make_user("sales", name="Sam"), make_user("sales", name="Tina")
    grete = make_customer(name="Grete Gold", owner_id=sam.id)
    bert = make_customer(name="Bert Bronze", owner_id=tina.id)
    anna = make_customer(name="Anna Absent", owner_id=sam.id)
    carl = make_customer(name="Carl Gone")
    sell(grete, dt.date(2026, 3, 1), 60)
    sell(bert, dt.date(2026, 3, 1), 1)
    sell(anna, dt.date(2025, 8, 1), 1)
    sell(carl, dt.date(2025, 3, 1), 1)
    add_preference(grete, sam, "Seating", "likes", "the window seat")
    add_preference(grete, sam, "Food", "avoids", "coriander")
    add_preference(grete, sam, "", "note", "prefers WeChat")
    log_interaction(grete, sam, "note", "brought samples", dt.datetime(2026, 3, 2, 9, 0))
    recompute_all("nightly recompute")
    create_tasks()
    db.session.commit()
    tasks = {task.customer_id: task for task in db.session.scalars(select(CareTask))}
    # Anna's reactivation call is done, so the "done" list and a done task have a row.
    done = tasks.get(anna.id)
    assert done is not None and done.kind == "reactivation"
    complete(done, sam, "call", "she will order in April")
    db.session.commit()
    return {"sam": sam, "grete": grete, "anna": anna, "carl": carl, "tasks": tasks}


def navigation(html):
    return re.search(r"<nav\b.*?</nav>", html, flags=re.S).group(0)


def test_a_manager_reads_every_loyalty_page_in_chinese(book, frozen, client, login_as, make_user):
    login_as(as_chinese(make_user("manager")))
    grete, anna, carl = book["grete"], book["anna"], book["carl"]
    call = book["tasks"][grete.id]
    churned = book["tasks"][carl.id]
    done = book["tasks"][anna.id]
    paths = [
        "/loyalty/",
        "/loyalty/?stage=churned",
        "/loyalty/?tier=-&sort=name&dir=asc",
        "/loyalty/?q=nobody",
        "/loyalty/matrix",
        "/loyalty/matrix?cell=big_tickets",
        "/loyalty/matrix?cell=regulars",
        "/loyalty/matrix?cell=occasional",
        "/loyalty/lifecycle",
        "/loyalty/changes",
        "/loyalty/changes?kind=tier&to=Gold",
        "/loyalty/changes?kind=stage",
        "/loyalty/changes?kind=stage&to=churned",
        f"/loyalty/customers/{grete.id}",
        f"/loyalty/customers/{anna.id}",
        f"/loyalty/customers/{carl.id}",
        f"/loyalty/customers/{grete.id}/preferences/new",
        f"/loyalty/customers/{grete.id}/interactions/new",
        "/loyalty/tasks",
        "/loyalty/tasks?scope=all",
        "/loyalty/tasks?scope=all&status=overdue",
        "/loyalty/tasks?scope=all&status=done",
        "/loyalty/tasks?scope=all&status=closed",
        "/loyalty/tasks?scope=all&status=",
        "/loyalty/tasks?scope=unassigned",
        f"/loyalty/tasks/{call.id}/complete",
        f"/loyalty/tasks/{churned.id}/complete",
        f"/loyalty/tasks/{done.id}/complete",
    ]
    for path, html in pages_of(client, paths).items():
        assert '<html lang="zh-CN">' in html, path
        assert english_left(html, PLUGIN) == [], path
    tiers = client.get("/loyalty/").get_data(as_text=True)
    links = navigation(tiers)
    assert "客户价值" in links and "关怀任务" in links and "Customer value" not in links
    assert "各等级客户数" in tiers and "按近 12 个月利润划分的等级" in tiers
    assert "每 60 天电话一次" in tiers  # Gold's care plan, the tier name stays as configured
    lifecycle = client.get("/loyalty/lifecycle").get_data(as_text=True)
    assert "有流失风险" in lifecycle and "已流失" in lifecycle and "潜在客户" in lifecycle
    assert "超过通常下单间隔 × 4 仍未下单。" in lifecycle
    value = client.get(f"/loyalty/customers/{grete.id}").get_data(as_text=True)
    assert "利润贡献" in value and "1月" in value and "12月" in value
    # The stored reasons "customer created" and "order SO-… confirmed", read in Chinese.
    assert "新建客户" in value and re.search(r"订单 \S+ 已确认", value)
    assert "Gold 关怀计划：每 60 天电话一次" in value
    assert "不喜欢" in value and "coriander" in value
    tasks = client.get("/loyalty/tasks?scope=all").get_data(as_text=True)
    assert "已流失：把客户争取回来" in tasks and "待办" in tasks
    finished = client.get(f"/loyalty/tasks/{done.id}/complete").get_data(as_text=True)
    assert "这个任务的状态：已完成 — Sam" in finished and "she will order in April" in finished
    # On the core's pages, the plugin's panels and widgets (the rest is the core's to translate).
    customer_page = client.get(f"/customers/{grete.id}").get_data(as_text=True)
    assert english_left(customer_page, PLUGIN, within="loyalty-panel") == []
    assert "近 12 个月利润" in customer_page and "添加偏好" in customer_page
    assert "记录电话、拜访、邮件或备注" in customer_page
    dashboard = client.get("/").get_data(as_text=True)
    assert english_left(dashboard, PLUGIN, within="loyalty-widget") == []
    assert "各等级客户数" in dashboard and "有流失风险" in dashboard


def test_a_salesperson_reads_their_pages_in_chinese(book, frozen, client, login_as):
    sam = as_chinese(book["sam"])
    login_as(sam)
    grete = book["grete"]
    call = book["tasks"][grete.id]
    paths = [
        "/loyalty/",
        "/loyalty/matrix",
        "/loyalty/lifecycle",
        "/loyalty/changes?kind=stage",
        f"/loyalty/customers/{grete.id}",
        "/loyalty/tasks",
        "/loyalty/tasks?status=done",
        f"/loyalty/tasks/{call.id}/complete",
    ]
    for path, html in pages_of(client, paths).items():
        assert english_left(html, PLUGIN) == [], path
    assert "我的关怀任务" in client.get("/loyalty/tasks").get_data(as_text=True)
    customer_page = client.get(f"/customers/{grete.id}").get_data(as_text=True)
    assert english_left(customer_page, PLUGIN, within="loyalty-panel") == []
    assert "Gold 关怀计划" in customer_page
    dashboard = client.get("/").get_data(as_text=True)
    assert english_left(dashboard, PLUGIN, within="loyalty-widget") == []
    assert "你的待办" in dashboard


def test_the_greeting_pages_in_chinese(frozen, client, login_as, make_user):
    login_as(as_chinese(make_user("admin")))
    for path, html in pages_of(
        client, ["/loyalty/greetings", "/loyalty/greetings/birthday", "/loyalty/greetings/holiday"]
    ).items():
        assert english_left(html, PLUGIN) == [], path
    listing = client.get("/loyalty/greetings").get_data(as_text=True)
    assert "生日问候" in listing and "近 365 天已发送 0 封。" in listing


def test_form_errors_and_flashes_in_chinese(book, frozen, client, login_as):
    login_as(as_chinese(book["sam"]))
    grete = book["grete"]
    url = f"/loyalty/customers/{grete.id}/preferences/new"
    refused = client.post(url, data={"sentiment": "likes", "category": "Food", "text": ""})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "请写下客户的偏好。" in html
    assert english_left(html, PLUGIN) == []
    later = client.post(
        f"/loyalty/customers/{grete.id}/interactions/new",
        data={"kind": "call", "happened_at": "2030-01-01T10:00", "summary": "future call"},
    ).get_data(as_text=True)
    assert "联系记录的时间不能晚于现在。" in later  # shown under "When", not under the summary
    assert later.index("联系记录的时间不能晚于现在。") < later.index('name="summary"')
    call = book["tasks"][grete.id]
    empty = client.post(f"/loyalty/tasks/{call.id}/complete", data={"kind": "call", "notes": ""})
    assert "请简单写一下情况如何。" in empty.get_data(as_text=True)
    saved = client.post(
        f"/loyalty/customers/{grete.id}/interactions/new",
        data={"kind": "visit", "summary": "tasted the new wine"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已记录拜访。" in saved


def test_english_stays_english(book, frozen, client, login_as, make_user):
    login_as(make_user("manager"))
    html = client.get("/loyalty/lifecycle").get_data(as_text=True)
    assert "<strong>Prospect</strong>: no order yet." in html and "潜在客户" not in html
    assert "no order for longer than the usual interval × 4." in html
    # The same check finds the English (so an empty list above means something).
    left = english_left(html, PLUGIN)
    assert {"Loyalty", "Customers per lifecycle stage", "The rules in use", "Prospect"} <= set(left)
    value = client.get(f"/loyalty/customers/{book['grete'].id}").get_data(as_text=True)
    assert "Gold care plan: call every 60 days" in value and "customer created" in value
    assert re.search(r"order \S+ confirmed", value)


def test_the_command_line_and_setting_errors_in_chinese(make_app):
    from core.testing import CliRunner

    app = make_app(plugins=["loyalty"], language="zh_CN")
    with time_machine.travel(NOON, tick=False):
        result = CliRunner(app).invoke(["loyalty", "recompute"])
    assert result.exit_code == 0, result.output
    assert "已按 2026-03-31 重新计算：等级变动 0 次，阶段变动 0 次。" in result.output
    assert "关怀任务：新建 0 个，新建召回任务 0 个，关闭 0 个。" in result.output
    with pytest.raises(Exception, match="须为 0 或以上，实际为 -1"):
        make_app(
            plugins=["loyalty"], language="zh_CN", settings={"loyalty": {"care_lead_days": -1}}
        )


def test_loyaltys_helpers_do_not_replace_the_cores_on_other_pages(
    book, frozen, client, login_as, make_user
):
    """loyalty's template helpers reach every page (its panels sit on core pages): its care
    task status label once replaced the core's order status label, so the dashboard's recent
    orders said "confirmed" in Chinese."""
    login_as(as_chinese(make_user("manager")))
    dashboard = client.get("/").get_data(as_text=True)
    assert "已确认" in dashboard and ">confirmed<" not in dashboard

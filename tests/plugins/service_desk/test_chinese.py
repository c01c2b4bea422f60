"""The service desk in Simplified Chinese: no string of the plugin's catalog left in English on any
of its pages; form errors, flashes and history lines in Chinese; mails in the customer's language."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core import dates
from core.db import db
from core.models import OutboxMessage, utcnow
from plugins.service_desk.history import event_text
from plugins.service_desk.models import Survey, Ticket, TicketEvent
from plugins.service_desk.ratings import answer_survey
from plugins.service_desk.surveys import survey_token
from plugins.service_desk.tickets import add_message, change_state, update_ticket
from tests.untranslated import english_left, pages_of

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "service_desk"


@pytest.fixture
def company_language() -> str:
    """The company's [clientele].language (a test may parametrize it)."""
    return "en"


@pytest.fixture
def app(
    make_app: Any,
    clientele_plugins: list[str],
    clientele_settings: dict[str, Any],
    company_language: str,
) -> Any:
    """As the package's app fixture, with the company language of the test."""
    return make_app(
        plugins=clientele_plugins,
        settings=clientele_settings,
        timezone="Europe/Berlin",
        language=company_language,
    )


def ago(**delta: float) -> dt.datetime:
    """A moment before now (pages read the real clock, surveys expire after 14 days)."""
    return utcnow() - dt.timedelta(**delta)


@pytest.fixture
def desk(db, make_user, make_team, make_customer, make_order, make_ticket):
    """Tickets in every state with a conversation, a rating, a new contact and a breach."""
    agent = make_user("support", name="王芳", email="agent@example.com", language="zh_CN")
    manager = make_user("manager", name="李娜", email="manager@example.com", language="zh_CN")
    team = make_team("Front desk", members=[agent, manager])
    make_team("Escalations", restricted=True, members=[manager])
    ada = make_customer(name="Ada Lovelace", email="ada@example.com", phone="+49 30 1234567")
    make_customer(name="Ada Byron", email="byron@example.com")
    order = make_order(customer=ada)
    main = make_ticket(
        customer=ada,
        order=order,
        team=team,
        assignee=agent,
        category="Delivery",
        subject="Parcel arrived broken",
        now=ago(days=3),
    )
    add_message(main, "reply", "We are looking into it.", agent, ago(days=3, hours=-1))
    add_message(main, "note", "Called the carrier.", agent, ago(days=3, hours=-2))
    change_state(main, "waiting", agent, ago(days=2))
    add_message(main, "customer", "Here are the photos.", None, ago(days=1))
    update_ticket(main, agent, ago(hours=20), priority="high", category="Damaged goods")
    rated = make_ticket(
        customer=ada, team=team, assignee=agent, kind="inquiry", channel="email", now=ago(days=3)
    )
    change_state(rated, "resolved", agent, ago(days=2))
    answer_survey(survey_token(db.session.scalars(select(Survey)).one()), 2, "Slow", ago(days=1))
    open_survey_ticket = make_ticket(customer=ada, team=team, kind="return", now=ago(days=2))
    change_state(open_survey_ticket, "resolved", manager, ago(hours=5))
    contact = make_ticket(
        customer=None,
        contact_name="张伟",
        contact_phone="+49 30 999999",
        kind="other",
        channel="visit",
        now=ago(days=1),
    )
    urgent = make_ticket(customer=ada, priority="urgent", team=team, now=ago(days=3))
    db.session.commit()
    pending = db.session.scalars(select(Survey).where(Survey.answered_at.is_(None))).one()
    return {
        "agent": agent,
        "manager": manager,
        "team": team,
        "ada": ada,
        "main": main,
        "rated": rated,
        "contact": contact,
        "urgent": urgent,
        "survey": survey_token(pending),
        "answered": survey_token(db.session.scalars(select(Survey)).first()),
        "opened_on": main.opened_on,
    }


def test_a_support_user_reads_every_desk_page_in_chinese(client, login_as, desk):
    login_as(desk["agent"])
    main, contact = desk["main"], desk["contact"]
    paths = [
        "/service_desk/",
        "/service_desk/?queue=team",
        "/service_desk/?queue=unassigned",
        "/service_desk/?queue=breached",
        "/service_desk/?queue=all",
        "/service_desk/?queue=all&state=closed&kind=return",  # empty with filters
        f"/service_desk/tickets/{main.id}",
        f"/service_desk/tickets/{desk['rated'].id}",
        f"/service_desk/tickets/{contact.id}",
        f"/service_desk/tickets/{desk['urgent'].id}",
        "/service_desk/tickets/new",
        f"/service_desk/tickets/new?customer={desk['ada'].id}",
        "/service_desk/lookup",
        "/service_desk/lookup?q=Ada",  # two callers
        "/service_desk/lookup?q=Lovelace",  # one: the caller's card
        "/service_desk/lookup?q=Nobody",
        "/service_desk/lookup?q=030 555 0199",  # a phone nobody has
        f"/service_desk/survey/{desk['survey']}",
    ]
    for path, html in pages_of(client, paths).items():
        assert '<html lang="zh-CN">' in html, path
        assert english_left(html, PLUGIN) == [], (path, english_left(html, PLUGIN))
    ticket = client.get(f"/service_desk/tickets/{main.id}").get_data(as_text=True)
    # Labels, clock, conversation and the history recorded in English, read in Chinese.
    for words in ("等待客户回复", "首次响应", "沟通记录", "内部备注", "已回复客户", "处理历史"):
        assert words in ticket, words
    assert "优先级：普通 → 高" in ticket and "类别：配送 → 货物损坏" in ticket
    assert "状态：处理中 → 等待客户回复" in ticket
    assert re.search(r"已创建（投诉，电话）：Parcel arrived broken", ticket)
    # Dates as Chinese write them, in company time (Berlin).
    opened = dates.to_company_time(main.created_at)
    assert f"{opened.year}年{opened.month}月{opened.day}日 {opened:%H:%M}" in ticket
    assert "2026-" not in re.sub(r"<[^>]+>", "", ticket.split("<main", 1)[-1]).split("</main>")[0]
    # On the core's pages, the plugin's panel, timeline lines and widget.
    customer = client.get(f"/customers/{desk['ada'].id}").get_data(as_text=True)
    assert english_left(customer, PLUGIN, within="service-desk-panel") == []
    assert "新建工单" in customer and f"工单 #{main.id}：已回复客户" in customer
    dashboard = client.get("/").get_data(as_text=True)
    assert english_left(dashboard, PLUGIN, within="service-desk-widget") == []
    assert "我的未结工单" in dashboard and "我的：<strong>" in dashboard
    assert (
        english_left(
            client.get(f"/service_desk/tickets/{main.id}/export.txt").get_data(as_text=True), PLUGIN
        )
        == []
    )


def test_a_manager_reads_the_reports_and_teams_in_chinese(client, login_as, desk):
    login_as(desk["manager"])
    day = desk["opened_on"]
    start, end = (day - dt.timedelta(days=1)).isoformat(), dates.today().isoformat()
    paths = [
        f"/service_desk/reports/sla?period={dates.period_of(day)}",
        "/service_desk/reports/sla?period=2020-01",  # no tickets
        f"/service_desk/reports/satisfaction?from={start}&to={end}",
        f"/service_desk/reports/satisfaction?from={start}&to={end}&by=team",
        f"/service_desk/reports/satisfaction?from={start}&to={end}&by=category",
        "/service_desk/reports/satisfaction?from=2020-01-01&to=2020-01-31",
        f"/service_desk/reports/process?from={start}&to={end}",
        f"/service_desk/reports/process?from={start}&to={end}&by=team&kind=complaint",
        "/service_desk/reports/process?from=2020-01-01&to=2020-01-31",
        "/service_desk/teams",
        "/service_desk/teams/new",
        f"/service_desk/teams/{desk['team'].id}",
        f"/service_desk/tickets/{desk['main'].id}",
    ]
    for path, html in pages_of(client, paths).items():
        assert english_left(html, PLUGIN) == [], (path, english_left(html, PLUGIN))
    sla = client.get(f"/service_desk/reports/sla?period={dates.period_of(day)}")
    assert f"{day.year}年{day.month}月新建的工单" in sla.get_data(as_text=True)
    assert "所有小组" in sla.get_data(as_text=True)
    csat = client.get(f"/service_desk/reports/satisfaction?from={start}&to={end}")
    # 王芳's one survey was answered with a 2: response rate 100.00%, average 2.00, CSAT 0.00%;
    # the survey of the ticket nobody was assigned to is not answered yet.
    text = re.sub(r"\s+", " ", csat.get_data(as_text=True))
    assert (
        '<td>王芳</td><td class="num">1</td><td class="num">1</td> <td class="num">100.00%</td>'
        ' <td class="num">2.00</td> <td class="num">0.00%</td>'
    ) in text
    assert (
        '<td>未分配</td><td class="num">1</td><td class="num">0</td> <td class="num">0.00%</td>'
        in text
    )
    process = client.get(f"/service_desk/reports/process?from={start}&to={end}")
    assert "耗时最长的环节是<strong" in process.get_data(as_text=True)
    # A bad range falls back with a message in Chinese.
    flashed = client.get(
        "/service_desk/reports/process?from=2026-02-01&to=2026-01-01", follow_redirects=True
    ).get_data(as_text=True)
    assert "开始日期晚于结束日期；显示最近 90 天。" in flashed
    dashboard = client.get("/").get_data(as_text=True)
    assert english_left(dashboard, PLUGIN, within="service-desk-widget") == []
    assert "最近 30 天各小组 SLA 超时率" in dashboard


def test_form_errors_and_flashes_in_chinese(client, login_as, desk):
    login_as(desk["agent"])
    before = db.session.scalar(select(func.count(Ticket.id)))
    refused = client.post(
        "/service_desk/tickets/new",
        data={"kind": "complaint", "channel": "phone", "priority": "normal", "subject": "Hi"},
    )
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert "未保存任何内容：请选择客户，或填写新联系人的姓名、电话或邮箱。" in html
    assert english_left(html, PLUGIN) == []
    assert db.session.scalar(select(func.count(Ticket.id))) == before
    survey = client.post(f"/service_desk/survey/{desk['survey']}", data={"comment": "?"})
    assert "请选择 1 到 5 分的评分。" in survey.get_data(as_text=True)
    assert english_left(survey.get_data(as_text=True), PLUGIN) == []
    used = client.get(f"/service_desk/survey/{desk['answered']}")
    assert used.status_code == 410
    assert "这份调查已经回答过了。谢谢！" in used.get_data(as_text=True)
    main = desk["main"]
    said = client.post(
        f"/service_desk/tickets/{main.id}/messages",
        data={"kind": "note", "body": "   "},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "未保存任何内容：请先填写内容。" in said
    moved = client.post(
        f"/service_desk/tickets/{main.id}/state", data={"state": "resolved"}, follow_redirects=True
    ).get_data(as_text=True)
    assert f"工单 #{main.id} 现在的状态为“已解决”。" in moved
    # The history keeps its English summary for exports and the log.
    summaries = db.session.scalars(
        select(TicketEvent.summary).where(
            TicketEvent.ticket_id == main.id, TicketEvent.kind == "state"
        )
    ).all()
    assert "State: Open → Resolved" in summaries
    login_as(desk["manager"])
    taken = client.post(
        "/service_desk/teams/new", data={"name": "front DESK", "active": "y"}
    ).get_data(as_text=True)
    assert "已有其他小组使用这个名称。" in taken


def test_english_stays_english(client, login_as, desk, make_user):
    login_as(make_user("support", name="Sue"))
    html = client.get(f"/service_desk/tickets/{desk['main'].id}").get_data(as_text=True)
    assert "What the customer says" in html and "沟通记录" not in html
    assert "Priority: normal → high" in html and "State: Open → Waiting on customer" in html
    # The same check finds the English (so an empty list above means something).
    assert {"Conversation", "History", "What the customer says"} <= set(english_left(html, PLUGIN))


@pytest.mark.parametrize("company_language", ["zh_CN"])
def test_mails_to_a_chinese_customer_are_in_chinese(client, login_as, desk, make_user):
    """The company writes Chinese; its agent's own pages are English, the customer's mails are not."""
    agent = make_user("support", name="Sue", language="en")
    login_as(agent)
    ticket = desk["contact"]
    ticket.contact_email = "zhang@example.cn"
    db.session.commit()
    page = client.post(
        f"/service_desk/tickets/{ticket.id}/messages",
        data={"kind": "reply", "body": "我们今天寄出新的配件。"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Reply sent." in page  # the agent reads English
    reply = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == "zhang@example.cn")
    ).one()
    assert reply.subject == f"[#{ticket.id}] Parcel arrived broken"
    assert reply.body == (
        "我们今天寄出新的配件。\n\n— Sue, "
        + reply.body.split("— Sue, ")[1].split("\n")[0]
        + f"\n您的请求 #{ticket.id}：Parcel arrived broken\n"
    )
    client.post(f"/service_desk/tickets/{ticket.id}/state", data={"state": "resolved"})
    survey = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.to_address == "zhang@example.cn", OutboxMessage.id != reply.id
        )
    ).one()
    assert survey.subject == f"满意度调查：请求 #{ticket.id}"
    assert f"您好！\n\n您的请求 #{ticket.id}“Parcel arrived broken”已处理完毕。" in survey.body
    assert "请给我们打 1 到 5 分" in survey.body
    until = dates.to_company_time(
        db.session.scalars(select(Survey).where(Survey.ticket_id == ticket.id)).one().expires_at
    )
    assert f"有效期至 {until.year}年{until.month}月{until.day}日 {until:%H:%M}" in survey.body


def test_sla_alerts_in_each_recipients_language(db, desk, make_user):
    """An English company; the team's agents chose Chinese, so their breach mails are Chinese."""
    from plugins.service_desk.jobs import check_sla

    urgent = desk["urgent"]
    make_user("support", email="sue@example.com", language=None)  # not in the team: no mail
    warnings, breaches = check_sla()
    db.session.commit()
    assert breaches >= 2  # the urgent ticket's first response and resolution, 3 days ago
    mails = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.subject.like(f"[#{urgent.id}]%"))
        .order_by(OutboxMessage.to_address, OutboxMessage.subject)
    ).all()
    assert {(mail.to_address, mail.subject) for mail in mails} == {
        (address, f"[#{urgent.id}] {what}超出 SLA 时限")
        for address in ("agent@example.com", "manager@example.com")
        for what in ("首次响应", "解决")
    }
    assert all("已超出时限。" in mail.body and "客户：Ada Lovelace" in mail.body for mail in mails)
    history = {event_text(event) for event in urgent_events(db, urgent.id)}
    assert any(line.startswith("First response SLA breached (due ") for line in history)


def urgent_events(db, ticket_id):
    """The ticket's history lines (read outside a request: in the company's English)."""
    return db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id))

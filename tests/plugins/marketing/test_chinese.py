"""The marketing pages in Simplified Chinese: no string of the plugin's catalog left in English.

The company speaks English (amounts in CNY, Shanghai time); the marketing user chose 简体中文
on their profile, so every page they open is Chinese. Mail the plugin writes itself (the
unsubscribe footer, the unsubscribe page) follows the recipient, which is the company's
language while customers have none of their own.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import db
from core.models import Customer, OutboxMessage, utcnow
from plugins.marketing import consent, messages
from plugins.marketing.jobs import refresh_recommendations, send_campaigns
from plugins.marketing.models import Campaign, Segment
from plugins.marketing.segments import Condition, Rule
from tests.untranslated import english_left, pages_of

ROOT = Path(__file__).resolve().parents[3]
PLUGIN = ROOT / "plugins" / "marketing"
CORE = ROOT / "core"
TOPICS = ["newsletter", "offers", "events"]
#: 2026年12月4日 14:05: a moment in the company's time, as zh_CN writes it.
CHINESE_MOMENT = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}")


@pytest.fixture
def app(make_app, clientele_settings):
    """The company: English by default, yuan, Shanghai."""
    return make_app(
        plugins=["marketing"],
        settings=clientele_settings,
        currency="CNY",
        timezone="Asia/Shanghai",
    )


def chinese_user(login_as):
    return login_as("marketing", language="zh_CN")


NAVBAR = re.compile(r'<nav class="navbar.*?</nav>', re.S)
#: A campaign's preview shows the mail as its customer gets it: in the customer's language.
MAIL_BODY = re.compile(r'<pre [^>]*id="mail-body".*?</pre>', re.S)


def without_mail(html):
    """The page without the previewed mail (written in its customer's language)."""
    return MAIL_BODY.sub("", html)


@pytest.fixture
def story(shop):
    """A segment of the German customers (ada, bob), a draft and a sent campaign to it,
    consent evidence for ada, and the bought-together snapshot."""
    germans = Segment(
        name="Germany", definition=Rule("all", (Condition("marketing.country", "DE"),)).to_json()
    )
    db.session.add(germans)
    draft = Campaign(
        name="Winter", topic="offers", subject="Hi {{ first_name }}", body="Hello {{ name }}",
        segment=germans, status="draft",
    )  # fmt: skip
    sent = Campaign(
        name="Autumn", topic="newsletter", subject="News", body="Hello {{ name }}",
        segment=germans, status="scheduled", scheduled_at=utcnow() - dt.timedelta(minutes=1),
        cost=Decimal("30.00"),
    )  # fmt: skip
    db.session.add_all([draft, sent])
    db.session.commit()
    send_campaigns()
    consent.record_consent(shop.ada, "events", False, "staff", TOPICS, note="phone call")
    consent.record_consent(shop.dora, "all", False, "link", TOPICS, note="Unsubscribe link.")
    db.session.commit()
    refresh_recommendations()
    return shop, germans, draft, sent


def test_a_marketing_user_reads_every_marketing_page_in_chinese(client, login_as, story):
    shop, germans, draft, sent = story
    chinese_user(login_as)
    assert sent.status == "sent"
    rule = Rule(
        "all", (Condition("marketing.country", "DE"), Condition("marketing.tag", "vip", True))
    )
    paths = [
        "/marketing/segments/",
        "/marketing/segments/new",
        f"/marketing/segments/{germans.id}",
        f"/marketing/segments/{germans.id}/edit",
        f"/marketing/segments/preview?rule={rule.to_json()}",
        "/marketing/campaigns/",
        "/marketing/campaigns/new",
        f"/marketing/campaigns/{draft.id}",
        f"/marketing/campaigns/{draft.id}/edit",
        f"/marketing/campaigns/{sent.id}",
        f"/marketing/campaigns/{sent.id}?status=queued",
        "/marketing/attribution",
        "/marketing/attribution?period=2025-11",
        "/marketing/regions",
        f"/marketing/regions?segment={germans.id}&level=city",
        "/marketing/products/",
        "/marketing/products/?q=zzz",
        f"/marketing/products/{shop.sweet.id}/audience",
        f"/marketing/customers/{shop.ada.id}/consent",
        f"/marketing/customers/{shop.dora.id}/consent",
    ]
    found = pages_of(client, paths)
    for path, html in found.items():
        assert '<html lang="zh-CN">' in html, path
        assert english_left(without_mail(html), PLUGIN) == [], path
    # The plugin's menu in the navigation: its title and its three links.
    navbar = NAVBAR.search(found["/marketing/segments/"]).group(0)
    for label in ("营销", "客户分群", "营销活动", "归因分析"):
        assert f">{label}<" in navbar, label
    # The segment: two customers (ada, bob), their dates as Chinese write them.
    segment = found[f"/marketing/segments/{germans.id}"]
    assert "2 位客户" in segment and "客户需满足以下" in segment and "全部</strong>条件" in segment
    assert "国家：DE" in segment  # the rule in words
    assert "2025年1月10日" in segment and "2025年6月1日" in segment  # ada's and bob's first day
    preview = found[f"/marketing/segments/preview?rule={rule.to_json()}"]
    assert (
        "非：带有标签：vip" in preview and "Bob Brown" in preview and "Ada Lovelace" not in preview
    )
    # The sent campaign: both Germans queued, every time in Shanghai time, in Chinese.
    campaign = found[f"/marketing/campaigns/{sent.id}"]
    assert "已发送" in campaign and "已排队" in campaign and "100%" in campaign
    assert "开始发送时分群中有 2 位客户，已分 1 批处理。" in campaign
    assert CHINESE_MOMENT.search(campaign)
    # The draft's preview: the first German with an address, ada, and the footer in the
    # company's language (English: customers have no language of their own yet).
    preview_mail = found[f"/marketing/campaigns/{draft.id}"]
    assert "Ada Lovelace 将收到的邮件" in preview_mail and "Hi Ada" in preview_mail
    assert "You receive this offers mail as a customer of" in preview_mail
    listing = found["/marketing/campaigns/"]
    assert "草稿" in listing and "已发送" in listing and "30.00" in listing
    # SWEET's audience: cem (bought CHILI, which ada bought with SWEET); bob had SWEET once
    # (refunded), dora bought nothing.
    audience = found[f"/marketing/products/{shop.sweet.id}/audience"]
    assert "共 1 位客户；名单最多保留得分最高的 500 位。" in audience and "Cem Caliskan" in audience
    history = found[f"/marketing/customers/{shop.dora.id}/consent"]
    assert "退订链接。" in history and "客户本人" in history  # the note and who, translated
    assert "phone call" in found[f"/marketing/customers/{shop.ada.id}/consent"]  # staff's words
    # On the core's customer page, the plugin's two panels.
    page = client.get(f"/customers/{shop.bob.id}").get_data(as_text=True)
    assert english_left(page, PLUGIN, within="marketing-consent-panel") == []
    assert english_left(page, PLUGIN, within="marketing-recommendations-panel") == []
    assert "营销许可" in page and "推荐商品" in page and "共同购买数据截至" in page


def test_form_and_rule_errors_in_chinese(client, login_as, story):
    shop, germans, draft, sent = story
    chinese_user(login_as)
    data = {
        "name": "Spring", "topic": "offers", "segment_id": str(germans.id),
        "subject": "Hi {{ nickname }}", "body": "Hello {first_name}", "cost": "0",
    }  # fmt: skip
    refused = client.post("/marketing/campaigns/new", data=data).get_data(as_text=True)
    assert "未知的占位符 {{ nickname }}。" in refused
    assert "占位符须写在双花括号中：{first_name} 不会被填入。" in refused
    assert "可用的占位符：{{ name }}, {{ first_name }}" in refused
    assert english_left(without_mail(refused), PLUGIN, CORE) == []
    assert db.session.scalar(select(Campaign).where(Campaign.name == "Spring")) is None
    # A rule with a value that is not a number: the builder says so in Chinese, nothing is saved.
    builder = client.post(
        "/marketing/segments/new",
        data={
            "name": "Many orders",
            "match": "all",
            "action": "save",
            "conditions-0-key": "marketing.orders_at_least",
            "conditions-0-value": "abc",
        },  # fmt: skip
    ).get_data(as_text=True)
    assert "条件 1（订单数至少）：“abc”不是数字。" in builder
    assert english_left(without_mail(builder), PLUGIN) == []
    assert db.session.scalar(select(Segment).where(Segment.name == "Many orders")) is None
    # A flash: the segment in use cannot be deleted.
    deleted = client.post(f"/marketing/segments/{germans.id}/delete", follow_redirects=True)
    assert "分群 Germany 被 2 个营销活动使用，无法删除。" in deleted.get_data(as_text=True)


def test_english_stays_english(client, login_as, story):
    shop, germans, draft, sent = story
    login_as("marketing")
    html = client.get(f"/marketing/segments/{germans.id}").get_data(as_text=True)
    assert "Customers who match <strong>all</strong> of:" in html and "客户" not in html
    assert "2 customers" in html and "2025-01-10" in html
    campaign = client.get(f"/marketing/campaigns/{sent.id}").get_data(as_text=True)
    assert "100 %" in campaign and ">sent</span>" in campaign
    assert re.search(r"started \d{4}-\d{2}-\d{2} \d{2}:\d{2}", campaign)
    # The same check finds the English (so an empty list above means something).
    left = english_left(html, PLUGIN)
    assert {"Segments", "Export CSV", "Customers who match %(match)s of:"} <= set(left)


def test_mail_and_the_unsubscribe_page_speak_the_companys_language(make_app):
    """A Chinese company: the footer the plugin adds, the unsubscribe page, its one-click answer."""
    app = make_app(plugins=["marketing"], language="zh_CN", company="鲜到家", currency="CNY")
    customer = Customer(name="张伟", email="zhang@example.com", city="上海")
    db.session.add(customer)
    segment = Segment(name="全部", definition=Rule().to_json())
    db.session.add(
        Campaign(name="春季", topic="offers", subject="{{ name }}，您好", body="春季新品上市。",
                 segment=segment, status="sending")
    )  # fmt: skip
    db.session.commit()
    send_campaigns()
    body = db.session.scalar(
        select(OutboxMessage.body).where(OutboxMessage.to_address == customer.email)
    )
    assert body.startswith(
        "春季新品上市。\n\n--\n您作为 鲜到家 的客户收到这封 offers 邮件。\n退订 offers 邮件："
    )
    # The English footer is exactly as it always was.
    assert messages.footer("offers", "Acme", "https://x/u", "en") == (
        "\n\n--\nYou receive this offers mail as a customer of Acme.\n"
        "Unsubscribe from offers mail: https://x/u\n"
    )
    token = messages.unsubscribe_token(customer.id, "offers", None)
    client = app.test_client()
    page = client.get(f"/marketing/unsubscribe/{token}").get_data(as_text=True)
    assert "您想停止接收我们的 offers 邮件吗？" in page and "退订全部营销邮件" in page
    assert english_left(page, PLUGIN) == []
    answer = client.post(f"/marketing/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert answer.get_data(as_text=True) == "已退订 offers 邮件。\n"
    invalid = client.get("/marketing/unsubscribe/forged").get_data(as_text=True)
    assert "此链接无法使用" in invalid and "此链接无效。" in invalid
    # The CLI speaks the company's language too.
    result = app.test_cli_runner().invoke(args=["marketing", "segment-count", "没有"])
    assert result.exit_code != 0
    assert "没有名为“没有”的分群（现有分群：全部）。" in result.output

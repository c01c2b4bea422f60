"""Languages: the company's default, each user's own choice, <html lang>, catalogs, formats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask import render_template_string

from core import catalogs, i18n
from core.config import ConfigError, load_config
from core.db import db as database
from tests.untranslated import unmarked_literals

PASSWORD = "secret-pass"


def log_in(client, email, password):
    page = client.post("/login", data={"email": email, "password": password})
    assert page.status_code == 302, page.get_data(as_text=True)


def test_the_language_is_english_unless_configured():
    assert load_config(None)["language"] == "en"
    assert load_config(None, language="zh_CN")["language"] == "zh_CN"


def test_an_unknown_language_is_refused_with_the_known_ones():
    with pytest.raises(ConfigError) as error:
        load_config(None, language="zh-CN")
    assert str(error.value).endswith(
        '[clientele].language: expected "en" or "zh_CN", got \'zh-CN\'.'
    )


def test_html_lang_follows_the_company_then_the_users_choice(make_app, make_user):
    app = make_app(language="zh_CN")
    user = make_user("support", password=PASSWORD)
    client = app.test_client()
    log_in(client, user.email, PASSWORD)
    page = client.get("/profile").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    page = client.post("/profile", data={"language-language": "en"}, follow_redirects=True)
    assert '<html lang="en">' in page.get_data(as_text=True)
    assert database.session.get(type(user), user.id).language == "en"
    # Empty: as the company again.
    client.post("/profile", data={"language-language": ""})
    assert database.session.get(type(user), user.id).language is None
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_a_language_not_offered_is_refused_and_nothing_changes(client, make_user):
    user = make_user("support", password=PASSWORD)
    log_in(client, user.email, PASSWORD)
    page = client.post("/profile", data={"language-language": "fr"})
    assert page.status_code == 200 and "Not a valid choice" in page.get_data(as_text=True)
    assert database.session.get(type(user), user.id).language is None


def test_the_profile_page_offers_each_language_in_its_own_name(client, login_as):
    login_as("support")
    page = client.get("/profile").get_data(as_text=True)
    assert "简体中文" in page and "English" in page and "As the company (English)" in page


def test_english_formats_stay_as_they_were(app):
    assert i18n.format_money(Decimal("1234.5"), "EUR") == "1,234.50 EUR"
    assert i18n.format_money(Decimal("-0.5")) == "-0.50"
    assert i18n.format_date(dt.date(2026, 12, 2)) == "2026-12-02"
    assert i18n.format_percent(Decimal("0.4123")) == "41.2 %"
    assert i18n.format_number(1234567) == "1,234,567"
    assert i18n.format_quantity(Decimal("1250.500")) == "1250.5"


def test_chinese_formats(make_app):
    make_app(language="zh_CN", currency="CNY", timezone="Asia/Shanghai")
    assert i18n.format_money(Decimal("1234.5"), "CNY") == "¥1,234.50"
    assert i18n.format_money(Decimal("1234.5")) == "1,234.50"
    assert i18n.format_date(dt.date(2026, 12, 2)) == "2026年12月2日"
    assert i18n.format_month(dt.date(2026, 12, 1)) == "2026年12月"
    # 2026-12-01 18:30 UTC is 02:30 the next day in Shanghai (UTC+8).
    assert i18n.format_datetime(dt.datetime(2026, 12, 1, 18, 30)) == "2026年12月2日 02:30"
    assert i18n.format_date(dt.datetime(2026, 12, 1, 18, 30)) == "2026年12月2日"
    assert i18n.format_percent(Decimal("0.1225")) == "12.3%"


def test_force_locale_switches_for_a_block(make_app):
    make_app(language="en")
    with i18n.force_locale("zh_CN"):
        assert i18n.format_date(dt.date(2026, 12, 2)) == "2026年12月2日"
        assert i18n._("Your profile") == "你的个人资料"
    assert i18n.format_date(dt.date(2026, 12, 2)) == "2026-12-02"


@pytest.mark.parametrize("package", catalogs.packages(), ids=lambda path: path.name)
def test_every_marked_string_is_translated(package):
    """`make messages` then translating the new entries in the .po files fixes this."""
    assert all(not gaps for gaps in catalogs.missing(package).values()), catalogs.missing(package)


@pytest.mark.parametrize("package", catalogs.packages(), ids=lambda path: path.name)
def test_the_compiled_catalogs_match_their_po_files(package):
    assert catalogs.stale_mo(package) == [], "run `make messages` and commit the .mo files"


def test_each_app_reads_the_catalogs_of_its_own_plugins(make_app):
    """Two apps in one process, with different plugins: the second is not served the first's."""
    make_app(plugins=[], language="zh_CN")
    with i18n.force_locale("zh_CN"):
        assert i18n._("Leaderboard") == "Leaderboard"  # sales_commission is not on here
    make_app(plugins=["sales_commission"], language="zh_CN")
    with i18n.force_locale("zh_CN"):
        assert i18n._("Leaderboard") == "排行榜"


@pytest.mark.parametrize("package", catalogs.packages(), ids=lambda path: path.name)
def test_no_template_shows_unmarked_english(package):
    """Text outside {{ _() }} and {% trans %} could never be translated (see tests/untranslated.py)."""
    assert unmarked_literals(package) == {}


def test_markup_in_a_message_stays_markup_and_the_values_are_escaped(app):
    """A translated message may hold markup; what fills it is text (an order's customer name)."""
    page = (
        "{% trans amount=amount %}Pay <strong>{{ amount }}</strong> now{% endtrans %} | "
        "{{ _('Hello <em>%(name)s</em>', name=name) }} | {{ _('Discount %') }} | "
        "{% trans %}100 % sure{% endtrans %} | "
        "{% trans count=3 %}{{ count }} row{% pluralize %}{{ count }} rows{% endtrans %}"
    )
    with app.test_request_context():
        html = render_template_string(page, amount="5.00", name="<b>Bob</b>")
    assert html == (
        "Pay <strong>5.00</strong> now | Hello <em>&lt;b&gt;Bob&lt;/b&gt;</em> | Discount % | "
        "100 % sure | 3 rows"
    )


def test_a_translated_sentence_keeps_its_markup_and_escapes_its_values(make_app):
    """{% trans %} and _() in templates: the sentence's own <a>/<strong> stay markup, a value
    filling a placeholder is escaped (a customer named "<b>" shows as typed)."""
    app = make_app(language="zh_CN")
    with app.test_request_context():
        html = render_template_string(
            "{% trans url='/c/1', name=name %}New order for <a href=\"{{ url }}\">{{ name }}</a>"
            "{% endtrans %}|{{ _('Good day, %(name)s', name=name) }}"
            "|{% trans plugin=name %}<strong>{{ plugin }}</strong> could not show this part of"
            " the page. The error was logged.{% endtrans %}",
            name="<b>Ann</b>",
        )
    assert html == (
        '为 <a href="/c/1">&lt;b&gt;Ann&lt;/b&gt;</a> 新建订单|&lt;b&gt;Ann&lt;/b&gt;，你好'
        "|<strong>&lt;b&gt;Ann&lt;/b&gt;</strong> 无法显示页面的这一部分。错误已记录。"
    )


def test_a_plugins_menu_is_titled_from_its_manifest_in_the_readers_language(make_app, make_user):
    """Two links make a dropdown; its title is the manifest's, translated (销售提成)."""
    app = make_app(plugins=["sales_commission", "loyalty"], language="zh_CN")
    manager = make_user("manager", password=PASSWORD)
    client = app.test_client()
    log_in(client, manager.email, PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "销售提成" in page and "Sales commission" not in page
    # The core's words win over a plugin's for the same msgid: the menu says 客户, not 客户数.
    assert ">客户<" in page.replace("\n", "").replace(" ", "")

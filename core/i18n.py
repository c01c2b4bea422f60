"""Languages: marking strings for translation and formatting numbers, money and dates per locale.

Every user-facing string of the core and of plugins goes through ``_`` (at call time) or
``_l``/``lazy_gettext`` (at import time: form labels, module constants), and plural forms
through ``ngettext``. Templates use ``{{ _("...") }}`` or ``{% trans %}...{% endtrans %}``.

The locale of a request is the user's own choice (``user.language``, set on /profile), else
the company's ``[clientele].language``, else English. Outside a request (jobs, the CLI) it is
the company's; ``force_locale`` switches it for a block (an e-mail in the customer's language).

Catalogs: core/translations/<locale>/LC_MESSAGES/messages.po (and the compiled .mo, committed;
<locale> is Babel's name: zh_CN is read from zh_Hans_CN),
and for each enabled plugin <package>/translations/..., merged into one catalog at startup, so
a plugin translates its own strings. ``make messages`` extracts and updates them, and
``make compile-messages`` compiles them (see docs/plugins.md, "Translating a plugin").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import babel.dates
import babel.numbers
from flask import Flask, current_app, has_app_context, has_request_context
from flask_babel import (
    Babel,
    force_locale,
    get_domain,
    get_locale,
    lazy_gettext,
    lazy_pgettext,
    ngettext,
    pgettext,
    refresh,
)
from flask_babel import gettext as _
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

#: The languages the application speaks: code → its own name (shown on the profile page).
LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}
DEFAULT_LANGUAGE = "en"
CORE_TRANSLATIONS = Path(__file__).resolve().parent / "translations"

_l = lazy_gettext


def N_(message: str) -> str:
    """Mark a message for the catalogs without translating it (gettext_noop).

    For text stored in English and translated each time it is shown, in the reader's
    language: ``record(N_("Priority: %(old)s → %(new)s"), ...)`` keeps the msgid, and the
    page calls ``_(msgid) % args``.
    """
    return message


__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "_",
    "_l",
    "company_language",
    "current_language",
    "force_locale",
    "format_date",
    "format_datetime",
    "format_money",
    "format_month",
    "format_number",
    "format_percent",
    "format_quantity",
    "get_locale",
    "lazy_gettext",
    "lazy_pgettext",
    "ngettext",
    "pgettext",
]


def company_language() -> str:
    """The company's [clientele].language ("en" outside an app)."""
    if not has_app_context():
        return DEFAULT_LANGUAGE
    return str(current_app.config["CLIENTELE"].get("language") or DEFAULT_LANGUAGE)


def select_locale() -> str:
    """The user's own language when signed in and chosen, else the company's."""
    if has_request_context():
        from flask_login import current_user

        language = getattr(current_user, "language", None) if current_user else None
        if language in LANGUAGES:
            return str(language)
    return company_language()


def _select_timezone() -> str:
    return str(current_app.config["CLIENTELE"]["timezone"])


def current_language() -> str:
    """The code of the current locale: "en" or "zh_CN"."""
    locale = get_locale() if has_app_context() else None
    if locale is None:
        return DEFAULT_LANGUAGE
    code = f"{locale.language}_{locale.territory}" if locale.territory else locale.language
    return code if code in LANGUAGES else locale.language


def html_lang() -> str:
    """The current language as <html lang> wants it: "en", "zh-CN"."""
    return current_language().replace("_", "-")


def translation_directories(plugin_packages: list[Path]) -> str:
    """Each plugin's translations/ folder that exists, then the core's, ';'-joined.

    The catalogs are merged in this order and a later one wins for a msgid they share, so the
    core's words ("Customers" 客户 in the menu) are the same on every page; a plugin that means
    something else by a short word marks it with a context (``pgettext``).
    """
    folders = [*(path / "translations" for path in plugin_packages), CORE_TRANSLATIONS]
    return ";".join(str(folder) for folder in folders if folder.is_dir())


def init_app(app: Flask, plugin_packages: list[Path]) -> None:
    """Install Flask-Babel with the core's and the plugins' catalogs, and the template helpers."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = translation_directories(plugin_packages)
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT_LANGUAGE
    # One Babel per app: Flask-Babel caches merged catalogs on its instance by locale alone, so
    # a shared instance would serve one app's catalogs (its plugins) to another in the process.
    Babel(app, locale_selector=select_locale, timezone_selector=_select_timezone)
    # Each request chooses its locale afresh: Flask-Babel keeps it on `g`, which a request
    # shares with an app context already pushed (a job, a test), whose locale may differ.
    app.before_request(refresh)
    app.jinja_env.globals.update(
        _=template_gettext,
        gettext=trans_gettext,
        ngettext=trans_ngettext,
        pgettext=template_pgettext,
        html_lang=html_lang,
        current_language=current_language,
    )


def _translated(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    """In an HTML template the message is markup (its author's, or the translator's) and
    the values are escaped into it, so `<strong>%(amount)s</strong>` is bold and a customer's
    name stays text; in a text template (an e-mail) both are plain."""
    message: str = Markup(text) if eval_ctx.autoescape else text
    return message % variables if variables else message


@pass_eval_context
def template_gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    """Templates' ``_("...", name=...)``: as ``_`` in Python (a lone % needs no doubling)."""
    return _translated(eval_ctx, get_domain().get_translations().ugettext(string), variables)


@pass_eval_context
def template_pgettext(eval_ctx: EvalContext, context: str, string: str, **variables: Any) -> str:
    """Templates' ``pgettext("tier change", "From")``: a short word whose meaning differs."""
    return _translated(
        eval_ctx, get_domain().get_translations().upgettext(context, string), variables
    )


@pass_eval_context
def trans_gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    """What ``{% trans %}`` calls: its text always holds %% for a %, so it is always formatted."""
    text = get_domain().get_translations().ugettext(string)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


@pass_eval_context
def trans_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: Any
) -> str:
    """``{% trans count=n %}…{% pluralize %}…`` and ``ngettext(...)`` in templates."""
    text = get_domain().get_translations().ungettext(singular, plural, num)
    variables.setdefault("num", num)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


def _locale() -> str:
    return current_language() if has_app_context() else DEFAULT_LANGUAGE


#: Per language: money with its currency, and dates as people of that language write them.
#: English keeps the unambiguous ISO dates and "1,234.50 EUR"; Chinese writes ¥1,234.50 and
#: 2026年12月2日. Babel supplies the grouping, decimal signs and currency symbols.
PATTERNS: dict[str, dict[str, str]] = {
    "en": {
        "money": "#,##0.00\u00a0\u00a4\u00a4",
        "percent": " %",
        "date": "yyyy-MM-dd",
        "datetime": "yyyy-MM-dd HH:mm",
        "month": "yyyy-MM",
    },
    "zh_CN": {
        "money": "\u00a4#,##0.00",
        "percent": "%",
        "date": "y年M月d日",
        "datetime": "y年M月d日 HH:mm",
        "month": "y年M月",
    },
}


def _pattern(kind: str) -> str:
    return PATTERNS.get(_locale(), PATTERNS[DEFAULT_LANGUAGE])[kind]


def format_number(value: int | Decimal | float | None) -> str:
    """A number grouped for the locale: 12345 → "12,345", 1234.5 → "1,234.5"; None → "–"."""
    if value is None:
        return "–"
    return babel.numbers.format_decimal(value, locale=_locale())


def format_quantity(quantity: Decimal | int | None) -> str:
    """A quantity as a person writes it: 10 → "10", 0.5 → "0.5", 1250.500 → "1250.5"; None → "–"."""
    if quantity is None:
        return "–"
    normal = Decimal(quantity).normalize()
    exponent = normal.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = "0" + ("." + "#" * places if places else "")  # no grouping: it reads back
    return babel.numbers.format_decimal(normal, format=pattern, locale=_locale())


def format_money(amount: Decimal | None, currency: str = "") -> str:
    """An amount, two places, for the locale; with its currency when given; None → "–".

    en: 1234.5 → "1,234.50", with "EUR" → "1,234.50 EUR"; zh_CN with "CNY" → "¥1,234.50".
    The amount is already rounded (core.money); formatting never rounds it again.
    """
    if amount is None:
        return "–"
    if not currency:
        return babel.numbers.format_decimal(amount, format="#,##0.00", locale=_locale())
    return babel.numbers.format_currency(
        amount, currency, format=_pattern("money"), locale=_locale(), currency_digits=False
    ).replace("\u00a0", " ")


def format_percent(fraction: Decimal | None, places: int = 1) -> str:
    """A fraction as a percentage, half up: 0.4123 → "41.2 %" (en), "41.2%" (zh_CN); None → "–"."""
    if fraction is None:
        return "–"
    from core.money import round_percent

    value = round_percent(Decimal(fraction) * 100, places)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return babel.numbers.format_decimal(value, format=pattern, locale=_locale()) + _pattern(
        "percent"
    )


def _moment(value: dt.datetime, company_time: bool) -> dt.datetime:
    """A stored naive-UTC moment in company time when asked (an aware one is converted)."""
    if not company_time:
        return value
    from core.dates import company_timezone

    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(company_timezone())


def format_date(value: dt.date | dt.datetime | None, company_time: bool = True) -> str:
    """A day for the locale: en "2026-12-02", zh_CN "2026年12月2日"; None → "–".

    A datetime is a stored naive-UTC moment, shown on the company's calendar day
    (on its UTC day with ``company_time=False``).
    """
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        value = _moment(value, company_time).date()
    return babel.dates.format_date(value, _pattern("date"), locale=_locale())


def format_datetime(value: dt.datetime | None, company_time: bool = True) -> str:
    """A stored naive-UTC moment in company time: en "2026-12-02 14:05", zh_CN "2026年12月2日 14:05"."""
    if value is None:
        return "–"
    return babel.dates.format_datetime(
        _moment(value, company_time), _pattern("datetime"), locale=_locale()
    )


def format_month(value: dt.date | None) -> str:
    """A month: en "2026-12", zh_CN "2026年12月"; None → "–"."""
    if value is None:
        return "–"
    return babel.dates.format_date(value, _pattern("month"), locale=_locale())


#: Weeks start on Monday in every language the application speaks (ISO 8601, and China's).
FIRST_WEEK_DAY = 0

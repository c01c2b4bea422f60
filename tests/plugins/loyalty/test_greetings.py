"""Greetings: birthdays and public holidays, queued through the outbox, never to opted-out customers or twice."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from core.db import db
from core.models import OutboxMessage
from plugins.loyalty.display import customer_timeline
from plugins.loyalty.greetings import (
    holiday_on,
    next_holiday,
    preview_recipient,
    save_template,
    send_greetings,
    template_problems,
    templates,
)
from plugins.loyalty.models import Greeting, GreetingTemplate


def at(day: dt.date):
    """Freeze the clock at 06:00 UTC on a day."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC), tick=False)


def outbox():
    """(to, subject, category, source, dedupe key) of every queued message."""
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [(row.to_address, row.subject, row.category, row.source, row.dedupe_key) for row in rows]


def test_birthday_greeting_once_and_not_to_opted_out_customers(make_customer, app):
    ada = make_customer(name="Ada Lovelace", email="ada@example.com", birthday=dt.date(1980, 3, 31))
    make_customer(
        name="Quiet",
        email="quiet@example.com",
        birthday=dt.date(1975, 3, 31),
        marketing_opt_out=True,
    )
    make_customer(name="No Mail", email="", birthday=dt.date(1990, 3, 31))
    make_customer(name="Other Day", email="other@example.com", birthday=dt.date(1980, 4, 1))
    with at(dt.date(2026, 3, 31)):
        first = send_greetings()
        db.session.commit()
        second = send_greetings()
    assert (first.birthday, second.birthday) == (1, 0)
    assert outbox() == [
        (
            "ada@example.com",
            "Happy birthday, Ada!",
            "marketing",
            "loyalty",
            f"loyalty.birthday:2026:{ada.id}",
        )
    ]
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert "Dear Ada," in message.body
    assert message.customer_id == ada.id
    [greeting] = db.session.scalars(select(Greeting)).all()
    assert (greeting.customer_id, greeting.occasion, greeting.occasion_on, greeting.outbox_id) == (
        ada.id,
        "birthday",
        dt.date(2026, 3, 31),
        message.id,
    )


def test_leap_day_birthdays_are_greeted_on_28_february(make_customer, app):
    leap = make_customer(email="leap@example.com", birthday=dt.date(2000, 2, 29))
    with at(dt.date(2027, 2, 28)):
        assert send_greetings().birthday == 1
    with at(dt.date(2028, 2, 28)):  # a leap year: wait for the 29th
        assert send_greetings().birthday == 0
    with at(dt.date(2028, 2, 29)):
        assert send_greetings().birthday == 1
    assert [row[4] for row in outbox()] == [
        f"loyalty.birthday:2027:{leap.id}",
        f"loyalty.birthday:2028:{leap.id}",
    ]


def test_christmas_greetings_by_country_with_the_default_region_for_the_rest(make_customer, app):
    german = make_customer(name="Grete", email="grete@example.com", country="DE")
    nowhere = make_customer(name="Nora", email="nora@example.com", country="")  # default_region DE
    # Japan has no public holiday on 25 December: no greeting.
    make_customer(name="Kenji", email="x@example.com", country="JP")
    make_customer(name="Opted", email="o@example.com", country="DE", marketing_opt_out=True)
    with at(dt.date(2026, 12, 25)):
        first = send_greetings()
        second = send_greetings()
    assert (first.holiday, second.holiday) == (2, 0)
    assert sorted(outbox()) == sorted(
        [
            (
                "grete@example.com",
                "Happy Christmas Day from Clientele",
                "marketing",
                "loyalty",
                f"loyalty.holiday:2026-12-25:{german.id}",
            ),
            (
                "nora@example.com",
                "Happy Christmas Day from Clientele",
                "marketing",
                "loyalty",
                f"loyalty.holiday:2026-12-25:{nowhere.id}",
            ),
        ]
    )
    assert {greeting.holiday_name for greeting in db.session.scalars(select(Greeting))} == {
        "Christmas Day"
    }


def test_holidays_not_listed_are_not_greeted(make_customer, app):
    make_customer(email="grete@example.com", country="DE")
    with at(
        dt.date(2026, 10, 3)
    ):  # German Unity Day is a public holiday, but not in the default list
        assert send_greetings().holiday == 0


def test_holiday_lookup_uses_a_known_subdivision():
    # Epiphany is a holiday in Bavaria (BY) but not in Berlin or Germany as a whole.
    assert holiday_on("DE", "BY", dt.date(2026, 1, 6), ["*"]) == "Epiphany"
    assert holiday_on("DE", "Berlin", dt.date(2026, 1, 6), ["*"]) is None
    assert holiday_on("DE", "", dt.date(2026, 12, 25), ["christmas day"]) == "Christmas Day"
    assert holiday_on("XX", "", dt.date(2026, 12, 25), ["*"]) is None


class TestEveryHoliday:
    """greeting_holidays = ["*"]."""

    @pytest.fixture
    def clientele_settings(self):
        return {"loyalty": {"greeting_holidays": ["*"]}}

    def test_us_independence_day(self, make_customer, app):
        make_customer(email="sam@example.com", country="US")
        make_customer(email="grete@example.com", country="DE")
        with at(dt.date(2026, 7, 4)):
            assert send_greetings().holiday == 1
        assert outbox()[0][:2] == ("sam@example.com", "Happy Independence Day from Clientele")


def test_an_edited_template_is_used_and_a_switched_off_one_sends_nothing(
    make_customer, make_user, app
):
    admin = make_user("admin")
    make_customer(name="Ada Lovelace", email="ada@example.com", birthday=dt.date(1980, 3, 31))
    save_template(
        "birthday",
        "All the best, {{ name }}",
        "Cheers from {{ owner }} at {{ our_company }}, {{ year }}.",
        True,
        admin,
    )
    with at(dt.date(2026, 3, 31)):
        send_greetings()
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.subject == "All the best, Ada Lovelace"
    assert message.body == "Cheers from Clientele at Clientele, 2026."
    save_template("birthday", "x", "y", False, admin)
    make_customer(email="bob@example.com", birthday=dt.date(1981, 4, 1))
    with at(dt.date(2026, 4, 1)):
        assert send_greetings().birthday == 0


KNOWN = (
    "Known placeholders: {{ name }}, {{ first_name }}, {{ company }}, {{ city }}, "
    "{{ country }}, {{ email }}, {{ our_company }}, {{ holiday }}, {{ year }}, {{ owner }}."
)


def test_template_problems_name_the_placeholder(app):
    assert template_problems("Dear {{ first_name }}, happy {{holiday}}!") == []
    assert template_problems("Hi {{ surname }}") == ["Unknown placeholder {{ surname }}.", KNOWN]
    assert template_problems("Hi {{ name.__class__ }}") == [
        "{{ name.__class__ }} is not a placeholder.",
        KNOWN,
    ]
    assert template_problems("Hi {{ name") == ["A {{ has no matching }}.", KNOWN]
    # The old greeting syntax is refused with the fix, never sent with its braces.
    assert template_problems("Hi {first_name}") == [
        "Write placeholders in double braces: {first_name} is not filled in.",
        KNOWN,
    ]
    with pytest.raises(ValueError, match="surname"):
        save_template("birthday", "Hi {{ surname }}", "x", True, None)
    assert db.session.get(GreetingTemplate, "birthday") is None


def test_a_template_saved_before_the_check_is_not_sent_with_its_placeholder(
    make_customer, make_user, app
):
    make_customer(name="Ada Lovelace", email="ada@example.com", birthday=dt.date(1980, 3, 31))
    db.session.add(GreetingTemplate(occasion="birthday", subject="Hi {nick}", body="x"))
    db.session.commit()
    with at(dt.date(2026, 3, 31)):
        assert send_greetings().birthday == 0
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_defaults_until_saved(app):
    saved = templates()
    assert saved["birthday"].subject == "Happy birthday, {{ first_name }}!"
    assert saved["holiday"].active is True


def test_greetings_are_on_the_customer_timeline(make_customer, app):
    ada = make_customer(email="ada@example.com", birthday=dt.date(1980, 3, 31))
    with at(dt.date(2026, 3, 31)):
        send_greetings()
    with app.test_request_context():
        events = [event for event in customer_timeline(ada, None, None) if event.kind == "greeting"]
    assert [event.title for event in events] == ["Birthday greeting: Happy birthday, Customer!"]


def test_the_preview_is_for_the_next_customer_who_would_really_get_the_greeting(make_customer, app):
    today = dt.date(2026, 3, 20)
    make_customer(name="Ann Out", birthday=dt.date(1970, 3, 21), marketing_opt_out=True)
    make_customer(name="Bob Nomail", email="", birthday=dt.date(1971, 3, 22))
    make_customer(name="Dee Past", birthday=dt.date(1972, 3, 10), country="DE")  # it is over
    cid = make_customer(name="Cid Next", birthday=dt.date(1973, 4, 2), country="AT")
    make_customer(name="Eve Later", birthday=dt.date(1974, 4, 3), country="DE")
    with app.test_request_context():
        assert preview_recipient("birthday", today) == (cid, "")
        # Default greeted holidays: New Year's Day and Christmas Day; the next one is
        # Christmas Day 2026 in both AT and DE, the first place by (date, country) is AT.
        assert preview_recipient("holiday", today) == (cid, "Christmas Day")
        assert preview_recipient("birthday", dt.date(2026, 4, 3))[0].name == "Eve Later"
        # After Eve's birthday the next one is Dee's, next year.
        assert preview_recipient("birthday", dt.date(2026, 4, 4))[0].name == "Dee Past"


def test_next_holiday_rolls_over_to_next_year():
    wanted = ["New Year's Day", "Christmas Day"]
    assert next_holiday("DE", "", dt.date(2026, 12, 25), wanted) == (
        dt.date(2026, 12, 25),
        "Christmas Day",
    )
    assert next_holiday("DE", "", dt.date(2026, 12, 26), wanted) == (
        dt.date(2027, 1, 1),
        "New Year's Day",
    )
    assert next_holiday("XX", "", dt.date(2026, 12, 26), wanted) is None


def test_nobody_to_preview_when_nobody_would_get_it(make_customer, app):
    make_customer(name="Ann Out", birthday=dt.date(1970, 3, 21), marketing_opt_out=True)
    with app.test_request_context():
        assert preview_recipient("birthday", dt.date(2026, 3, 20)) is None
        assert preview_recipient("holiday", dt.date(2026, 3, 20)) is None


def test_a_greeting_carries_a_one_click_unsubscribe_link(make_customer, app, client):
    ada = make_customer(name="Ada Lovelace", email="ada@example.com", birthday=dt.date(1980, 3, 31))
    with at(dt.date(2026, 3, 31)):
        assert send_greetings().birthday == 1
    db.session.commit()
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.unsubscribe_url.startswith("http://127.0.0.1:5000/unsubscribe/")
    response = client.post(
        message.unsubscribe_url.removeprefix("http://127.0.0.1:5000"),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert ada.marketing_opt_out is True
    with at(dt.date(2027, 3, 31)):  # no birthday greeting the next year
        assert send_greetings().birthday == 0


CHINESE_HOLIDAYS = ["Chinese New Year (Spring Festival)", "Mid-Autumn Festival", "National Day"]


@pytest.fixture
def chinese_company(app, make_app):
    """A company in Shanghai whose language is Simplified Chinese, greeting the Chinese holidays.

    Made after the default app (make_customer needs that one), so it is the current app.
    """
    return make_app(
        plugins=["loyalty"],
        settings={"loyalty": {"greeting_holidays": CHINESE_HOLIDAYS}},
        language="zh_CN",
        currency="CNY",
        timezone="Asia/Shanghai",
        company="鲜丰食品",
    )


def test_a_chinese_customer_gets_a_spring_festival_greeting_on_its_first_day(
    chinese_company, make_customer
):
    import holidays

    # The package says when the Spring Festival of 2027 is (the lunar calendar): 6 February,
    # a holiday of three days; it is greeted once, on the first.
    calendar = holidays.country_holidays("CN", years=2027, language="zh_CN")
    spring = sorted(day for day, name in calendar.items() if name == "春节")
    assert spring[0] == dt.date(2027, 2, 6) and len(spring) == 3
    wei = make_customer(name="张伟", email="zhangwei@example.cn", country="CN")
    with at(dt.date(2027, 2, 5)):  # New Year's Eve (农历除夕) is not greeted
        assert send_greetings().holiday == 0
    with at(spring[0]):
        assert send_greetings().holiday == 1
    with at(spring[1]):
        assert send_greetings().holiday == 0
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.to_address == "zhangwei@example.cn"
    assert message.subject == "鲜丰食品祝您春节快乐"
    assert "春节快乐" in message.body and "Happy" not in message.body
    assert message.dedupe_key == f"loyalty.holiday:2027-02-06:{wei.id}"
    assert db.session.scalars(select(Greeting)).one().holiday_name == "春节"


def test_mid_autumn_and_national_day_in_chinese(chinese_company, make_customer):
    make_customer(name="李娜", email="lina@example.cn", country="CN")
    with at(dt.date(2027, 9, 15)):
        assert send_greetings().holiday == 1
    with at(dt.date(2027, 10, 1)):
        assert send_greetings().holiday == 1
    with at(dt.date(2027, 10, 2)):
        assert send_greetings().holiday == 0
    subjects = [row[1] for row in outbox()]
    assert subjects == ["鲜丰食品祝您中秋节快乐", "鲜丰食品祝您国庆节快乐"]


def test_holiday_names_follow_the_language_when_the_package_has_it():
    from plugins.loyalty.greetings import holiday_name_in

    day = dt.date(2027, 2, 6)
    name = "Chinese New Year (Spring Festival)"
    assert holiday_on("CN", "", day, [name]) == name
    assert holiday_name_in("CN", "", day, name, "zh_CN") == "春节"
    assert holiday_name_in("CN", "", day, name, "en") == name
    # No Chinese names for Germany in the package: the English name stays.
    assert holiday_name_in("DE", "", dt.date(2026, 12, 25), "Christmas Day", "zh_CN") == (
        "Christmas Day"
    )

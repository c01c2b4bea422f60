"""The loyalty pages: who sees what, fixed query counts, and the forms' happy and unhappy paths."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from core.db import db
from plugins.loyalty.care import create_tasks
from plugins.loyalty.models import CareTask, GreetingTemplate, Interaction, Preference
from plugins.loyalty.preferences import add_preference, log_interaction
from plugins.loyalty.recompute import recompute_all

NOON = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    """The clock at noon, 31 March 2026."""
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def book(frozen, make_customer, make_user, sell):
    """Two salespeople, each owning a customer; Gold Grete owned by Sam, Bronze Bert owned by Tina."""
    sam, tina = make_user("sales", name="Sam"), make_user("sales", name="Tina")
    grete = make_customer(name="Grete Gold", owner_id=sam.id)
    bert = make_customer(name="Bert Bronze", owner_id=tina.id)
    sell(grete, dt.date(2026, 3, 1), 60)  # 2,400.00 → Gold
    sell(bert, dt.date(2026, 3, 1), 1)  # 40.00 → Bronze
    return sam, tina, grete, bert


def text(response):
    """The response body as text."""
    return response.get_data(as_text=True)


def test_tiers_page_shows_everyone_to_a_manager(book, client, login_as):
    login_as("manager")
    page = client.get("/loyalty/")
    assert page.status_code == 200
    body = text(page)
    assert "Grete Gold" in body and "Bert Bronze" in body
    assert "2,400.00" in body
    assert "data-chart" in body  # the distribution chart


def test_salespeople_see_only_their_own_customers(book, client, login_as):
    sam, _, grete, bert = book
    login_as(sam)
    body = text(client.get("/loyalty/"))
    assert "Grete Gold" in body and "Bert Bronze" not in body
    assert client.get(f"/loyalty/customers/{grete.id}").status_code == 200
    assert client.get(f"/loyalty/customers/{bert.id}").status_code == 403
    assert "Bert Bronze" not in text(client.get("/loyalty/matrix?cell=big_tickets"))


def test_roles_without_loyalty_view_are_refused(book, client, login_as):
    login_as("support")
    for url in (
        "/loyalty/",
        "/loyalty/matrix",
        "/loyalty/lifecycle",
        "/loyalty/changes",
        f"/loyalty/customers/{book[2].id}",
    ):
        assert client.get(url).status_code == 403, url


def test_bad_ids_and_arguments_are_404_not_500(book, client, login_as):
    login_as("manager")
    assert client.get("/loyalty/customers/999999").status_code == 404
    assert client.get("/loyalty/customers/abc").status_code == 404
    assert client.get("/loyalty/matrix?cell=nonsense").status_code == 404
    assert client.get("/loyalty/changes?kind=nonsense").status_code == 404
    assert (
        client.get("/loyalty/?sort=nonsense&dir=sideways&page=x&tier=Nope&stage=zzz").status_code
        == 200
    )
    assert client.get("/loyalty/tasks/999999/complete").status_code == 404


def test_filters_and_sorting(book, client, login_as):
    login_as("manager")
    assert "Bert Bronze" not in text(client.get("/loyalty/?tier=Gold"))
    assert "Grete Gold" not in text(client.get("/loyalty/?tier=-"))
    assert "Grete Gold" in text(client.get("/loyalty/?q=grete"))
    body = text(client.get("/loyalty/?sort=profit&dir=asc"))
    assert body.index("Bert Bronze") < body.index("Grete Gold")


def test_pages_make_a_fixed_number_of_queries(
    frozen, make_customer, make_user, sell, client, login_as, count_queries
):
    login_as("manager")
    urls = [
        "/loyalty/",
        "/loyalty/matrix",
        "/loyalty/lifecycle",
        "/loyalty/changes",
        "/loyalty/tasks?scope=all",
        "/",
    ]

    def counts():
        result = {}
        for url in urls:
            with count_queries() as statements:
                assert client.get(url).status_code == 200, url
            result[url] = len(statements)
        return result

    owner = make_user("sales")
    customer = make_customer(owner_id=owner.id)
    sell(customer, dt.date(2026, 3, 1), 60)
    recompute_all()
    create_tasks()
    task_id = db.session.scalar(select(CareTask.id))
    urls += [
        f"/loyalty/customers/{customer.id}",
        f"/loyalty/tasks/{task_id}/complete",
        f"/customers/{customer.id}",
    ]
    few = counts()
    for number in range(12):
        extra = make_customer(owner_id=owner.id)
        sell(extra, dt.date(2026, 2, 1) + dt.timedelta(days=number), number + 1)
        sell(customer, dt.date(2025, 6, 1) + dt.timedelta(days=number * 20), 1)
        add_preference(extra, owner, "Food", "likes", "fish")
        add_preference(customer, owner, "Food", "likes", f"dish {number}")
        log_interaction(customer, owner, "call", f"call {number}")
    recompute_all()
    create_tasks()
    db.session.commit()
    assert counts() == few


def test_customer_page_panels_and_badges(book, client, login_as, make_user):
    sam, _, grete, _ = book
    add_preference(grete, sam, "Seating", "likes", "the window seat")
    db.session.commit()
    login_as(sam)
    body = text(client.get(f"/customers/{grete.id}"))
    assert "preferences-banner" in body and "the window seat" in body  # the banner on top
    assert "Customer value" in body and "2,400.00" in body
    assert 'title="Likes (Seating): the window seat"' in body  # the badge holds the text
    assert ">Gold<" in body
    # Support sees preferences (they take the calls) but not the money.
    login_as("support")
    body = text(client.get(f"/customers/{grete.id}"))
    assert "the window seat" in body
    assert "Customer value" not in body
    # The customers list carries the badges too.
    assert "♥ 1 preference<" in text(client.get("/customers/"))


def test_customer_page_query_count_is_fixed(book, client, login_as, count_queries, make_user):
    sam, _, grete, _ = book
    login_as("manager")
    with count_queries() as before:
        client.get(f"/customers/{grete.id}")
    for number in range(5):
        add_preference(grete, sam, "Food", "likes", f"dish {number}")
    db.session.commit()
    with count_queries() as after:
        client.get(f"/customers/{grete.id}")
    assert len(after) == len(before)


def test_adding_a_preference_and_its_unhappy_paths(book, client, login_as):
    sam, _, grete, _ = book
    login_as("support")
    url = f"/loyalty/customers/{grete.id}/preferences/new"
    response = client.post(
        url,
        data={
            "sentiment": "avoids",
            "category": "Food",
            "text": "  ",
            "next": f"/customers/{grete.id}",
        },
    )
    assert response.status_code == 200
    assert "Write what the customer prefers." in text(response)
    assert db.session.scalars(select(Preference)).all() == []
    response = client.post(url, data={"sentiment": "shrug", "category": "Food", "text": "x"})
    assert response.status_code == 200 and "Not a valid choice" in text(response)
    response = client.post(
        url,
        data={
            "sentiment": "avoids",
            "category": "Food",
            "text": "spicy",
            "next": f"/customers/{grete.id}",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/customers/{grete.id}"
    )
    [preference] = db.session.scalars(select(Preference)).all()
    assert (preference.sentiment, preference.category, preference.text) == (
        "avoids",
        "Food",
        "spicy",
    )
    # An outside address in "next" is ignored.
    response = client.post(
        url, data={"sentiment": "likes", "text": "tea", "next": "https://evil.example/"}
    )
    assert response.headers["Location"].endswith(f"/customers/{grete.id}")
    response = client.post(
        url, data={"sentiment": "likes", "text": "tea", "next": "//evil.example/"}
    )
    assert "evil" not in response.headers["Location"]
    login_as("marketing")
    assert client.post(url, data={"sentiment": "likes", "text": "x"}).status_code == 403


def test_removing_a_preference(book, client, login_as, make_user):
    sam, tina, grete, _ = book
    preference = add_preference(grete, sam, "Food", "likes", "fish")
    db.session.commit()
    login_as(tina)  # neither the author nor the owner
    assert client.post(f"/loyalty/preferences/{preference.id}/remove").status_code == 403
    login_as(sam)
    response = client.post(
        f"/loyalty/preferences/{preference.id}/remove", data={"next": f"/customers/{grete.id}"}
    )
    assert response.status_code == 302
    assert db.session.get(Preference, preference.id) is None
    assert client.post(f"/loyalty/preferences/{preference.id}/remove").status_code == 404


def test_logging_an_interaction(book, client, login_as):
    sam, _, grete, _ = book
    login_as(sam)
    url = f"/loyalty/customers/{grete.id}/interactions/new"
    response = client.post(url, data={"kind": "call", "summary": ""})
    assert "Write what was said or done." in text(response)
    response = client.post(
        url, data={"kind": "call", "summary": "Asked for prices", "happened_at": "2030-01-01T10:00"}
    )
    assert "An interaction cannot be in the future." in text(response)
    assert "Asked for prices" in text(response)  # what was typed is kept
    response = client.post(
        url, data={"kind": "visit", "summary": "Tasting", "happened_at": "2026-03-30T10:00"}
    )
    assert response.status_code == 302
    [interaction] = db.session.scalars(select(Interaction)).all()
    assert (interaction.kind, interaction.summary, interaction.happened_at) == (
        "visit",
        "Tasting",
        dt.datetime(2026, 3, 30, 10, 0),
    )
    assert "Tasting" in text(client.get(f"/customers/{grete.id}"))


def test_my_care_tasks_complete_one_and_see_it_on_the_timeline(book, client, login_as):
    sam, tina, grete, _ = book
    create_tasks()
    db.session.commit()
    login_as(sam)
    body = text(client.get("/loyalty/tasks"))
    assert "Grete Gold" in body and "Platinum" not in body
    [task] = db.session.scalars(select(CareTask).where(CareTask.customer_id == grete.id)).all()
    form = client.get(f"/loyalty/tasks/{task.id}/complete")
    assert form.status_code == 200 and "Before you call" in text(form)
    response = client.post(f"/loyalty/tasks/{task.id}/complete", data={"kind": "call", "notes": ""})
    assert "Write a few words on how it went." in text(response)
    response = client.post(
        f"/loyalty/tasks/{task.id}/complete",
        data={"kind": "call", "notes": "Ordered two cases of Riesling."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CareTask, task.id).status == "done"
    timeline = text(client.get(f"/customers/{grete.id}"))
    assert "Call by Sam (care task)" in timeline and "Ordered two cases of Riesling." in timeline
    # Done tasks cannot be completed twice; others' tasks are not yours.
    again = client.post(
        f"/loyalty/tasks/{task.id}/complete", data={"kind": "call", "notes": "again"}
    )
    assert "This task is done" in text(again)
    login_as(tina)
    assert client.get(f"/loyalty/tasks/{task.id}/complete").status_code == 403


def test_task_scopes(book, client, login_as, make_customer, sell):
    unowned = make_customer(name="Nobody's")
    sell(unowned, dt.date(2026, 3, 1), 60)
    create_tasks()
    db.session.commit()
    login_as("sales")
    assert client.get("/loyalty/tasks?scope=all").status_code == 403
    assert client.get("/loyalty/tasks?scope=unassigned").status_code == 403
    assert client.get("/loyalty/tasks?scope=mars").status_code == 404
    manager = login_as("manager")
    assert "Nobody&#39;s" in text(client.get("/loyalty/tasks?scope=unassigned"))
    body = text(client.get("/loyalty/tasks?scope=all"))
    assert "Grete Gold" in body and "Nobody&#39;s" in body
    [task] = db.session.scalars(select(CareTask).where(CareTask.customer_id == unowned.id)).all()
    assert client.post(f"/loyalty/tasks/{task.id}/take").status_code == 302
    db.session.expire_all()
    assert db.session.get(CareTask, task.id).assignee_id == manager.id
    assert "Nobody&#39;s" in text(client.get("/loyalty/tasks"))


def test_overdue_tasks_on_the_dashboard(book, client, login_as):
    sam, _, grete, _ = book
    create_tasks()
    db.session.commit()
    login_as(sam)
    with time_machine.travel(NOON + dt.timedelta(days=3), tick=False):
        body = text(client.get("/"))
    assert "Care tasks" in body and "Overdue" in body and "Grete Gold" in body
    assert "text-danger" in body
    login_as("manager")
    assert "Customer tiers" in text(client.get("/"))


def test_greeting_templates_admin_only_with_placeholder_errors(client, login_as, make_customer):
    login_as("manager")
    assert client.get("/loyalty/greetings").status_code == 403
    assert client.get("/loyalty/greetings/birthday").status_code == 403
    login_as("admin")
    assert "Happy birthday, {{ first_name }}!" in text(client.get("/loyalty/greetings"))
    nobody = text(client.get("/loyalty/greetings/birthday"))
    assert "Nobody would get this greeting now" in nobody
    make_customer(name="Olga Out", birthday=dt.date(1980, 1, 1), marketing_opt_out=True)
    make_customer(name="Ada Lovelace", birthday=dt.date(1980, 12, 10), company="Engines Ltd")
    page = text(client.get("/loyalty/greetings/birthday"))
    # The preview is filled for a customer who would really get the mail (not Olga).
    assert "as Ada Lovelace will get it" in page and "Happy birthday, Ada!" in page
    assert "{{" not in page.split("Preview")[1]
    response = client.post(
        "/loyalty/greetings/birthday",
        data={"subject": "Hi {{ surname }}", "body": "Dear {first_name}", "active": "y"},
    )
    assert "Unknown placeholder {{ surname }}." in text(response)
    assert "{first_name} is not filled in" in text(response)
    assert "Known placeholders: {{ name }}, {{ first_name }}" in text(response)
    assert db.session.get(GreetingTemplate, "birthday") is None
    response = client.post(
        "/loyalty/greetings/birthday",
        data={"subject": "Hello {{ first_name }}", "body": "Best, {{ our_company }}"},
    )
    assert response.status_code == 302
    saved = db.session.get(GreetingTemplate, "birthday")
    assert (saved.subject, saved.active) == ("Hello {{ first_name }}", False)
    assert client.get("/loyalty/greetings/easter").status_code == 404


def test_recompute_button_is_for_admins(book, client, login_as):
    login_as("manager")
    assert client.post("/loyalty/recompute").status_code == 403
    login_as("admin")
    response = client.post("/loyalty/recompute")
    assert response.status_code == 302
    assert "Recomputed as of 2026-03-31" in text(client.get("/loyalty/"))


def test_forms_refuse_a_post_without_csrf_token(book, app, client, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        login_as("admin")
        page = text(client.get(f"/customers/{book[2].id}"))
        assert 'name="csrf_token"' in page
        response = client.post("/loyalty/recompute")
        assert response.status_code == 400
        response = client.post(
            f"/loyalty/customers/{book[2].id}/preferences/new",
            data={"sentiment": "likes", "text": "x"},
        )
        assert response.status_code == 400
        assert db.session.scalars(select(Preference)).all() == []
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

"""Every core hook: documented, in docs/hooks.md with its exact signature, and exercised here (datasette style)."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import docs_hooks, hookspecs
from core.models import Customer, Order, OutboxMessage
from core.plugins import Badge, Panel, TimelineEvent, Widget, hookimpl

ROOT = Path(__file__).resolve().parents[2]
HOOKS = [name for name, _ in docs_hooks.hookspec_functions()]


def test_every_hookspec_has_a_docstring_saying_when_what_and_how():
    for name, function in docs_hooks.hookspec_functions():
        doc = function.__doc__ or ""
        assert doc.strip(), f"{name} has no docstring"
        assert "Return" in doc or "React" in doc or "Add" in doc, (
            f"{name}: say what it returns or does"
        )
        assert "Called" in doc or "called" in doc, f"{name}: say when it is called"
        assert "isolated" in doc, f"{name}: say whether it is isolated"


def test_every_hookspec_is_in_the_docs_with_its_exact_signature():
    text = (ROOT / "docs" / "hooks.md").read_text()
    for name, function in docs_hooks.hookspec_functions():
        assert docs_hooks.signature_of(name, function) in text, (
            f"docs/hooks.md lacks {name}'s signature"
        )


def test_hooks_published_by_the_in_tree_plugins_are_in_the_docs_too():
    published = {plugin: module.__name__ for plugin, module in docs_hooks.published_hookspecs()}
    assert published == {
        "insights": "plugins.insights.hookspecs",
        "marketing": "plugins.marketing.hookspecs",
        "service_desk": "plugins.service_desk.hookspecs",
    }
    text = (ROOT / "docs" / "hooks.md").read_text()
    published_part = text[text.index("# Hooks published by plugins") :]
    for name in ("segment_criteria", "recommendation_exclusions", "sla_customer_tiers"):
        assert f"## {name}\n" in published_part, f"docs/hooks.md lacks the published {name}"
    assert "def sla_customer_tiers(customer_ids: list[int]) -> dict[int, str]" in published_part


def test_hooks_md_is_generated_from_the_current_hookspecs():
    assert (ROOT / "docs" / "hooks.md").read_text() == docs_hooks.render(), "run `make docs`"


def test_every_hookspec_has_a_test():
    sources = "\n".join(path.read_text() for path in (ROOT / "tests").rglob("test_*.py"))
    for name in HOOKS:
        assert re.search(rf"def test_hook_{name}\b", sources), f"no test_hook_{name}"


def test_no_core_hook_is_firstresult_or_historic():
    for name in HOOKS:
        options = getattr(hookspecs, name).clientele_spec
        assert not options.get("firstresult") and not options.get("historic"), name


# -- the example plugin, installed from tests/example_plugin as a separate package --------------


@pytest.fixture
def clientele_plugins():
    return ["example"]


def test_hook_blueprints(client, login_as):
    login_as("sales")
    page = client.get("/example/")
    assert page.status_code == 200
    assert b"Example: most confirmed orders" in page.data


def test_hook_nav_items(client, login_as):
    login_as("sales")
    assert b'href="/example/"' in client.get("/").data
    login_as("support")  # the example permission is for manager and sales only
    assert b'href="/example/"' not in client.get("/").data
    assert client.get("/example/").status_code == 403


def test_hook_customer_panels(client, login_as, make_order):
    login_as("manager")
    order = make_order()
    make_order(customer=order.customer)
    page = client.get(f"/customers/{order.customer_id}")
    assert re.search(rb'class="example-count">2<', page.data)


def test_hook_order_confirmed(db, make_order):
    from clientele_example.models import Confirmation

    order = make_order()
    rows = db.session.scalars(select(Confirmation)).all()
    assert [(row.order_id, row.customer_id) for row in rows] == [(order.id, order.customer_id)]


def test_hook_permissions(app, make_user):
    from core.permissions import role_has_permission

    assert role_has_permission("sales", "example.view")
    assert not role_has_permission("marketing", "example.view")
    assert role_has_permission("admin", "example.view")
    assert app.extensions["clientele"].permission_owner["example.view"] == "example"


# -- hooks exercised with small plugin objects registered for one test ---------------------------


class Recorder:
    """Records what the transactional hooks receive."""

    def __init__(self):
        self.calls = []

    @hookimpl
    def order_cancelled(self, order):
        self.calls.append(("cancelled", order.number, order.status))

    @hookimpl
    def order_refunded(self, order, lines):
        self.calls.append(
            (
                "refunded",
                order.number,
                [line.position for line in lines],
                [str(line.refunded_on) for line in lines],
            )
        )

    @hookimpl
    def customer_created(self, customer):
        self.calls.append(("created", customer.id is not None, customer.name))

    @hookimpl
    def customer_updated(self, customer, changes):
        self.calls.append(("updated", customer.name, changes))


class Refuser:
    """Raises in every transactional hook, after writing something that must be rolled back."""

    @hookimpl
    def order_cancelled(self, order):
        order.notes = "half-written"
        raise RuntimeError("cancellation blocked")

    @hookimpl
    def order_refunded(self, order, lines):
        raise RuntimeError("refund blocked")

    @hookimpl
    def customer_created(self, customer):
        raise RuntimeError("no new customers today")

    @hookimpl
    def customer_updated(self, customer, changes):
        raise RuntimeError("frozen")


def test_hook_order_cancelled(db, temp_plugin, make_order):
    from core import orders

    order = make_order()
    recorder = temp_plugin(Recorder())
    orders.cancel(order)
    assert recorder.calls == [("cancelled", order.number, "cancelled")]


def test_order_cancelled_raising_rolls_the_cancellation_back(db, temp_plugin, make_order):
    from core import orders
    from core.plugins import PluginError

    order = make_order()
    temp_plugin(Refuser(), name="refuser")
    with pytest.raises(
        PluginError,
        match="Plugin 'refuser': order_cancelled failed: RuntimeError: cancellation blocked",
    ):
        orders.cancel(order)
    db.session.rollback()
    db.session.refresh(order)
    assert order.status == "confirmed" and order.notes == "" and order.cancelled_at is None


def test_hook_order_refunded(db, temp_plugin, make_order, make_product):
    from core import orders

    order = make_order(
        lines=[(make_product(), 1), (make_product(), 2)], order_date=dt.date(2026, 1, 10)
    )
    recorder = temp_plugin(Recorder())
    orders.refund(order, [order.lines[1]], on=dt.date(2026, 2, 3))
    assert recorder.calls == [("refunded", order.number, [2], ["2026-02-03"])]
    assert order.status == "confirmed"  # one line is still sold
    orders.refund(order, None, on=dt.date(2026, 2, 4))
    assert order.status == "refunded"


def test_order_refunded_raising_leaves_lines_unrefunded(db, temp_plugin, make_order):
    from core import orders
    from core.plugins import PluginError

    order = make_order()
    temp_plugin(Refuser(), name="refuser")
    with pytest.raises(PluginError, match="refund blocked"):
        orders.refund(order)
    db.session.rollback()
    db.session.refresh(order)
    assert order.status == "confirmed" and order.lines[0].refunded_on is None


def test_hook_customer_created(db, temp_plugin, make_customer):
    recorder = temp_plugin(Recorder())
    make_customer(name="Ada Lovelace")
    assert recorder.calls == [("created", True, "Ada Lovelace")]


def test_hook_customer_updated(db, temp_plugin, make_customer):
    from core.customers import update_customer

    customer = make_customer(name="Ada", city="London")
    recorder = temp_plugin(Recorder())
    assert update_customer(customer, city="Paris", name="Ada") == {"city": ("London", "Paris")}
    assert recorder.calls == [("updated", "Ada", {"city": ("London", "Paris")})]
    assert update_customer(customer, city="Paris") == {}
    assert len(recorder.calls) == 1  # nothing changed, nothing to tell


def test_customer_hooks_raising_save_nothing_and_say_why(
    db, client, login_as, temp_plugin, make_customer
):
    login_as("manager")
    customer = make_customer(name="Ada", city="London")
    temp_plugin(Refuser(), name="refuser")
    page = client.post(
        "/customers/new", data={"name": "Bob", "owner_id": "0"}, follow_redirects=True
    )
    assert (
        b"Nothing was saved: Plugin &#39;refuser&#39;: customer_created failed: RuntimeError: no new customers today"
        in page.data
    )
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 1
    page = client.post(
        f"/customers/{customer.id}/edit",
        data={"name": "Ada", "city": "Rome", "owner_id": "0"},
        follow_redirects=True,
    )
    assert b"frozen" in page.data
    db.session.refresh(customer)
    assert customer.city == "London"


class Display:
    """A plugin showing a badge, a timeline entry and a dashboard widget."""

    @hookimpl
    def customer_badges(self, customers):
        return {
            customer.id: [Badge("VIP", "warning", "spends a lot")]
            for customer in customers
            if customer.name.startswith("V")
        }

    @hookimpl
    def customer_timeline(self, customer, since):
        return [
            TimelineEvent(
                dt.datetime(2020, 1, 2, 9, 30), "visit", "Visited the shop", "bought apples"
            )
        ]

    @hookimpl
    def dashboard_widgets(self, user):
        return [
            Widget(
                "Shown to " + user.role,
                "widgets/outbox.html",
                {"pending": 42, "failed": 0, "smtp": True},
                order=-1,
            )
        ]

    @hookimpl
    def customer_panels(self, customer, user):
        return [Panel("Top banner", "banner.html", {"text": "Prefers the window seat"}, order=1)]


@pytest.fixture
def banner_template(app):
    """A template for Display's panel, as a plugin would ship in its templates folder."""
    from jinja2 import ChoiceLoader, DictLoader

    app.jinja_env.loader = ChoiceLoader(
        [app.jinja_env.loader, DictLoader({"banner.html": "<p>{{ panel.context.text }}</p>"})]
    )


def test_hook_customer_badges(client, login_as, temp_plugin, make_customer):
    login_as("support")
    temp_plugin(Display())
    make_customer(name="Vera")
    make_customer(name="Otto")
    page = client.get("/customers/").data.decode()
    assert page.count('title="spends a lot">VIP</span>') == 1
    vera_row = (
        page[page.index(">Vera<") : page.index(">Otto<")]
        if page.index(">Vera<") < page.index(">Otto<")
        else page[page.index(">Vera<") :]
    )
    assert "VIP" in vera_row


def test_hook_customer_timeline(client, login_as, temp_plugin, make_order, banner_template):
    login_as("manager")
    temp_plugin(Display())
    order = make_order()
    page = client.get(f"/customers/{order.customer_id}?timeline=all").data.decode()
    # Newest first: the order (today) comes before the visit of 2020.
    assert page.index(f"Order {order.number}") < page.index("Visited the shop")
    assert "bought apples" in page


def test_hook_dashboard_widgets(client, login_as, temp_plugin):
    login_as("marketing")
    temp_plugin(Display())
    page = client.get("/").data.decode()
    assert "Shown to marketing" in page and "42 message(s) waiting" in page


def test_panels_with_a_low_order_are_shown_as_a_banner_above_everything(
    client, login_as, temp_plugin, make_customer, banner_template
):
    login_as("sales")
    temp_plugin(Display())
    customer = make_customer(name="Vera")
    page = client.get(f"/customers/{customer.id}").data.decode()
    assert page.index("Prefers the window seat") < page.index(">Contact<")


# -- hooks needing fake plugins offered through the entry-point source ----------------------------


def test_hook_plugin_settings(make_app, fake_plugins):
    app = make_app(plugins=["good"], settings={"good": {"rate": "0.25"}})
    assert app.extensions["clientele"].settings["good"]["rate"] == Decimal("0.25")


def test_hook_register_commands(make_app, fake_plugins):
    from core.testing import CliRunner

    app = make_app(plugins=["with_command"])
    result = CliRunner(app).invoke(["with_command", "hello", "Ada"])
    assert result.exit_code == 0, result.output
    assert result.output == "hello Ada\n"


def test_hook_scheduled_jobs(make_app, fake_plugins):
    from core.jobs import collect_jobs, run_job
    from core.testing import CliRunner
    from tests.core.fake_plugins import with_command

    app = make_app(plugins=["with_command"])
    jobs = collect_jobs(app)
    assert set(jobs) == {
        "core.deliver_outbox",
        "core.planner_statistics",
        "core.prune_job_runs",
        "with_command.tick",
    }
    listing = CliRunner(app).invoke(["worker", "--list"]).output
    assert "with_command.tick" in listing and "*/5 * * * *" in listing
    with_command.RUNS.clear()
    run_job(app, jobs["with_command.tick"])
    assert with_command.RUNS == ["tick"]
    from core.db import db
    from core.models import JobRun

    assert db.session.scalars(
        select(JobRun.status).where(JobRun.name == "with_command.tick")
    ).all() == ["ok"]


def test_order_confirmed_raising_rolls_back_everything_including_mail(
    make_app, fake_plugins, make_user, make_product, make_customer
):
    from core.db import db

    app = make_app(plugins=["raising_confirm"])
    client = app.test_client()
    user = make_user("manager")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    from core import orders

    order = orders.create_order(
        make_customer(), user, [orders.LineInput(make_product(), Decimal(1))]
    )
    db.session.commit()
    page = client.post(f"/orders/{order.id}/confirm", follow_redirects=True)
    assert (
        b"Nothing changed: Plugin &#39;raising_confirm&#39;: order_confirmed failed: ValueError: credit check failed"
        in page.data
    )
    db.session.refresh(order)
    assert order.status == "draft"
    assert order.lines[0].unit_cost is None  # the cost snapshot was rolled back too
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_display_hooks_are_isolated_the_page_still_renders(
    make_app, fake_plugins, make_user, make_customer
):
    app = make_app(plugins=["raising_display"])
    app.config["RERAISE_HOOK_ERRORS"] = False
    client = app.test_client()
    user = make_user("manager")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    customer = make_customer(name="Ada")
    for url in ["/", "/customers/", f"/customers/{customer.id}"]:
        page = client.get(url)
        assert page.status_code == 200, url
        assert b"raising_display" in page.data, url  # the error box names the plugin
    page = client.get(f"/customers/{customer.id}").data
    assert b"Ada" in page and b"could not show this part of the page" in page


def test_display_hooks_reraise_under_testing(make_app, fake_plugins, make_user, make_customer):
    app = make_app(plugins=["raising_display"])
    client = app.test_client()
    user = make_user("manager")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    with pytest.raises(RuntimeError):
        client.get("/customers/")


def test_orders_list_and_models_agree_on_statuses(db, make_order):
    order = make_order(confirm=False)
    assert db.session.get(Order, order.id).status == "draft"


def test_hook_orders_imported(db, cli, tmp_path, make_user, make_product, make_customer):
    from clientele_example.models import Confirmation

    make_user("sales", email="sam@example.com")
    make_customer(name="Ada", external_id="C-1")
    make_product(sku="APPLE", list_price="2.00", unit_cost="1.00")
    orders_file = tmp_path / "orders.csv"
    orders_file.write_text(
        "number,customer_external_id,salesperson_email,order_date,status\n"
        "IMP-1,C-1,sam@example.com,2026-01-05,confirmed\n"
        "IMP-2,C-1,sam@example.com,2026-01-06,draft\n"
    )
    lines_file = tmp_path / "lines.csv"
    lines_file.write_text(
        "order_number,sku,quantity,unit_price,discount,unit_cost\nIMP-1,APPLE,3,2.00,,\nIMP-2,APPLE,1,2.00,,\n"
    )
    for path, kind in [
        (orders_file, "orders"),
        (lines_file, "order-lines"),
        (orders_file, "orders"),
        (lines_file, "order-lines"),
    ]:
        result = cli.invoke(["import", kind, str(path)])
        assert result.exit_code == 0, result.output
    # Imported twice, each file telling the plugin about the orders it touched: the confirmed
    # order is recorded exactly once, the draft never.
    imported = db.session.scalar(select(Order).where(Order.number == "IMP-1"))
    assert [
        (row.order_id, row.customer_id) for row in db.session.scalars(select(Confirmation))
    ] == [(imported.id, imported.customer_id)]


class DemoSeeder:
    """Records the demo hook's arguments."""

    def __init__(self):
        self.seen = []

    @hookimpl
    def seed_demo(self, session, rng):
        from core.db import db

        self.seen.append((session is db.session, rng.random()))
        session.add(Customer(name="Seeded by the plugin"))


def test_hook_seed_demo(db, cli, temp_plugin):
    seeder = temp_plugin(DemoSeeder())
    result = cli.invoke(["demo", "--customers", "3", "--orders", "2", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert len(seeder.seen) == 1 and seeder.seen[0][0] is True
    assert (
        db.session.scalar(select(Customer.id).where(Customer.name == "Seeded by the plugin"))
        is not None
    )


class Watcher:
    """Records which user each display and customer hook was given."""

    def __init__(self):
        self.seen = []

    @hookimpl
    def customer_badges(self, customers, user):
        self.seen.append(("badges", user.email if user else None))
        return {}

    @hookimpl
    def customer_timeline(self, customer, since, user):
        self.seen.append(("timeline", user.email if user else None))
        return []

    @hookimpl
    def customer_created(self, customer, user):
        self.seen.append(("created", user.email if user else None))

    @hookimpl
    def customer_updated(self, customer, changes, user):
        self.seen.append(("updated", user.email if user else None))


def test_display_and_customer_hooks_are_given_the_user(
    client, login_as, temp_plugin, make_customer
):
    # The Recorder and Display plugins above take no user: older plugins keep working unchanged.
    watcher = temp_plugin(Watcher())
    ada = make_customer(name="Ada")  # no request: nobody is logged in
    manager = login_as("manager")
    client.get("/customers/")
    client.get(f"/customers/{ada.id}")
    client.post("/customers/new", data={"name": "Bob", "owner_id": "0"})
    client.post(f"/customers/{ada.id}/edit", data={"name": "Ada L", "owner_id": "0"})
    assert watcher.seen == [
        ("created", None),
        ("badges", manager.email),  # the list
        ("badges", manager.email),  # the customer page: its badges, then its timeline
        ("timeline", manager.email),
        ("created", manager.email),
        ("updated", manager.email),
    ]


def test_hookspecs_are_typed():
    for name, function in docs_hooks.hookspec_functions():
        annotations = {**function.__annotations__}
        assert "return" in annotations, f"{name}: annotate what it returns"
        assert not [key for key, value in annotations.items() if "Any" in str(value)], (
            f"{name}: give its arguments real types, not Any"
        )

"""Alembic branches: enabling a plugin creates only its tables; disabling keeps them; re-enabling finds the data.

Runs on SQLite, and on PostgreSQL when CLIENTELE_TEST_DATABASE_URL is set (in a scratch database).
"""

import os
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from core import create_app, orders
from core.db import db
from core.migrate import branch_states, current_revisions, upgrade
from core.models import Customer, Product, User
from core.plugins import PluginError
from core.testing import TEST_DATABASE_ENV, CliRunner

CORE_TABLES = {
    "user",
    "customer",
    "customer_issue",
    "customer_merge",
    "import_mapping",
    "product",
    "order",
    "order_line",
    "outbox",
    "job_run",
    "worker_process",
    "plugin_state",
    "counter",
    "alembic_version",
}


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database: a SQLite file, or a fresh PostgreSQL database next to the test one."""
    base = os.environ.get(TEST_DATABASE_ENV)
    if not base:
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    url = make_url(base)
    name = f"{url.database}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_scratch"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make(url, tmp_path, plugins, check=True):
    return create_app(
        "/dev/null",
        database_url=url,
        plugins=plugins,
        testing=True,
        check_migrations=check,
        instance_path=str(tmp_path),
    )


def tables(app):
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def confirm_an_order(app):
    with app.app_context():
        user = db.session.scalar(select(User)) or User(
            email="s@example.com", name="S", role="sales"
        )
        product = db.session.scalar(select(Product)) or Product(
            sku="P1", name="P", list_price=Decimal("10.00"), unit_cost=Decimal("4.00")
        )
        customer = Customer(name="Ada")
        db.session.add_all([user, product, customer])
        db.session.flush()
        order = orders.create_order(customer, user, [orders.LineInput(product, Decimal(2))])
        orders.confirm(order)
        db.session.commit()
        return order.id


def example_rows(app):
    with app.app_context():
        return db.session.execute(text("SELECT count(*) FROM example_confirmation")).scalar()


def test_enable_disable_reenable_keeps_plugin_data(scratch_url, tmp_path):
    core_only = make(scratch_url, tmp_path, [], check=False)
    assert upgrade(core_only) == ["core"]
    assert tables(core_only) == CORE_TABLES
    confirm_an_order(core_only)

    # Enabling a plugin on an existing database: start-up refuses until its migrations run.
    with pytest.raises(
        PluginError, match="Tables of plugin 'example' are missing .* Run: clientele db upgrade"
    ):
        make(scratch_url, tmp_path, ["example"])
    with_example = make(scratch_url, tmp_path, ["example"], check=False)
    assert upgrade(with_example) == ["core", "example"]
    assert tables(with_example) == CORE_TABLES | {
        "example_confirmation"
    }  # only its table was added
    with with_example.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Customer)) == 1
        )  # core data untouched
    confirm_an_order(with_example)
    assert example_rows(with_example) == 1

    # Disabling: the app starts, the table and its rows stay, and upgrade leaves the branch alone.
    disabled = make(scratch_url, tmp_path, [])
    assert upgrade(disabled) == ["core"]
    assert "example_confirmation" in tables(disabled)
    confirm_an_order(disabled)  # not seen by the disabled plugin
    assert example_rows(disabled) == 1
    # The version table still records the example head, next to the core's own head.
    core_head = branch_states(disabled)[0].code_head
    assert sorted(current_revisions(disabled)) == sorted({core_head, "e1a2b3c4d5f6"})

    # Re-enabling finds its data and needs no migration.
    reenabled = make(scratch_url, tmp_path, ["example"])
    assert [state.applied for state in branch_states(reenabled)] == [True, True]
    assert example_rows(reenabled) == 1


def test_db_commands(scratch_url, tmp_path):
    app = make(scratch_url, tmp_path, ["example"], check=False)
    runner = CliRunner(app)
    before = runner.invoke(["db", "current"])
    assert "NOT APPLIED: run clientele db upgrade" in before.output
    result = runner.invoke(["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "upgrading core@head" in result.output and "upgrading example@head" in result.output
    after = runner.invoke(["db", "current"])
    assert "NOT APPLIED" not in after.output and after.output.count("applied") == 2
    history = runner.invoke(["db", "history"]).output
    assert "c0a1b2c3d4e5 (core)" in history and "e1a2b3c4d5f6 (example)" in history


def test_init_creates_the_first_admin_once(scratch_url, tmp_path):
    app = make(scratch_url, tmp_path, [], check=False)
    runner = CliRunner(app)
    result = runner.invoke(
        ["init", "--admin-email", "Boss@Example.com", "--admin-password", "correct horse"]
    )
    assert result.exit_code == 0, result.output
    assert "Admin login: boss@example.com / correct horse" in result.output
    assert (tmp_path / "admin-login.txt").read_text() == "boss@example.com correct horse\n"
    again = runner.invoke(["init"])
    assert "Users exist already; no admin was added." in again.output
    with app.app_context():
        admin = db.session.scalar(select(User))
        assert admin.role == "admin" and admin.check_password("correct horse")


def test_init_generates_a_password_when_none_is_given(scratch_url, tmp_path):
    app = make(scratch_url, tmp_path, [], check=False)
    output = CliRunner(app).invoke(["init"]).output
    email, password = (tmp_path / "admin-login.txt").read_text().split()
    assert email == "admin@example.com" and len(password) >= 12
    assert f"Admin login: admin@example.com / {password}" in output
    with app.app_context():
        assert db.session.scalar(select(User)).check_password(password)


def test_saved_messages_move_to_the_shared_placeholder_syntax(scratch_url, tmp_path):
    """Greetings saved as {first_name} and unsent campaigns with {first_name} keep working."""
    from core.migrate import downgrade
    from plugins.loyalty.greetings import template_problems
    from plugins.loyalty.models import GreetingTemplate
    from plugins.marketing.campaigns import text_problems
    from plugins.marketing.models import Campaign, Segment

    app = make(scratch_url, tmp_path, ["loyalty", "marketing"], check=False)
    upgrade(app)
    downgrade(app, "lo01a2b3c4d5")
    downgrade(app, "ma1a2b3c4d02")
    old_body = "Dear {first_name},\n{{our}} best wishes from {company}, {year:>6}."
    with app.app_context():
        segment = Segment(name="All", definition='{"match": "all", "conditions": []}')
        db.session.add_all(
            [
                GreetingTemplate(occasion="birthday", subject="Hi {name}!", body=old_body),
                Campaign(name="Draft", topic="offers", subject="Hi {first_name}",
                         body="In {city}: {{ name }}", segment=segment, status="draft"),
                Campaign(name="Sent", topic="offers", subject="Hi {first_name}",
                         body="x", segment=segment, status="sent"),
            ]
        )  # fmt: skip
        db.session.commit()
    upgrade(app)
    with app.app_context():
        greeting = db.session.get(GreetingTemplate, "birthday")
        assert greeting.subject == "Hi {{ name }}!"
        # {company} was your company in greetings: it is {{ our_company }} now; {{ was a literal {.
        assert greeting.body == (
            "Dear {{ first_name }},\n{our} best wishes from {{ our_company }}, {{ year }}."
        )
        assert template_problems(greeting.subject) == []
        draft, sent = db.session.scalars(select(Campaign).order_by(Campaign.id)).all()
        assert (draft.subject, draft.body) == ("Hi {{ first_name }}", "In {{ city }}: {{ name }}")
        assert text_problems(draft) == []
        assert sent.subject == "Hi {first_name}"  # history is not rewritten
    downgrade(app, "lo01a2b3c4d5")
    with app.app_context():
        greeting = db.session.get(GreetingTemplate, "birthday")
        assert greeting.body == ("Dear {first_name},\n{{our}} best wishes from {company}, {year}.")

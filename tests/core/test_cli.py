"""The clientele command: users add, plugins list (the rest has its own test modules)."""

import pytest
from sqlalchemy import select

from core.models import User


def test_users_add_creates_then_updates(db, cli):
    result = cli.invoke(
        [
            "users",
            "add",
            "Sam@Example.com",
            "--role",
            "sales",
            "--name",
            "Sam Seller",
            "--password",
            "long enough",
        ]
    )
    assert result.exit_code == 0, result.output
    assert result.output == "Added sam@example.com (sales).\n"
    user = db.session.scalar(select(User).where(User.email == "sam@example.com"))
    assert (user.name, user.role) == ("Sam Seller", "sales") and user.check_password("long enough")
    again = cli.invoke(
        ["users", "add", "sam@example.com", "--role", "manager", "--password", "another one"]
    )
    assert again.output == "Updated sam@example.com (manager).\n"
    db.session.refresh(user)
    assert (
        user.role == "manager" and user.name == "Sam Seller" and user.check_password("another one")
    )


def test_users_add_prompts_for_the_password(db, cli):
    result = cli.invoke(
        ["users", "add", "pat@example.com", "--role", "support"], input="long enough\nlong enough\n"
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "pat@example.com")).check_password(
        "long enough"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["users", "add", "not-an-email", "--role", "sales", "--password", "long enough"],
            "Invalid value for EMAIL",
        ),
        (
            ["users", "add", "a@example.com", "--role", "boss", "--password", "long enough"],
            "'boss' is not one of",
        ),
        (
            ["users", "add", "a@example.com", "--role", "sales", "--password", "short"],
            "use at least 8 characters",
        ),
    ],
)
def test_users_add_refuses_bad_input(db, cli, args, message):
    result = cli.invoke(args)
    assert result.exit_code != 0 and message in result.output
    assert db.session.scalar(select(User)) is None


def test_plugins_list_shows_available_enabled_and_broken(cli, monkeypatch, fake_plugins):
    monkeypatch.setenv("CLIENTELE_CONFIG", "/dev/null")
    output = cli.invoke(["plugins", "list"]).output
    assert "example 1.0.0 [available]" in output
    assert (
        "hooks: blueprints, customer_panels, nav_items, order_confirmed, orders_imported, permissions"
        in output
    )
    assert (
        "broken_import 1.0 [broken]" in output
        and "No module named 'not_a_real_module_for_clientele'" in output
    )
    assert "no_manifest 1.0 [broken]" in output


def test_plugins_list_marks_enabled_plugins_and_dependencies(
    cli, monkeypatch, fake_plugins, tmp_path
):
    config = tmp_path / "c.toml"
    config.write_text('[clientele]\nplugins = ["order_top", "example"]\n')
    monkeypatch.setenv("CLIENTELE_CONFIG", str(config))
    output = cli.invoke(["plugins", "list"]).output
    assert "example 1.0.0 [enabled]" in output
    assert "order_base 1.0 [enabled (needed by order_mid)]" in output
    assert "order_top 1.0 [enabled]" in output
    assert "good 1.2.3 [available]" in output  # the manifest version


def test_admin_plugins_page(client, login_as):
    login_as("admin")
    page = client.get("/admin/plugins").data.decode()
    assert 'data-plugin="example"' in page and "clientele-example" in page
    assert "No job has run yet" in page


def test_broken_config_gives_one_line_not_a_traceback(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from core.cli import main

    config = tmp_path / "c.toml"
    config.write_text('[clientele]\nplugins = ["loyalti_typo"]\n')
    monkeypatch.setenv("CLIENTELE_CONFIG", str(config))
    monkeypatch.setenv("CLIENTELE_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code != 0
    assert "Unknown plugin 'loyalti_typo'" in result.output
    assert "Traceback" not in result.output


def test_a_chinese_company_gets_its_commands_in_chinese(make_app, db):
    """[clientele].language = "zh_CN": help, messages and refusals in Chinese; the data the
    same as in English."""
    from core.testing import CliRunner

    cli = CliRunner(make_app(language="zh_CN"))
    helped = cli.invoke(["users", "add", "--help"])
    assert helped.exit_code == 0, helped.output
    assert "添加员工用户，或更新已有用户的角色、姓名和密码。" in helped.output
    assert "全名（默认：邮箱 @ 前的部分）。" in helped.output
    listed = cli.invoke(["--help"])
    assert "员工用户。" in listed.output and "创建或升级数据库" in listed.output
    added = cli.invoke(
        ["users", "add", "wei@example.cn", "--role", "sales", "--password", "12345678"]
    )
    assert added.output == "已添加 wei@example.cn（sales）。\n"
    short = cli.invoke(["users", "add", "li@example.cn", "--role", "sales", "--password", "short"])
    assert short.exit_code != 0 and "至少使用 8 个字符" in short.output
    assert db.session.scalar(select(User).where(User.email == "li@example.cn")) is None


def test_an_english_company_keeps_its_help_in_english(cli):
    helped = cli.invoke(["users", "add", "--help"])
    assert "Add a staff user, or update the role, name and password of an existing one." in (
        helped.output
    )

"""Reading the config file: types, unknown keys, environment overrides, exact decimals."""

from decimal import Decimal

import pytest

from core import create_app
from core.config import ConfigError, load_config


def write(tmp_path, text):
    path = tmp_path / "company.toml"
    path.write_text(text)
    return path


def test_defaults_and_values(tmp_path):
    config = load_config(
        write(tmp_path, '[clientele]\ncompany = "Bakery"\nplugins = ["loyalty"]\n')
    )
    assert config["company"] == "Bakery"
    assert config["plugins"] == ["loyalty"]
    assert config["currency"] == "EUR"  # default


def test_numbers_are_exact_decimals(tmp_path):
    config = load_config(
        write(
            tmp_path,
            "[plugins.sales_commission]\ntiers = [{ name = 'A', min_margin = 0.40, rate = 0.08 }]\n",
        )
    )
    tier = config.plugin_tables["sales_commission"]["tiers"][0]
    assert tier["min_margin"] == Decimal("0.40") and isinstance(tier["rate"], Decimal)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[clientele]\ncompnay = "x"\n', "unknown key [clientele].compnay"),
        ("[clientele]\npage_size = 'many'\n", "[clientele].page_size: expected int, got 'many'"),
        ("[clientele]\nplugins = 'loyalty'\n", "[clientele].plugins: expected list"),
        ("[clientele]\nplugins = ['']\n", "must be a list of plugin names"),
        ("[extras]\nx = 1\n", "unknown table [extras]"),
        ("[clientele\n", "is not valid TOML"),
        ("[plugins]\nloyalty = 3\n", "[plugins.loyalty] must be a table"),
    ],
)
def test_mistakes_name_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert message in str(caught.value)


def test_missing_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="does not exist. Set CLIENTELE_CONFIG"):
        load_config(tmp_path / "nope.toml")


def test_environment_overrides_the_file(tmp_path, monkeypatch):
    path = write(
        tmp_path, '[clientele]\ndatabase_url = "sqlite:///file.db"\nsecret_key = "from-file"\n'
    )
    monkeypatch.setenv("CLIENTELE_DATABASE_URL", "sqlite:///env.db")
    monkeypatch.setenv("CLIENTELE_SECRET_KEY", "from-env")
    monkeypatch.setenv("CLIENTELE_REDIS_URL", "redis://127.0.0.1:6379/3")
    config = load_config(path)
    assert (config["database_url"], config["secret_key"], config["redis_url"]) == (
        "sqlite:///env.db",
        "from-env",
        "redis://127.0.0.1:6379/3",
    )


def test_config_file_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "CLIENTELE_CONFIG", str(write(tmp_path, '[clientele]\ncompany = "From env"\n'))
    )
    assert load_config()["company"] == "From env"


def test_create_app_relative_sqlite_lives_in_the_instance_folder_and_keeps_a_secret(tmp_path):
    app = create_app(
        write(tmp_path, "[clientele]\n"),
        instance_path=str(tmp_path / "inst"),
        check_migrations=False,
    )
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'clientele.db'}"
    )
    secret = (tmp_path / "inst" / "secret_key").read_text()
    assert len(secret) == 64 and app.config["SECRET_KEY"] == secret
    again = create_app(
        write(tmp_path, "[clientele]\n"),
        instance_path=str(tmp_path / "inst"),
        check_migrations=False,
    )
    assert again.config["SECRET_KEY"] == secret  # sessions survive a restart


def test_flask_app_discovery_finds_the_factory():
    import core

    assert core.create_app is create_app


def test_https_behind_a_proxy_makes_cookies_secure_and_trusts_the_forwarded_scheme(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("CLIENTELE_SMTP_PASSWORD", "from-env")
    app = create_app(
        write(tmp_path, "[clientele]\nhttps = true\n"),
        instance_path=str(tmp_path),
        check_migrations=False,
    )
    assert (
        app.config["SESSION_COOKIE_SECURE"]
        and app.config["CLIENTELE"]["smtp_password"] == "from-env"
    )
    seen = {}

    def scheme():
        from flask import request

        seen["scheme"] = request.scheme
        return ""

    app.add_url_rule("/scheme", "scheme", scheme)
    app.test_client().get("/scheme", headers={"X-Forwarded-Proto": "https"})
    assert seen["scheme"] == "https"


def test_testing_cannot_be_switched_on_by_a_config_file(tmp_path):
    with pytest.raises(ConfigError) as caught:
        create_app(write(tmp_path, "[clientele]\ntesting = true\n"), instance_path=str(tmp_path))
    message = str(caught.value)
    assert "[clientele].testing cannot be set in a config file" in message
    assert "Remove the line" in message and "\n" not in message


def test_testing_cannot_be_switched_on_by_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CLIENTELE_TESTING", "1")
    with pytest.raises(ConfigError, match="CLIENTELE_TESTING is set in the environment"):
        load_config(write(tmp_path, "[clientele]\n"))


def test_the_unknown_key_message_does_not_offer_testing(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, '[clientele]\ncompnay = "x"\n'))
    assert "Known keys: " in str(caught.value) and "testing" not in str(caught.value)


def test_only_code_switches_testing_on_and_its_key_is_not_a_public_constant(tmp_path):
    """The fixtures' create_app(testing=True) still works; its sessions are not forgeable."""
    app = create_app(
        write(tmp_path, "[clientele]\n"),
        instance_path=str(tmp_path),
        check_migrations=False,
        testing=True,
    )
    assert app.testing and app.config["CLIENTELE"]["testing"] is True
    assert app.config["SECRET_KEY"] != "testing-secret-key" and len(app.config["SECRET_KEY"]) == 64
    plain = load_config(write(tmp_path, "[clientele]\n"))
    assert plain["testing"] is False


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'database_url = "nonsense://x"',
            "[clientele].database_url: 'nonsense://x' names an unknown database 'nonsense'. "
            "Use sqlite:///clientele.db",
        ),
        (
            'database_url = "not a url"',
            "[clientele].database_url: 'not a url' is not a database URL",
        ),
        (
            'database_url = "mysql://u:secret@db/crm"',
            "[clientele].database_url: 'mysql://u:***@db/crm' needs the Python driver MySQLdb, "
            "which is not installed",
        ),
        (
            'timezone = "Mars/Olympus"',
            "[clientele].timezone: unknown time zone 'Mars/Olympus'. Use an IANA name",
        ),
        ('timezone = "../../etc/passwd"', "[clientele].timezone: unknown time zone"),
        ('currency = "EURO"', "[clientele].currency: expected a three-letter ISO 4217 code"),
        ('default_region = "Germany"', "[clientele].default_region: expected a two-letter"),
        ("page_size = 0", "[clientele].page_size: expected 1 to 500, got 0."),
        ("page_size = 100000000", "[clientele].page_size: expected 1 to 500, got 100000000."),
        ("smtp_port = 70000", "[clientele].smtp_port: expected 1 to 65535, got 70000."),
        ('base_url = "crm.acme.example"', "[clientele].base_url: expected the address staff open"),
        ('redis_url = "localhost:6379"', "[clientele].redis_url: expected redis://host:6379/0"),
        ('mail_from = "nobody"', "[clientele].mail_from: expected an address such as"),
    ],
)
def test_wrong_values_name_the_key_and_the_fix_in_one_line(tmp_path, line, message):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, f"[clientele]\n{line}\n"))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value) and "secret" not in str(caught.value)


def test_good_values_pass(tmp_path):
    config = load_config(
        write(
            tmp_path,
            "[clientele]\n"
            'database_url = "postgresql+psycopg://u:p@127.0.0.1:5432/crm"\n'
            'timezone = "America/Sao_Paulo"\ncurrency = "CHF"\ndefault_region = "at"\n'
            'redis_url = "rediss://:pw@cache:6380/2"\nbase_url = "https://crm.example.com"\n'
            'mail_from = "Acme <crm@acme.example>"\npage_size = 500\nsmtp_port = 465\n',
        )
    )
    assert (config["timezone"], config["currency"], config["page_size"]) == (
        "America/Sao_Paulo",
        "CHF",
        500,
    )


BAD_CONFIGS = {
    "unknown database": '[clientele]\ndatabase_url = "nonsense://x"\n',
    "huge tier": (
        '[clientele]\nplugins = ["sales_commission"]\n[plugins.sales_commission]\n'
        'tiers = [{ name = "A", min_margin = 1e309, rate = 0.08 }]\n'
    ),
    "bad time zone": '[clientele]\ntimezone = "Mars/Olympus"\n',
    "testing": "[clientele]\ntesting = true\n",
    "database not running": (
        '[clientele]\ndatabase_url = "postgresql+psycopg://u:secret@127.0.0.1:1/crm"\n'
    ),
}


@pytest.mark.parametrize("name", BAD_CONFIGS)
@pytest.mark.parametrize(
    "command", [["db", "current"], ["plugins", "list"], ["export", "customers", "out.csv"]]
)
def test_clientele_commands_say_one_line_for_a_bad_config(tmp_path, monkeypatch, name, command):
    from click.testing import CliRunner

    from core.cli import main

    monkeypatch.setenv("CLIENTELE_CONFIG", str(write(tmp_path, BAD_CONFIGS[name])))
    monkeypatch.setenv("CLIENTELE_INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, command)
    if result.exit_code == 0:
        # `plugins list` reads only the installed plugins, not the database.
        assert command == ["plugins", "list"] and name == "database not running"
        return
    assert isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "Traceback" not in result.output
    assert "secret" not in result.output

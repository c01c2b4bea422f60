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

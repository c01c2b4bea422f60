"""Every config file we ship starts the app with the plugins it names and their settings."""

from decimal import Decimal

import pytest

from core import create_app
from core.config import PROJECT_ROOT
from core.migrate import upgrade
from core.plugins import settings_of

SHIPPED = sorted((PROJECT_ROOT / "config").rglob("*.toml"))


def test_the_examples_are_there():
    names = {path.relative_to(PROJECT_ROOT / "config").as_posix() for path in SHIPPED}
    assert {
        "default.toml",
        "postgresql.example.toml",
        "examples/restaurant.toml",
        "examples/wholesale.toml",
        "examples/fresh-food-cn.toml",
    } <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_a_shipped_config_starts_and_serves_the_login_page(path, tmp_path, monkeypatch):
    monkeypatch.delenv("CLIENTELE_DATABASE_URL", raising=False)
    app = create_app(
        path,
        # The PostgreSQL example names a server; the settings are what is checked here.
        database_url=f"sqlite:///{tmp_path / 'company.db'}",
        instance_path=str(tmp_path),
        check_migrations=False,
    )
    upgrade(app)
    assert app.test_client().get("/login").status_code == 200


def test_the_default_config_enables_every_plugin_with_the_documented_tiers(tmp_path):
    app = create_app(
        PROJECT_ROOT / "config" / "default.toml",
        instance_path=str(tmp_path),
        check_migrations=False,
    )
    with app.app_context():
        assert app.config["CLIENTELE"]["plugins"] == [
            "sales_commission",
            "loyalty",
            "service_desk",
            "marketing",
            "insights",
            "pipeline",
        ]
        tiers = settings_of("sales_commission")["tiers"]
    assert [(tier["name"], tier["min_margin"], tier["rate"]) for tier in tiers] == [
        ("A", Decimal("0.40"), Decimal("0.08")),
        ("B", Decimal("0.20"), Decimal("0.05")),
        ("C", Decimal("0.00"), Decimal("0.02")),
    ]


ODD_NUMBERS = [
    Decimal("1E+309"),
    Decimal("-1E+309"),
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal("-0"),
    2**63,
    "1e309",
    True,
]


def _leaf_variants(value, odd):
    """Copies of value with one leaf (number, text or the whole value) replaced by odd."""
    yield odd
    if isinstance(value, list):
        for index, item in enumerate(value):
            for variant in _leaf_variants(item, odd):
                yield [*value[:index], variant, *value[index + 1 :]]
    elif isinstance(value, dict):
        for key, item in value.items():
            for variant in _leaf_variants(item, odd):
                yield {**value, key: variant}


@pytest.mark.parametrize("plugin", ["sales_commission", "loyalty", "service_desk", "marketing"])
def test_odd_numbers_in_plugin_settings_are_one_clear_error(plugin, tmp_path):
    """1e309, NaN, huge integers anywhere in a setting: a PluginError naming the key, nothing else."""
    import importlib

    from core.plugins import PluginError
    from core.plugins._settings import validate_settings

    app = create_app(
        "/dev/null",
        plugins=[plugin],
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        check_migrations=False,
        instance_path=str(tmp_path),
    )
    schema = importlib.import_module(f"plugins.{plugin}.hooks").plugin_settings()
    tried = 0
    with app.app_context():
        for setting in schema:
            for odd in ODD_NUMBERS:
                for variant in _leaf_variants(setting.default, odd):
                    tried += 1
                    try:
                        validate_settings(plugin, schema, {setting.key: variant})
                    except PluginError as error:
                        assert f"[plugins.{plugin}].{setting.key}" in str(error)
                        assert "\n" not in str(error)
    assert tried > 8 * len(schema)

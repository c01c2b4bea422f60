"""The plugin loader: discovery, enabling with dependencies, order, and one clear error per failure."""

import pytest

from core import create_app
from core.plugins import PluginError
from tests.core.fake_plugins import ordered


def load(tmp_path, plugins, settings=None):
    """An app with these plugins on a scratch database (no migrations needed to load plugins)."""
    return create_app(
        "/dev/null",
        plugins=plugins,
        settings=settings or {},
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        testing=True,
        check_migrations=False,
        instance_path=str(tmp_path),
    )


def failure(tmp_path, plugins, settings=None) -> str:
    with pytest.raises(PluginError) as caught:
        load(tmp_path, plugins, settings)
    return str(caught.value)


def test_only_configured_plugins_are_imported(tmp_path, fake_plugins):
    # broken_import is installed but not enabled: start-up must not even import it.
    app = load(tmp_path, ["good"])
    assert app.extensions["clientele"].names == ["good"]


def test_unknown_plugin_lists_available_and_suggests(tmp_path, fake_plugins):
    message = failure(tmp_path, ["goood"])
    assert "Unknown plugin 'goood'" in message
    assert "Did you mean 'good'?" in message
    assert "example" in message and "good" in message  # the installed ones are listed


def test_missing_dependency_names_both(tmp_path, fake_plugins):
    message = failure(tmp_path, ["needs_missing"])
    assert "Plugin 'needs_missing': depends on 'nowhere', which is not installed." in message
    assert "Install 'nowhere'" in message


def test_dependency_cycle_is_printed(tmp_path, fake_plugins):
    message = failure(tmp_path, ["cycle_a"])
    assert "Plugin dependency cycle: cycle_a -> cycle_b -> cycle_c -> cycle_a." in message


def test_import_error_names_plugin_and_cause(tmp_path, fake_plugins):
    message = failure(tmp_path, ["broken_import"])
    assert (
        "Plugin 'broken_import': (fake-plugins 1.0) failed to import: ModuleNotFoundError"
        in message
    )
    assert "not_a_real_module_for_clientele" in message
    assert "remove it from [clientele].plugins" in message


def test_unknown_hook_suggests_the_right_name(tmp_path, fake_plugins):
    message = failure(tmp_path, ["unknown_hook"])
    assert (
        "implements 'customer_panel', which is not a Clientele hook. Did you mean 'customer_panels'?"
        in message
    )
    assert "optionalhook=True" in message


def test_hookimpl_arguments_must_match_the_spec(tmp_path, fake_plugins):
    message = failure(tmp_path, ["bad_args"])
    assert (
        "customer_panels(customer, request) asks for 'request'; customer_panels provides (customer, user)."
        in message
    )


def test_hookimpl_arguments_with_defaults_are_rejected(tmp_path, fake_plugins):
    assert "argument 'user' has a default" in failure(tmp_path, ["default_arg"])


def test_manifest_problems(tmp_path, fake_plugins):
    assert "has no 'manifest'" in failure(tmp_path, ["no_manifest"])
    assert "manifest.name 'other_name' != entry-point name 'wrong_name'" in failure(
        tmp_path, ["wrong_name"]
    )
    assert "requires clientele >=99, this is 0.1.0" in failure(tmp_path, ["future_core"])


def test_blueprint_permission_command_and_table_names_are_checked(tmp_path, fake_plugins):
    assert "blueprint 'something_else'" in failure(tmp_path, ["bad_blueprint"])
    assert "permission 'customers.delete_everything' must start with 'bad_permission.'" in failure(
        tmp_path, ["bad_permission"]
    )
    assert "adds the command 'export-all'" in failure(tmp_path, ["bad_command"])
    assert "model Thing uses table 'things_without_prefix'" in failure(tmp_path, ["bad_table"])


def test_settings_defaults_and_values(tmp_path, fake_plugins):
    app = load(tmp_path, ["good"], {"good": {"limit": 7}})
    assert app.extensions["clientele"].settings["good"] == {
        "limit": 7,
        "rate": __import__("decimal").Decimal("0.10"),
        "mode": "fast",
    }


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"limit": "seven"}, "[plugins.good].limit: expected an integer, got 'seven'."),
        ({"rate": "1.5"}, "[plugins.good].rate: must be between 0 and 1."),
        ({"mode": "medium"}, "[plugins.good].mode: expected one of 'fast', 'slow', got 'medium'."),
        ({"limt": 3}, "[plugins.good]: unknown key 'limt'."),
    ],
)
def test_invalid_settings_name_the_key(tmp_path, fake_plugins, table, expected):
    assert expected in failure(tmp_path, ["good"], {"good": table})


def test_settings_table_for_a_plugin_not_enabled(tmp_path, fake_plugins):
    message = failure(tmp_path, ["good"], {"example": {}})
    assert "has a [plugins.example] table but 'example' is not enabled" in message


def test_dependencies_are_enabled_and_ordered(tmp_path, fake_plugins):
    system = load(tmp_path, ["order_top"]).extensions["clientele"]
    assert system.names == ["order_base", "order_mid", "order_top"]
    assert [plugin.reason for plugin in system.plugins] == [
        "needed by order_mid",
        "needed by order_top",
        "configured",
    ]


def test_soft_dependency_orders_only_when_enabled(tmp_path, fake_plugins):
    assert load(tmp_path, ["order_soft", "order_top"]).extensions["clientele"].names == [
        "order_base",
        "order_mid",
        "order_top",
        "order_soft",
    ]
    assert load(tmp_path, ["order_soft"]).extensions["clientele"].names == ["order_soft"]


def test_hooks_run_core_first_then_dependencies_before_dependents(tmp_path, fake_plugins):
    # Listed in the config in the "wrong" order on purpose: the graph decides, not the list.
    app = load(tmp_path, ["order_soft", "order_top", "order_base"])
    ordered.CALLS.clear()
    app.extensions["clientele"].pm.hook.customer_badges(customers=[], user=None)
    assert ordered.CALLS == ["order_base", "order_mid", "order_top", "order_soft"]
    # The core implements permissions() too, and its implementation runs before every plugin's.
    from core.plugins import call_each

    ordered.CALLS.clear()
    called = [plugin for plugin, _ in call_each(app.extensions["clientele"].pm, "permissions")]
    assert called == ["core", "order_base", "order_mid", "order_top", "order_soft"]
    assert ordered.CALLS == ["order_base", "order_mid", "order_top", "order_soft"]


def test_plugin_publishes_hookspecs_others_implement_optionally(tmp_path, fake_plugins):
    both = load(tmp_path, ["subscriber", "publisher"]).extensions["clientele"]
    assert both.names == ["publisher", "subscriber"]
    assert both.pm.hook.favourite_colour(customer_id=1) == ["green"]
    # Without the publisher the optional implementation loads cleanly and is never called.
    alone = load(tmp_path, ["subscriber"]).extensions["clientele"]
    assert alone.names == ["subscriber"]


def test_fresh_plugin_manager_per_app(tmp_path, fake_plugins):
    first = load(tmp_path, ["good"]).extensions["clientele"]
    second = load(tmp_path, []).extensions["clientele"]
    assert first.pm is not second.pm
    assert second.pm.get_plugin("good") is None


def test_missing_migrations_stop_start_up_with_the_command(tmp_path):
    from core.migrate import upgrade

    app = load(tmp_path, [])
    upgrade(app)  # core only
    with pytest.raises(PluginError) as caught:
        create_app(
            "/dev/null",
            plugins=["example"],
            database_url=f"sqlite:///{tmp_path / 'x.db'}",
            testing=True,
            instance_path=str(tmp_path),
        )
    assert "Tables of plugin 'example' are missing" in str(caught.value)
    assert "Run: clientele db upgrade" in str(caught.value)


def test_core_tables_missing_say_the_same(tmp_path):
    with pytest.raises(PluginError) as caught:
        create_app(
            "/dev/null",
            database_url=f"sqlite:///{tmp_path / 'empty.db'}",
            testing=True,
            instance_path=str(tmp_path),
        )
    assert "The core's tables are missing" in str(caught.value)
    assert "Run: clientele db upgrade" in str(caught.value)

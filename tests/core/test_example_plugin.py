"""The example plugin lives in its own package (tests/example_plugin) and passes the contract check."""


def test_check_plugin_example(check_plugin):
    report = check_plugin("example")
    assert report.enabled == ["example"]
    assert report.tables == ["example_confirmation"]
    # The nav item answers 200 to the roles holding example.view and 403 to the others.
    assert sorted((role, status) for endpoint, role, status in report.nav_checks) == [
        ("admin", 200),
        ("manager", 200),
        ("marketing", 403),
        ("sales", 200),
        ("support", 403),
    ]


def test_check_plugin_catches_a_plugin_without_orders_imported(check_plugin, fake_plugins):
    import pytest

    from core.plugin_check import PluginCheckFailed

    with pytest.raises(
        PluginCheckFailed, match="implements order_confirmed but not orders_imported"
    ):
        check_plugin("confirm_only")

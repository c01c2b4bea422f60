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


def test_the_example_plugin_stays_out_of_the_apps_environment():
    """`make test` must not install the test-only plugin into the `.venv` that `make run`
    serves from (a running server then listed it as broken): only the tests offer it."""
    import os
    import subprocess

    from tests.core.servers import BIN

    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    listed = subprocess.run(
        [str(BIN / "clientele"), "plugins", "list"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "sales_commission" in listed
    assert "example" not in listed.split()
    # The tests and the processes they start do see it.
    offered = subprocess.run(
        [str(BIN / "clientele"), "plugins", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "example 1.0.0 [available]" in offered

"""The plugin contract: check_plugin, settings validation, permissions."""

from __future__ import annotations


def test_check_plugin(check_plugin):
    report = check_plugin("loyalty")
    assert "loyalty_customer_value" in report.tables
    assert {"order_confirmed", "orders_imported", "customer_badges"} <= set(report.hooks)

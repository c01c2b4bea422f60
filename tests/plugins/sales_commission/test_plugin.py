"""The contract check and the plugin's settings."""


def test_check_plugin(check_plugin):
    report = check_plugin("sales_commission")
    assert "sales_commission_entry" in report.tables
    assert {"order_confirmed", "orders_imported", "order_refunded", "order_cancelled"} <= set(
        report.hooks
    )

"""The contract check every plugin's tests start with."""


def test_check_plugin(check_plugin):
    report = check_plugin("service_desk")
    assert "service_desk_ticket" in report.tables
    assert {"customer_badges", "customer_timeline", "scheduled_jobs"} <= set(report.hooks)

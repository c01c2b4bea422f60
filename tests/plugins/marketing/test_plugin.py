"""The plugin contract: loads alone, settings, migrations, nav items answer each role."""


def test_check_plugin(check_plugin):
    report = check_plugin("marketing")
    assert "segment_criteria" in report.hooks
    assert set(report.tables) == {
        "marketing_segment",
        "marketing_campaign",
        "marketing_recipient",
        "marketing_consent_event",
        "marketing_topic_opt_out",
        "marketing_customer_product",
        "marketing_product_similarity",
    }
    # Three nav items × five roles.
    assert len(report.nav_checks) == 15

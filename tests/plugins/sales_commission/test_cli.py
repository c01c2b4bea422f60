"""`clientele sales_commission ...`: the fixed JSON shape, table and CSV, approve, pay, recompute."""

import json

import pytest

from plugins.sales_commission.approval import statement_of

from . import scenario


@pytest.fixture
def data(db, make_staff, make_product, make_order):
    return scenario.build(make_staff, make_product, make_order)


def test_statement_json_has_the_fixed_shape_and_the_hand_worked_figures(cli, data):
    result = cli.invoke(
        ["sales_commission", "statement", "--period", "2026-03", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "period": "2026-03",
        "currency": "EUR",
        "statements": [
            {
                "salesperson": "ann@example.com",
                "status": "approved",
                "lines": 8,
                "net": "400.14",
                "profit": "163.64",
                "commission": "26.21",
                "adjustments": "0.00",
                "by_tier": {"A": "20.00", "B": "6.01", "C": "0.20"},
            },
            {
                "salesperson": "ben@example.com",
                "status": "approved",
                "lines": 5,
                "net": "105.05",
                "profit": "31.55",
                "commission": "5.26",
                "adjustments": "0.00",
                "by_tier": {"A": "4.00", "B": "0.26", "C": "1.00"},
            },
        ],
    }


def test_statement_of_one_salesperson_as_table_and_csv(cli, data):
    table = cli.invoke(
        ["sales_commission", "statement", "--period", "2026-04", "--salesperson", "ANN@example.com"]
    )
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].split() == [
        "salesperson",
        "status",
        "lines",
        "net",
        "profit",
        "commission",
        "adjustments",
        "A",
        "B",
        "C",
    ]
    assert lines[2].split() == [
        "ann@example.com",
        "draft",
        "4",
        "-100.10",
        "-50.10",
        "-8.01",
        "-16.01",
        "-8.00",
        "-0.01",
        "0.00",
    ]
    csv_output = cli.invoke(
        ["sales_commission", "statement", "--period", "2026-04", "--format", "csv"]
    )
    assert (
        csv_output.output.splitlines()[2]
        == "ben@example.com,draft,1,-50.00,-5.00,-1.00,-1.00,0.00,0.00,-1.00"
    )


def test_bad_input_gets_a_clear_message(cli, data):
    result = cli.invoke(["sales_commission", "statement", "--period", "2026-13"])
    assert result.exit_code == 2
    assert "'2026-13' is not a period; write it as YYYY-MM" in result.output
    result = cli.invoke(
        [
            "sales_commission",
            "statement",
            "--period",
            "2026-03",
            "--salesperson",
            "nobody@example.com",
        ]
    )
    assert result.exit_code == 2 and "there is no user nobody@example.com" in result.output
    result = cli.invoke(["sales_commission", "recompute", "--period", "2026-03"])
    assert result.exit_code == 1
    assert "2026-03 has 2 approved statement(s)" in result.output


def test_approve_pay_and_recompute(cli, data):
    assert (
        cli.invoke(["sales_commission", "recompute", "--period", "2026-04"]).output
        == "Recomputed 2026-04.\n"
    )
    refused = cli.invoke(
        ["sales_commission", "approve", "--period", "2026-04", "--by", "ann@example.com"]
    )
    assert refused.exit_code == 2 and "may not do this" in refused.output
    approved = cli.invoke(
        [
            "sales_commission",
            "approve",
            "--period",
            "2026-04",
            "--salesperson",
            "ben@example.com",
            "--by",
            "mia@example.com",
        ]
    )
    assert approved.output == "Approved 2026-04 for ben@example.com.\n"
    again = cli.invoke(
        ["sales_commission", "approve", "--period", "2026-04", "--salesperson", "ben@example.com"]
    )
    assert again.exit_code == 1 and "already approved" in again.output
    paid = cli.invoke(
        [
            "sales_commission",
            "pay",
            "--period",
            "2026-04",
            "--salesperson",
            "ben@example.com",
            "--date",
            "2026-05-15",
            "--reference",
            "PR-2026-05",
        ]
    )
    assert paid.output == "Marked 2026-04 of ben@example.com paid on 2026-05-15 (PR-2026-05).\n"
    row = statement_of(data.ben.id, "2026-04")
    assert (row.status, row.payment_reference, row.approved_by_id) == (
        "paid",
        "PR-2026-05",
        data.manager.id,
    )
    result = cli.invoke(
        ["sales_commission", "statement", "--period", "2026-04", "--format", "json"]
    )
    statuses = {
        item["salesperson"]: item["status"] for item in json.loads(result.output)["statements"]
    }
    assert statuses == {"ann@example.com": "draft", "ben@example.com": "paid"}


def test_rules_command(cli, data):
    result = cli.invoke(["sales_commission", "rules", "--format", "json"])
    assert json.loads(result.output) == {
        "versions": [
            {
                "effective_from": "1900-01-01",
                "base": "revenue",
                "grade_by": "line",
                "tiers": "A ≥ 0.4000 → 0.0800; B ≥ 0.2000 → 0.0500; C ≥ 0.0000 → 0.0200",
            }
        ]
    }

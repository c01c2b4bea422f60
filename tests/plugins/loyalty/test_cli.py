"""clientele loyalty tiers (the fixed JSON shape) and clientele loyalty recompute."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from sqlalchemy import func, select

from core import orders
from core.db import db
from plugins.loyalty.models import CareTask, CustomerValue

NOON = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def history(make_customer, sell):
    """Ada: Silver with a refund; Bob: one old order; Cy: a prospect."""
    ada = make_customer(name="Ada", external_id="C-1")
    bob = make_customer(name="Bob", external_id="C-2")
    make_customer(name="Cy")
    with time_machine.travel(NOON, tick=False):
        sell(ada, dt.date(2026, 1, 10), 15)  # 600.00
        refunded = sell(ada, dt.date(2026, 2, 10), 2)  # 80.00, refunded on 20 March
        orders.refund(refunded, on=dt.date(2026, 3, 20))
        sell(bob, dt.date(2025, 3, 31), 1)  # exactly as_of − 365 for 2026-03-31: outside the window
        db.session.commit()
    return ada, bob


def test_tiers_json_has_the_fixed_shape(history, cli):
    result = cli.invoke(["loyalty", "tiers", "--as-of", "2026-03-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document == {
        "as_of": "2026-03-31",
        "customers": [
            # 600.00 + 80.00 − 80.00 (refund on 20 March) = 600.00 → Silver (≥ 500)
            {
                "external_id": "C-1",
                "name": "Ada",
                "profit_12m": "600.00",
                "tier": "Silver",
                "stage": "developing",
            },
            # Bob's only order is 365 days old: 0.00 in the window, no tier; 365 > 90 × 4 → churned
            {
                "external_id": "C-2",
                "name": "Bob",
                "profit_12m": "0.00",
                "tier": None,
                "stage": "churned",
            },
            {
                "external_id": None,
                "name": "Cy",
                "profit_12m": "0.00",
                "tier": None,
                "stage": "prospect",
            },
        ],
    }


def test_tiers_as_of_a_past_day_ignores_what_came_later(history, cli):
    result = cli.invoke(["loyalty", "tiers", "--as-of", "2026-02-15", "--format", "json"])
    rows = {row["name"]: row for row in json.loads(result.output)["customers"]}
    # On 15 Feb: 600.00 + 80.00 (not yet refunded) = 680.00; Bob's order is 321 days old (in the window).
    assert rows["Ada"] == {
        "external_id": "C-1",
        "name": "Ada",
        "profit_12m": "680.00",
        "tier": "Silver",
        "stage": "developing",
    }
    assert rows["Bob"]["profit_12m"] == "40.00"
    assert rows["Bob"]["tier"] == "Bronze"
    assert rows["Bob"]["stage"] == "at_risk"  # 321 > 90 × 2, not > 90 × 4


def test_tiers_does_not_write(history, cli):
    before = db.session.scalar(select(func.max(CustomerValue.computed_at)))
    cli.invoke(["loyalty", "tiers", "--as-of", "2027-01-01", "--format", "json"])
    assert db.session.scalar(select(func.max(CustomerValue.computed_at))) == before


def test_tiers_csv_and_table(history, cli):
    result = cli.invoke(["loyalty", "tiers", "--as-of", "2026-03-31", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == ["external_id", "name", "profit_12m", "tier", "stage"]
    assert rows[0] == {
        "external_id": "C-1",
        "name": "Ada",
        "profit_12m": "600.00",
        "tier": "Silver",
        "stage": "developing",
    }
    table = cli.invoke(["loyalty", "tiers", "--as-of", "2026-03-31"]).output
    assert table.splitlines()[0].split() == ["external_id", "name", "profit_12m", "tier", "stage"]
    assert "600.00" in table


def test_tiers_defaults_to_today(history, cli):
    with time_machine.travel(NOON, tick=False):
        result = cli.invoke(["loyalty", "tiers", "--format", "json"])
    assert json.loads(result.output)["as_of"] == "2026-03-31"


def test_a_bad_date_is_a_clear_error(cli):
    result = cli.invoke(["loyalty", "tiers", "--as-of", "31.03.2026"])
    assert result.exit_code != 0
    assert "'31.03.2026' is not a date; write it as YYYY-MM-DD" in result.output


class TestTopPercent:
    """The report ranks top-percent tiers over the day asked for."""

    @pytest.fixture
    def clientele_settings(self):
        return {"loyalty": {"tiers": [{"name": "Top", "top_percent": 50}]}}

    def test_ranked_on_the_day(self, history, cli):
        result = cli.invoke(["loyalty", "tiers", "--as-of", "2026-02-15", "--format", "json"])
        tiers = {row["name"]: row["tier"] for row in json.loads(result.output)["customers"]}
        # Two customers with profit: rank ceil(2 × 0.5) = 1 → only Ada.
        assert tiers == {"Ada": "Top", "Bob": None, "Cy": None}


def test_recompute_writes_and_creates_tasks(history, make_user, cli):
    with time_machine.travel(NOON, tick=False):
        result = cli.invoke(["loyalty", "recompute"])
    assert result.exit_code == 0, result.output
    assert "Recomputed as of 2026-03-31" in result.output
    assert "Care tasks:" in result.output
    # Ada is Silver (call every 120 days) and Bob churned: one care task and one reactivation task.
    kinds = sorted(db.session.scalars(select(CareTask.kind)))
    assert kinds == ["call", "reactivation"]
    with time_machine.travel(NOON, tick=False):
        again = cli.invoke(["loyalty", "recompute", "--no-tasks"])
    assert "0 tier change(s), 0 stage change(s)" in again.output
    assert "Care tasks" not in again.output

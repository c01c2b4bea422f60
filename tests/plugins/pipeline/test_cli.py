"""The contract CLI: import (line-numbered, all or nothing, idempotent), winrate, funnel, forecast.

Figures worked out by hand from DEALS_CSV (conftest.py).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core import dates, orders
from plugins.pipeline import deals, reports, won
from plugins.pipeline import stages as stage_records
from plugins.pipeline.deals import DealInput, LineInput
from plugins.pipeline.models import LostReason, Opportunity, StageMove
from tests.plugins.pipeline.conftest import DEALS_CSV


def rows_of(cli, *args):
    result = cli.invoke(["pipeline", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["rows"]


def test_winrate_by_owner(imported, cli):
    assert rows_of(cli, "winrate", "--by", "owner") == [
        # Sam: D1, D2 won, D3 lost → 2/3; 100.00 + 250.50; (10 + 33) / 2 days
        {"key": "sam@example.com", "won": 2, "lost": 1, "win_rate": "0.6667",
         "won_amount": "350.50", "avg_cycle_days": "21.5"},
        {"key": "sue@example.com", "won": 1, "lost": 0, "win_rate": "1.0000",
         "won_amount": "40.25", "avg_cycle_days": "20.0"},
    ]  # fmt: skip


def test_winrate_by_channel_product_month_and_dates(imported, cli):
    assert rows_of(cli, "winrate", "--by", "channel") == [
        {"key": "fair", "won": 1, "lost": 1, "win_rate": "0.5000", "won_amount": "40.25", "avg_cycle_days": "20.0"},
        {"key": "web", "won": 2, "lost": 0, "win_rate": "1.0000", "won_amount": "350.50", "avg_cycle_days": "21.5"},
    ]  # fmt: skip
    assert rows_of(cli, "winrate", "--by", "product") == [
        {"key": "JAM", "won": 1, "lost": 1, "win_rate": "0.5000", "won_amount": "100.00", "avg_cycle_days": "10.0"},
        {"key": "OIL", "won": 2, "lost": 0, "win_rate": "1.0000", "won_amount": "290.75", "avg_cycle_days": "26.5"},
    ]  # fmt: skip
    assert rows_of(cli, "winrate", "--by", "month") == [
        {"key": "2026-01", "won": 1, "lost": 0, "win_rate": "1.0000", "won_amount": "100.00", "avg_cycle_days": "10.0"},
        {"key": "2026-02", "won": 2, "lost": 1, "win_rate": "0.6667", "won_amount": "290.75", "avg_cycle_days": "26.5"},
    ]  # fmt: skip
    assert rows_of(
        cli, "winrate", "--by", "owner", "--from", "2026-02-01", "--to", "2026-02-28"
    ) == [
        {"key": "sam@example.com", "won": 1, "lost": 1, "win_rate": "0.5000", "won_amount": "250.50", "avg_cycle_days": "33.0"},
        {"key": "sue@example.com", "won": 1, "lost": 0, "win_rate": "1.0000", "won_amount": "40.25", "avg_cycle_days": "20.0"},
    ]  # fmt: skip


def test_rounding_of_rates_and_means_is_half_up():
    assert reports.win_rate(2, 1) == Decimal("0.6667")
    assert reports.win_rate(1, 7) == Decimal("0.1250")
    assert reports.win_rate(0, 0) is None
    assert reports.mean_days(41, 4) == Decimal("10.3")  # 10.25 half up, not to even
    assert reports.mean_days(21, 2) == Decimal("10.5")
    assert reports.mean_days(0, 0) is None


def test_winrate_table_and_csv(imported, cli):
    table = cli.invoke(["pipeline", "winrate", "--by", "owner"])
    assert "sam@example.com" in table.output and "0.6667" in table.output
    csv_out = cli.invoke(["pipeline", "winrate", "--by", "owner", "--format", "csv"])
    assert csv_out.output.splitlines()[0] == "key,won,lost,win_rate,won_amount,avg_cycle_days"
    assert csv_out.output.splitlines()[1] == "sam@example.com,2,1,0.6667,350.50,21.5"


def test_funnel_counts_where_deals_are_and_where_they_stopped(imported, cli, db):
    book = imported
    prospecting = stage_records.stage_by_name("Prospecting")
    engaging = stage_records.stage_by_name("Engaging")
    # D7: 33.35 at 0.10 → 3.335 → 3.34; D8: 10.05 typed 0.25 → 2.5125 → 2.51.
    deals.open_deal(DealInput("D7", book.sam, customer=book.c1, amount=Decimal("33.35")), book.sam)
    deals.open_deal(
        DealInput(
            "D8", book.sue, customer=book.c2, amount=Decimal("10.05"), probability=Decimal("0.25")
        ),
        book.sue,
    )
    d9 = deals.open_deal(
        DealInput("D9", book.sam, customer=book.c1, amount=Decimal("5.00")), book.sam
    )
    deals.move(d9, engaging, book.sam)
    deals.move(
        d9,
        stage_records.stage_of_kind("lost"),
        book.sam,
        lost_reason=stage_records.reason_named("Price"),
    )
    d10 = deals.open_deal(
        DealInput("D10", book.sam, customer=book.c1, lines=[LineInput(book.jam, Decimal("2"))]),
        book.sam,
    )
    deals.move(d10, engaging, book.sam)
    orders.confirm(won.make_order(d10, book.sam))
    db.session.commit()
    assert prospecting is not None
    assert rows_of(cli, "funnel") == [
        # D5 (no amount), D7, D8
        {"stage": "Prospecting", "open": 3, "open_amount": "43.40", "weighted_amount": "5.85", "won": 1, "lost": 0},
        # D6 1000.00 × 0.40; D10 passed through and was won; D9 was lost here
        {"stage": "Engaging", "open": 1, "open_amount": "1000.00", "weighted_amount": "400.00", "won": 1, "lost": 1},
        {"stage": "Won", "open": 0, "open_amount": "0.00", "weighted_amount": "0.00", "won": 4, "lost": 0},
        {"stage": "Lost", "open": 0, "open_amount": "0.00", "weighted_amount": "0.00", "won": 0, "lost": 2},
    ]  # fmt: skip


def test_forecast_by_expected_close_month_against_won(imported, cli, db):
    book = imported
    deals.open_deal(
        DealInput(
            "F1",
            book.sam,
            customer=book.c1,
            amount=Decimal("200.00"),
            expected_close_on=dt.date(2026, 2, 20),
        ),
        book.sam,
    )
    deals.open_deal(
        DealInput(
            "F2",
            book.sam,
            customer=book.c1,
            amount=Decimal("50.05"),
            expected_close_on=dt.date(2026, 3, 1),
            probability=Decimal("0.5"),
        ),
        book.sam,
    )
    db.session.commit()
    assert rows_of(cli, "forecast", "--from", "2026-01", "--to", "2026-03") == [
        {"month": "2026-01", "open": 0, "open_amount": "0.00", "weighted_amount": "0.00", "won": 1, "won_amount": "100.00"},
        # F1 200.00 × 0.10 = 20.00; won D2 250.50 + D4 40.25
        {"month": "2026-02", "open": 1, "open_amount": "200.00", "weighted_amount": "20.00", "won": 2, "won_amount": "290.75"},
        # F2 50.05 × 0.5 = 25.025 → 25.03
        {"month": "2026-03", "open": 1, "open_amount": "50.05", "weighted_amount": "25.03", "won": 0, "won_amount": "0.00"},
    ]  # fmt: skip


def test_import_is_idempotent_on_external_id(imported, cli, tmp_path, db):
    moves = db.session.scalar(select(func.count()).select_from(StageMove))
    path = tmp_path / "again.csv"
    path.write_text(DEALS_CSV, encoding="utf-8")
    result = cli.invoke(["pipeline", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 6 unchanged" in result.output
    assert db.session.scalar(select(func.count()).select_from(Opportunity)) == 6
    assert db.session.scalar(select(func.count()).select_from(StageMove)) == moves
    # D6 is won later: an update with a move in its history
    path.write_text(
        DEALS_CSV.replace(
            "D6,Big jam order,C2,sam@example.com,JAM,Engaging,2026-02-10,,1000.00,",
            "D6,Big jam order,C2,sam@example.com,JAM,Won,2026-02-10,2026-03-01,1000.00,",
        ),
        encoding="utf-8",
    )
    result = cli.invoke(["pipeline", "import", str(path)])
    assert "0 created, 1 updated, 5 unchanged" in result.output
    d6 = db.session.scalar(select(Opportunity).where(Opportunity.external_id == "D6"))
    assert d6.stage.kind == "won" and d6.closed_on == dt.date(2026, 3, 1)
    assert [m.to_stage.name for m in deals.history(d6.id)] == ["Engaging", "Won"]


def test_import_errors_are_line_numbered_and_nothing_is_written(book, cli, tmp_path, db):
    bad = "\n".join(
        [
            "external_id,title,customer_external_id,owner_email,product_sku,stage,opened_on,closed_on,amount,lost_reason",
            "E1,Fine,C1,sam@example.com,JAM,Prospecting,2026-01-01,,10.00,",
            "E2,No close date,C1,sam@example.com,JAM,Won,2026-01-01,,10.00,",
            "E3,Who,C1,nobody@example.com,JAM,Prospecting,,,,",
            "E4,Bad stage,C1,sam@example.com,JAM,Dreaming,,,,",
            "E5,Bad amount,C1,sam@example.com,JAM,Prospecting,,,12.345,",
            "E1,Twice,C1,sam@example.com,JAM,Prospecting,,,,",
            "E7,Lost without reason,C1,sam@example.com,JAM,Lost,2026-01-01,2026-01-05,1.00,",
            "E8,Backwards,C1,sam@example.com,JAM,Won,2026-02-01,2026-01-05,1.00,",
        ]
    )
    path = tmp_path / "bad.csv"
    path.write_text(bad + "\n", encoding="utf-8")
    result = cli.invoke(["pipeline", "import", str(path)])
    assert result.exit_code != 0
    out = result.output
    assert "Line 3: a won deal needs closed_on" in out
    assert "Line 4: no user has the e-mail nobody@example.com" in out
    assert "Line 5: unknown stage 'Dreaming'" in out
    assert "Line 6: amount: Use at most two decimals." in out
    assert "Line 7: external_id E1 is already on line 2" in out
    assert "Line 8: a lost deal needs its lost_reason" in out
    assert "Line 9: closed_on is before opened_on" in out
    assert "Line 2" not in out
    assert "Nothing was imported: 7 problem(s)" in out
    assert db.session.scalar(select(func.count()).select_from(Opportunity)) == 0


def test_import_header_must_be_exact(book, cli, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("external_id,title\nX,Y\n", encoding="utf-8")
    result = cli.invoke(["pipeline", "import", str(path)])
    assert result.exit_code != 0
    assert "Line 1: the columns must be exactly" in result.output


def test_import_adds_a_new_lost_reason(book, cli, tmp_path, db):
    path = tmp_path / "lost.csv"
    path.write_text(
        "external_id,title,customer_external_id,owner_email,product_sku,stage,opened_on,closed_on,amount,lost_reason\n"
        "L1,Gone,C1,sam@example.com,,Lost,2026-01-01,2026-01-09,5.00,Went bankrupt\n",
        encoding="utf-8",
    )
    result = cli.invoke(["pipeline", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Lost reasons added: Went bankrupt" in result.output
    assert (
        db.session.scalar(select(LostReason).where(LostReason.name == "Went bankrupt")) is not None
    )


def test_import_reads_xlsx(book, cli, tmp_path, db):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for line in DEALS_CSV.strip().splitlines():
        sheet.append(line.split(","))
    sheet["G2"] = dt.date(2026, 1, 5)  # a real date cell
    sheet["I2"] = 100  # a number cell
    path = tmp_path / "deals.xlsx"
    workbook.save(path)
    result = cli.invoke(["pipeline", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert rows_of(cli, "winrate", "--by", "owner")[0]["won_amount"] == "350.50"


@pytest.mark.parametrize(
    "args", [["winrate", "--by", "colour"], ["winrate", "--by", "owner", "--from", "2026-13-01"]]
)
def test_bad_report_arguments(book, cli, args):
    result = cli.invoke(["pipeline", *args])
    assert result.exit_code == 2


def test_dates_helper_is_the_company_day(book):
    assert dates.today()

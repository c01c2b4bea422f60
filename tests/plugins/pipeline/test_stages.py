"""Editing the stages: add, rename, reorder, default probability, stop and use again; the rules.

The stages start as the config example, in board order:

    1 Prospecting  open  10 %
    2 Engaging     open  40 %
    3 Won          won  100 %
    4 Lost         lost   0 %

Deals (Sam's, for Cara One): "Jam" in Engaging at the default (40 %), "Oil" in Engaging with
65 % typed by hand, "Salt" in Prospecting at the default (10 %).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import db as database
from plugins.pipeline import deals
from plugins.pipeline import stages as stage_records
from plugins.pipeline.deals import DealError, DealInput
from plugins.pipeline.models import Opportunity, Stage
from plugins.pipeline.stages import StageError
from tests.untranslated import english_left

ROOT = Path(__file__).resolve().parents[3]
PLUGIN = ROOT / "plugins" / "pipeline"
CORE = ROOT / "core"


def stage(name):
    found = stage_records.stage_by_name(name)
    assert found is not None, name
    return found


def board_order():
    return [(s.name, s.position, s.kind) for s in stage_records.all_stages()]


def snapshot():
    """Everything an edit of the stages could change: the stages and the deals' probabilities."""
    database.session.expire_all()
    stages = [
        (s.id, s.name, s.position, s.probability, s.kind, s.active)
        for s in database.session.scalars(select(Stage).order_by(Stage.id))
    ]
    found = [
        (d.id, d.stage_id, d.probability, d.probability_manual)
        for d in database.session.scalars(select(Opportunity).order_by(Opportunity.id))
    ]
    return stages, found


@pytest.fixture
def three(book, db):
    """Jam (Engaging, default), Oil (Engaging, 65 % by hand), Salt (Prospecting, default)."""
    sam = book.sam
    jam = deals.open_deal(DealInput("Jam", sam, customer=book.c1), sam)
    oil = deals.open_deal(DealInput("Oil", sam, customer=book.c1, probability=Decimal("0.65")), sam)
    salt = deals.open_deal(DealInput("Salt", sam, customer=book.c1), sam)
    deals.move(jam, stage("Engaging"), sam)
    deals.move(oil, stage("Engaging"), sam)
    db.session.commit()
    assert (jam.probability, jam.probability_manual) == (Decimal("0.40"), False)
    assert (oil.probability, oil.probability_manual) == (Decimal("0.65"), True)
    assert (salt.probability, salt.probability_manual) == (Decimal("0.10"), False)
    return jam, oil, salt


# The functions ----------------------------------------------------------------------------


def test_a_new_stage_goes_after_the_last_open_one(db):
    added = stage_records.add_stage("  Proposal  sent ", Decimal("0.6"))
    assert (added.name, added.kind, added.active, added.probability) == (
        "Proposal sent",
        "open",
        True,
        Decimal("0.6000"),
    )
    assert board_order() == [
        ("Prospecting", 1, "open"),
        ("Engaging", 2, "open"),
        ("Proposal sent", 3, "open"),
        ("Won", 4, "won"),
        ("Lost", 5, "lost"),
    ]
    assert [s.name for s in stage_records.open_stages()] == [
        "Prospecting",
        "Engaging",
        "Proposal sent",
    ]


def test_a_rename_shows_in_the_history_already_written(book, db, three):
    jam, _oil, _salt = three
    engaging = stage("Engaging")
    stage_records.rename_stage(engaging, "Negotiating")
    db.session.commit()
    database.session.expire_all()
    moves = deals.history(jam.id)
    assert [(m.from_stage.name if m.from_stage else None, m.to_stage.name) for m in moves] == [
        (None, "Prospecting"),
        ("Prospecting", "Negotiating"),
    ]
    assert stage_records.stage_by_name("engaging") is None
    # Only the case changes: the same stage, so not a duplicate.
    stage_records.rename_stage(engaging, "NEGOTIATING")
    assert stage("negotiating").id == engaging.id and engaging.name == "NEGOTIATING"


def test_reordering_moves_open_stages_among_themselves(db):
    stage_records.add_stage("Proposal", Decimal("0.6"))
    stage_records.move_stage(stage("Proposal"), -1)
    assert [name for name, _p, _k in board_order()] == [
        "Prospecting",
        "Proposal",
        "Engaging",
        "Won",
        "Lost",
    ]
    stage_records.move_stage(stage("Proposal"), -1)
    stage_records.move_stage(stage("Engaging"), -1)
    assert board_order() == [
        ("Proposal", 1, "open"),
        ("Engaging", 2, "open"),
        ("Prospecting", 3, "open"),
        ("Won", 4, "won"),
        ("Lost", 5, "lost"),
    ]
    # The first open stage is where a new deal starts.
    assert stage_records.first_open_stage().name == "Proposal"
    stage_records.move_stage(stage("Proposal"), 1)
    assert [name for name, _p, _k in board_order()][:3] == ["Engaging", "Proposal", "Prospecting"]


def test_a_new_default_moves_default_deals_and_keeps_typed_ones(book, db, three):
    jam, oil, salt = three
    followed = stage_records.set_default_probability(stage("Engaging"), Decimal("0.55"))
    db.session.commit()
    assert followed == 1  # Jam; Oil was typed by hand; Salt is in another stage
    database.session.expire_all()
    assert stage("Engaging").probability == Decimal("0.5500")
    assert (jam.probability, jam.probability_manual) == (Decimal("0.5500"), False)
    assert (oil.probability, oil.probability_manual) == (Decimal("0.6500"), True)
    assert (salt.probability, salt.probability_manual) == (Decimal("0.1000"), False)
    # Jam keeps following its stage: back to Prospecting 10 %, then Engaging at the new 55 %.
    deals.move(jam, stage("Prospecting"), book.sam)
    assert jam.probability == Decimal("0.1000")
    deals.move(jam, stage("Engaging"), book.sam)
    assert jam.probability == Decimal("0.5500")
    # A new deal moved into Engaging takes 55 % too.
    new = deals.open_deal(DealInput("Pepper", book.sam, customer=book.c1), book.sam)
    deals.move(new, stage("Engaging"), book.sam)
    assert new.probability == Decimal("0.5500")


def test_a_stopped_stage_leaves_the_board_and_comes_back_in_its_place(book, db, three):
    stage_records.add_stage("Proposal", Decimal("0.6"))
    proposal = stage("Proposal")
    stage_records.deactivate_stage(proposal)
    assert proposal.active is False
    assert [s.name for s in stage_records.open_stages()] == ["Prospecting", "Engaging"]
    jam, _oil, _salt = three
    with pytest.raises(DealError, match="The stage Proposal is no longer used."):
        deals.move(jam, proposal, book.sam)
    stage_records.reactivate_stage(proposal)
    assert [s.name for s in stage_records.open_stages()] == ["Prospecting", "Engaging", "Proposal"]


def test_an_import_into_a_stopped_stage_is_refused(book, db, cli, tmp_path):
    stage_records.add_stage("Proposal", Decimal("0.6"))
    stage_records.deactivate_stage(stage("Proposal"))
    db.session.commit()
    path = tmp_path / "deals.csv"
    path.write_text(
        "external_id,title,customer_external_id,owner_email,product_sku,stage,opened_on,"
        "closed_on,amount,lost_reason\n"
        "E1,Fine,C1,sam@example.com,JAM,Prospecting,2026-01-01,,10.00,\n"
        "E2,Late,C1,sam@example.com,JAM,proposal,2026-01-01,,10.00,\n",
        encoding="utf-8",
    )
    result = cli.invoke(["pipeline", "import", str(path)])
    assert result.exit_code != 0
    assert "Line 3: the stage Proposal is no longer used (see the stages page)" in result.output
    assert "Line 2" not in result.output
    assert database.session.scalars(select(Opportunity)).all() == []


REFUSALS = [
    # (what, expected message)
    (lambda: stage_records.add_stage("engaging ", Decimal("0.5")),
     "There is already a stage called Engaging."),
    (lambda: stage_records.add_stage("   ", Decimal("0.5")), "A stage name is 1 to 60 characters."),
    (lambda: stage_records.add_stage("x" * 61, Decimal("0.5")),
     "A stage name is 1 to 60 characters."),
    (lambda: stage_records.add_stage("Proposal", Decimal("1.5")),
     "A probability is from 0 % to 100 % (a fraction from 0 to 1)."),
    (lambda: stage_records.add_stage("Proposal", Decimal("-0.01")),
     "A probability is from 0 % to 100 % (a fraction from 0 to 1)."),
    (lambda: stage_records.add_stage("Proposal", None),
     "A probability is from 0 % to 100 % (a fraction from 0 to 1)."),
    (lambda: stage_records.add_stage("Proposal", Decimal("0.12345")),
     "A probability has at most two decimals as a percentage (12.34 %)."),
    (lambda: stage_records.rename_stage(stage("Engaging"), "WON"),
     "There is already a stage called Won."),
    (lambda: stage_records.rename_stage(stage("Engaging"), ""),
     "A stage name is 1 to 60 characters."),
    (lambda: stage_records.set_default_probability(stage("Engaging"), Decimal("1.0001")),
     "A probability is from 0 % to 100 % (a fraction from 0 to 1)."),
    (lambda: stage_records.set_default_probability(stage("Won"), Decimal("0.9")),
     "The won stage's probability is 100 % and the lost stage's 0 %; they do not change."),
    (lambda: stage_records.set_default_probability(stage("Lost"), Decimal("0.1")),
     "The won stage's probability is 100 % and the lost stage's 0 %; they do not change."),
    (lambda: stage_records.deactivate_stage(stage("Won")),
     "The won and lost stages are always in use: Won cannot be stopped."),
    (lambda: stage_records.deactivate_stage(stage("Lost")),
     "The won and lost stages are always in use: Lost cannot be stopped."),
    (lambda: stage_records.deactivate_stage(stage("Engaging")),
     "2 open deals are in Engaging: move them to another stage first."),
    (lambda: stage_records.deactivate_stage(stage("Prospecting")),
     "1 open deal is in Prospecting: move it to another stage first."),
    (lambda: stage_records.move_stage(stage("Prospecting"), -1),
     "Prospecting is already the first open stage."),
    (lambda: stage_records.move_stage(stage("Engaging"), 1),
     "Engaging is already the last open stage."),
    (lambda: stage_records.move_stage(stage("Won"), -1),
     "Only open stages are reordered: the won and lost stages are not board columns."),
]  # fmt: skip


@pytest.mark.parametrize("index", range(len(REFUSALS)))
def test_every_refusal_says_why_and_changes_nothing(book, db, three, index):
    change, message = REFUSALS[index]
    before = snapshot()
    with pytest.raises(StageError) as raised:
        change()
    assert str(raised.value) == message
    assert snapshot() == before


def test_the_last_active_open_stage_stays(book, db, three):
    jam, oil, salt = three
    for deal in (jam, oil):
        deals.move(deal, stage("Won"), book.sam)
    deals.move(salt, stage("Engaging"), book.sam)
    stage_records.deactivate_stage(stage("Prospecting"))
    for deal in (salt,):
        deals.move(deal, stage("Won"), book.sam)
    before = snapshot()
    with pytest.raises(StageError) as raised:
        stage_records.deactivate_stage(stage("Engaging"))
    assert str(raised.value) == "Engaging is the last open stage in use: new deals start there."
    assert snapshot() == before


def test_open_deal_counts_per_open_stage(book, db, three):
    jam, _oil, _salt = three
    deals.move(jam, stage("Won"), book.sam)
    counts = stage_records.open_deal_counts()
    assert counts == {stage("Engaging").id: 1, stage("Prospecting").id: 1}


# The page ---------------------------------------------------------------------------------


def text(response):
    return response.get_data(as_text=True)


def rows(page):
    """The stage names on the stages page, in the order shown."""
    import re

    return re.findall(r'<h2 class="h6 mb-0 stage-name">([^<]+)</h2>', page)


def test_the_page_lists_the_stages_with_their_facts(client, login_as, book, three):
    login_as("admin")
    page = text(client.get("/pipeline/stages"))
    assert rows(page) == ["Prospecting", "Engaging", "Won", "Lost"]
    assert "1 open deal" in page and "2 open deals" in page
    assert "40 %" in page and "100 %" in page
    assert 'value="40"' in page and 'value="10"' in page  # the typed percent, as typed
    assert 'href="/pipeline/stages">Stages</a>' in page  # the tab
    assert 'href="/pipeline/stages">Pipeline stages</a>' in page  # the menu


def test_admin_adds_a_stage_and_it_is_a_board_column(client, login_as, db):
    login_as("admin")
    response = client.post(
        "/pipeline/stages/add", data={"name": "Proposal", "probability_percent": "62.5"}
    )
    assert response.status_code == 302
    added = stage("Proposal")
    assert (added.probability, added.position) == (Decimal("0.6250"), 3)
    page = text(client.get("/pipeline/stages"))
    assert "Stage Proposal added to the board." in page
    assert "62.50 %" in page and 'value="62.5"' in page
    board = text(client.get("/pipeline/"))
    assert f'data-stage-id="{added.id}"' in board and ">Proposal</h2>" in board


def test_a_refused_add_keeps_what_was_typed_and_says_why(client, login_as, db):
    login_as("admin")
    assert client.get("/pipeline/stages").status_code == 200  # seeds the stages, committed
    before = snapshot()
    assert len(before[0]) == 4
    response = client.post(
        "/pipeline/stages/add", data={"name": "ENGAGING", "probability_percent": "50"}
    )
    assert response.status_code == 400
    assert "There is already a stage called Engaging." in text(response)
    assert 'value="ENGAGING"' in text(response)
    response = client.post(
        "/pipeline/stages/add", data={"name": "Proposal", "probability_percent": "101"}
    )
    assert response.status_code == 400
    assert "A probability is from 0 % to 100 % (a fraction from 0 to 1)." in text(response)
    response = client.post(
        "/pipeline/stages/add", data={"name": "Proposal", "probability_percent": "lots"}
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_the_forms_rename_set_reorder_stop_and_use_again(client, login_as, book, three):
    jam, oil, _salt = three
    login_as("admin")
    engaging = stage("Engaging")
    response = client.post(f"/pipeline/stages/{engaging.id}/rename", data={"name": "Talking"})
    assert response.status_code == 302
    assert "Engaging is now called Talking." in text(client.get("/pipeline/stages"))
    client.post(f"/pipeline/stages/{engaging.id}/probability", data={"probability_percent": "55"})
    page = text(client.get("/pipeline/stages"))
    assert (
        "Talking's default probability is now 55 %; 1 deal using the default follows it, "
        "probabilities typed by hand are kept."
    ) in page.replace("&#39;", "'")
    database.session.expire_all()
    assert (jam.probability, oil.probability) == (Decimal("0.5500"), Decimal("0.6500"))
    client.post(f"/pipeline/stages/{engaging.id}/up")
    assert "Talking moved up." in text(client.get("/pipeline/stages"))
    assert [name for name, _p, _k in board_order()][:2] == ["Talking", "Prospecting"]
    client.post(f"/pipeline/stages/{engaging.id}/down")
    assert [name for name, _p, _k in board_order()][:2] == ["Prospecting", "Talking"]
    for deal in (jam, oil):
        deals.move(deal, stage("Prospecting"), book.sam)
    database.session.commit()
    client.post(f"/pipeline/stages/{engaging.id}/deactivate")
    page = text(client.get("/pipeline/stages"))
    assert "Talking is no longer used: it is off the board." in page and "not in use" in page
    assert f'data-stage-id="{engaging.id}"' not in text(client.get("/pipeline/"))
    client.post(f"/pipeline/stages/{engaging.id}/reactivate")
    assert "Talking is in use again." in text(client.get("/pipeline/stages"))
    assert f'data-stage-id="{engaging.id}"' in text(client.get("/pipeline/"))


def test_refused_posts_say_why_and_change_nothing(client, login_as, book, three):
    login_as("admin")
    engaging, won = stage("Engaging"), stage("Won")
    before = snapshot()
    posts = [
        (f"/pipeline/stages/{engaging.id}/deactivate", {},
         "Nothing changed: 2 open deals are in Engaging: move them to another stage first."),
        (f"/pipeline/stages/{won.id}/deactivate", {},
         "Nothing changed: The won and lost stages are always in use: Won cannot be stopped."),
        (f"/pipeline/stages/{engaging.id}/rename", {"name": "prospecting"},
         "Nothing changed: There is already a stage called Prospecting."),
        (f"/pipeline/stages/{engaging.id}/probability", {"probability_percent": "120"},
         "Nothing changed: A probability is from 0 % to 100 % (a fraction from 0 to 1)."),
        (f"/pipeline/stages/{engaging.id}/probability", {"probability_percent": ""},
         "Nothing changed: A probability is from 0 % to 100 % (a fraction from 0 to 1)."),
        (f"/pipeline/stages/{won.id}/probability", {"probability_percent": "90"},
         "Nothing changed: The won stage's probability is 100 % and the lost stage's 0 %; "
         "they do not change."),
        (f"/pipeline/stages/{engaging.id}/down", {},
         "Nothing changed: Engaging is already the last open stage."),
    ]  # fmt: skip
    for url, data, message in posts:
        response = client.post(url, data=data)
        assert response.status_code == 302, url
        page = text(client.get("/pipeline/stages")).replace("&#39;", "'")
        assert message in page, url
        assert snapshot() == before, url
    assert client.post("/pipeline/stages/999999/rename", data={"name": "X"}).status_code == 404
    assert client.get(f"/pipeline/stages/{engaging.id}/deactivate").status_code == 405


def test_only_admins_reach_the_page(client, login_as, book):
    for role in ("manager", "sales", "support", "marketing"):
        login_as(role)
        assert client.get("/pipeline/stages").status_code == 403, role
        assert "/pipeline/stages" not in text(client.get("/pipeline/forgotten")), role


# Chinese ----------------------------------------------------------------------------------

CHINESE_NAMES = {"Prospecting": "初步接触", "Engaging": "深入沟通", "Won": "赢单", "Lost": "丢单"}


def test_the_stages_page_in_chinese(client, login_as, book, three, make_user):
    # Stage names are the company's data: a Chinese company names its stages in Chinese.
    for english, chinese in CHINESE_NAMES.items():
        stage_records.rename_stage(stage(english), chinese)
    admin = make_user("admin", name="管理员")
    admin.language = "zh_CN"
    database.session.commit()
    login_as(admin)
    html = text(client.get("/pipeline/stages"))
    assert '<html lang="zh-CN">' in html
    assert english_left(html, PLUGIN, CORE) == []
    assert "添加进行中阶段" in html and "默认概率" in html
    assert 'href="/pipeline/stages">销售阶段</a>' in html  # the menu entry
    engaging = stage("深入沟通")
    client.post(f"/pipeline/stages/{engaging.id}/deactivate")
    html = text(client.get("/pipeline/stages"))
    assert english_left(html, PLUGIN, CORE) == []
    assert "深入沟通 中有 2 个进行中的商机" in html
    response = client.post(
        "/pipeline/stages/add", data={"name": "赢单", "probability_percent": "5"}
    )
    assert english_left(text(response), PLUGIN, CORE) == []
    assert "已有名为 赢单 的阶段。" in text(response)

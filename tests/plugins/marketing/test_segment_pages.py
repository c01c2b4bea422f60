"""Segment pages: the builder with its live count, saved segments, preview, CSV export, the CLI count."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from core.db import db
from plugins.marketing.models import Campaign, Segment
from plugins.marketing.segments import Condition, Rule, rule_from_json

DE_VIP = Rule("all", (Condition("marketing.country", "DE"), Condition("marketing.tag", "vip")))


def save(name, rule):
    segment = Segment(name=name, definition=rule.to_json())
    db.session.add(segment)
    db.session.commit()
    return segment


def builder_data(name, *conditions, match="all", action="save"):
    """The builder's form fields for these (key, value, negate) rows."""
    data = {"name": name, "description": "", "match": match, "action": action}
    for index, (key, value, negate) in enumerate(conditions):
        data[f"conditions-{index}-key"] = key
        data[f"conditions-{index}-value"] = value
        data[f"conditions-{index}-negate"] = "1" if negate else "0"
    return data


def test_builder_page_offers_every_criterion(shop, client, login_as):
    login_as("marketing")
    page = client.get("/marketing/segments/new")
    assert page.status_code == 200
    assert (
        b"Bought from category" in page.data and b'value="marketing.profit_at_least"' in page.data
    )
    assert b"segment-builder.js" in page.data and b'id="criteria-data"' in page.data
    assert b"Customer and purchases" in page.data
    assert client.get("/marketing/static/segment-builder.js").status_code == 200


def test_save_a_segment_from_the_builder(shop, client, login_as):
    user = login_as("marketing")
    data = builder_data(
        "Lapsed Germans",
        ("marketing.country", "DE", False),
        ("marketing.last_order_before", "2025-11-20", False),
    )
    response = client.post("/marketing/segments/new", data=data)
    assert response.status_code == 302
    segment = db.session.scalar(select(Segment).where(Segment.name == "Lapsed Germans"))
    assert segment.created_by_id == user.id
    assert rule_from_json(segment.definition) == Rule(
        "all",
        (
            Condition("marketing.country", "DE"),
            Condition("marketing.last_order_before", "2025-11-20"),
        ),
    )
    detail = client.get(response.location)
    assert (
        b"1 customers" in detail.data and b"Bob Brown" in detail.data
    )  # bob: DE, last order 2025-08-01


def test_add_condition_without_javascript_keeps_the_rows(shop, client, login_as):
    login_as("marketing")
    data = builder_data("Draft", ("marketing.tag", "vip", True), action="add")
    page = client.post("/marketing/segments/new", data=data)
    assert page.status_code == 200
    assert (
        page.data.count(b'class="row g-2 align-items-start mb-2 condition-row"') == 2 + 1
    )  # + the template
    assert b'value="vip"' in page.data and b'<option value="1" selected>' in page.data
    assert db.session.scalar(select(func.count()).select_from(Segment)) == 0
    # The preview on the page counts the rule typed so far: not vip = bob and dora.
    assert b'id="live-count" aria-live="polite">2<' in page.data


def test_problems_are_shown_and_nothing_is_saved(shop, client, login_as):
    login_as("marketing")
    data = builder_data(
        "Broken", ("marketing.spent_at_least", "a lot", False), ("loyalty.tier", "Gold", False)
    )
    page = client.post("/marketing/segments/new", data=data)
    assert page.status_code == 200
    assert (
        b"&#39;a lot&#39; is not a number" in page.data
        and b"loyalty.tier (not available)" in page.data
    )
    assert b'value="Broken"' in page.data
    missing_name = client.post(
        "/marketing/segments/new", data=builder_data("", ("marketing.country", "DE", False))
    )
    assert b"This field is required" in missing_name.data
    save("Taken", Rule())
    taken = client.post(
        "/marketing/segments/new", data=builder_data("Taken", ("marketing.country", "DE", False))
    )
    assert b"Another segment has this name" in taken.data
    assert db.session.scalar(select(func.count()).select_from(Segment)) == 1


def test_edit_a_segment(shop, client, login_as):
    login_as("manager")
    segment = save("VIP", DE_VIP)
    page = client.get(f"/marketing/segments/{segment.id}/edit")
    assert page.status_code == 200 and b'value="vip"' in page.data
    data = builder_data("VIP anywhere", ("marketing.tag", "vip", False))
    assert client.post(f"/marketing/segments/{segment.id}/edit", data=data).status_code == 302
    db.session.refresh(segment)
    assert segment.name == "VIP anywhere"
    assert rule_from_json(segment.definition).conditions == (Condition("marketing.tag", "vip"),)


def test_live_count_answers_json(shop, client, login_as):
    login_as("marketing")
    answer = client.get("/marketing/segments/count", query_string={"rule": DE_VIP.to_json()})
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["count"] == 1 and data["problems"] == []
    assert [row["name"] for row in data["sample"]] == ["Ada Lovelace"]
    assert data["preview_url"].startswith("/marketing/segments/preview?rule=")
    # The builder's own fields work as query arguments too.
    fields = builder_data(
        "x", ("marketing.channel", "web", False), ("marketing.city", "Paris", False), match="any"
    )
    assert client.get("/marketing/segments/count", query_string=fields).get_json()["count"] == 2
    bad = client.get("/marketing/segments/count", query_string={"rule": "{"})
    assert bad.status_code == 400 and bad.get_json()["problems"] == ["The rule is not valid JSON."]


def test_preview_of_an_unsaved_rule(shop, client, login_as):
    login_as("marketing")
    page = client.get("/marketing/segments/preview", query_string={"rule": DE_VIP.to_json()})
    assert (
        page.status_code == 200 and b"Ada Lovelace" in page.data and b"Bob Brown" not in page.data
    )
    assert b"Country: DE; Has tag: vip" in page.data
    broken = client.get("/marketing/segments/preview", query_string={"rule": '{"match": "most"}'})
    assert broken.status_code == 200 and b"&#39;all&#39; or &#39;any&#39;" in broken.data


def test_segment_detail_paginates_and_sorts(shop, client, login_as, make_customer):
    login_as("marketing")
    for number in range(30):
        make_customer(name=f"Zed {number:02d}", country="DE")
    segment = save("Germans", Rule("all", (Condition("marketing.country", "DE"),)))
    first = client.get(f"/marketing/segments/{segment.id}")
    assert (
        b"32 customers" in first.data
        and b"page 1 of 2" in first.data
        and b"Ada Lovelace" in first.data
    )
    second = client.get(f"/marketing/segments/{segment.id}?page=2")
    assert b"Zed 29" in second.data and b"Ada Lovelace" not in second.data
    backwards = client.get(f"/marketing/segments/{segment.id}?sort=name&dir=desc")
    assert backwards.data.index(b"Zed 29") < backwards.data.index(b"Zed 28")


def test_csv_export(shop, client, login_as):
    login_as("marketing")
    shop.ada.company = "=HYPERLINK(1)"
    db.session.commit()
    segment = save("VIP", Rule("all", (Condition("marketing.tag", "vip"),)))
    response = client.get(f"/marketing/segments/{segment.id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["name"] for row in rows] == ["Ada Lovelace", "Cem Caliskan"]
    assert rows[0]["company"] == "'=HYPERLINK(1)"  # a spreadsheet will not run it
    assert rows[0]["tags"] == "vip,wholesale" and rows[1]["email"] == ""


def test_segment_list_counts_in_a_fixed_number_of_queries(shop, client, login_as, count_queries):
    login_as("marketing")
    for number in range(2):
        save(f"S{number}", Rule("all", (Condition("marketing.orders_at_least", str(number)),)))
    db.session.expire_all()
    with count_queries() as few:
        page = client.get("/marketing/segments/")
    assert b"S0" in page.data
    for number in range(2, 8):
        save(f"S{number}", Rule("all", (Condition("marketing.spent_at_least", str(number)),)))
    db.session.expire_all()
    with count_queries() as many:
        page = client.get("/marketing/segments/")
    assert b"S7" in page.data
    assert len(many) == len(few)


def test_delete_a_segment_unless_a_campaign_uses_it(shop, client, login_as):
    login_as("marketing")
    used = save("Used", Rule())
    db.session.add(Campaign(name="C", topic="offers", subject="s", body="b", segment=used))
    unused = save("Unused", Rule())
    db.session.commit()
    refused = client.post(f"/marketing/segments/{used.id}/delete", follow_redirects=True)
    assert b"is used by 1 campaign(s)" in refused.data
    assert client.post(f"/marketing/segments/{unused.id}/delete").status_code == 302
    assert db.session.scalar(select(Segment.name)) == "Used"


@pytest.mark.parametrize("role", ["sales", "support"])
def test_segment_pages_are_refused_to_other_roles(shop, client, login_as, role):
    segment = save("VIP", DE_VIP)
    login_as(role)
    for url in ("/marketing/segments/", "/marketing/segments/new", f"/marketing/segments/{segment.id}",
                f"/marketing/segments/{segment.id}/export.csv", "/marketing/segments/count?rule={}"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert client.post(f"/marketing/segments/{segment.id}/delete").status_code == 403


def test_segment_pages_need_a_login(client, app):
    response = client.get("/marketing/segments/count?rule={}")
    assert response.status_code == 302 and "/login" in response.location


def test_unknown_segment_is_404(client, login_as):
    login_as("marketing")
    assert client.get("/marketing/segments/42").status_code == 404
    assert client.get("/marketing/segments/x/edit").status_code == 404


def test_cli_segment_count(shop, cli):
    save("VIP", Rule("all", (Condition("marketing.tag", "vip"),)))
    save("Broken", Rule("all", (Condition("loyalty.tier", "Gold"),)))
    result = cli.invoke(["marketing", "segment-count", "VIP"])
    assert result.exit_code == 0 and result.output == "2\n"
    unknown = cli.invoke(["marketing", "segment-count", "Nope"])
    assert (
        unknown.exit_code == 1
        and "no segment called 'Nope' (segments: Broken, VIP)" in unknown.output
    )
    broken = cli.invoke(["marketing", "segment-count", "Broken"])
    assert broken.exit_code == 1 and "'loyalty.tier' is not available" in broken.output
    assert json.loads(Rule().to_json()) == {"match": "all", "conditions": []}

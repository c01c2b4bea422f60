"""Possible duplicates and merging one customer into another, with every plugin enabled.

The shop: Ada (C-1, Berlin) bought 10 × jar at 10.00 with unit cost 6.10 → profit 39.00;
"ADA LOVELACE" (C-2, Berlin, the same phone typed another way) bought 2 × jar → profit 7.80,
has an open ticket and opted out of offers mail. After merging C-2 into C-1, Ada's orders
are both, her profit over 12 months is 39.00 + 7.80 = 46.80, the ticket and the opt-out are
hers, and C-2 is gone but still found by imports.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import db
from core.merging import duplicate_groups, duplicate_keys, merge_customers, references_to
from core.models import Customer, CustomerMerge, Order
from core.plugins import hookimpl
from plugins.loyalty.models import CustomerValue
from plugins.marketing import consent
from plugins.marketing.models import TopicOptOut
from plugins.service_desk.models import Ticket
from plugins.service_desk.tickets import NewTicket, open_ticket

TOPICS = ["newsletter", "offers", "events"]


@pytest.fixture
def clientele_plugins():
    return ["sales_commission", "loyalty", "service_desk", "marketing", "insights"]


@pytest.fixture
def twins(make_user, make_customer, make_product, make_order):
    seller = make_user("sales", name="Sally Seller")
    ada = make_customer(
        external_id="C-1",
        name="Ada Lovelace",
        email="ada@example.com",
        phone="030 947248",
        country="DE",
        city="Berlin",
        tags="vip",
    )
    copy = make_customer(
        external_id="C-2", name="ADA LOVELACE", email="", phone="+49 30 947248",
        country="DE", city="berlin", company="Analytical Engines", tags="newsletter",
    )  # fmt: skip
    jar = make_product(sku="JAR", name="Jar", list_price="10.00", unit_cost="6.10")
    make_order(customer=ada, salesperson=seller, lines=[(jar, 10)], number="SO-1")
    make_order(customer=copy, salesperson=seller, lines=[(jar, 2)], number="SO-2")
    open_ticket(NewTicket("complaint", "phone", "Lid broken", customer=copy), by=seller)
    consent.record_consent(copy, "offers", False, "staff", TOPICS, note="fair")
    db.session.commit()
    return ada, copy


def profit_cents(customer_id):
    return db.session.scalar(
        select(CustomerValue.profit_12m_cents).where(CustomerValue.customer_id == customer_id)
    )


def test_likely_duplicates_by_phone_email_and_name_and_city(twins, make_customer):
    ada, copy = twins
    other = make_customer(name="Someone", email="ADA@example.com")
    groups = duplicate_groups(duplicate_keys())
    assert [(group.kind, group.key, group.customer_ids) for group in groups] == [
        ("phone", "+4930947248", (ada.id, copy.id)),
        ("email", "ada@example.com", (ada.id, other.id)),
        ("name_city", "ada lovelace · berlin", (ada.id, copy.id)),
    ]


def test_hook_customers_merged(twins, temp_plugin, make_user):
    ada, copy = twins
    seen = []

    class Listener:
        @hookimpl
        def customers_merged(self, kept, merged):
            # The orders have moved already; the ticket has not yet (plugins move theirs here).
            orders = db.session.scalars(select(Order.number).where(Order.customer_id == kept.id))
            ticket_owner = db.session.scalar(select(Ticket.customer_id))
            seen.append((kept.id, merged.id, sorted(orders), ticket_owner))

    temp_plugin(Listener())
    copy_id = copy.id
    merge_customers(ada, copy, make_user("manager"))
    assert seen == [(ada.id, copy_id, ["SO-1", "SO-2"], copy_id)]


def test_a_plugin_refusing_the_merge_leaves_everything_as_it_was(
    twins, temp_plugin, client, login_as
):
    ada, copy = twins

    class Refuser:
        @hookimpl
        def customers_merged(self, kept, merged):
            raise RuntimeError("not today")

    temp_plugin(Refuser())
    login_as("manager")
    response = client.post("/data/merge", data={"keep": ada.id, "merge": copy.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Customer, copy.id) is not None
    assert db.session.scalar(select(Order.customer_id).where(Order.number == "SO-2")) == copy.id
    assert db.session.scalar(select(func.count()).select_from(CustomerMerge)) == 0


def test_merging_moves_everything_and_figures_add_up(twins, client, login_as):
    ada, copy = twins
    copy_id = copy.id
    assert (profit_cents(ada.id), profit_cents(copy_id)) == (3900, 780)
    manager = login_as("manager")
    page = client.get(f"/data/merge?keep={ada.id}&merge={copy_id}").get_data(as_text=True)
    assert "<code>order</code>: 1" in page and "<code>service_desk_ticket</code>: 1" in page
    assert "company, tags" in page  # filled in from the merged record
    assert db.session.get(Customer, copy_id) is not None  # looking changes nothing
    response = client.post("/data/merge", data={"keep": ada.id, "merge": copy_id})
    assert response.status_code == 302 and response.location.endswith(f"/customers/{ada.id}")
    db.session.expire_all()
    assert db.session.get(Customer, copy_id) is None
    numbers = db.session.scalars(select(Order.number).where(Order.customer_id == ada.id))
    assert sorted(numbers) == ["SO-1", "SO-2"]
    assert db.session.scalar(select(Ticket.customer_id)) == ada.id
    assert db.session.scalar(select(TopicOptOut.customer_id)) == ada.id
    # Loyalty worked the figures out again: 39.00 + 7.80 = 46.80.
    assert profit_cents(ada.id) == 4680 and profit_cents(copy_id) is None
    kept = db.session.get(Customer, ada.id)
    assert (kept.company, kept.tags, kept.email) == (
        "Analytical Engines",
        "vip,newsletter",
        "ada@example.com",
    )
    record = db.session.scalar(select(CustomerMerge))
    assert (record.kept_id, record.merged_customer_id, record.external_id, record.name) == (
        ada.id,
        copy_id,
        "C-2",
        "ADA LOVELACE",
    )
    assert record.merged_by_id == manager.id
    assert "order: 1" in record.moved and "service_desk_ticket: 1" in record.moved
    assert references_to(copy_id) == {}


def test_imports_after_a_merge_still_find_the_customer(twins, cli, make_user, tmp_path):
    ada, copy = twins
    merge_customers(ada, copy, make_user("manager"))
    db.session.commit()
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "number,customer_external_id,salesperson_email,order_date,status\n"
        "SO-9,C-2,,2025-01-10,draft\n",
        encoding="utf-8",
    )
    result = cli.invoke(["import", "orders", str(orders)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Order.customer_id).where(Order.number == "SO-9")) == ada.id
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "external_id,name,company,email,phone,country,region,city,channel,birthday,owner_email,tags,created_at\n"
        "C-2,ADA LOVELACE,,,,DE,,,,,,,\n",
        encoding="utf-8",
    )
    result = cli.invoke(["import", "customers", str(customers)])
    assert result.exit_code == 0, result.output
    assert (
        f"line 2: external_id 'C-2' was merged into customer {ada.id}; the row is not imported"
        in result.output
    )
    assert "customers: 0 added, 0 changed, 1 unchanged; 1 row(s) of merged customers skipped" in (
        result.output
    )
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 1


def test_merge_pages_are_for_admins_and_managers_and_merge_by_post(twins, client, login_as):
    ada, copy = twins
    login_as("sales")
    assert client.get("/data/duplicates").status_code == 403
    assert client.get(f"/data/merge?keep={ada.id}&merge={copy.id}").status_code == 403
    assert client.post("/data/merge", data={"keep": ada.id, "merge": copy.id}).status_code == 403
    login_as("admin")
    page = client.get("/data/duplicates").get_data(as_text=True)
    assert "Same phone number: <strong>+4930947248</strong>" in page
    assert f'href="/data/merge?keep={ada.id}&amp;merge={copy.id}"' in page
    into_itself = client.get(f"/data/merge?keep={ada.id}&merge={ada.id}")
    assert into_itself.status_code == 302
    assert client.get(f"/data/merge?keep={ada.id}&merge=999999").status_code == 404
    assert db.session.get(Customer, copy.id) is not None


def test_the_duplicates_page_lists_past_merges(twins, client, login_as, db):
    ada, copy = twins
    admin = login_as("admin")
    assert "No customers have been merged yet." in client.get("/data/duplicates").get_data(
        as_text=True
    )
    copy_id = copy.id
    client.post("/data/merge", data={"keep": ada.id, "merge": copy_id})
    page = client.get("/data/duplicates").get_data(as_text=True)
    past = page[page.index('id="past-merges"') :]
    # Who merged what into whom, and what moved: SO-2, the ticket, the opt-out and so on.
    assert "ADA LOVELACE" in past and "C-2" in past and "+49 30 947248" in past
    assert f'<a href="/customers/{ada.id}">Ada Lovelace</a>' in past
    assert f'<td class="small">{admin.name}</td>' in past
    record = db.session.scalar(select(CustomerMerge))
    assert record.moved and f'<td class="small">{record.moved}</td>' in past
    assert "order: 1" in record.moved

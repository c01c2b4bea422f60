"""Fuzzing every form and every import column: never a 500, never half-written.

Every page of the demo company (all four plugins) is opened; every POST form found on it is
sent values made by hypothesis: empty, 1 MB strings, NUL bytes, unicode, 1e309, NaN, −0,
impossible dates, ids past 2^31, HTML and script. A refused form (anything but a redirect)
must leave every table's row count as it was. Every column of every import format gets the
same values in an otherwise valid row: the import refuses the row with a message or takes
it, and a refused file writes nothing.

The normal suite runs a few examples per form and column; CLIENTELE_FUZZ_EXAMPLES raises
it (docs/operations.md has the figures of a larger run).
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select

from core.db import db
from core.importing import FORMATS, ImportFileError, import_file
from core.plugins import PluginError

EXAMPLES = int(os.environ.get("CLIENTELE_FUZZ_EXAMPLES", "2"))
PLUGINS = ["sales_commission", "loyalty", "service_desk", "marketing"]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "1e309",
    "-1e309",
    "Infinity",
    "-Infinity",
    "NaN",
    "-0",
    "0.001",
    "1.005",
    "2147483648",
    "9223372036854775808",
    "-2147483649",
    "99999999999999999999999999",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "2026-13-01T25:61",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    "ü名字🙂\u202e",
    '=HYPERLINK("http://x")',
    "x" * 1_000_000,
]
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))


def row_counts() -> dict[str, int]:
    """Rows of every table (to see that a refused request wrote nothing)."""
    present = set(inspect(db.session.connection()).get_table_names())
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name in present
    }


class Forms(HTMLParser):
    """The POST forms of a page: {action: [field names]}."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, list[str]] = {}
        self.current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and (found.get("method") or "").lower() == "post":
            self.current = self.forms.setdefault(found.get("action") or "", [])
        elif tag in ("input", "textarea", "select") and self.current is not None:
            name = found.get("name")
            if name and name not in self.current and name != "csrf_token":
                self.current.append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None


ARGUMENTS = {"period": "2026-10", "occasion": "birthday"}


def lowest_id(app: Any, tables: tuple[str, ...]) -> str:
    """The lowest id in the first of these tables that exists and has rows, else "1"."""
    with app.app_context():
        for name in tables:
            table = db.metadata.tables.get(name)
            if table is not None and "id" in table.c:
                found = db.session.scalar(select(func.min(table.c.id)))
                if found is not None:
                    return str(found)
    return "1"


def page_urls(app: Any) -> list[str]:
    """Every GET page, with the lowest existing id (or a sample value) for its arguments.

    Ids are looked up rather than assumed to be 1: PostgreSQL's sequences go on counting
    across tests, so the demo's first customer may be customer 4013 there.
    """
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in ("static", "bootstrap.static"):
            continue
        if "static" in rule.endpoint or "export" in rule.rule or rule.rule.endswith(".csv"):
            continue
        prefix = rule.endpoint.split(".")[0]

        def value(match: re.Match[str], rule: Any = rule, prefix: str = prefix) -> str:
            name = match.group(1)
            if name in ARGUMENTS:
                return ARGUMENTS[name]
            before = rule.rule[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            entity = name[: -len("_id")] if name.endswith("_id") else before.rstrip("s")
            return lowest_id(app, (f"{prefix}_{entity}", entity))

        urls.append(re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", value, rule.rule))
    return sorted(set(urls))


@pytest.fixture
def demo_company(make_app, cli, login_as):
    """The four plugins' demo company, an admin logged in."""
    app = make_app(plugins=PLUGINS)
    from core.testing import CliRunner

    result = CliRunner(app).invoke(["demo", "--customers", "12", "--orders", "40", "--seed", "3"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    user = login_as("admin")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return app, client


def discovered_forms(client: Any, app: Any) -> dict[str, list[str]]:
    forms: dict[str, list[str]] = {}
    for url in page_urls(app):
        page = client.get(url)
        assert page.status_code != 500, url
        if page.status_code != 200 or "html" not in page.content_type:
            continue
        parser = Forms()
        parser.feed(page.get_data(as_text=True))
        for action, fields in parser.forms.items():
            target = action or url
            if target.startswith("/") and "logout" not in target:
                forms.setdefault(target, fields)
    return forms


def test_every_form_answers_without_a_500_and_a_refusal_writes_nothing(demo_company):
    app, client = demo_company
    forms = discovered_forms(client, app)
    assert len(forms) >= 25, sorted(forms)
    outcomes: dict[int, int] = {}
    for action, fields in sorted(forms.items()):
        fuzz_form(client, action, fields, outcomes)()
    print(
        f"FUZZ forms={len(forms)} posts={sum(outcomes.values())} statuses={sorted(outcomes.items())}"
    )
    assert 500 not in outcomes


def fuzz_form(client: Any, action: str, fields: list[str], outcomes: dict[int, int]) -> Any:
    """A hypothesis test posting fuzzed values to one form."""

    @FUZZ
    @given(st.fixed_dictionaries(dict.fromkeys(fields, VALUES)))
    def post(data: dict[str, str]) -> None:
        before = row_counts()
        answer = client.post(action, data=data)
        outcomes[answer.status_code] = outcomes.get(answer.status_code, 0) + 1
        assert answer.status_code < 500, (action, answer.status_code)
        if answer.status_code != 302:
            assert row_counts() == before, action
        db.session.rollback()

    return post


def test_searches_filters_and_pages_answer_without_a_500(demo_company):
    app, client = demo_company
    urls = [url for url in page_urls(app) if "/survey/" not in url and "/unsubscribe/" not in url]
    names = ["q", "page", "customer", "owner", "salesperson", "status", "from", "to", "sort", "dir"]

    @FUZZ
    @given(st.sampled_from(urls), st.fixed_dictionaries(dict.fromkeys(names, VALUES)))
    def search(url: str, arguments: dict[str, str]) -> None:
        small = {name: value[:2000] for name, value in arguments.items()}  # a URL, not a body
        assert client.get(url, query_string=small).status_code < 500, url

    search()


VALID_ROWS = {
    "users": {"email": "new@example.com", "name": "New Person", "role": "sales"},
    "customers": {
        "external_id": "C-NEW",
        "name": "New Customer",
        "company": "",
        "email": "c@example.com",
        "phone": "",
        "country": "DE",
        "region": "",
        "city": "Berlin",
        "channel": "web",
        "birthday": "1980-02-29",
        "owner_email": "",
        "tags": "vip",
        "created_at": "2025-01-01",
    },
    "products": {
        "sku": "NEW-1",
        "name": "New tea",
        "category": "Tea",
        "list_price": "4.50",
        "unit_cost": "2.00",
        "active": "true",
    },
    "orders": {
        "number": "IMP-1",
        "customer_external_id": "C-1",
        "salesperson_email": "",
        "order_date": "2025-03-01",
        "status": "confirmed",
    },
    "order-lines": {
        "order_number": "IMP-1",
        "sku": "P-1",
        "quantity": "2",
        "unit_price": "3.00",
        "discount": "0.1",
        "unit_cost": "",
    },
}


def write_csv(path: Path, row: dict[str, str]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)


@pytest.fixture
def importing(db, make_customer, make_product, tmp_path):
    """A customer C-1, a product P-1 and order IMP-1 (for the order-lines format)."""
    make_customer(external_id="C-1")
    make_product(sku="P-1")
    write_csv(tmp_path / "orders.csv", VALID_ROWS["orders"])
    assert import_file("orders", tmp_path / "orders.csv").written
    db.session.commit()
    return tmp_path


@pytest.mark.parametrize(
    ("kind", "column"),
    [(kind, column) for kind, row in VALID_ROWS.items() for column in row],
)
def test_every_import_column_refuses_or_takes_a_value_never_half_writes(importing, kind, column):
    assert list(VALID_ROWS[kind]) == list(FORMATS[kind].columns) or set(VALID_ROWS[kind]) == set(
        FORMATS[kind].columns
    )

    @FUZZ
    @given(VALUES)
    def run(value: str) -> None:
        path = importing / f"{kind}.csv"
        write_csv(path, {**VALID_ROWS[kind], column: value})
        before = row_counts()
        try:
            result = import_file(kind, path)
        except (ImportFileError, PluginError):
            result = None
        if result is None or not result.written:
            assert row_counts() == before, (kind, column, value[:40])
            if result is not None:
                assert result.problems, (kind, column)
        db.session.rollback()

    run()

"""The README tour works word for word on a fresh demo, and every app path the docs name answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from core import dates
from core.demo import DemoOptions, fill_database
from core.models import Customer, Order, User

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ["sales_commission", "loyalty", "service_desk", "marketing", "insights", "pipeline"]
#: A path in backticks (optionally after GET/POST), a site-relative link, or a local URL.
PATH = re.compile(
    r"`(?:GET |POST )?(/[^`\s]*)`|\]\((/[^)\s]+)\)|https?://127\.0\.0\.1:5000(/[^\s>)`]*)"
)
NOT_APP = ("/etc/", "/var/", "/usr/", "/tmp/", "/home/", "/opt/")


@pytest.fixture
def clientele_plugins():
    """The four plugins, and the docs' example plugin when it is installed (make test does)."""
    from core.plugins._discovery import available_plugins

    return PLUGINS + (["example"] if "example" in available_plugins() else [])


@pytest.fixture
def demo(app, db):
    fill_database(DemoOptions(customers=150, orders=600, seed=7), dates.today())
    db.session.commit()


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def named_paths() -> dict[str, str]:
    """{path: the document naming it} for every app path in README.md and docs/."""
    found = {}
    for document in documents():
        for match in PATH.finditer(document.read_text()):
            path = next(group for group in match.groups() if group)
            if path.startswith(NOT_APP) or re.search(r"\.(txt|toml|md|py|service)$", path):
                continue
            found.setdefault(path, str(document.relative_to(ROOT)))
    return found


def concrete(path: str, values: dict[str, str]) -> str:
    """The path with its placeholders (<id>, ID, YYYY-MM, a|b) replaced by real values."""
    path = path.replace("<id>", values["order"]).replace("ID", values["segment"])
    path = path.replace("YYYY-MM", values["period"]).replace("<token>", "not-a-token")
    return re.sub(r"=([a-z_]+)\|[a-z_|]+", r"=\1", path)


def test_the_docs_name_the_pages_a_reader_looks_for():
    paths = named_paths()
    assert "/admin/users/" in paths and "/admin/plugins" in paths
    assert "/users/" not in paths  # the staff page lives under /admin


def test_every_app_path_in_the_docs_answers_an_admin(demo, db, client, login_as):
    from plugins.marketing.models import Segment

    admin = login_as("admin")
    values = {
        "order": str(db.session.scalar(select(Order.id).order_by(Order.id))),
        "segment": str(db.session.scalar(select(Segment.id).order_by(Segment.id))),
        "period": dates.period_of(dates.today()),
    }
    answers = {}
    for path, document in named_paths().items():
        if "<" in path or "{" in path:  # a pattern such as /<plugin>, not a page
            continue
        url = concrete(path, values)
        status = client.get(url).status_code
        answers[f"{document}: {url}"] = status
    assert answers, "no app path found in the docs"
    missing = {where: status for where, status in answers.items() if status == 404}
    broken = {where: status for where, status in answers.items() if status >= 500}
    assert (missing, broken) == ({}, {}), answers
    assert admin.role == "admin"


def test_the_readme_tour_on_a_fresh_demo(demo, db, client, login_as):
    readme = (ROOT / "README.md").read_text()
    login_as("admin")
    # "open *Claudia Meyer* (search `030 947248`)": the number in any of the README's formats.
    assert "Claudia Meyer" in readme
    claudia = db.session.scalar(select(Customer).where(Customer.name == "Claudia Meyer"))
    assert claudia is not None and claudia.phone_normalized == "+4930947248"
    for typed in ("030 947248", "030/947248", "+49 (0)30 947248", "0049 30 947248"):
        assert f"`{typed}`" in readme
        page = client.get("/customers/", query_string={"q": typed}).get_data(as_text=True)
        assert "Claudia Meyer" in page and "+49 30 947248" in page, typed
    detail = client.get(f"/customers/{claudia.id}").get_data(as_text=True)
    assert 'href="tel:+4930947248"' in detail
    assert db.session.scalar(select(Order.id).where(Order.customer_id == claudia.id))  # history
    # "a national number such as `0676 6906781` finds the Austrian customer who gave it".
    page = client.get("/customers/", query_string={"q": "0676 6906781"}).get_data(as_text=True)
    assert "+43 676 6906781" in page
    # "`muller` finds Müller".
    assert "Müller" in client.get("/customers/", query_string={"q": "muller"}).get_data(True)
    # Step 5: the logins the README names are the demo's, with the roles it gives them.
    for email, role in (
        ("anna.becker@acme.example", "sales"),
        ("tobias.wagner@acme.example", "support"),
        ("julia.hoffmann@acme.example", "marketing"),
    ):
        assert f"`{email}`" in readme
        assert db.session.scalar(select(User.role).where(User.email == email)) == role

"""The user documentation stays true: links resolve, every page is reachable, the matrix is the code's."""

from __future__ import annotations

import re
from pathlib import Path

from core import default_hooks
from core.models import ROLES

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _documents() -> list[Path]:
    """README.md and every Markdown page under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(document: Path) -> set[str]:
    """The anchors of a document's headings."""
    headings = re.findall(r"^#{1,6} (.+)$", document.read_text(), flags=re.M)
    return {_anchor(heading) for heading in headings}


def test_every_relative_link_and_anchor_resolves():
    broken = []
    for document in _documents():
        for target in LINK.findall(document.read_text()):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            resolved = (document.parent / path).resolve() if path else document
            if not resolved.exists():
                broken.append(f"{document.relative_to(ROOT)} → {target}")
            elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
                broken.append(f"{document.relative_to(ROOT)} → {target} (no such heading)")
    assert broken == []


def test_the_readme_links_every_docs_page():
    readme = (ROOT / "README.md").read_text()
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in LINK.findall(readme)}
    pages = set((ROOT / "docs").rglob("*.md"))
    assert sorted(str(page.relative_to(ROOT)) for page in pages - linked) == []


def test_the_permission_matrix_is_the_codes():
    text = (ROOT / "docs" / "permissions.md").read_text()
    rows = re.findall(r"^\| `([a-z_.]+)` \| ([^|]+) \|((?: [✓–] \|)+)$", text, flags=re.M)
    documented = {
        name: (label.strip(), [cell.strip() == "✓" for cell in cells.strip(" |").split("|")])
        for name, label, cells in rows
    }
    header = re.search(r"^\| permission \| what it allows \|(.+)\|$", text, flags=re.M)
    assert header is not None
    assert [role.strip() for role in header.group(1).split("|")] == list(ROLES)
    in_code = {
        permission.name: (
            permission.label,
            [role == "admin" or role in permission.roles for role in ROLES],
        )
        for permission in default_hooks.permissions()
    }
    assert documented == in_code

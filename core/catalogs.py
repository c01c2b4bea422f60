"""The translation catalogs: extract the marked strings, update each language's .po, compile .mo.

One catalog per package: the core (core/translations) and each plugin
(<plugin package>/translations), so a plugin ships its own translations. Run from the
repository:

    python -m core.catalogs update [PACKAGE_DIR ...]   # extract, then merge into every .po
    python -m core.catalogs compile [PACKAGE_DIR ...]  # .po → .mo (committed with the .po)
    python -m core.catalogs check [PACKAGE_DIR ...]    # exit 1 if a string is untranslated

``make messages`` runs update and compile for the core and every in-tree plugin. Without
PACKAGE_DIR the core and every folder of plugins/ are done. A new language:
``python -m core.catalogs init fr core`` (and add it to core.i18n.LANGUAGES). A catalog's
folder is Babel's name of the locale: zh_CN (as configured) is read from zh_Hans_CN/.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent

#: What is extracted: Python sources and Jinja templates; `_`, `_l`, `lazy_gettext`, `ngettext`,
#: and `N_` (marked only: a message stored in English and translated when shown).
METHOD_MAP = [
    ("**/migrations/**", "ignore"),
    ("**/translations/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**/templates/**.txt", "jinja2.ext:babel_extract"),
]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
    "N_": None,
}
OPTIONS = {
    "**/templates/**.html": {"extensions": "jinja2.ext.do,jinja2.ext.loopcontrols"},
    "**/templates/**.txt": {"extensions": "jinja2.ext.do,jinja2.ext.loopcontrols"},
}


def packages() -> list[Path]:
    """The core and every in-tree plugin package."""
    plugins = sorted(
        path for path in (ROOT / "plugins").iterdir() if (path / "__init__.py").is_file()
    )
    return [ROOT / "core", *plugins]


def extract(package: Path) -> Catalog:
    """Every marked string of a package (its Python files and templates) as a template catalog."""
    template = Catalog(project="clientele", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(package), METHOD_MAP, OPTIONS, keywords=KEYWORDS, strip_comment_tags=True
    ):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        template.add(
            message,
            None,
            [(filename, lineno)],
            auto_comments=comments,
            context=context,
            flags=("python-format",) if "%(" in str(message) else (),
        )
    return template


def po_paths(package: Path) -> Iterator[tuple[str, Path]]:
    """(language, its .po file) of a package."""
    folder = package / "translations"
    if folder.is_dir():
        for po in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
            yield po.parent.parent.name, po


def read_catalog(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)


def update(package: Path) -> None:
    """Merge the package's extracted strings into each of its .po files (new ones empty)."""
    template = extract(package)
    for language, po in po_paths(package):
        catalog = read_catalog(po, language)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        write_catalog(catalog, po)


def init(language: str, package: Path) -> None:
    """Start a language's catalog for a package."""
    from babel import Locale

    language = str(Locale.parse(language))  # the folder Babel looks in: zh_CN → zh_Hans_CN
    catalog = Catalog(
        locale=language,
        project="clientele",
        charset="utf-8",
        copyright_holder="Clientele",
        fuzzy=False,
    )
    catalog.update(extract(package), no_fuzzy_matching=True)
    write_catalog(catalog, package / "translations" / language / "LC_MESSAGES" / "messages.po")


def compile_package(package: Path) -> None:
    """Write each .po's .mo beside it (untranslated and fuzzy entries fall back to English)."""
    for language, po in po_paths(package):
        catalog = read_catalog(po, language)
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)


def missing(package: Path) -> dict[str, list[str]]:
    """Per language, the marked strings its .po lacks or leaves untranslated (or fuzzy)."""
    template = extract(package)
    found: dict[str, list[str]] = {}
    for language, po in po_paths(package):
        catalog = read_catalog(po, language)
        gaps = []
        for message in template:
            if not message.id:
                continue
            entry = catalog.get(message.id, message.context)
            if entry is None or entry.fuzzy or not _translated(entry):
                gaps.append(str(message.id if isinstance(message.id, str) else message.id[0]))
        found[language] = gaps
    return found


def stale_mo(package: Path) -> list[str]:
    """The .mo files that do not hold what their .po says (run `make messages`)."""
    stale = []
    for language, po in po_paths(package):
        mo = po.with_suffix(".mo")
        if not mo.exists():
            stale.append(str(mo))
            continue
        with mo.open("rb") as handle:
            compiled = {
                _hashable(message.id): _hashable(message.string)
                for message in read_mo(handle)
                if message.id
            }
        wanted = {
            _hashable(message.id): _hashable(message.string)
            for message in read_catalog(po, language)
            if message.id and not message.fuzzy and _translated(message)
        }
        if compiled != wanted:
            stale.append(str(mo))
    return stale


def _hashable(value: Any) -> Any:
    """A plural message's id and strings (lists in a .mo, tuples in a .po) as one tuple kind."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _translated(message: Message) -> bool:
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"update", "compile", "check", "init"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "init":
        init(rest[0], ROOT / rest[1] if len(rest) > 1 else ROOT / "core")
        return 0
    chosen = [Path(name).resolve() for name in rest] or packages()
    failed = False
    for package in chosen:
        if command == "update":
            update(package)
        elif command == "compile":
            compile_package(package)
        else:
            for language, gaps in missing(package).items():
                for gap in gaps:
                    failed = True
                    print(f"{package.name} [{language}]: not translated: {gap!r}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

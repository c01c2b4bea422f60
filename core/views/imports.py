"""The web import: upload a CSV or .xlsx file, map its columns, check it (dry run), import it.

The same rules as ``clientele import`` (core.importing): every row is checked first, one
invalid row means nothing is imported (unless the person chooses to import the valid rows),
and importing the same file again changes nothing. Admins and managers (``data.import``);
staff users only admins. The uploaded file is kept in the instance folder under a random
name, for the person who uploaded it only, until it is imported (or for a day).

While a check or an import runs, its request writes how far it got (the importer's own
progress: bytes or sheet rows checked, then records written) to a small file next to the
upload, and the page's script (static/import_progress.js) polls ``/import/<token>/progress``
to show a bar. The import itself stays one request and one transaction: all or nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf.file import FileField
from werkzeug.wrappers import Response
from wtforms import SelectField
from wtforms.validators import InputRequired

from core.auth import permission_required
from core.db import db
from core.forms import ActionForm, BaseForm
from core.i18n import _, _l
from core.importing import FORMATS, ImportFileError, ImportResult, import_file, write_errors
from core.importing.mapping import (
    NAME_LENGTH,
    apply_saved,
    matching_saved,
    save_mapping,
    saved_mappings,
    suggest_mapping,
)
from core.importing.reading import CsvSource
from core.importing.workbook import XlsxSource, is_workbook
from core.models import ImportMapping
from core.plugins import PluginError

bp = Blueprint("imports", __name__, url_prefix="/import")

#: File name endings the page takes.
ACCEPTED = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
#: Rows shown under the column mapping.
PREVIEW_ROWS = 5
#: Seconds an uploaded file is kept when nobody imports it.
KEEP_SECONDS = 24 * 3600
#: Seconds between two writes of the progress file (and at every new phase).
PROGRESS_EVERY = 0.25
#: Where the page sends the person after importing each kind.
DESTINATIONS = {
    "users": "users.index",
    "customers": "customers.index",
    "products": "products.index",
    "orders": "orders.index",
    "order-lines": "orders.index",
}
KIND_LABELS = {
    "customers": _l("Customers"),
    "products": _l("Products"),
    "orders": _l("Orders"),
    "order-lines": _l("Order lines"),
    "users": _l("Staff users"),
}


class UploadForm(BaseForm):
    """What to import, and the file."""

    kind = SelectField(_l("What the file holds"), validators=[InputRequired()])
    file = FileField(_l("File (CSV or Excel .xlsx)"), validators=[InputRequired()])


def _kinds() -> list[str]:
    """The formats this user may import (staff users: admins only)."""
    return [kind for kind in FORMATS if kind != "users" or current_user.can("users.admin")]


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old_uploads(folder: Path) -> None:
    """Remove uploads nobody imported for a day."""
    limit = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _upload(token: str) -> tuple[dict[str, Any], Path]:
    """The upload's facts and file, for the user who uploaded it; 404 otherwise."""
    if not token.isascii() or not token.replace("-", "").replace("_", "").isalnum():
        abort(404)
    info_path = _folder() / f"{token}.json"
    if not info_path.exists():
        abort(404)
    info = json.loads(info_path.read_text(encoding="utf-8"))
    if info["user_id"] != current_user.id or info["kind"] not in _kinds():
        abort(404)
    return info, _folder() / info["stored"]


@bp.route("/", methods=["GET", "POST"])
@permission_required("data.import")
def upload() -> str | Response:
    """Step 1: choose what the file holds and upload it."""
    form = UploadForm()
    form.kind.choices = [(kind, KIND_LABELS[kind]) for kind in _kinds()]
    if form.validate_on_submit():
        sent = form.file.data
        suffix = Path(sent.filename or "").suffix.lower()
        if suffix not in ACCEPTED:
            form.file.errors = [_("Upload a CSV file or an Excel workbook (.xlsx).")]
        else:
            folder = _folder()
            _forget_old_uploads(folder)
            token = secrets.token_urlsafe(12)
            stored = f"{token}{suffix}"
            sent.save(folder / stored)
            info = {
                "kind": form.kind.data,
                "name": Path(sent.filename or "file").name,
                "stored": stored,
                "user_id": current_user.id,
            }
            (folder / f"{token}.json").write_text(json.dumps(info), encoding="utf-8")
            return redirect(url_for("imports.mapping", token=token))
    return render_template("imports/upload.html", title=_("Import a file"), form=form)


def _preview(path: Path) -> tuple[tuple[str, ...], list[list[str]]]:
    """The file's header and first rows (ImportFileError when it cannot be read)."""
    opened = XlsxSource if is_workbook(path) else CsvSource
    with opened(path, None) as source:
        rows = []
        for row in source.rows():
            if hasattr(row, "cells"):
                rows.append([row.cells[column] for column in source.header])
            if len(rows) >= PREVIEW_ROWS:
                break
        return source.header, rows


def _mapping_from_form(header: tuple[str, ...], columns: tuple[str, ...]) -> dict[str, str]:
    """{file column: format column} from the page's selects (map-<position>)."""
    mapping = {}
    for position, column in enumerate(header):
        field = request.form.get(f"map-{position}", "")
        if field in columns:
            mapping[column] = field
    return mapping


@bp.route("/<token>", methods=["GET", "POST"])
@permission_required("data.import")
def mapping(token: str) -> str | Response:
    """Step 2 and 3: the first rows, the column mapping, and the dry run (POST) or the import."""
    info, path = _upload(token)
    kind = info["kind"]
    columns = FORMATS[kind].columns
    try:
        header, rows = _preview(path)
    except ImportFileError as error:
        flash(_("%(name)s cannot be read: %(reason)s", name=info["name"], reason=error), "error")
        return redirect(url_for("imports.upload"))
    saved = saved_mappings(kind)
    chosen, used, missing = _first_choice(kind, columns, header, saved)
    result: ImportResult | None = None
    problem = ""
    save_name = ""
    form = ActionForm()
    if request.method == "POST":
        chosen = _mapping_from_form(header, columns)
        used = None
        if form.validate_on_submit() and request.form.get("action") == "save":
            save_name = " ".join(request.form.get("save_name", "").split())
            done = _save(kind, save_name, chosen)
            if done is not None:
                return redirect(url_for("imports.mapping", token=token, saved=done))
            problem = _(
                "Give the mapping a name of at most %(count)s characters to save it.",
                count=NAME_LENGTH,
            )
        elif form.validate_on_submit():
            run = request.form.get("action") == "import"
            skip = bool(request.form.get("skip_invalid"))
            _progress_path(token).unlink(missing_ok=True)  # the last run's, if any
            result, problem = _run(
                kind,
                path,
                chosen,
                skip_invalid=skip,
                save=run,
                progress=FileProgress(_progress_path(token)),
            )
            if result is not None and run and result.written:
                (path.parent / f"{token}.json").unlink(missing_ok=True)
                _progress_path(token).unlink(missing_ok=True)
                path.unlink(missing_ok=True)
                flash(_summary(info["name"], result), "success")
                return redirect(url_for(DESTINATIONS[kind]))
            if result is not None and result.rejected:
                write_errors(result, path.parent / f"{token}.errors.csv")
        else:
            problem = _("The form expired; try again.")
    return render_template(
        "imports/mapping.html",
        title=_("Import %(name)s", name=info["name"]),
        info=info,
        kind_label=KIND_LABELS[kind],
        token=token,
        header=header,
        rows=rows,
        columns=columns,
        chosen=chosen,
        result=result,
        problem=problem,
        form=form,
        saved=saved,
        used=used,
        missing=missing,
        save_name=save_name or (used.name if used is not None else ""),
        name_length=NAME_LENGTH,
    )


def _first_choice(
    kind: str, columns: tuple[str, ...], header: tuple[str, ...], saved: list[ImportMapping]
) -> tuple[dict[str, str], ImportMapping | None, list[str]]:
    """(the mapping the page opens with, the saved mapping it comes from, that mapping's columns
    this file lacks): the one asked for (?saved=id), else one saved for exactly these columns,
    else the guess by header names."""
    wanted = request.args.get("saved", "")
    used = next((item for item in saved if str(item.id) == wanted), None)
    if used is None and not wanted:
        used = matching_saved(kind, header, saved)
    if used is None:
        return suggest_mapping(kind, columns, header), None, []
    chosen, missing = apply_saved(used, columns, header)
    return chosen, used, missing


def _save(kind: str, name: str, chosen: dict[str, str]) -> int | None:
    """Save the mapping under name (replacing one of that name); its id, or None if the name
    is empty or too long (nothing saved)."""
    if not name or len(name) > NAME_LENGTH:
        return None
    saved, new = save_mapping(kind, name, chosen, current_user._get_current_object())
    db.session.commit()
    if new:
        flash(_("Mapping %(name)s saved.", name=name), "success")
    else:
        flash(_("Mapping %(name)s replaced.", name=name), "success")
    return saved.id


class FileProgress:
    """The importer's progress (core.importing.Progress) written to a JSON file for the page.

    {"phase": 1 checking / 2 writing, "done": units, "total": units, "finished": bool}: the
    units are the importer's own (bytes or sheet rows while checking, records while writing).
    Written at each phase and then at most every PROGRESS_EVERY seconds, replaced whole (a
    reader never sees half a file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.phases = 0
        self.done = 0
        self.total = 0
        self.written_at = 0.0

    def phase(self, label: str, total: int) -> None:
        """A new phase: the first checks the rows, the next ones write."""
        self.phases += 1
        self.done, self.total = 0, max(int(total), 0)
        self._write()

    def advance(self, done: int) -> None:
        """More units done; written when PROGRESS_EVERY seconds passed since the last write."""
        self.done = min(self.done + int(done), self.total)
        if time.monotonic() - self.written_at >= PROGRESS_EVERY:
            self._write()

    def finish(self) -> None:
        """The request is done (saved, checked, or failed): the page stops polling."""
        self._write(finished=True)

    def _write(self, finished: bool = False) -> None:
        self.written_at = time.monotonic()
        facts = {
            "phase": min(self.phases, 2),
            "done": self.done,
            "total": self.total,
            "finished": finished,
        }
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps(facts), encoding="utf-8")
        os.replace(partial, self.path)


def _progress_path(token: str) -> Path:
    return _folder() / f"{token}.progress.json"


def _run(
    kind: str,
    path: Path,
    chosen: dict[str, str],
    skip_invalid: bool,
    save: bool,
    progress: FileProgress | None = None,
) -> tuple[ImportResult | None, str]:
    """Import with the mapping; commit only when save and written, else roll back (dry run)."""
    try:
        try:
            result = import_file(kind, path, skip_invalid, progress=progress, mapping=chosen)
        except (ImportFileError, PluginError) as error:
            db.session.rollback()
            return None, str(error)
        if save and result.written:
            db.session.commit()
        else:
            db.session.rollback()
        return result, ""
    finally:
        if progress is not None:
            progress.finish()


@bp.route("/<token>/progress")
@permission_required("data.import")
def progress(token: str) -> Response:
    """How far the check or import of this upload running now has got, as JSON for the bar:
    {"phase": 0 none yet / 1 checking / 2 writing, "percent": 0-100, "finished": bool}."""
    _upload(token)
    path = _progress_path(token)
    facts: dict[str, Any] = {"phase": 0, "done": 0, "total": 0, "finished": False}
    if path.exists():
        with contextlib.suppress(OSError, ValueError):  # replaced while read: poll again
            facts.update(json.loads(path.read_text(encoding="utf-8")))
    total = int(facts["total"])
    percent = int(100 * int(facts["done"]) / total) if total else 0
    labels = {0: _("Starting"), 1: _("Checking the rows"), 2: _("Writing")}
    response = jsonify(
        phase=int(facts["phase"]),
        label=labels.get(int(facts["phase"]), ""),
        percent=percent,
        finished=bool(facts["finished"]),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _summary(name: str, result: ImportResult) -> str:
    return _(
        "%(name)s: %(rows)s row(s) read; %(added)s added, %(changed)s changed, "
        "%(unchanged)s unchanged; %(rejected)s rejected; %(flagged)s kept with data to check.",
        name=name,
        rows=result.rows,
        added=result.added,
        changed=result.changed,
        unchanged=result.unchanged,
        rejected=len(result.rejected),
        flagged=len(result.flagged),
    )


@bp.route("/<token>/errors.csv")
@permission_required("data.import")
def errors(token: str) -> Response:
    """The rows the last dry run refused, as they were in the file, with a reason column."""
    info, path = _upload(token)
    errors_path = path.parent / f"{token}.errors.csv"
    if not errors_path.exists():
        abort(404)
    name = Path(info["name"]).stem + "-errors.csv"
    return send_file(errors_path, mimetype="text/csv", as_attachment=True, download_name=name)

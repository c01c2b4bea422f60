"""Files added to tickets: checked by size, extension and content, stored under a random name.

Files live in <instance>/attachments/service_desk/<yyyy>/<mm>/<random>.<ext>, never under
the name the uploader gave (that name is only sent back as the download name). A file must
have an allowed extension and content that matches it: images and PDF by their magic bytes,
text as UTF-8 without control characters. Downloads are always sent as attachments with
the type of the allow-list, never rendered as HTML.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from pathlib import Path

from core.db import db
from core.i18n import _
from core.models import User
from plugins.service_desk.models import Attachment, Ticket, TicketMessage

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "txt": "text/plain",
    "csv": "text/csv",
}
FOLDER = Path("attachments") / "service_desk"


class AttachmentError(Exception):
    """The file cannot be accepted; the message says why."""


def extension_of(filename: str) -> str:
    """ "Scan.PDF" → "pdf"; "" when there is none."""
    name = Path(filename or "").name
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


def content_matches(extension: str, head: bytes) -> bool:
    """True when the file's first bytes are what its extension promises."""
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == "gif":
        return head.startswith((b"GIF87a", b"GIF89a"))
    if extension == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if extension in ("txt", "csv"):
        return _is_plain_text(head)
    return False


def _is_plain_text(data: bytes) -> bool:
    """UTF-8 without NUL or other control characters (tabs and line breaks allowed)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # The sample may end inside a multi-byte character: drop up to 3 trailing bytes.
        try:
            text = data[:-3].decode("utf-8") if len(data) > 3 else ""
        except UnicodeDecodeError:
            return False
    return not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)


def safe_download_name(filename: str) -> str:
    """The uploader's file name without folders or odd characters, at most 200 characters."""
    name = Path((filename or "").replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ()]+", "_", name).strip(" .") or "file"
    return name[-200:]


def check_file(
    filename: str, data: bytes, allowed: tuple[str, ...], max_bytes: int
) -> tuple[str, str]:
    """(extension, content type) of an acceptable file; AttachmentError saying why not otherwise."""
    extension = extension_of(filename)
    name = safe_download_name(filename)
    if extension not in allowed:
        raise AttachmentError(
            _(
                "%(name)s: files of this type are not accepted (allowed: %(allowed)s).",
                name=name,
                allowed=", ".join(allowed),
            )
        )
    if not data:
        raise AttachmentError(_("%(name)s is empty.", name=name))
    if len(data) > max_bytes:
        raise AttachmentError(
            _(
                "%(name)s is %(size)s KiB; the limit is %(limit)s KiB.",
                name=name,
                size=len(data) // 1024,
                limit=max_bytes // 1024,
            )
        )
    if not content_matches(
        extension, data[: 64 * 1024] if extension in ("txt", "csv") else data[:16]
    ):
        raise AttachmentError(
            _(
                "%(name)s does not contain what a .%(extension)s file should.",
                name=name,
                extension=extension,
            )
        )
    return extension, CONTENT_TYPES[extension]


def store_attachment(
    instance_path: str,
    ticket: Ticket,
    message: TicketMessage | None,
    filename: str,
    data: bytes,
    by: User | None,
    allowed: tuple[str, ...],
    max_bytes: int,
    now: dt.datetime,
) -> Attachment:
    """Check the file, write it under a random name and add its row (internal with a note)."""
    extension, content_type = check_file(filename, data, allowed, max_bytes)
    relative = Path(f"{now:%Y}") / f"{now:%m}" / f"{secrets.token_hex(16)}.{extension}"
    path = Path(instance_path) / FOLDER / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    attachment = Attachment(
        ticket_id=ticket.id,
        message_id=message.id if message else None,
        original_name=safe_download_name(filename),
        stored_name=relative.as_posix(),
        content_type=content_type,
        size_bytes=len(data),
        internal=bool(message is not None and message.internal),
        uploaded_by_id=by.id if by else None,
        created_at=now,
    )
    db.session.add(attachment)
    return attachment


def stored_path(instance_path: str, attachment: Attachment) -> Path:
    """Where an attachment's bytes are; the stored name never leaves the attachments folder."""
    root = (Path(instance_path) / FOLDER).resolve()
    path = (root / attachment.stored_name).resolve()
    if root not in path.parents:
        raise AttachmentError(_("The attachment's stored name is not valid."))
    return path


def discard_files(instance_path: str, attachments: list[Attachment]) -> None:
    """Delete files written for attachments whose transaction was rolled back."""
    for attachment in attachments:
        try:
            stored_path(instance_path, attachment).unlink(missing_ok=True)
        except AttachmentError:
            continue

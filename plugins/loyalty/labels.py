"""The fixed codes loyalty stores (kinds, statuses, occasions, sentiments) as people read them.

The stored values stay the codes ("call", "open", "birthday"); pages show these labels in the
reader's language. Stage labels are lifecycle.stage_label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from core.i18n import _, _l
from plugins.loyalty.models import KIND_LABELS, OCCASION_LABELS, TASK_STATUS_LABELS
from plugins.loyalty.preferences import SENTIMENT_LABELS


def _label(labels: Mapping[str, object], code: str | None) -> str:
    """The label of a code, or the code itself when it has none ("–" for nothing)."""
    if not code:
        return "–"
    label = labels.get(code)
    return str(label) if label is not None else code


def kind_label(kind: str | None) -> str:
    """An interaction or care task kind: "call" → "Call"."""
    return _label(KIND_LABELS, kind)


def status_label(status: str | None) -> str:
    """A care task status, lower case as in running text: "open" → "open"."""
    return _label(TASK_STATUS_LABELS, status)


def occasion_label(occasion: str | None) -> str:
    """A greeting occasion: "birthday" → "Birthday"."""
    return _label(OCCASION_LABELS, occasion)


def sentiment_label(sentiment: str | None) -> str:
    """A preference's sentiment: "avoids" → "Avoids", anything else → "Note"."""
    return str(SENTIMENT_LABELS.get(sentiment or "", SENTIMENT_LABELS["note"]))


#: The reasons loyalty writes into tier and stage history and care tasks (stored in English),
#: read back in the reader's language. A reason not matched (older wording) is shown as stored.
_REASONS: list[tuple[re.Pattern[str], Callable[..., str]]] = [
    (
        re.compile(r"order (?P<number>\S+) confirmed"),
        lambda **v: _("order %(number)s confirmed", **v),
    ),
    (
        re.compile(r"order (?P<number>\S+) cancelled"),
        lambda **v: _("order %(number)s cancelled", **v),
    ),
    (
        re.compile(r"refund on order (?P<number>\S+)"),
        lambda **v: _("refund on order %(number)s", **v),
    ),
    (re.compile(r"an order confirmed"), lambda: _("an order confirmed")),
    (re.compile(r"an order cancelled"), lambda: _("an order cancelled")),
    (re.compile(r"refund on an order"), lambda: _("refund on an order")),
    (re.compile(r"order import"), lambda: _("order import")),
    (re.compile(r"nightly recompute"), lambda: _("nightly recompute")),
    (re.compile(r"customer created"), lambda: _("customer created")),
    (re.compile(r"demo data"), lambda: _("demo data")),
    (re.compile(r"recompute \(command line\)"), lambda: _("recompute (command line)")),
    (re.compile(r"recompute by (?P<name>.+)"), lambda **v: _("recompute by %(name)s", **v)),
    (
        re.compile(r"(?P<tier>.+) care plan: (?P<care>visit|call) every (?P<days>\d+) days"),
        lambda tier, care, days: _(
            "%(tier)s care plan: %(care)s every %(days)s days",
            tier=tier,
            care=kind_label(care).lower(),
            days=days,
        ),
    ),
    (re.compile(r"Churned: win the customer back"), lambda: _("Churned: win the customer back")),
    (
        re.compile(r"At risk: ordering less than usual"),
        lambda: _("At risk: ordering less than usual"),
    ),
]
#: Notes the system writes on care tasks it closes.
_NOTES = {
    "Closed by the system: the customer ordered again.": _l(
        "Closed by the system: the customer ordered again."
    ),
}


def reason_text(reason: str | None) -> str:
    """A stored history or task reason in the reader's language: "order SO-1 confirmed"."""
    if not reason:
        return ""
    for pattern, translate in _REASONS:
        found = pattern.fullmatch(reason)
        if found:
            return translate(**found.groupdict())
    return reason


def note_text(notes: str | None) -> str:
    """A task's notes: the system's own notes translated, a person's notes as written."""
    if not notes:
        return ""
    return str(_NOTES.get(notes, notes))

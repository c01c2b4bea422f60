"""The staff roles, named once: every role list in core and plugins is (a part of) this one."""

from __future__ import annotations

from core.i18n import _l

#: Every role a user can have, from most to least powerful.
ROLES = ("admin", "manager", "sales", "support", "marketing")

#: The roles that sell: a customer's owner and an order's salesperson have one of these.
SELLING_ROLES = ("sales", "manager", "admin")

#: How pages name each role (the stored value stays English).
ROLE_LABELS = {
    "admin": _l("admin"),
    "manager": _l("manager"),
    "sales": _l("sales"),
    "support": _l("support"),
    "marketing": _l("marketing"),
}


def role_label(role: str | None) -> str:
    """A role as the current language names it: "sales" → "销售" in Chinese; unknown as stored."""
    return str(ROLE_LABELS[role]) if role in ROLE_LABELS else (role or "")

"""Which role holds which permission: the one rule, used by User.can and the view decorators.

It reads the permissions the enabled plugins declared (the core's own included) from the
current app, and imports nothing from the data model, so core.models can use it.
"""

from __future__ import annotations

from flask import current_app

from core.roles import ROLES


def role_has_permission(role: str, permission: str) -> bool:
    """True when the role holds the permission; admin holds all. Unknown permissions are a bug."""
    if role not in ROLES:
        return False
    known = current_app.extensions["clientele"].permissions
    if permission not in known:
        raise LookupError(
            f"unknown permission '{permission}' (enabled plugins define: {', '.join(sorted(known))})"
        )
    return role == "admin" or role in known[permission].roles

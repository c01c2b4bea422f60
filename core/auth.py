"""Logging in, roles and permissions. Every check runs on the server."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app
from flask_login import LoginManager, current_user, login_required

from core.db import db
from core.models import ROLES, User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see this page."
login_manager.login_message_category = "warning"

F = TypeVar("F", bound=Callable[..., Any])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the active user with this id, or None."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


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


def permission_required(permission: str) -> Callable[[F], F]:
    """View decorator: log in first, then 403 unless the user's role holds the permission."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def require(condition: bool) -> None:
    """Abort with 403 unless the (row-level) condition holds."""
    if not condition:
        abort(403)

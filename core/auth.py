"""Logging in, roles and permissions. Every check runs on the server."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import Any, TypeVar, cast

from flask import abort, has_request_context
from flask_login import LoginManager, current_user, login_required
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from core.db import db
from core.i18n import _l
from core.models import User
from core.permissions import role_has_permission as role_has_permission  # its old home

login_manager = LoginManager()
login_manager.login_view = "auth.login"
#: Flashed (translated when flashed) when a page needs a signed-in user.
login_manager.login_message = _l("Please log in to see this page.")
login_manager.localize_callback = str
login_manager.login_message_category = "warning"

F = TypeVar("F", bound=Callable[..., Any])


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the active user of a session's "<id>:<version>", or None.

    A session whose version is not the user's current one was signed out (logout, password
    change, "sign out everywhere"). A bare "<id>" is version 0, the version of a user whose
    sessions were never revoked.
    """
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not (version or "0").isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or (user.session_version or 0) != int(version or "0"):
        return None
    return user


@cache
def _dummy_hash() -> str:
    """A hash made the way real ones are, checked when there is no account to check against."""
    return generate_password_hash("no account has this password")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None.

    Exactly one password hash is checked whatever the outcome (unknown e-mail, disabled
    account, no password set, wrong or right password), so the time a login takes does not
    tell whether an account exists.
    """
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    matches = check_password_hash(stored, password)
    if user is None or not user.password_hash or not user.active or not matches:
        return None
    return user


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


def acting_user() -> User | None:
    """The logged-in user of the current request; None outside a request (CLI, jobs, imports)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    user: User = current_user._get_current_object()
    return user


def require(condition: bool) -> None:
    """Abort with 403 unless the (row-level) condition holds."""
    if not condition:
        abort(403)

"""Staff users admin: list, create, edit (role, active, password)."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from core import throttle
from core.auth import permission_required
from core.db import db
from core.forms import ActionForm, UserForm
from core.i18n import _
from core.models import User
from core.views.common import get_or_404, paginate, sorting

bp = Blueprint("users", __name__, url_prefix="/admin/users")
log = logging.getLogger("clientele.login")

SORTS = {"name": func.lower(User.name), "email": User.email, "role": User.role}


@bp.route("/")
@permission_required("users.admin")
def index() -> str:
    """All staff users."""
    sort, direction, order_by = sorting(SORTS, "name")
    page = paginate(select(User).order_by(order_by, User.id))
    return render_template(
        "users/list.html", title=_("Users"), page=page, sort=sort, direction=direction
    )


def _save(form: UserForm, user: User | None) -> User | None:
    """Write the form to a user; None (with field errors set) when the input cannot be saved."""
    email = form.email.data.strip().lower()
    other = db.session.scalar(select(User.id).where(User.email == email))
    if other is not None and (user is None or other != user.id):
        form.email.errors = [*form.email.errors, _("Another user has this e-mail.")]
        return None
    if user is None and not form.password.data:
        form.password.errors = [*form.password.errors, _("A new user needs a password.")]
        return None
    if (
        user is not None
        and user.id == current_user.id
        and (form.role.data != "admin" or not form.active.data)
    ):
        form.role.errors = [
            *form.role.errors,
            _("You cannot take away your own admin role or disable yourself."),
        ]
        return None
    user = user or User()
    user.email, user.name, user.role, user.active = (
        email,
        form.name.data.strip(),
        form.role.data,
        form.active.data,
    )
    if form.password.data:
        user.set_password(form.password.data)
        if user.id is not None:
            user.sign_out_everywhere()  # whoever knew the old password is out
    db.session.add(user)
    db.session.commit()
    if user.id == current_user.id:
        login_user(user)  # an admin's own new password: this session goes on, others end
    return user


@bp.route("/new", methods=["GET", "POST"])
@permission_required("users.admin")
def create() -> str | Response:
    """Create a staff user."""
    form = UserForm()
    if form.validate_on_submit() and (user := _save(form, None)) is not None:
        flash(_("User %(email)s created.", email=user.email), "success")
        return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=None, title=_("New user"))


@bp.route("/<user_id>/edit", methods=["GET", "POST"])
@permission_required("users.admin")
def edit(user_id: str) -> str | Response:
    """Edit a staff user (a new password signs them out everywhere); unlock and sign-out buttons."""
    user = get_or_404(User, user_id)
    form = UserForm(obj=user)
    if form.validate_on_submit() and _save(form, user) is not None:
        flash(_("User %(email)s saved.", email=user.email), "success")
        return redirect(url_for("users.index"))
    return render_template(
        "users/form.html",
        form=form,
        user=user,
        title=_("Edit %(name)s", name=user.email),
        action=ActionForm(),
        failures=throttle.failures(user.email),
        block=throttle.account_block(user.email),
    )


@bp.route("/<user_id>/unlock", methods=["POST"])
@permission_required("users.admin")
def unlock(user_id: str) -> Response:
    """Forget the account's failed logins, so the user may log in again at once."""
    user = get_or_404(User, user_id)
    if ActionForm().validate_on_submit():
        throttle.clear_account(user.email)
        log.info("%s unlocked the login of %s", current_user.email, user.email)
        flash(_("%(email)s may log in again.", email=user.email), "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.route("/<user_id>/sign-out", methods=["POST"])
@permission_required("users.admin")
def sign_out(user_id: str) -> Response:
    """End every session of the user, on every browser and device (the admin's own too)."""
    user = get_or_404(User, user_id)
    if ActionForm().validate_on_submit():
        user.sign_out_everywhere()
        db.session.commit()
        log.info("%s signed out every session of %s", current_user.email, user.email)
        flash(_("%(email)s is signed out everywhere.", email=user.email), "success")
    return redirect(url_for("users.edit", user_id=user.id))

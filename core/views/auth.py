"""Logging in and out, and the user's own profile (password change)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from core import throttle
from core.auth import authenticate
from core.db import db
from core.forms import LanguageForm, LoginForm, PasswordChangeForm
from core.i18n import _, _l, ngettext

bp = Blueprint("auth", __name__)

WRONG_LOGIN = _l("E-mail or password is wrong, or the account is disabled.")


def _safe_next(target: str | None) -> str:
    """Only follow same-site relative redirects after login."""
    if (
        target
        and urlsplit(target).netloc == ""
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return url_for("dashboard.index")


def _blocked_message(block: throttle.Block) -> str:
    """Say why logging in is refused and when to try again."""
    if block.scope == "account":
        return ngettext(
            "Too many failed logins for this account. Try again in %(num)s minute (at"
            " %(clock)s), or ask an admin to unlock the account.",
            "Too many failed logins for this account. Try again in %(num)s minutes (at"
            " %(clock)s), or ask an admin to unlock the account.",
            block.minutes,
            clock=block.clock,
        )
    return ngettext(
        "Too many failed logins from your network address. Try again in %(num)s minute (at"
        " %(clock)s), or ask an admin to unlock the account.",
        "Too many failed logins from your network address. Try again in %(num)s minutes (at"
        " %(clock)s), or ask an admin to unlock the account.",
        block.minutes,
        clock=block.clock,
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the login form; on success go where the user was heading.

    Failed logins are counted per account and per address (core.throttle); while either is
    over its limit the form is refused with status 429 and says when to try again.
    """
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email, address = form.email.data, throttle.client_address()
        block = throttle.blocked(email, address)
        if block is None:
            user = authenticate(email, form.password.data)
            if user is not None:
                throttle.clear_account(email)
                login_user(user)
                return redirect(_safe_next(form.next.data))
            block = throttle.record_failure(email, address)
            if block is None:
                flash(str(WRONG_LOGIN), "error")
        if block is not None:
            flash(_blocked_message(block), "error")
            return render_template("auth/login.html", form=form, title=_("Log in")), 429
    return render_template("auth/login.html", form=form, title=_("Log in"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Log out: every session of the user ends, also a copy of this one kept elsewhere."""
    current_user.sign_out_everywhere()
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    """The user's own account: who they are, their language, and a form to change the password."""
    language_form = LanguageForm(language=current_user.language or "")
    if "language-language" in request.form:
        if language_form.validate_on_submit():
            current_user.language = language_form.language.data or None
            db.session.commit()
            flash(_("Your language is saved."), "success")
            return redirect(url_for("auth.profile"))
        return render_template(
            "auth/profile.html",
            form=PasswordChangeForm(formdata=None),
            language_form=language_form,
            title=_("Your profile"),
        )
    form = PasswordChangeForm()
    if form.validate_on_submit():
        # A wrong current password counts as a failed login, so a left-open session cannot
        # be used to guess it.
        email, address = current_user.email, throttle.client_address()
        block = throttle.blocked(email, address)
        if block is None and authenticate(email, form.current.data) is None:
            block = throttle.record_failure(email, address)
            form.current.errors = [*form.current.errors, _("This is not your current password.")]
        if block is not None:
            flash(_blocked_message(block), "error")
        elif not form.current.errors:
            current_user.set_password(form.new.data)
            current_user.sign_out_everywhere()
            db.session.commit()
            # This session goes on with the new version; every other one is signed out.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Your other sessions are signed out."), "success")
            return redirect(url_for("auth.profile"))
    return render_template(
        "auth/profile.html", form=form, language_form=language_form, title=_("Your profile")
    )

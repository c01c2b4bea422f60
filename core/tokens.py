"""Signed tokens for public links (survey, unsubscribe): tamper-proof, purpose-bound, expiring."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from core.csrf import csrf
from core.i18n import _

View = TypeVar("View", bound=Callable[..., Any])


def signed_link_view(view: View) -> View:
    """Mark a public view whose signed token in the URL is its protection: CSRF-exempt.

    Use it only on a route whose URL carries a token from sign() and that changes nothing
    without a valid one (a mail client's RFC 8058 one-click POST carries no CSRF token and
    no session). Every other POST keeps the CSRF check.
    """
    return csrf.exempt(view)


class TokenError(Exception):
    """The token is forged, for another purpose, or expired; the message says which, for the page."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    """A serializer keyed by the app's secret and salted with the purpose (a survey token is no unsubscribe token)."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"clientele.{purpose}")


def sign(purpose: str, payload: Any) -> str:
    """A URL-safe token carrying payload (JSON-serialisable) for the given purpose."""
    return _serializer(purpose).dumps(payload)


def unsign(purpose: str, token: str, max_age_seconds: int | None = None) -> Any:
    """The payload of a token made by sign(purpose, ...); TokenError when forged or too old."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise TokenError(_("This link has expired.")) from None
    except BadSignature:
        raise TokenError(_("This link is not valid.")) from None

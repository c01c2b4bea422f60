"""Security headers on every response: a strict Content-Security-Policy, HSTS over HTTPS, and friends.

The pages run only scripts served by the app itself (``script-src 'self'``): no inline
script, no inline event handler, no ``javascript:`` link. Behaviour lives in static files
(core/static/clientele.js wires ``data-confirm``, ``data-autosubmit``, ``data-check-all``
and ``data-back``). A template that cannot avoid an inline script gives it
``nonce="{{ csp_nonce() }}"``; the nonce is made per response and added to the policy only
when a page asks for one. Style sheets come from the app; ``style`` attributes are allowed
(``style-src-attr``), ``<style>`` elements are not. A header a view has set already (e.g.
the sandboxing CSP of ticket attachments) is kept.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g

#: The policy every response gets unless its view set one itself.
POLICY = (
    "default-src 'none'",
    "script-src 'self'{nonce}",
    "style-src 'self'",
    "style-src-elem 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
)
#: One year, as browsers' preload lists expect; sent only when [clientele].https is true.
HSTS = "max-age=31536000"
OTHER_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def csp_nonce() -> str:
    """The nonce for an inline script on this response (Jinja: ``{{ csp_nonce() }}``)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def content_security_policy() -> str:
    """The policy for the current response, with its nonce when the page used one."""
    nonce = f" 'nonce-{g.csp_nonce}'" if "csp_nonce" in g else ""
    return "; ".join(POLICY).replace("{nonce}", nonce)


def init_app(app: Flask) -> None:
    """Add the headers to every response of the app, keeping any a view has set."""
    https = bool(app.config["CLIENTELE"]["https"])
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        for name, value in OTHER_HEADERS.items():
            response.headers.setdefault(name, value)
        if https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

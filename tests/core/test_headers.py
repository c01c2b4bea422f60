"""Security headers: a strict Content-Security-Policy on every page, HSTS over HTTPS, no inline script."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

from core.config import PROJECT_ROOT

STRICT = (
    "default-src 'none'; script-src 'self'; style-src 'self'; style-src-elem 'self'; "
    "style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


@pytest.mark.parametrize(
    "path", ["/login", "/", "/customers/", "/admin/users/", "/profile", "/nope"]
)
def test_every_page_has_the_strict_policy(client, login_as, path):
    if path != "/login":
        login_as("admin")
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == STRICT
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # not over plain HTTP


def test_hsts_when_served_over_https(make_app):
    app = make_app(https=True)
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_a_header_set_by_the_view_is_kept(app):
    @app.get("/sandboxed-test-file")
    def sandboxed():
        return (
            "x",
            200,
            {
                "Content-Security-Policy": "default-src 'none'; sandbox",
                "X-Frame-Options": "SAMEORIGIN",
            },
        )

    response = app.test_client().get("/sandboxed-test-file")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_a_page_that_needs_an_inline_script_gets_a_nonce(app):
    @app.get("/nonce-test-page")
    def with_nonce():
        return render_template_string('<script nonce="{{ csp_nonce() }}">1</script>')

    response = app.test_client().get("/nonce-test-page")
    nonce = re.search(r'nonce="([^"]+)"', response.get_data(as_text=True)).group(1)
    policy = response.headers["Content-Security-Policy"]
    assert f"script-src 'self' 'nonce-{nonce}';" in policy and len(nonce) >= 20
    again = app.test_client().get("/nonce-test-page")
    assert nonce not in again.get_data(as_text=True)  # a new nonce per response


INLINE_SCRIPT = re.compile(
    r"""<script(?![^>]*\bsrc=)(?![^>]*type="application/json")[^>]*>"""  # inline <script>
    r"""|\son[a-z]+\s*=\s*["']"""  # onclick=, onsubmit=, ...
    r"""|javascript:""",
    re.IGNORECASE,
)


def test_no_template_has_inline_script_or_handlers():
    """The policy would block them; behaviour goes into static files (core/static/clientele.js)."""
    offenders = []
    for path in sorted(
        [
            *PROJECT_ROOT.glob("core/templates/**/*.html"),
            *PROJECT_ROOT.glob("plugins/*/templates/**/*.html"),
        ]
    ):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if INLINE_SCRIPT.search(line) and "csp_nonce()" not in line:
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{number}")
    assert offenders == []

"""The app's CSRF protection (Flask-WTF), alone in a module so that any view module can use it."""

from __future__ import annotations

from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

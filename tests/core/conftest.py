"""Fixtures for the core's own tests."""

import pytest

from core.plugins import _discovery

FAKE = "tests.core.fake_plugins"
FAKE_NAMES = [
    "good", "needs_missing", "cycle_a", "cycle_b", "cycle_c", "broken_import", "unknown_hook", "bad_args",
    "default_arg", "no_manifest", "wrong_name", "future_core", "bad_blueprint", "bad_permission", "bad_command",
    "order_base", "order_mid", "order_top", "order_soft", "publisher", "subscriber", "raising_display",
    "raising_confirm", "bad_table", "with_command", "confirm_only",
]  # fmt: skip


@pytest.fixture
def fake_plugins(monkeypatch):
    """Offer the plugins in tests/core/fake_plugins as if they were installed, besides the real ones."""
    real = list(_discovery._installed_entry_points())
    fakes = [(name, f"{FAKE}.{name}", "fake-plugins", "1.0") for name in FAKE_NAMES]
    monkeypatch.setattr(_discovery, "entry_point_source", lambda: real + fakes)
    return FAKE_NAMES

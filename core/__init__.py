"""Clientele: a small, pluggable CRM/ERP core. ``flask --app core`` finds create_app here."""

from core.app import __version__, create_app

__all__ = ["__version__", "create_app"]

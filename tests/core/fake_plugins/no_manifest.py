"""Forgot the manifest."""

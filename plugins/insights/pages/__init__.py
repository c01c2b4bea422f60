"""The insights report pages (views.py maps the URLs; common.py holds what they share)."""

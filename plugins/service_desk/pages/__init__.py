"""The service desk's view functions, one module per page family (views.py maps the URLs)."""

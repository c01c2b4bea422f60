"""Every display hook raises, to prove the page still renders."""

from core.plugins import Manifest, hookimpl

manifest = Manifest(name="raising_display", version="1.0")


@hookimpl
def customer_panels(customer, user):
    raise RuntimeError("panel exploded")


@hookimpl
def customer_badges(customers):
    raise RuntimeError("badges exploded")


@hookimpl
def customer_timeline(customer, since):
    raise RuntimeError("timeline exploded")


@hookimpl
def dashboard_widgets(user):
    raise RuntimeError("widgets exploded")


@hookimpl
def nav_items(user):
    raise RuntimeError("nav exploded")

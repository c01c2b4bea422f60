from core.plugins import Manifest, hookimpl
from tests.core.fake_plugins.ordered import CALLS

manifest = Manifest(name="order_base", version="1.0", depends=[])


@hookimpl
def customer_badges(customers):
    CALLS.append("order_base")
    return {}


@hookimpl
def order_confirmed(order):
    CALLS.append("order_base")


@hookimpl
def orders_imported(order_ids):
    pass


@hookimpl
def permissions():
    CALLS.append("order_base")
    return []

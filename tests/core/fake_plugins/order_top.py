from core.plugins import Manifest, hookimpl
from tests.core.fake_plugins.ordered import CALLS

manifest = Manifest(name="order_top", version="1.0", depends=["order_mid"])


@hookimpl
def customer_badges(customers):
    CALLS.append("order_top")
    return {}


@hookimpl
def order_confirmed(order):
    CALLS.append("order_top")


@hookimpl
def orders_imported(order_ids):
    pass


@hookimpl
def permissions():
    CALLS.append("order_top")
    return []

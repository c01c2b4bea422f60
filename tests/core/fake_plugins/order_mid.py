from core.plugins import Manifest, hookimpl
from tests.core.fake_plugins.ordered import CALLS

manifest = Manifest(name="order_mid", version="1.0", depends=["order_base"])


@hookimpl
def customer_badges(customers):
    CALLS.append("order_mid")
    return {}


@hookimpl
def order_confirmed(order):
    CALLS.append("order_mid")


@hookimpl
def orders_imported(order_ids):
    pass


@hookimpl
def permissions():
    CALLS.append("order_mid")
    return []

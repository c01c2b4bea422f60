from core.plugins import Manifest, hookimpl
from tests.core.fake_plugins.ordered import CALLS

# Sorts before order_top by name, but uses it, so it must come after it when both are enabled.
manifest = Manifest(name="order_soft", version="1.0", uses=["order_top", "not_installed_at_all"])


@hookimpl
def customer_badges(customers):
    CALLS.append("order_soft")
    return {}


@hookimpl
def permissions():
    CALLS.append("order_soft")
    return []

from core.plugins import Manifest, hookimpl

manifest = Manifest(name="unknown_hook", version="1.0")


@hookimpl
def customer_panel(customer, user):
    return []

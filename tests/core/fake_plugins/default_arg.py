from core.plugins import Manifest, hookimpl

manifest = Manifest(name="default_arg", version="1.0")


@hookimpl
def customer_panels(customer, user=None):
    return []

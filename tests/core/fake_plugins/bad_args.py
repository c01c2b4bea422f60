from core.plugins import Manifest, hookimpl

manifest = Manifest(name="bad_args", version="1.0")


@hookimpl
def customer_panels(customer, request):
    return []

from core.plugins import Manifest, hookimpl

manifest = Manifest(name="confirm_only", version="1.0")


@hookimpl
def order_confirmed(order):
    pass

"""order_confirmed writes mail to the outbox, then raises: the whole confirmation must roll back."""

from core.outbox import queue_email
from core.plugins import Manifest, hookimpl

manifest = Manifest(name="raising_confirm", version="1.0")


@hookimpl
def order_confirmed(order):
    queue_email("someone@example.com", "Thanks", "Body", customer=order.customer)
    raise ValueError("credit check failed")


@hookimpl
def orders_imported(order_ids):
    pass

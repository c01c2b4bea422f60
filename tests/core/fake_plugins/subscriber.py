from core.plugins import Manifest, hookimpl

manifest = Manifest(name="subscriber", version="1.0", uses=["publisher"])


@hookimpl(optionalhook=True)
def favourite_colour(customer_id):
    return "green"

from core.plugins import Manifest, Permission, hookimpl

manifest = Manifest(name="bad_permission", version="1.0")


@hookimpl
def permissions():
    return [Permission("customers.delete_everything", "Oops", ("sales",))]

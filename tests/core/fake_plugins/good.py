"""A well-behaved plugin with settings."""

from decimal import Decimal

from core.plugins import Badge, Manifest, Setting, SettingError, hookimpl

manifest = Manifest(name="good", version="1.2.3", summary="Behaves.")


def _check_rate(value: Decimal) -> Decimal:
    if not Decimal(0) <= value <= 1:
        raise SettingError("must be between 0 and 1")
    return value


@hookimpl
def plugin_settings():
    return [
        Setting("limit", int, 5, "how many"),
        Setting("rate", Decimal, Decimal("0.10"), "a fraction", check=_check_rate),
        Setting("mode", str, "fast", choices=("fast", "slow")),
    ]


@hookimpl
def customer_badges(customers):
    return {customer.id: [Badge("good", "success")] for customer in customers}

"""The hooks service_desk publishes for other plugins (DESIGN.md section 3, PLUGINS.md).

Implement them with ``@hookimpl(optionalhook=True)`` and list "service_desk" in ``uses``.
"""

# ruff: noqa: ARG001
# mypy: disable-error-code="empty-body"
from __future__ import annotations

from core.plugins import hookspec


@hookspec
def sla_customer_tiers(customer_ids: list[int]) -> dict[int, str]:
    """Return {customer_id: tier name} for the given ids (a list), e.g. loyalty's current tier.

    Called when a ticket is opened or its priority or customer changes, to choose the SLA
    policy configured for that tier (``[plugins.service_desk].sla_policies`` entries with a
    ``tier``). Inside the ticket's transaction; answer with one query; customers without a
    tier are left out. Tier names are free strings compared exactly.
    """

"""The staff roles, named once: every role list in core and plugins is (a part of) this one."""

from __future__ import annotations

#: Every role a user can have, from most to least powerful.
ROLES = ("admin", "manager", "sales", "support", "marketing")

#: The roles that sell: a customer's owner and an order's salesperson have one of these.
SELLING_ROLES = ("sales", "manager", "admin")

"""Who may see and change commission: the permission names and the row rule for statements."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from core.models import User
from core.views.common import get_or_404

VIEW_OWN = "sales_commission.view_own"
VIEW_ALL = "sales_commission.view_all"
APPROVE = "sales_commission.approve"
SPLIT = "sales_commission.split"
SETTINGS = "sales_commission.settings"


def visible_salesperson(user_id: str) -> User:
    """The salesperson of a statement URL; 404 when the user may not see their statements."""
    salesperson = get_or_404(User, user_id)
    if not (current_user.can(VIEW_ALL) or salesperson.id == current_user.id):
        abort(404)
    return salesperson

"""One table: a row per confirmed order, written by the order_confirmed hook."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db
from core.models import utcnow


class Confirmation(db.Model):  # type: ignore[name-defined,misc]
    """An order this plugin saw being confirmed."""

    __tablename__ = "example_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

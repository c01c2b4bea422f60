from sqlalchemy.orm import Mapped, mapped_column

from core.db import db
from core.plugins import Manifest

manifest = Manifest(name="bad_table", version="1.0")


class Thing(db.Model):  # type: ignore[name-defined]
    __tablename__ = "things_without_prefix"
    id: Mapped[int] = mapped_column(primary_key=True)

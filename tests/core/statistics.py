"""What the query planner knows of a table: to check that ANALYZE ran."""

from sqlalchemy import text


def planner_knows_customer_rows(db) -> int | None:
    """The row count of table customer as the planner's statistics have it (None: none yet)."""
    if db.engine.dialect.name == "sqlite":
        found = db.session.execute(
            text("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        ).first()
        if found is None:
            return None
        # One row per index; the first number of each is the table's row count.
        stat = db.session.scalar(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'customer'"))
        return int(stat.split()[0]) if stat else None
    return (
        db.session.scalar(text("SELECT reltuples::bigint FROM pg_class WHERE relname = 'customer'"))
        or None
    )

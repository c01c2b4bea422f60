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


def customer_heap_fetches(db) -> int:
    """PostgreSQL: how many rows an index-only count of customer still reads from the table.

    Zero once VACUUM has marked the table's pages all-visible; every page updated since makes
    the scan visit the table for its rows, dead ones included.
    """
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
    plan = db.session.scalar(
        text("EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(id) FROM customer WHERE id > 0")
    )
    db.session.rollback()
    found = []

    def walk(node):
        if node.get("Node Type") == "Index Only Scan":
            found.append(node["Heap Fetches"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    assert found, "the count did not use an index-only scan"
    return sum(found)

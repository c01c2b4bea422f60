"""Four plugins in one module's namespace would clash, so ordering uses a shared call log."""

CALLS: list[str] = []
